"""The national-scale batch: N records (1,000,000) on PostgreSQL with 2 workers, killed once
part-way and resumed, then checked: exactly N documents, every status index unique.

    .venv/bin/python bench/batch_bench.py --records 1000000 --suite xml --kill-at 0.5 \\
        --database postgresql+psycopg://postgres@127.0.0.1:5432/bench1m

`batch_bench.py` hands this mode its arguments. Each run lives in a new schema of `--database`
(the database must exist; the schema is left for inspection) and a work directory under /tmp.
The coordinator runs in its own process (a new session, so its signers die with it): at
`--kill-at` of the records it is SIGKILLed, the same job is started again and resumes from its
journal. Documents go to ZIP archives (a million loose files is no one's output). Figures: wall
time of each run, the coordinator's peak resident set (its own, not its signers') and samples
of it along the way, then the checks. Ends with one JSON line.
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from vc_engine import keys
from vc_engine.store import Registry
from vc_engine.store.schema import batch_documents, issuances, status_entries

NOW = datetime.now(UTC).replace(microsecond=0)
BLOCK_SIZE = 1000
ARCHIVE_SIZE = 10_000
_SAMPLES = 20
"""Resident-set samples per run (one every N/20 records)."""


def scale_run(
    records: int, suite: str, database: str, workers: int, kill_at: float | None
) -> dict[str, object]:
    """Set up, run (and kill and resume), check; returns the figures."""
    from batch_support import enrol_public, fixture_rows

    schema = f"bench_{suite}_{int(time.time())}"
    admin = create_engine(database)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = make_url(database).update_query_dict({"options": f"-csearch_path={schema}"})
    url_text = url.render_as_string(hide_password=False)
    work = Path(tempfile.mkdtemp(prefix=f"vc-scale-{suite}-", dir="/tmp"))
    registry = Registry.open(url_text)
    registry.init()
    algorithm = keys.KeyAlgorithm.RSA2048 if suite == "xml" else keys.KeyAlgorithm.ED25519
    private_key = keys.generate_private_key(algorithm)
    certificate = enrol_public(registry, private_key.public_key())
    registry.close()
    pem = private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    (work / "key.pem").write_bytes(pem)
    (work / "cert.der").write_bytes(certificate)
    _write_records(work / "records.csv", records, fixture_rows())

    argv = [sys.executable, str(Path(__file__).with_name("batch_bench.py")), "--scale-child"]
    argv += [suite, "--records", str(records), "--workers", str(workers)]
    argv += ["--database", url_text, "--work", str(work)]
    runs = []
    if kill_at is not None:
        runs.append(_run(argv, kill_after=int(records * kill_at)))
    runs.append(_run(argv, kill_after=None))
    figures: dict[str, object] = {
        "mode": "scale",
        "suite": suite,
        "records": records,
        "workers": workers,
        "schema": schema,
        "work": str(work),
        "kill_at": kill_at,
        "runs": runs,
        "wall_seconds_total": round(sum(float(r["seconds"]) for r in runs), 1),  # type: ignore[arg-type]
        "coordinator_peak_mib": max(float(r["peak_mib"]) for r in runs),  # type: ignore[arg-type]
    }
    figures.update(_check(url_text, work / "out", records))
    return figures


def _write_records(path: Path, count: int, fixture: tuple[list[str], list[list[str]]]) -> None:
    header, rows = fixture
    column = header.index("docId")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for number, row in zip(range(1, count + 1), itertools.cycle(rows), strict=False):
            changed = list(row)
            changed[column] = f"S{number:08d}"
            writer.writerow(changed)


def _run(argv: list[str], kill_after: int | None) -> dict[str, object]:
    """One coordinator process; SIGKILLed with its signers once it has settled `kill_after`
    records. Its progress lines (JSON) carry records settled and its resident set."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert process.stdout is not None
    samples: list[tuple[int, float]] = []
    last: dict[str, object] = {}
    killed = False
    for line in process.stdout:
        last = json.loads(line)
        if "records" in last and "rss_mib" in last:
            samples.append((int(last["records"]), float(last["rss_mib"])))  # type: ignore[arg-type]
        if kill_after is not None and int(last.get("records", 0)) >= kill_after:  # type: ignore[call-overload]
            os.killpg(process.pid, signal.SIGKILL)
            killed = True
            break
    process.wait()
    seconds = time.perf_counter() - start
    if not killed and process.returncode != 0:
        raise SystemExit(f"the batch failed (exit {process.returncode})")
    settled = int(last.get("records", 0))  # type: ignore[call-overload]
    peak = last.get("peak_mib") or max((rss for _, rss in samples), default=0.0)
    run: dict[str, object] = {
        "killed_at_records": settled if killed else None,
        "seconds": round(seconds, 1),
        "peak_mib": round(float(peak), 1),  # type: ignore[arg-type]
        "rss_mib_by_records": [[n, round(rss, 1)] for n, rss in samples],
    }
    if not killed:
        run["summary"] = last
    print(json.dumps({"run": run}), file=sys.stderr)
    return run


def _check(url: str, out: Path, records: int) -> dict[str, object]:
    """Exactly `records` documents: register rows, journal rows, archive members, manifest
    lines; and as many distinct status slots as entries (two per document)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        registered = conn.execute(select(func.count()).select_from(issuances)).scalar_one()
        journalled = conn.execute(select(func.count()).select_from(batch_documents)).scalar_one()
        distinct_documents = conn.execute(
            select(func.count(func.distinct(issuances.c.document_id)))
        ).scalar_one()
        entries = conn.execute(select(func.count()).select_from(status_entries)).scalar_one()
        slots = conn.execute(
            select(func.count()).select_from(
                select(status_entries.c.list_id, status_entries.c.list_index).distinct().subquery()
            )
        ).scalar_one()
    engine.dispose()
    members: set[str] = set()
    for archive in sorted(out.glob("documents-*.zip")):
        with zipfile.ZipFile(archive) as opened:
            members.update(opened.namelist())
    with (out / "manifest.jsonl").open("rb") as manifest:
        lines = sum(1 for _ in manifest)
    checks = {
        "registered": registered,
        "distinct_documents": distinct_documents,
        "journalled": journalled,
        "archive_members": len(members),
        "manifest_lines": lines,
        "status_entries": entries,
        "distinct_status_slots": slots,
    }
    checks["exactly_n_with_unique_status"] = (
        registered == distinct_documents == journalled == len(members) == lines == records
        and entries == slots == 2 * records
    )
    return checks


def scale_child(suite: str, records: int, workers: int, database: str, work: Path) -> None:
    """The coordinator: one run of the job (new or resumed), printing progress as JSON lines."""
    from vc_engine.inputs.records import read_records
    from vc_engine.issuance.batch.scheduler import BatchOptions, BatchProgress, run_batch
    from vc_engine.issuance.batch.workers import PemKey, SigningSpec
    from vc_engine.issuance.status_lists import StatusLists
    from vc_engine.store import StatusStore

    registry = Registry.open(database)
    certificate = x509.load_der_x509_certificate((work / "cert.der").read_bytes())
    spec = SigningSpec(
        "in.gov.wb.kmc",
        ("xml",) if suite == "xml" else ("vc-di",),
        PemKey((work / "key.pem").read_bytes()),
        certificate.public_bytes(Encoding.DER),
        cryptosuite=None if suite == "xml" else "eddsa-jcs-2022",
    )
    every = max(BLOCK_SIZE, records // _SAMPLES)
    next_report = [0]

    def report(progress: BatchProgress) -> None:
        if progress.records >= next_report[0] or progress.records == records:
            next_report[0] = progress.records + every
            print(json.dumps({"records": progress.records, "rss_mib": _rss_mib()}), flush=True)

    start = time.perf_counter()
    summary = run_batch(
        read_records(work / "records.csv"),
        job_id=f"scale-{suite}",
        doctype="BTHCER",
        signing=spec,
        registry=registry,
        out_dir=work / "out",
        clock=lambda: NOW,
        status_lists=StatusLists(StatusStore(registry), "https://status.example.gov.in"),
        options=BatchOptions(
            workers=workers, block_size=BLOCK_SIZE, archive=True, archive_size=ARCHIVE_SIZE
        ),
        progress=report,
        total=records,
    )
    registry.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "records": records,
                "issued": summary.issued,
                "rejected": summary.rejected,
                "resumed": summary.resumed,
                "seconds": round(time.perf_counter() - start, 1),
                "peak_mib": round(peak, 1),
            }
        ),
        flush=True,
    )


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0
