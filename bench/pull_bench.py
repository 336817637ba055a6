"""The e-locker's Pull Doc route under load: `vc-engine serve --workers 2` on loopback over
PostgreSQL, driven by `wrk` with requests the e-locker signed in advance, against the same
answer computed in-process on the same cores in the same run.

    .venv/bin/python bench/pull_bench.py --registry postgresql+psycopg://postgres@127.0.0.1:5432/test

1. In a fresh schema, enrol an issuer with a fresh RSA-2048 key and issue --documents birth
   certificates as signed XML, keeping them (as `issue --keep-renditions` and the service's
   issuing routes do); configure the Pull API (a sealed API key, search fields).
2. Sign PullDocRequests in advance (FullName, DOB, format xml; every txn used once, as the
   replay guard demands; the e-locker's HMAC cost is not ours to count), fresh for each phase.
3. Baselines: the raw HMAC-SHA256 of a request body, and `PullService.answer` in this process
   (HMAC, hardened parse, look-up, holder match, request-log write) for --baseline-seconds.
4. Start the service and find its maximum throughput with wrk (closed loop, --connections);
   then hold about 80% of it for --duration seconds and read the latency percentiles.
Every answer must be Status 1 with the document; anything else counts as an error.
Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from api_load import drop_schema, free_port, fresh_schema, wait_healthy

from api.digilocker.pull import PullService
from vc_engine import doctypes, keys
from vc_engine.inputs import records
from vc_engine.issuance.block import Plan, issue
from vc_engine.issuance.issuer import RENDITIONS, Issuer
from vc_engine.keys.sealed import create_sealing_key, load_sealing_key, seal
from vc_engine.policy import INDIA
from vc_engine.store import Registry
from vc_engine.store.digilocker import DigiLockerStore, DoctypeSearch
from vc_engine.store.engine import create_registry_engine
from vc_engine.store.kept import KeptStore

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
LUA = Path(__file__).resolve().parent / "pull_bench.lua"
VC_ENGINE = Path(sys.executable).parent / "vc-engine"
ISSUER = "in.gov.wb.kmc"
API_KEY = os.urandom(32).hex().encode("ascii")
PATH = f"/digilocker/{ISSUER}/pull-doc"
NOW = datetime.now(UTC).replace(microsecond=0)
_TXN = itertools.count(1)


def prepare(url: str, count: int, sealing: Path) -> list[tuple[str, str, str]]:
    """Issue and keep `count` documents; (document id, holder name, DOB DD-MM-YYYY) of each."""
    key = keys.generate_private_key(keys.KeyAlgorithm.RSA2048)
    since = NOW - timedelta(days=1)
    certificate = keys.self_signed_certificate(
        key, "Kolkata Municipal Corporation", since, NOW + timedelta(days=30)
    )
    fixtures = [r for _, r in records.read_records(FIXTURES / "BTHCER.csv")]
    rows = [
        {**fixtures[n % len(fixtures)], "docId": str(2026000001 + n)}  # type: ignore[dict-item]
        for n in range(count)
    ]
    with Registry.open(url) as registry:
        registry.init()
        registry.add_issuer(ISSUER, "Kolkata Municipal Corporation", at=since)
        registry.authorise(ISSUER, "BTHCER", valid_from=since)
        registry.add_key(
            ISSUER,
            key.public_key(),
            certificate=certificate,
            valid_from=None,
            valid_until=None,
            at=since,
        )
        issuer = Issuer(
            ISSUER, "Kolkata Municipal Corporation", keys.FileSigner(key), certificate, INDIA
        )
        plan = Plan(
            issuer,
            doctypes.get_doctype("BTHCER"),
            (RENDITIONS["xml"],),
            registry,
            None,
            keep_renditions=True,
        )
        for start in range(0, count, 500):
            outcome = issue(plan, rows[start : start + 500], clock=lambda: NOW)
            assert not outcome.rejections, outcome.rejections[:3]
        create_sealing_key(sealing)
        DigiLockerStore(registry.engine).configure(
            ISSUER,
            sealed_key=seal(load_sealing_key(sealing), API_KEY, ISSUER),
            doctypes={"BTHCER": DoctypeSearch({"UDF1": "registrationNumber"})},
            at=NOW,
        )
    holders = []
    for n, row in enumerate(rows):
        year, month, day = str(row["dateOfBirth"]).split("-")
        holders.append(
            (f"{ISSUER}-BTHCER-{2026000001 + n}", str(row["name"]), f"{day}-{month}-{year}")
        )
    return holders


def pull_doc(holder: tuple[str, str, str]) -> tuple[bytes, str]:
    """A PullDocRequest as the e-locker signs it: the body (one line) and its HMAC."""
    uri, name, born = holder
    body = (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>"
        f'<PullDocRequest xmlns:ns2="http://tempuri.org/" ver="1.0" '
        f'ts="{datetime.now(UTC).isoformat()}" txn="bench-{os.getpid()}-{next(_TXN)}" '
        f'orgId="{ISSUER}" format="xml"><DocDetails><URI>{uri}</URI>'
        f"<DigiLockerId>DL-bench</DigiLockerId><FullName>{name}</FullName><DOB>{born}</DOB>"
        "</DocDetails></PullDocRequest>"
    ).encode()
    digest = hmac.new(API_KEY, body, hashlib.sha256).digest()
    return body, base64.b64encode(digest).decode("ascii")


def write_requests(path: Path, holders: list[tuple[str, str, str]], count: int) -> None:
    with path.open("wb") as out:
        for n in range(count):
            body, signature = pull_doc(holders[n % len(holders)])
            out.write(signature.encode("ascii") + b"\t" + body + b"\n")


def hmac_rate(seconds: float) -> float:
    body, _ = pull_doc((f"{ISSUER}-BTHCER-2026000001", "Amit Halder", "07-05-2025"))
    done = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for _ in range(1000):
            hmac.new(API_KEY, body, hashlib.sha256).digest()
        done += 1000
    return done / seconds


def in_process_rate(
    url: str, sealing: Path, holders: list[tuple[str, str, str]], seconds: float
) -> float:
    engine = create_registry_engine(url)
    service = PullService(
        DigiLockerStore(engine),
        KeptStore(engine),
        load_sealing_key(sealing),
        window=timedelta(minutes=10),
    )
    done = 0
    start = time.perf_counter()
    deadline = start + seconds
    for holder in itertools.cycle(holders):
        body, signature = pull_doc(holder)
        answer = service.answer("PullDoc", ISSUER, body, signature, now=datetime.now(UTC), token=0)
        assert answer.status == 1, answer.code
        done += 1
        if time.perf_counter() >= deadline:
            break
    elapsed = time.perf_counter() - start
    engine.dispose()
    return done / elapsed


def wrk(
    port: int, holders: list[tuple[str, str, str]], work: Path, connections: int,
    seconds: float, ceiling: float, delay_ms: float = 0.0,
) -> dict[str, float]:  # fmt: skip
    """Run wrk on fresh requests (at most `ceiling` a second can be sent); its figures."""
    requests = work / "requests.tsv"
    write_requests(requests, holders, int(ceiling * seconds * 1.3) + 4 * connections)
    env = {
        "VC_BENCH_REQUESTS": str(requests),
        "VC_BENCH_PATH": PATH,
        "VC_BENCH_DELAY_MS": f"{delay_ms:.3f}",
    }
    command = [
        "wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
        "--timeout", "5s", "-s", str(LUA), f"http://127.0.0.1:{port}{PATH}",
    ]  # fmt: skip
    run = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"wrk failed: {run.stdout}{run.stderr}")
    return wrk_figures(run.stdout, ("NOT_FOUND",))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registry", default=os.environ.get("VC_ENGINE_TEST_POSTGRES_URL"),
                        help="PostgreSQL URL (default: $VC_ENGINE_TEST_POSTGRES_URL)")  # fmt: skip
    parser.add_argument("--duration", type=float, default=60.0, help="fixed-load seconds")
    parser.add_argument("--max-seconds", type=float, default=15.0, help="max-throughput seconds")
    parser.add_argument("--baseline-seconds", type=float, default=5.0)
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    add_profile_switch(parser)
    args = parser.parse_args()
    use_profile_switch(args)
    if not args.registry:
        raise SystemExit("give --registry (PostgreSQL) or set VC_ENGINE_TEST_POSTGRES_URL")
    if not 1 <= args.duration <= 400 or not 1 <= args.documents <= 100_000:
        raise SystemExit("--duration is 1..400 s (requests are fresh for 10 minutes)")

    with tempfile.TemporaryDirectory(prefix="vc-engine-pull-") as temporary:
        work = Path(temporary)
        url, schema = args.registry, None
        if url.startswith("postgresql"):
            url, schema = fresh_schema(url)
        sealing = work / "sealing.key"
        started = time.perf_counter()
        holders = prepare(url, args.documents, sealing)
        print(
            f"issued and kept {args.documents:,} documents in {time.perf_counter() - started:.1f} s"
        )

        if profiling():
            profiled_call(
                lambda: in_process_rate(url, sealing, holders, 2.0),
                "the Pull Doc route, in process",
            )
        raw = hmac_rate(1.0)
        baseline = in_process_rate(url, sealing, holders, args.baseline_seconds)
        print(f"HMAC-SHA256 of a request: {raw:,.0f}/s; Pull Doc in-process: {baseline:,.0f}/s")
        ceiling = baseline * args.workers * 1.5

        port = free_port()
        server = subprocess.Popen(
            [
                *(str(VC_ENGINE), "--registry", url, "serve", "--host", "127.0.0.1"),
                *("--port", str(port), "--workers", str(args.workers)),
                *("--sealing-key", str(sealing)),
            ],
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_healthy(port)
            wrk(port, holders, work, args.connections, 3, ceiling)  # warm up
            peak = wrk(port, holders, work, args.connections, args.max_seconds, ceiling)
            print(f"HTTP maximum: {peak['rps']:,.0f} Pull Doc/s, p99 {peak.get('p99_ms')} ms")
            steady = hold_at_share(
                lambda delay, seconds: wrk(
                    port, holders, work, args.connections, seconds, ceiling, delay
                ),
                args.connections,
                peak,
                args.duration,
            )
            say_steady(steady, peak, args.duration)
        finally:
            stop_server(server)
        if schema is not None:
            drop_schema(args.registry, schema)

    errors = sum(int(f[k]) for f in (peak, steady) for k in ("not_found", "socket_errors"))
    figures = {
        "bench": "pull_doc",
        "workers": args.workers,
        "cores": os.cpu_count(),
        "registry": url.split(":", 1)[0].split("+")[0],
        "documents": args.documents,
        "hmac_per_s": round(raw, 1),
        "in_process_per_s": round(baseline, 1),
        "http_max_per_s": round(peak["rps"], 1),
        "http_max_p99_ms": peak.get("p99_ms"),
        "http_vs_in_process": round(peak["rps"] / baseline, 3),
        "steady_per_s": round(steady["rps"], 1),
        "steady_fraction_of_max": round(steady["rps"] / peak["rps"], 3),
        "steady_seconds": args.duration,
        "steady_p50_ms": steady.get("p50_ms"),
        "steady_p99_ms": steady.get("p99_ms"),
        "requests": int(peak["requests"] + steady["requests"]),
        "errors": errors,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
