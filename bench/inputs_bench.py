"""Issuers' inputs: how fast CSV, Excel (.xlsx) and Certificate XML records become Documents.

Writes the same N records (cycling through the income certificate fixtures, which have a
decimal, an enumeration list and dates) as CSV, as a workbook a clerk typed (numbers and dates
as Excel cells) and as a file of N Certificates; then, best of three, reads each and converts
every record with `record_to_document`, the work `issue` does before signing. The target is
XLSX and XML within 20% of the CSV rate. For scale it also times one P-256 signature (the raw
cryptographic cost of a signed XML rendition). Peak memory of each read (tracemalloc) shows
that the readers stream.

`--batch N` also issues N records from each input as an issuer would, `vc-engine issue
--format xml --archive` with 2 workers on a fresh SQLite registry (a whole process each, best of
two), and gives each input's batch rate as a share of the CSV batch rate: the issue's target
("within 20% of the CSV rate in the batch") read where an issuer feels it. Ends with one JSON
line.

    python bench/inputs_bench.py [--records 20000] [--batch 5000]
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from itertools import cycle, islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from vc_engine import keys
from vc_engine.doctypes import get_doctype, record_to_document
from vc_engine.inputs.records import read_records
from vc_engine.inputs.sources import read_input

from common import FIXTURES, add_profile_switch, profiled_call, rate, use_profile_switch
from issuer_files import write_certificates, write_workbook

CODE = "INCER"
ISSUED_AT = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)
VC_ENGINE = Path(sys.executable).parent / "vc-engine"
ISSUER = "in.gov.bench"


def sample(count: int) -> list[dict[str, object]]:
    base = [r for _, r in read_records(FIXTURES / f"{CODE}.csv") if isinstance(r, dict)]
    return [{**r, "docId": f"B{n:08d}"} for n, r in enumerate(islice(cycle(base), count))]


def convert_all(path: Path, sheet: str | None) -> int:
    doctype, done = get_doctype(CODE), 0
    for _, record in read_input(path, sheet):
        assert isinstance(record, dict), record
        record_to_document(
            record, doctype, issuer_id="in.gov.bench", issuer_name="Bench", issued_at=ISSUED_AT
        )
        done += 1
    return done


def measure(path: Path, sheet: str | None, count: int) -> dict[str, float]:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        assert convert_all(path, sheet) == count
        best = min(best, time.perf_counter() - start)
    profiled_call(lambda: convert_all(path, sheet), f"converting {path.name}")
    tracemalloc.start()
    convert_all(path, sheet)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"per_s": count / best, "peak_mib": peak / 2**20}


def batch_rate(records: Path, sheet: str | None, count: int, scratch: Path) -> float:
    """Documents per second of `vc-engine issue` over `records`, best of two runs, each on a
    fresh registry (so every run issues all `count` documents)."""
    best = float("inf")
    for run in range(2):
        folder = scratch / f"{records.suffix[1:]}-{run}"
        registry = f"sqlite:///{folder / 'registry.db'}"
        folder.mkdir()

        def vc_engine(*args: str, registry: str = registry) -> None:
            subprocess.run(
                [str(VC_ENGINE), "--registry", registry, *args],
                check=True,
                stdout=subprocess.DEVNULL,
            )

        vc_engine("keys", "generate", "--alg", "p256", "--out", str(folder / "k"))
        vc_engine(
            "issuer",
            "add",
            ISSUER,
            "--name",
            "Bench",
            "--doctype",
            CODE,
            "--valid-from",
            "2020-01-01T00:00:00Z",
        )
        vc_engine("issuer", "add-key", ISSUER, "--cert", str(folder / "k" / "cert.pem"))
        start = time.perf_counter()
        vc_engine(
            "issue", "--issuer", ISSUER, "--key", str(folder / "k" / "private.pem"),
            "--cert", str(folder / "k" / "cert.pem"), "--doctype", CODE,
            "--records", str(records), *(["--sheet", sheet] if sheet else []),
            "--format", "xml", "--archive", "--workers", "2", "--no-progress",
            "--out", str(folder / "out"),
        )  # fmt: skip
        best = min(best, time.perf_counter() - start)
    return count / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=0, help="records per batch run; 0: none")
    add_profile_switch(parser)
    args = parser.parse_args()
    use_profile_switch(args)
    count, rows = args.records, sample(args.records)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        with (folder / "in.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)  # type: ignore[arg-type]
        write_workbook(folder / "in.xlsx", get_doctype(CODE), rows, sheet="Records")
        write_certificates(folder / "in.xml", get_doctype(CODE), rows)
        found = {
            "csv": measure(folder / "in.csv", None, count),
            "xlsx": measure(folder / "in.xlsx", "Records", count),
            "xml": measure(folder / "in.xml", None, count),
        }
        batches: dict[str, float] = {}
        if args.batch:
            few = rows[: args.batch]
            with (folder / "few.csv").open("w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=list(few[0]))
                writer.writeheader()
                writer.writerows(few)  # type: ignore[arg-type]
            write_workbook(folder / "few.xlsx", get_doctype(CODE), few, sheet="Records")
            write_certificates(folder / "few.xml", get_doctype(CODE), few)
            for name, sheet in (("csv", None), ("xlsx", "Records"), ("xml", None)):
                batches[name] = batch_rate(folder / f"few.{name}", sheet, len(few), folder)
    signer = keys.FileSigner(keys.generate_private_key(keys.KeyAlgorithm.P256))
    sign_per_s = rate(500, lambda: signer.sign(b"x" * 64, keys.SignatureScheme.ES256))
    csv_rate = found["csv"]["per_s"]
    figures: dict[str, object] = {"records": count, "p256_sign_per_s": round(sign_per_s)}
    for name, measured in found.items():
        figures[f"{name}_per_s"] = round(measured["per_s"])
        figures[f"{name}_peak_mib"] = round(measured["peak_mib"], 1)
        figures[f"{name}_ratio_to_csv"] = round(measured["per_s"] / csv_rate, 3)
        print(
            f"{name:5} {measured['per_s']:10,.0f} records/s  {measured['per_s'] / csv_rate:6.1%}"
            f" of CSV (target >= 80%)  peak {measured['peak_mib']:.1f} MiB;"
            f" {measured['per_s'] / sign_per_s:5.1f} x the P-256 signing rate"
        )
    for name, per_s in batches.items():
        figures[f"batch_{name}_per_s"] = round(per_s)
        figures[f"batch_{name}_ratio_to_csv"] = round(per_s / batches["csv"], 3)
        print(
            f"batch of {args.batch:,} from {name:5} {per_s:8,.0f} documents/s"
            f"  {per_s / batches['csv']:6.1%} of the CSV batch (target >= 80%)"
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
