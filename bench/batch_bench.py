"""Batch issuance throughput, scaling and memory, against the raw signing cost in the same run.

    .venv/bin/python bench/batch_bench.py [--documents N] [--large N] [--workers W] [--no-scaling]
    .venv/bin/python bench/batch_bench.py --records 1000000 --suite xml --kill-at 0.5 \\
        --database postgresql+psycopg://postgres@127.0.0.1:5432/bench1m   (bench/batch_scale.py)

Each measured batch runs in its own process (a fresh registry, a CSV of N records cycling the
fixtures), so its peak memory is its own: the coordinator's and the largest signer's resident
set. Figures:

* signed XML, RSA-2048, W workers: documents/s (target: 100,000 in <= 60 s, i.e. >= 1,667/s);
* eddsa-jcs-2022 credentials, W workers (target: 100,000 in <= 30 s, >= 3,333/s);
* the same XML batch on 1 worker (in-process) and its speed-up to W (target >= 1.8x at W = 2);
* peak memory at N and at --large documents (must stay flat);
* each rate as a share of W cores doing nothing but the raw signature, and as a share of W
  processes doing nothing but `block.sign` (every rendition of the same documents, in-process):
  what the batch machinery (coordinator, registry, outputs, moving blocks between processes)
  costs on top of signing.

Prints each figure, then one JSON line of all of them.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)

from vc_engine import keys

from batch_scale import scale_child, scale_run
from common import add_profile_switch, profile_top, profiled_call, profiling, use_profile_switch

NOW = datetime.now(UTC).replace(microsecond=0)


def raw_rate(algorithm: keys.KeyAlgorithm, seconds: float = 1.0) -> float:
    signer = keys.FileSigner(keys.generate_private_key(algorithm))
    scheme = keys.default_scheme(algorithm)
    message = b"x" * 700
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(50):
            signer.sign(message, scheme)
        count += 50
    return count / (time.perf_counter() - start)


def sign_rate(suite: str, count: int = 300) -> float:
    """Documents/s of `block.sign`, the signers' whole job, in this one process: the same
    document type with its two status entries, best of three rounds of `count`."""
    import dataclasses

    from vc_engine.doctypes import get_doctype
    from vc_engine.issuance.batch.workers import PemKey, SigningSpec
    from vc_engine.issuance.block import sign
    from vc_engine.model import StatusReference
    from vc_engine.revocation.credential import status_list_url
    from vc_engine.store import Registry

    from batch_support import ISSUER, ISSUER_NAME, enrol_public
    from common import fixture_documents

    algorithm = keys.KeyAlgorithm.RSA2048 if suite == "xml" else keys.KeyAlgorithm.ED25519
    private_key = keys.generate_private_key(algorithm)
    registry = Registry.open("sqlite://")
    registry.init()
    certificate = enrol_public(registry, private_key.public_key())
    registry.close()
    spec = SigningSpec(
        ISSUER,
        ("xml",) if suite == "xml" else ("vc-di",),
        PemKey(private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())),
        certificate,
        cryptosuite=None if suite == "xml" else "eddsa-jcs-2022",
        issuer_name=ISSUER_NAME,
        doctype=get_doctype("BTHCER"),
    )
    issuer, formats = spec.issuer()
    base = "https://status.example.gov.in"
    documents = [
        (
            n,
            dataclasses.replace(
                d,
                status=(
                    StatusReference("revocation", status_list_url(base, "r1"), n),
                    StatusReference("suspension", status_list_url(base, "s1"), n),
                ),
            ),
        )
        for n, d in enumerate(fixture_documents("BTHCER", ISSUER, ISSUER_NAME, NOW, count))
    ]
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        sign(documents, issuer, formats, spec.doctype)
        best = min(best, time.perf_counter() - start)
    return count / best


def child(documents: int, workers: int, suite: str, archive: bool) -> None:
    """One batch, measured; prints one JSON line."""
    from vc_engine.inputs.records import read_records
    from vc_engine.issuance.batch.scheduler import BatchOptions, run_batch
    from vc_engine.issuance.batch.workers import PemKey, SigningSpec
    from vc_engine.issuance.status_lists import StatusLists
    from vc_engine.store import Registry, StatusStore

    from batch_support import enrol_public, write_records

    algorithm = keys.KeyAlgorithm.RSA2048 if suite == "xml" else keys.KeyAlgorithm.ED25519
    formats = ("xml",) if suite == "xml" else ("vc-di",)
    with tempfile.TemporaryDirectory(dir="/tmp") as work:
        registry = Registry.open(f"sqlite:///{work}/registry.db")
        registry.init()
        private_key = keys.generate_private_key(algorithm)
        certificate = enrol_public(registry, private_key.public_key())
        pem = private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        spec = SigningSpec(
            "in.gov.wb.kmc",
            formats,
            PemKey(pem),
            certificate,
            cryptosuite=None if suite == "xml" else "eddsa-jcs-2022",
        )
        source = write_records(Path(work) / "records.csv", documents)
        start = time.perf_counter()
        summary = profiled_call(
            lambda: run_batch(
                read_records(source),
                job_id="bench",
                doctype="BTHCER",
                signing=spec,
                registry=registry,
                out_dir=Path(work) / "out",
                clock=lambda: NOW,
                status_lists=StatusLists(StatusStore(registry), "https://status.example.gov.in"),
                options=BatchOptions(workers=workers, block_size=1000, archive=archive),
                total=documents,
            ),
            f"the coordinator of a {suite} batch of {documents:,}",
        )
        elapsed = time.perf_counter() - start
        registry.close()
    assert summary.issued == documents, summary
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "per_s": documents / elapsed,
                "coordinator_peak_mib": own / 1024,
                "worker_peak_mib": workers_peak / 1024,
            }
        )
    )


def measure(documents: int, workers: int, suite: str, archive: bool) -> dict[str, float]:
    argv = [sys.executable, __file__, "--child", suite, "--documents", str(documents)]
    argv += ["--workers", str(workers)] + (["--archive"] if archive else [])
    if profiling():
        argv += ["--profile", str(profile_top())]
    # The child's profile (stderr) shows here; its figures are the last line of stdout.
    done = subprocess.run(argv, stdout=subprocess.PIPE, text=True, check=True)
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000, help="0: skip the large run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-scaling", action="store_true", help="skip the 1-worker run")
    parser.add_argument("--child", choices=("xml", "jcs"))
    parser.add_argument(
        "--archive", action="store_true", help="outputs in ZIP archives, not a file each"
    )
    parser.add_argument("--records", type=int, help="the scale run: N records on --database")
    parser.add_argument("--suite", choices=("xml", "jcs"), default="xml")
    parser.add_argument("--database", help="a PostgreSQL URL; each scale run makes a schema")
    parser.add_argument("--kill-at", type=float, help="SIGKILL the scale run at this fraction")
    parser.add_argument("--scale-child", choices=("xml", "jcs"))
    parser.add_argument("--work", type=Path)
    add_profile_switch(parser)
    args = parser.parse_args()
    use_profile_switch(args)
    if args.child:
        child(args.documents, args.workers, args.child, args.archive)
        return
    if args.scale_child:
        scale_child(args.scale_child, args.records, args.workers, args.database, args.work)
        return
    if args.records:
        if not args.database:
            parser.error("--records needs --database (PostgreSQL)")
        figures = scale_run(args.records, args.suite, args.database, args.workers, args.kill_at)
        print(json.dumps(figures))
        return
    n, w = args.documents, args.workers

    raw_rsa = raw_rate(keys.KeyAlgorithm.RSA2048)
    raw_ed = raw_rate(keys.KeyAlgorithm.ED25519)
    single_xml, single_jcs = sign_rate("xml"), sign_rate("jcs")
    xml = measure(n, w, "xml", args.archive)
    jcs = measure(n, w, "jcs", args.archive)
    figures: dict[str, float | int | None] = {
        "documents": n,
        "workers": w,
        "archive": args.archive,
        "raw_rsa2048_sign_per_s_per_core": round(raw_rsa),
        "raw_ed25519_sign_per_s_per_core": round(raw_ed),
        "xml_rsa2048_per_s": round(xml["per_s"]),
        "xml_rsa2048_seconds_per_100k": round(100_000 / xml["per_s"], 1),
        "xml_ratio_to_raw": round(xml["per_s"] / (raw_rsa * w), 3),
        "eddsa_jcs_per_s": round(jcs["per_s"]),
        "eddsa_jcs_seconds_per_100k": round(100_000 / jcs["per_s"], 1),
        "eddsa_jcs_ratio_to_raw": round(jcs["per_s"] / (raw_ed * w), 3),
        "xml_single_process_sign_per_s": round(single_xml),
        "xml_ratio_to_single_process_sign": round(xml["per_s"] / (single_xml * w), 3),
        "eddsa_jcs_single_process_sign_per_s": round(single_jcs),
        "eddsa_jcs_ratio_to_single_process_sign": round(jcs["per_s"] / (single_jcs * w), 3),
        "coordinator_peak_mib_small": round(xml["coordinator_peak_mib"], 1),
        "worker_peak_mib_small": round(xml["worker_peak_mib"], 1),
    }
    if not args.no_scaling:
        single = measure(n, 1, "xml", args.archive)
        figures["xml_rsa2048_per_s_1_worker"] = round(single["per_s"])
        figures["speedup_1_to_workers"] = round(xml["per_s"] / single["per_s"], 2)
    if args.large:
        large = measure(args.large, w, "xml", args.archive)
        figures["large_documents"] = args.large
        figures["xml_rsa2048_per_s_large"] = round(large["per_s"])
        figures["xml_rsa2048_seconds_large"] = round(large["seconds"], 1)
        figures["coordinator_peak_mib_large"] = round(large["coordinator_peak_mib"], 1)
        figures["worker_peak_mib_large"] = round(large["worker_peak_mib"], 1)
    figures["target_xml_per_s"] = 1667
    figures["target_jcs_per_s"] = 3334
    figures["target_speedup"] = 1.8

    print(f"raw RSA-2048 sign, 1 core        {raw_rsa:10,.0f} /s")
    print(f"raw Ed25519 sign, 1 core         {raw_ed:10,.0f} /s")
    print(
        f"signed XML RSA-2048, {w} workers   {xml['per_s']:10,.0f} /s  "
        f"{figures['xml_ratio_to_raw']:6.1%} of {w} cores of raw signing; "
        f"100k in {figures['xml_rsa2048_seconds_per_100k']} s (target 60)"
    )
    print(
        f"eddsa-jcs-2022, {w} workers        {jcs['per_s']:10,.0f} /s  "
        f"{figures['eddsa_jcs_ratio_to_raw']:6.1%} of {w} cores of raw signing; "
        f"100k in {figures['eddsa_jcs_seconds_per_100k']} s (target 30)"
    )
    print(
        f"signing alone, 1 process         XML {single_xml:,.0f} /s,"
        f" eddsa-jcs {single_jcs:,.0f} /s;"
        f" batch / {w} x that: XML {figures['xml_ratio_to_single_process_sign']:.1%} (target 60%"
        f" of raw), eddsa-jcs {figures['eddsa_jcs_ratio_to_single_process_sign']:.1%}"
        " (target 70%)"
    )
    if "speedup_1_to_workers" in figures:
        print(
            f"signed XML, 1 worker             {figures['xml_rsa2048_per_s_1_worker']:10,} /s  "
            f"speed-up 1 -> {w}: {figures['speedup_1_to_workers']}x (target 1.8x)"
        )
    print(
        f"peak memory at {n:,}: coordinator {figures['coordinator_peak_mib_small']} MiB, "
        f"worker {figures['worker_peak_mib_small']} MiB"
    )
    if args.large:
        print(
            f"peak memory at {args.large:,}: coordinator {figures['coordinator_peak_mib_large']} "
            f"MiB, worker {figures['worker_peak_mib_large']} MiB; "
            f"{args.large:,} XML in {figures['xml_rsa2048_seconds_large']} s"
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
