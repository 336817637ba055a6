"""Offline audit throughput on local processes, against the raw signature cost in the same run.

.venv/bin/python bench/audit_bench.py [--documents N] [--workers 2] [--cryptosuite S]

Issues N files on a throwaway SQLite registry (one P-256 issuer; each original as signed XML, a
Data Integrity credential and a vc+jwt, so the archive is a third of each, every file with its two
status entries and the lists published), exports a signed trust bundle, then runs
`vc_engine.offline.auditor.audit` over the directory on a `ProcessPoolExecutor` of `--workers`
processes: wall time from the first file read to the last verdict, each worker opening the bundle
itself. With `--register-rows M` it first measures the bundle at scale: M synthetic register rows
(three renditions each) written straight into the register, then export and open times, file size
and peak memory (RSS) of this process. "raw" is `cryptography`'s P-256 ECDSA verify on one core,
times the workers. The baseline the audit is held to is the in-process pipeline
(`verify_offline` on up to 3,000 of the files, read into memory first) on one core, times the
workers: target (issue 14) >= 80% of it. The CPU each document costs in-process and in the
audit's workers is compared too: on a shared machine the rates move with the load, that less.
Ends with one JSON line of figures."""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding

from vc_engine import doctypes, keys
from vc_engine.issuance.block import Plan, issue_documents
from vc_engine.issuance.issuer import Issuer, renditions
from vc_engine.issuance.status_lists import StatusLists
from vc_engine.model import Indication
from vc_engine.offline.auditor import audit, collect, open_once, verify_offline
from vc_engine.offline.bundle import BundleLoader, write_bundle
from vc_engine.policy import INDIA, VerificationPolicy
from vc_engine.store import Registry, StatusStore

from common import (
    add_profile_switch,
    enrol,
    fixture_documents,
    profiled_call,
    rate,
    use_profile_switch,
)

NOW = datetime.now(UTC).replace(microsecond=0)
ISSUER = "in.gov.wb.kmc"
FORMATS = ("xml", "vc-di", "vc-jwt")


def raw_p256_verify_rate(count: int) -> float:
    private_key = ec.generate_private_key(ec.SECP256R1())
    message, algorithm = b"x" * 64, ec.ECDSA(hashes.SHA256())
    signature = private_key.sign(message, algorithm)
    public = private_key.public_key()
    return rate(count, lambda: public.verify(signature, message, algorithm))


def issue_archive(
    registry: Registry, out: Path, originals: int, cryptosuite: str
) -> tuple[int, float]:
    """Sign `originals` documents in every format into `out`; (files, seconds)."""
    private_key = keys.generate_private_key(keys.KeyAlgorithm.P256)
    since = NOW - timedelta(days=1)
    certificate = keys.self_signed_certificate(
        private_key, ISSUER, since, NOW + timedelta(days=365)
    )
    enrol(registry, ISSUER, "BTHCER", private_key.public_key(), since)
    issuer = Issuer(ISSUER, "KMC", keys.FileSigner(private_key), certificate, INDIA, cryptosuite)
    chosen = renditions(FORMATS, issuer)
    lists = StatusLists(StatusStore(registry), "https://status.kmc.example")
    documents = fixture_documents("BTHCER", ISSUER, "KMC", NOW - timedelta(minutes=30), originals)
    out.mkdir(parents=True)
    plan = Plan(issuer, doctypes.get_doctype("BTHCER"), chosen, registry, lists)
    start = time.perf_counter()
    files = 0
    for begin in range(0, len(documents), 500):
        chunk = list(enumerate(documents[begin : begin + 500], begin))
        issued = issue_documents(
            plan,
            chunk,
            issued_at=NOW - timedelta(minutes=30),
            clock=lambda: NOW - timedelta(minutes=20),
        )
        assert not issued.rejections, issued.rejections[:3]
        for one in issued.issued:
            for rendition, data in zip(chosen, one.outputs, strict=True):
                (out / f"{one.document.id}{rendition.suffix}").write_bytes(data)
                files += 1
    return files, time.perf_counter() - start


def bundle_at_scale(rows: int) -> dict[str, float | int]:
    """Export and open a bundle whose register holds `rows` documents."""
    import hashlib

    from vc_engine.store.schema import issuance_renditions, issuances

    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        with Registry.open(f"sqlite:///{root / 'registry.db'}") as registry:
            registry.init()
            key = keys.generate_private_key(keys.KeyAlgorithm.P256)
            enrol(registry, ISSUER, "BTHCER", key.public_key(), NOW - timedelta(days=1))
            kid = keys.key_id(key.public_key())
            start = time.perf_counter()
            with registry.engine.begin() as conn:
                for begin in range(0, rows, 20_000):
                    ids = [
                        f"{ISSUER}-BTHCER-S{n:09d}" for n in range(begin, min(rows, begin + 20_000))
                    ]
                    digests = {
                        (i, f): hashlib.sha256(f"{i}{f}".encode()).hexdigest()
                        for i in ids
                        for f in FORMATS
                    }
                    conn.execute(
                        issuances.insert(),
                        [
                            {
                                "document_id": i,
                                "issuer_id": ISSUER,
                                "doctype": "BTHCER",
                                "sha256": digests[i, "xml"],
                                "key_id": kid,
                                "issued_at": NOW,
                                "recorded_at": NOW,
                            }
                            for i in ids
                        ],
                    )
                    conn.execute(
                        issuance_renditions.insert(),
                        [
                            {"sha256": d, "document_id": i, "format": f}
                            for (i, f), d in digests.items()
                        ],
                    )
            print(f"wrote {rows:,} register rows in {time.perf_counter() - start:.1f} s")
            root_key = keys.generate_private_key(keys.KeyAlgorithm.ED25519)
            root_cert = keys.self_signed_certificate(
                root_key, "root", NOW - timedelta(days=1), NOW + timedelta(days=30)
            )
            (root / "root.pem").write_bytes(root_cert.public_bytes(Encoding.PEM))
            start = time.perf_counter()
            write_bundle(
                root / "big.bundle",
                registry,
                keys.FileSigner(root_key),
                created=NOW - timedelta(minutes=1),
                next_update=NOW + timedelta(hours=1),
            )
            export_s = time.perf_counter() - start
            expected = registry.get_issuance(f"{ISSUER}-BTHCER-S{rows // 2:09d}")
        size = (root / "big.bundle").stat().st_size
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        view = BundleLoader(root / "big.bundle", root / "root.pem", NOW)()
        open_s = time.perf_counter() - start
        start = time.perf_counter()
        found = view.issuance(f"{ISSUER}-BTHCER-S{rows // 2:09d}")
        lookup_ms = (time.perf_counter() - start) * 1000
        assert found == expected and view.documents == rows
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"bundle of {rows:,} documents: {size / 1e6:,.0f} MB, export {export_s:.1f} s, "
        f"open {open_s:.1f} s, first look-up {lookup_ms:.1f} ms, "
        f"peak RSS {peak / 1024:,.0f} MB (was {before / 1024:,.0f} MB before opening)"
    )
    return {
        "scale_rows": rows,
        "scale_bundle_mb": round(size / 1e6, 1),
        "scale_export_s": round(export_s, 1),
        "scale_open_s": round(open_s, 2),
        "scale_first_lookup_ms": round(lookup_ms, 1),
        "scale_peak_rss_mb": round(peak / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=20_000, help="files in the archive")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cryptosuite", default="ecdsa-jcs-2019")
    parser.add_argument("--register-rows", type=int, default=0)
    add_profile_switch(parser)
    options = parser.parse_args()
    use_profile_switch(options)
    scale = bundle_at_scale(options.register_rows) if options.register_rows else {}
    originals = max(1, options.documents // len(FORMATS))
    policy = VerificationPolicy(at=NOW)
    figures: dict[str, float | int | str] = {"workers": options.workers}
    raw = raw_p256_verify_rate(5000)
    print(
        f"raw P-256 verify: {raw:,.0f} /s on one core; {raw * options.workers:,.0f} /s "
        f"on {options.workers}"
    )
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        with Registry.open(f"sqlite:///{root / 'registry.db'}") as registry:
            registry.init()
            files, issuing = issue_archive(
                registry, root / "archive", originals, options.cryptosuite
            )
            print(f"issued {files:,} files in {issuing:.1f} s")
            root_key = keys.generate_private_key(keys.KeyAlgorithm.ED25519)
            root_cert = keys.self_signed_certificate(
                root_key, "root", NOW - timedelta(days=1), NOW + timedelta(days=30)
            )
            (root / "root.pem").write_bytes(root_cert.public_bytes(Encoding.PEM))
            start = time.perf_counter()
            write_bundle(
                root / "trust.bundle",
                registry,
                keys.FileSigner(root_key),
                created=NOW - timedelta(minutes=10),
                next_update=NOW + timedelta(hours=1),
            )
            export_s = time.perf_counter() - start
        loader = BundleLoader(root / "trust.bundle", root / "root.pem", policy.at)
        start = time.perf_counter()
        loader()
        open_s = time.perf_counter() - start
        paths = collect(root / "archive")
        one_core = paths[: min(len(paths), 3000)]
        view = open_once(loader)
        documents = [path.read_bytes() for _, path in one_core]
        verify_rate = rate(
            1, lambda: [verify_offline(data, view, policy) for data in documents], "verify"
        ) * len(documents)
        cpu = time.process_time()
        for data in documents:
            verify_offline(data, view, policy)
        verify_cpu = (time.process_time() - cpu) / len(documents)
        start = time.perf_counter()
        audit(one_core, loader, policy)
        inline_rate = len(one_core) / (time.perf_counter() - start)
        profiled_call(lambda: audit(one_core, loader, policy), "the audit in this process")
        workers_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        with ProcessPoolExecutor(max_workers=options.workers) as pool:
            start = time.perf_counter()
            report = audit(paths, loader, policy, pool)
            elapsed = time.perf_counter() - start
        used = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers have exited
        audit_cpu = (
            used.ru_utime + used.ru_stime - workers_cpu.ru_utime - workers_cpu.ru_stime
        ) / len(paths)
    passed = report.by_indication[Indication.PASSED]
    assert passed == len(paths), report.by_sub_indication
    audit_rate = len(paths) / elapsed
    share = audit_rate / (verify_rate * options.workers)
    print(f"bundle: export {export_s:.2f} s, open {open_s:.3f} s ({os.cpu_count()} cores here)")
    print(f"in-process verify on 1 core (files in memory): {verify_rate:,.0f} documents/s")
    print(f"audit on 1 core (in-process): {inline_rate:,.0f} documents/s")
    print(
        f"audit of {len(paths):,} files on {options.workers} processes: {elapsed:.1f} s, "
        f"{audit_rate:,.0f} documents/s = {share:.1%} of {options.workers} x in-process verify "
        f"(target 80%), {audit_rate / (raw * options.workers):.1%} of raw P-256 verify; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"CPU per document: {1000 * verify_cpu:.3f} ms in-process, {1000 * audit_cpu:.3f} ms "
        f"in the audit's workers ({verify_cpu / audit_cpu:.1%}: what the load average cannot move)"
    )
    figures |= {
        "documents": len(paths),
        "cryptosuite": options.cryptosuite,
        "raw_p256_verify_per_s_one_core": round(raw),
        "bundle_export_s": round(export_s, 3),
        "bundle_open_s": round(open_s, 3),
        "verify_one_core_per_s": round(verify_rate),
        "audit_one_core_per_s": round(inline_rate),
        "audit_per_s": round(audit_rate),
        "audit_vs_in_process_verify": round(share, 3),
        "verify_cpu_ms_per_doc": round(1000 * verify_cpu, 3),
        "audit_cpu_ms_per_doc": round(1000 * audit_cpu, 3),
        "cpu_in_process_vs_audit": round(verify_cpu / audit_cpu, 3),
        "audit_ratio_to_raw": round(audit_rate / (raw * options.workers), 3),
        "audit_seconds": round(elapsed, 2),
        "target_vs_in_process_verify": 0.8,
        "load_average_1m": round(os.getloadavg()[0], 2),
        **scale,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
