"""HTTP verification under load: `vc-engine serve --workers 2` on loopback, driven by `wrk` in
a second process, against the in-process pipeline on the same cores in the same run.

    .venv/bin/python bench/api_load.py [--duration 300] [--registry URL] [--connections 32]

1. Enrol an issuer with a fresh RSA-2048 key in a throwaway registry (SQLite by default; give
   --registry for PostgreSQL) and sign --documents birth certificates as signed XML.
2. In-process baseline: the full pipeline (`verify` on a registry snapshot) in 2 processes,
   for --baseline-seconds.
3. Start the service (2 workers, 127.0.0.1 only) and find its maximum throughput with wrk
   (closed loop, --connections connections, --max-seconds).
4. Hold about 80% of that throughput for --duration seconds (each connection paced by a think
   time, calibrated for a few seconds first) and read wrk's latency percentiles.
Steps 2-4 run twice: with the request log durable (a response waits for its entry's commit)
and buffered (`serve --no-durable-log`); the buffered figures carry a `buffered_log_` prefix.
Every response must be 200 with a PASSED report; anything else counts as an error. Besides the
rates, the CPU each document costs in-process and each request costs the service (its process
group, at the peak) is compared: on a machine shared with other work the rates move with the
load, the CPU per request much less. Ends with one JSON line. Targets (issue 14): HTTP >= 70% of
in-process; p99 <= 20 ms at 80%; zero errors.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path

from vc_engine import doctypes, keys
from vc_engine.formats import xml as signed_xml
from vc_engine.formats.xml.dsig import XmlSigningKey
from vc_engine.inputs import records
from vc_engine.policy import INDIA, VerificationPolicy
from vc_engine.store import Registry
from vc_engine.verify import verify

from common import (
    add_profile_switch,
    hold_at_share,
    profiled_call,
    profiling,
    say_steady,
    stop_server,
    use_profile_switch,
    wrk_figures,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "records"
LUA = Path(__file__).resolve().parent / "api_load.lua"
VC_ENGINE = Path(sys.executable).parent / "vc-engine"
ISSUER = "in.gov.wb.kmc"
NOW = datetime.now(UTC).replace(microsecond=0)


def prepare(url: str, directory: Path, count: int) -> list[Path]:
    key = keys.generate_private_key(keys.KeyAlgorithm.RSA2048)
    certificate = keys.self_signed_certificate(
        key, "Kolkata Municipal Corporation", NOW - timedelta(days=1), NOW + timedelta(days=30)
    )
    with Registry.open(url) as registry:
        registry.init()
        registry.add_issuer(ISSUER, "Kolkata Municipal Corporation", at=NOW - timedelta(days=1))
        registry.authorise(ISSUER, "BTHCER", valid_from=NOW - timedelta(days=1))
        registry.add_key(
            ISSUER,
            key.public_key(),
            certificate=certificate,
            valid_from=None,
            valid_until=None,
            at=NOW - timedelta(days=1),
        )
    signing = XmlSigningKey(keys.FileSigner(key), certificate)
    spec = doctypes.get_doctype("BTHCER")
    paths = []
    for n, (_, record) in enumerate(islice(records.read_records(FIXTURES / "BTHCER.csv"), count)):
        assert isinstance(record, dict)
        document = doctypes.record_to_document(
            record,
            spec,
            issuer_id=ISSUER,
            issuer_name="Kolkata Municipal Corporation",
            issued_at=NOW - timedelta(hours=1),
        )
        path = directory / f"doc{n}.xml"
        path.write_bytes(signed_xml.issue(document, signing, INDIA))
        paths.append(path)
    return paths


def _in_process(url: str, paths: list[str], seconds: float) -> tuple[int, float]:
    """Documents verified in `seconds`, and the CPU seconds that took."""
    documents = [Path(p).read_bytes() for p in paths]
    with Registry.open(url) as registry:
        snapshot = registry.snapshot()
        done = 0
        cpu = time.process_time()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            for data in documents:
                report = verify(data, snapshot, VerificationPolicy(at=datetime.now(UTC)))
                assert report.verified, report.to_json()
                done += 1
        return done, time.process_time() - cpu


def profile_service(url: str, token: str, paths: list[Path]) -> None:
    """Profile the service answering each document five times through its ASGI app, driven on
    this thread's event loop: the middleware, the route, the audit log's group commit and the
    pipeline, without sockets or uvicorn (a test client would run the app on another thread,
    out of the profiler's sight)."""
    import asyncio

    from api import Settings, create_app

    documents = [p.read_bytes() for p in paths]
    settings = Settings(registry_url=url, rate_per_second=1e6, rate_burst=1_000_000)
    app = create_app(settings)
    headers = [
        (b"authorization", f"Bearer {token}".encode()),
        (b"content-type", b"application/xml"),
        (b"host", b"127.0.0.1"),
    ]

    async def answer(data: bytes) -> None:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/v1/verify",
            "raw_path": b"/v1/verify",
            "root_path": "",
            "query_string": b"",
            "headers": [*headers, (b"content-length", str(len(data)).encode())],
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
        }
        sent: list[dict[str, object]] = []

        async def receive() -> dict[str, object]:
            return {"type": "http.request", "body": data, "more_body": False}

        async def send(message: dict[str, object]) -> None:
            sent.append(message)

        await app(scope, receive, send)
        assert sent[0]["status"] == 200, sent

    async def answer_all(rounds: int) -> None:
        # Every document in flight at once, as under wrk, so the group commit groups.
        for _ in range(rounds):
            await asyncio.gather(*(answer(data) for data in documents))

    loop = asyncio.new_event_loop()
    lifespan = app.router.lifespan_context(app)
    loop.run_until_complete(lifespan.__aenter__())
    try:
        loop.run_until_complete(answer_all(1))  # warm: caches, lazy imports
        profiled_call(
            lambda: loop.run_until_complete(answer_all(5)),
            f"the service answering {5 * len(documents)} /v1/verify requests",
        )
    finally:
        loop.run_until_complete(lifespan.__aexit__(None, None, None))
        loop.close()


def in_process_rate(
    url: str, paths: list[Path], seconds: float, processes: int
) -> tuple[float, float]:
    """Documents a second on `processes` processes, and the CPU ms each document took."""
    with ProcessPoolExecutor(processes) as pool:
        futures = [
            pool.submit(_in_process, url, [str(p) for p in paths], seconds)
            for _ in range(processes)
        ]
        start = time.perf_counter()
        results = [f.result() for f in futures]
        elapsed = time.perf_counter() - start
    total = sum(done for done, _ in results)
    return total / max(elapsed, seconds), 1000.0 * sum(cpu for _, cpu in results) / total


def fresh_schema(url: str) -> tuple[str, str]:
    """A new PostgreSQL schema for this run, and `url` confined to it."""
    from sqlalchemy import create_engine, make_url, text

    schema = f"vc_load_{os.getpid()}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    confined = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return confined.render_as_string(hide_password=False), schema


def drop_schema(url: str, schema: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_healthy(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the service did not become healthy")


def wrk(port: int, env: dict[str, str], connections: int, seconds: float) -> dict[str, float]:
    """Run wrk; its requests/s, latency percentiles (ms) and error counts."""
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "--timeout",
        "5s",
        "-s",
        str(LUA),
        f"http://127.0.0.1:{port}/v1/verify",
    ]
    run = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"wrk failed: {run.stdout}{run.stderr}")
    return wrk_figures(run.stdout, ("NOT_PASSED",))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=300.0, help="fixed-load seconds")
    parser.add_argument("--max-seconds", type=float, default=15.0, help="max-throughput seconds")
    parser.add_argument("--baseline-seconds", type=float, default=10.0)
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--registry", help="registry URL (default: a throwaway SQLite file)")
    parser.add_argument("--server", default="uvicorn", help="serve --server: uvicorn or granian")
    add_profile_switch(parser)
    args = parser.parse_args()
    use_profile_switch(args)
    if not 1 <= args.duration <= 3600 or not 1 <= args.documents <= 1000:
        raise SystemExit("--duration is 1..3600 s and --documents 1..1000")

    with tempfile.TemporaryDirectory(prefix="vc-engine-load-") as temporary:
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
        _, token = ClientStore(engine).create("load bench", ["verify"], at=NOW)
        engine.dispose()

        if profiling():
            profile_service(url, token, paths)

        env = {"VC_BENCH_FILES": str(listing), "VC_BENCH_TOKEN": token}
        runs: dict[bool, tuple[float, float, dict[str, float], dict[str, float], float]] = {}
        for durable in (True, False):
            baseline, cpu_per_doc = in_process_rate(url, paths, args.baseline_seconds, args.workers)
            print(
                f"in-process pipeline, {args.workers} processes: {baseline:,.0f} documents/s "
                f"({cpu_per_doc:.3f} ms CPU each)"
            )
            runs[durable] = (baseline, cpu_per_doc, *load(url, env, args, durable))

        if schema is not None:
            drop_schema(args.registry, schema)

    figures: dict[str, object] = {
        "bench": "api_load",
        "workers": args.workers,
        "cores": os.cpu_count(),
        "registry": url.split(":", 1)[0].split("+")[0],
        "server": args.server,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    for durable, (baseline, cpu_per_doc, peak, steady, server_cpu) in runs.items():
        prefix = "" if durable else "buffered_log_"
        errors = sum(
            int(f[k]) for f in (peak, steady) for k in ("not_passed", "socket_errors", "non_2xx")
        )
        figures |= {
            f"{prefix}in_process_docs_per_s": round(baseline, 1),
            f"{prefix}http_max_docs_per_s": round(peak["rps"], 1),
            f"{prefix}http_vs_in_process": round(peak["rps"] / baseline, 3),
            f"{prefix}in_process_cpu_ms_per_doc": round(cpu_per_doc, 3),
            f"{prefix}server_cpu_ms_per_request": round(server_cpu, 3),
            f"{prefix}cpu_in_process_vs_http": round(cpu_per_doc / server_cpu, 3),
            f"{prefix}steady_docs_per_s": round(steady["rps"], 1),
            f"{prefix}steady_fraction_of_max": round(steady["rps"] / peak["rps"], 3),
            f"{prefix}steady_p50_ms": steady.get("p50_ms"),
            f"{prefix}steady_p99_ms": steady.get("p99_ms"),
            f"{prefix}requests": int(peak["requests"] + steady["requests"]),
            f"{prefix}errors": errors,
        }
    figures["steady_seconds"] = args.duration
    print(json.dumps(figures))


def load(
    url: str, env: dict[str, str], args: argparse.Namespace, durable: bool
) -> tuple[dict[str, float], dict[str, float], float]:
    """Serve with the request log durable or not; (peak figures, figures held at 80% of the
    peak, the service's CPU ms per request at the peak)."""
    port = free_port()
    server = subprocess.Popen(
        [
            *(str(VC_ENGINE), "--registry", url, "serve", "--host", "127.0.0.1"),
            *("--port", str(port), "--workers", str(args.workers)),
            *("--rate", "1000000", "--burst", "1000000"),
            "--durable-log" if durable else "--no-durable-log",
            *("--server", args.server),
        ],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
    )
    setting = "durable" if durable else "buffered"
    try:
        wait_healthy(port)
        wrk(port, env, args.connections, 3)  # warm up
        cpu_before = group_cpu_seconds(server.pid)
        peak = wrk(port, env, args.connections, args.max_seconds)
        server_cpu = 1000.0 * (group_cpu_seconds(server.pid) - cpu_before) / peak["requests"]
        print(
            f"HTTP maximum, {setting} request log: {peak['rps']:,.0f} documents/s, "
            f"p99 {peak.get('p99_ms')} ms, {server_cpu:.3f} ms of service CPU each"
        )
        steady = hold_at_share(
            lambda delay, seconds: wrk(
                port, {**env, "VC_BENCH_DELAY_MS": f"{delay:.3f}"}, args.connections, seconds
            ),
            args.connections,
            peak,
            args.duration,
        )
        say_steady(steady, peak, args.duration)
    finally:
        stop_server(server)
    return peak, steady, server_cpu


def group_cpu_seconds(group: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of a process group."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[2]) == group:  # pgrp
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


if __name__ == "__main__":
    main()
