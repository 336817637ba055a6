"""Paper: PDF render+sign, PDF verify, QR text verify, and decode+verify of 12-megapixel photos
of the printed page, each against the raw ES256 signature cost measured in the same run.

Run: `.venv/bin/python bench/paper_bench.py` (one core; about a minute). The photos are made
as in the tests (tests/paper_photos.py: pdftoppm, then Pillow's rotation, perspective, uneven
light, blur and JPEG quality 50). Prints a table, then one JSON line.

Each figure is given twice: by the wall clock, and by the process's CPU time (`_cpu`), which is
what one core does when the machine is shared (the load average is in the JSON line). The
first PDF of a process also builds the embedded fonts (formats.pdf.fonts); it is timed on its
own, and the rate is that of the PDFs after it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from vc_engine import doctypes, keys
from vc_engine.formats import QR_CWT, SIGNED_XML, VC_DATA_INTEGRITY, qr, vc_di
from vc_engine.formats import xml as signed_xml
from vc_engine.issuance.issuer import Issuer
from vc_engine.issuance.paper import sign_pdf
from vc_engine.policy import INDIA, VerificationPolicy
from vc_engine.trust.records import (
    Authorisation,
    IssuerRecord,
    IssuerStatus,
    KeyEvent,
    KeyStatus,
    RegisteredKey,
)
from vc_engine.trust.source import TrustSnapshot
from vc_engine.verify import verify

from common import (
    add_profile_switch,
    fixture_documents,
    profiled_call,
    rate,
    use_profile_switch,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from paper_photos import photograph, render_page

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
ISSUER_ID = "in.gov.wb.kmc"
ISSUER_NAME = "Kolkata Municipal Corporation"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=20)
    parser.add_argument("--photos", type=int, default=20)
    add_profile_switch(parser)
    args = parser.parse_args()
    use_profile_switch(args)

    key = keys.generate_private_key(keys.KeyAlgorithm.P256)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    certificate = keys.self_signed_certificate(
        key, ISSUER_NAME, NOW - timedelta(days=365), NOW + timedelta(days=365)
    )
    issuer = Issuer(ISSUER_ID, ISSUER_NAME, keys.FileSigner(key), certificate, INDIA)
    snapshot = _trust(key)
    policy = VerificationPolicy(at=NOW)
    documents = fixture_documents(
        "SSCMS", ISSUER_ID, ISSUER_NAME, NOW - timedelta(days=1), args.documents
    )

    message = b"x" * 200
    signature = key.sign(message, ec.ECDSA(hashes.SHA256()))
    raw_sign = rate(200, lambda: key.sign(message, ec.ECDSA(hashes.SHA256())))
    raw_verify = rate(
        200, lambda: key.public_key().verify(signature, message, ec.ECDSA(hashes.SHA256()))
    )
    raw_sign_cpu = 200 / _cpu(
        lambda: [key.sign(message, ec.ECDSA(hashes.SHA256())) for _ in range(200)]
    )
    raw_verify_cpu = 200 / _cpu(
        lambda: [
            key.public_key().verify(signature, message, ec.ECDSA(hashes.SHA256()))
            for _ in range(200)
        ]
    )

    earlier = [_originals(document, issuer) for document in documents]
    marks = doctypes.get_doctype("SSCMS")
    start, cpu = time.perf_counter(), time.process_time()
    first = sign_pdf(documents[0], issuer, earlier[0], marks)
    first_ms, first_cpu_ms = (
        1000 * (time.perf_counter() - start),
        1000 * (time.process_time() - cpu),
    )
    assert verify(first, snapshot, policy).verified
    start, cpu = time.perf_counter(), time.process_time()
    pdfs = profiled_call(
        lambda: [sign_pdf(d, issuer, e, marks) for d, e in zip(documents, earlier, strict=True)],
        "PDF render + sign",
    )
    pdf_issue = len(pdfs) / (time.perf_counter() - start)
    pdf_issue_cpu = len(pdfs) / (time.process_time() - cpu)

    start, cpu = time.perf_counter(), time.process_time()
    verdicts = [verify(pdf, snapshot, policy) for pdf in pdfs]
    pdf_verify = len(pdfs) / (time.perf_counter() - start)
    pdf_verify_cpu = len(pdfs) / (time.process_time() - cpu)
    assert all(v.verified for v in verdicts), verdicts[0].checks

    texts = [e[QR_CWT] for e in earlier]
    assert verify(texts[0], snapshot, policy).verified
    qr_verify = rate(10, lambda: [verify(text, snapshot, policy) for text in texts]) * len(texts)
    qr_verify_cpu = (
        10
        * len(texts)
        / _cpu(lambda: [verify(text, snapshot, policy) for _ in range(10) for text in texts])
    )

    page = render_page(pdfs[0])
    photos = [photograph(page, seed, 12).data for seed in range(args.photos)]
    timings, cpu_timings, passed = [], [], 0
    for photo in photos:
        start, cpu = time.perf_counter(), time.process_time()
        passed += verify(photo, snapshot, policy).verified
        timings.append((time.perf_counter() - start) * 1000)
        cpu_timings.append((time.process_time() - cpu) * 1000)
    p95, p95_cpu = _p95(timings), _p95(cpu_timings)

    figures = {
        "load_average_1m": round(os.getloadavg()[0], 2),
        "raw_es256_sign_per_s": round(raw_sign),
        "raw_es256_verify_per_s": round(raw_verify),
        "raw_es256_sign_per_s_cpu": round(raw_sign_cpu),
        "raw_es256_verify_per_s_cpu": round(raw_verify_cpu),
        "pdf_first_in_process_ms": round(first_ms, 1),
        "pdf_first_in_process_ms_cpu": round(first_cpu_ms, 1),
        "pdf_issue_per_s": round(pdf_issue, 1),
        "pdf_issue_per_s_cpu": round(pdf_issue_cpu, 1),
        "pdf_issue_vs_raw_sign": round(pdf_issue / raw_sign, 5),
        "pdf_issue_vs_raw_sign_cpu": round(pdf_issue_cpu / raw_sign_cpu, 5),
        "pdf_verify_per_s": round(pdf_verify, 1),
        "pdf_verify_per_s_cpu": round(pdf_verify_cpu, 1),
        "pdf_verify_vs_raw_verify": round(pdf_verify / raw_verify, 5),
        "qr_verify_per_s": round(qr_verify),
        "qr_verify_per_s_cpu": round(qr_verify_cpu),
        "qr_verify_vs_raw_verify": round(qr_verify / raw_verify, 3),
        "qr_verify_vs_raw_verify_cpu": round(qr_verify_cpu / raw_verify_cpu, 3),
        "photo_12mp_decode_verify_p50_ms": round(statistics.median(timings), 1),
        "photo_12mp_decode_verify_p95_ms": round(p95, 1),
        "photo_12mp_decode_verify_p95_ms_cpu": round(p95_cpu, 1),
        "photo_12mp_verify_ms_vs_raw_verify_ms": round(p95 / (1000 / raw_verify), 1),
        "photo_12mp_decoded": f"{passed}/{len(photos)}",
    }
    print(f"load average (1 min)         {figures['load_average_1m']}")
    print(f"raw ES256 sign / verify      {raw_sign:9,.0f} /s  {raw_verify:9,.0f} /s")
    print(f"  by CPU time                {raw_sign_cpu:9,.0f} /s  {raw_verify_cpu:9,.0f} /s")
    print(f"first PDF of a process       {first_ms:9,.0f} ms  ({first_cpu_ms:,.0f} ms CPU: fonts)")
    print(f"PDF render + sign            {pdf_issue:9,.1f} /s  ({pdf_issue / raw_sign:.2%} of raw)")
    print(
        f"  by CPU time                {pdf_issue_cpu:9,.1f} /s  "
        f"({pdf_issue_cpu / raw_sign_cpu:.2%} of raw)"
    )
    print(f"PDF verify                   {pdf_verify:9,.1f} /s  ({pdf_verify / raw_verify:.2%})")
    print(f"QR text verify               {qr_verify:9,.0f} /s  ({qr_verify / raw_verify:.1%})")
    print(
        f"  by CPU time                {qr_verify_cpu:9,.0f} /s  "
        f"({qr_verify_cpu / raw_verify_cpu:.1%})"
    )
    print(
        f"12 MP photo decode + verify  p50 {figures['photo_12mp_decode_verify_p50_ms']} ms, "
        f"p95 {p95:.0f} ms ({p95_cpu:.0f} ms CPU), decoded {passed}/{len(photos)}"
    )
    print(json.dumps(figures))


def _cpu(action: Callable[[], object]) -> float:
    """The CPU time of `action`, best of three (seconds)."""
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        action()
        best = min(best, time.process_time() - start)
    return best


def _p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _originals(document, issuer: Issuer) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    """The renditions a PDF carries, signed beforehand: the bench times the PDF alone."""
    return {
        SIGNED_XML: signed_xml.issue(document, issuer.xml_key, INDIA),
        VC_DATA_INTEGRITY: vc_di.issue(
            document,
            issuer.signer,
            verification_method=issuer.verification_method,
            civil_timezone=INDIA,
        ),
        QR_CWT: qr.issue(doctypes.printable_document(document), issuer.signer),
    }


def _trust(key: ec.EllipticCurvePrivateKey) -> TrustSnapshot:
    since = NOW - timedelta(days=30)
    kid = keys.key_id(key.public_key())
    registered = RegisteredKey(
        kid,
        ISSUER_ID,
        keys.KeyAlgorithm.P256,
        key.public_key(),
        None,
        since,
        None,
        since,
        (KeyEvent(KeyStatus.ACTIVE, since, "registered", since),),
    )
    issuer = IssuerRecord(ISSUER_ID, ISSUER_NAME, IssuerStatus.ACTIVE, since, since)
    grants = [Authorisation(ISSUER_ID, code, since, None) for code in doctypes.DOCTYPES]
    return TrustSnapshot([issuer], [registered], grants, lambda _: None)


if __name__ == "__main__":
    main()
