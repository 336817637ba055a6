"""Soak: the HTTP service held at 80% of its measured capacity for a long time, to see errors
and memory growth that a short benchmark cannot.

    .venv/bin/python bench/soak.py --registry postgresql+psycopg://postgres@127.0.0.1:5432/test

Starts `vc-engine serve --workers 2` on loopback against a fresh schema (or a throwaway SQLite
file), measures its maximum with wrk (closed loop), then holds 80% of it for --minutes minutes
in one-minute rounds. After each round it prints the round's throughput, errors (non-2xx,
socket errors, reports that did not PASS), p50/p99 latency and every worker's resident memory.
Targets (issue 9): 0 errors, and worker RSS growth under 5% from the end of the first minute
to the end. Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_load import (
    NOW,
    VC_ENGINE,
    drop_schema,
    free_port,
    fresh_schema,
    prepare,
    wait_healthy,
    wrk,
)

from common import stop_server


def worker_rss_mib(server_pid: int) -> dict[int, float]:
    """Resident memory of every process of the server's session but the supervisor."""
    found: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == server_pid:
            continue
        try:
            if os.getsid(int(entry.name)) != server_pid:
                continue
            status = (entry / "status").read_text()
        except (OSError, ProcessLookupError):
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                found[int(entry.name)] = int(line.split()[1]) / 1024
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--registry", help="registry URL (default: a throwaway SQLite file)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--load", type=float, default=0.8, help="share of the maximum to hold")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="vc-engine-soak-") as temporary:
        work = Path(temporary)
        url = args.registry or f"sqlite:///{work / 'registry.db'}"
        schema = None
        if url.startswith("postgresql"):
            url, schema = fresh_schema(url)
        paths = prepare(url, work, args.documents)
        listing = work / "files.txt"
        listing.write_text("\n".join(str(p) for p in paths) + "\n")

        from api.access import ClientStore
        from vc_engine.store.engine import create_registry_engine

        engine = create_registry_engine(url)
        _, token = ClientStore(engine).create("soak bench", ["verify"], at=NOW)
        engine.dispose()

        port = free_port()
        server = subprocess.Popen(
            [
                *(str(VC_ENGINE), "--registry", url, "serve", "--host", "127.0.0.1"),
                *("--port", str(port), "--workers", str(args.workers)),
                *("--rate", "1000000", "--burst", "1000000"),
            ],
            start_new_session=True,
            stdout=subprocess.DEVNULL,
        )
        env = {"VC_BENCH_FILES": str(listing), "VC_BENCH_TOKEN": token}
        rounds: list[dict[str, object]] = []
        try:
            wait_healthy(port)
            wrk(port, env, args.connections, 5)  # warm up
            peak = wrk(port, env, args.connections, 15)
            target = args.load * peak["rps"]
            delay = max(0.0, 1000.0 * args.connections / target - peak.get("p50_ms", 0.0))
            calibration = wrk(
                port, {**env, "VC_BENCH_DELAY_MS": f"{delay:.3f}"}, args.connections, 5
            )
            delay = max(0.0, delay * calibration["rps"] / target)
            print(f"maximum {peak['rps']:,.0f}/s; holding about {target:,.0f}/s")
            print("minute      rps   errors   p50 ms   p99 ms   worker RSS MiB")
            for minute in range(1, args.minutes + 1):
                held = wrk(port, {**env, "VC_BENCH_DELAY_MS": f"{delay:.3f}"}, args.connections, 60)
                rss = worker_rss_mib(server.pid)
                errors = int(held["not_passed"] + held["socket_errors"] + held["non_2xx"])
                rounds.append(
                    {
                        "minute": minute,
                        "rps": round(held["rps"], 1),
                        "errors": errors,
                        "p50_ms": held.get("p50_ms"),
                        "p99_ms": held.get("p99_ms"),
                        "rss_mib": sorted(round(v, 1) for v in rss.values()),
                    }
                )
                memory = " ".join(f"{v:.1f}" for v in sorted(rss.values()))
                print(
                    f"{minute:6d} {held['rps']:8,.0f} {errors:8d} {held.get('p50_ms', 0):8.2f} "
                    f"{held.get('p99_ms', 0):8.2f}   {memory}",
                    flush=True,
                )
        finally:
            stop_server(server)
        if schema is not None and args.registry is not None:
            drop_schema(args.registry, schema)

    first = sum(rounds[0]["rss_mib"]) if rounds else 0.0  # type: ignore[arg-type]
    last = sum(rounds[-1]["rss_mib"]) if rounds else 0.0  # type: ignore[arg-type]
    growth = (last - first) / first if first else 0.0
    summary = {
        "bench": "soak",
        "registry": url.split(":", 1)[0].split("+")[0],
        "minutes": args.minutes,
        "max_rps": round(peak["rps"], 1),
        "held_rps": round(sum(r["rps"] for r in rounds) / max(1, len(rounds)), 1),  # type: ignore[misc]
        "errors": sum(r["errors"] for r in rounds),  # type: ignore[misc]
        "p99_ms_per_minute": [r["p99_ms"] for r in rounds],
        "rss_mib_first_minute": round(first, 1),
        "rss_mib_last_minute": round(last, 1),
        "rss_growth_after_first_minute": round(growth, 4),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
