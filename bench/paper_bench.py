"""Paper: PDF render+sign, PDF verify, QR text verify, and decode+verify of 12-megapixel photos
of the printed page, each against the raw ES256 signature cost measured in the same run.

Run: `.venv/bin/python bench/paper_bench.py` (one core; about a minute). The photos are made
as in the tests (tests/paper_photos.py: pdftoppm, then Pillow's rotation, perspective, uneven
light, blur and JPEG quality 50). Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
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

from common import add_profile_switch, fixture_documents, rate, use_profile_switch

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

    earlier = [_originals(document, issuer) for document in documents]
    start = time.perf_counter()
    marks = doctypes.get_doctype("SSCMS")
    pdfs = [sign_pdf(d, issuer, e, marks) for d, e in zip(documents, earlier, strict=True)]
    pdf_issue = len(pdfs) / (time.perf_counter() - start)

    start = time.perf_counter()
    verdicts = [verify(pdf, snapshot, policy) for pdf in pdfs]
    pdf_verify = len(pdfs) / (time.perf_counter() - start)
    assert all(v.verified for v in verdicts), verdicts[0].checks

    texts = [e[QR_CWT] for e in earlier]
    assert verify(texts[0], snapshot, policy).verified
    qr_verify = rate(10, lambda: [verify(text, snapshot, policy) for text in texts]) * len(texts)

    page = render_page(pdfs[0])
    photos = [photograph(page, seed, 12).data for seed in range(args.photos)]
    timings, passed = [], 0
    for photo in photos:
        start = time.perf_counter()
        passed += verify(photo, snapshot, policy).verified
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]

    figures = {
        "raw_es256_sign_per_s": round(raw_sign),
        "raw_es256_verify_per_s": round(raw_verify),
        "pdf_issue_per_s": round(pdf_issue, 1),
        "pdf_issue_vs_raw_sign": round(pdf_issue / raw_sign, 5),
        "pdf_verify_per_s": round(pdf_verify, 1),
        "pdf_verify_vs_raw_verify": round(pdf_verify / raw_verify, 5),
        "qr_verify_per_s": round(qr_verify),
        "qr_verify_vs_raw_verify": round(qr_verify / raw_verify, 3),
        "photo_12mp_decode_verify_p50_ms": round(statistics.median(timings), 1),
        "photo_12mp_decode_verify_p95_ms": round(p95, 1),
        "photo_12mp_verify_ms_vs_raw_verify_ms": round(p95 / (1000 / raw_verify), 1),
        "photo_12mp_decoded": f"{passed}/{len(photos)}",
    }
    print(f"raw ES256 sign / verify      {raw_sign:9,.0f} /s  {raw_verify:9,.0f} /s")
    print(f"PDF render + sign            {pdf_issue:9,.1f} /s  ({pdf_issue / raw_sign:.2%} of raw)")
    print(f"PDF verify                   {pdf_verify:9,.1f} /s  ({pdf_verify / raw_verify:.2%})")
    print(f"QR text verify               {qr_verify:9,.0f} /s  ({qr_verify / raw_verify:.1%})")
    print(
        f"12 MP photo decode + verify  p50 {figures['photo_12mp_decode_verify_p50_ms']} ms, "
        f"p95 {p95:.0f} ms, decoded {passed}/{len(photos)}"
    )
    print(json.dumps(figures))


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
