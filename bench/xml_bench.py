"""Signed-XML throughput on one core, against the raw RSA-2048 cost measured in the same run.

    .venv/bin/python bench/xml_bench.py [--documents N]

Prints each figure and its ratio to raw `cryptography` (RSA-2048, and P-256 for ECDSA-signed
documents), then one JSON line of all figures.
Targets (issue 2): full-pipeline verify >= 5,000 documents/s/core; signing >= 3,000/s/core.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import signxml
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from vc_engine import keys
from vc_engine.formats import xml as signed_xml
from vc_engine.formats.xml.dsig import XmlSigningKey
from vc_engine.model import Indication
from vc_engine.policy import INDIA, VerificationPolicy
from vc_engine.store import Registry
from vc_engine.verify import verify

from common import add_profile_switch, fixture_documents, rate, use_profile_switch

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "records"
NOW = datetime.now(UTC).replace(microsecond=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=2000)
    add_profile_switch(parser)
    args = parser.parse_args()
    use_profile_switch(args)
    count = args.documents

    private_key = keys.generate_private_key(keys.KeyAlgorithm.RSA2048)
    assert isinstance(private_key, rsa.RSAPrivateKey)
    certificate = keys.self_signed_certificate(
        private_key, "KMC", NOW - timedelta(days=1), NOW + timedelta(days=365)
    )
    signing_key = XmlSigningKey(keys.FileSigner(private_key), certificate)
    corpus = fixture_documents(
        "BTHCER",
        "in.gov.wb.kmc",
        "Kolkata Municipal Corporation",
        NOW - timedelta(minutes=1),
        count,
    )

    # Raw cryptographic cost of one document: one RSA-2048 PKCS#1 v1.5 SHA-256 operation.
    message = b"x" * 700  # about the size of a canonical SignedInfo
    signature = private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    public_key = private_key.public_key()
    raw_sign = rate(count, lambda: private_key.sign(message, padding.PKCS1v15(), hashes.SHA256()))
    raw_verify = rate(
        count, lambda: public_key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    )

    iterator = iter(corpus * 3)
    sign_rate = rate(count, lambda: signed_xml.issue(next(iterator), signing_key, INDIA))
    signed = [signed_xml.issue(d, signing_key, INDIA) for d in corpus]

    verify_rate = pipeline_rate(signed, public_key, certificate, count)

    # The same for ECDSA P-256 (ECDSA-SHA256) against raw P-256 verify.
    ec_key = keys.generate_private_key(keys.KeyAlgorithm.P256)
    assert isinstance(ec_key, ec.EllipticCurvePrivateKey)
    ec_certificate = keys.self_signed_certificate(
        ec_key, "KMC", NOW - timedelta(days=1), NOW + timedelta(days=365)
    )
    ec_signing_key = XmlSigningKey(keys.FileSigner(ec_key), ec_certificate)
    ec_signed = [signed_xml.issue(d, ec_signing_key, INDIA) for d in corpus]
    ec_signature = ec_key.sign(message, ec.ECDSA(hashes.SHA256()))
    ec_public = ec_key.public_key()
    raw_p256_verify = rate(
        count, lambda: ec_public.verify(ec_signature, message, ec.ECDSA(hashes.SHA256()))
    )
    p256_verify_rate = pipeline_rate(ec_signed, ec_public, ec_certificate, count)

    verifier = signxml.XMLVerifier()
    signxml_cycle = iter(signed * 3)
    signxml_rate = rate(
        max(count // 4, 100), lambda: verifier.verify(next(signxml_cycle), x509_cert=certificate)
    )

    figures = {
        "documents": count,
        "raw_rsa2048_sign_per_s": round(raw_sign),
        "raw_rsa2048_verify_per_s": round(raw_verify),
        "xml_sign_per_s": round(sign_rate),
        "xml_sign_ratio_to_raw": round(sign_rate / raw_sign, 3),
        "xml_verify_pipeline_per_s": round(verify_rate),
        "xml_verify_ratio_to_raw": round(verify_rate / raw_verify, 3),
        "signxml_verify_per_s": round(signxml_rate),
        "raw_p256_verify_per_s": round(raw_p256_verify),
        "xml_p256_verify_pipeline_per_s": round(p256_verify_rate),
        "xml_p256_verify_ratio_to_raw": round(p256_verify_rate / raw_p256_verify, 3),
        "target_verify_per_s": 5000,
        "target_sign_per_s": 3000,
    }
    lines = (
        ("raw RSA-2048 sign", raw_sign, None),
        ("raw RSA-2048 verify", raw_verify, None),
        ("XML sign (render+c14n+sign)", sign_rate, sign_rate / raw_sign),
        ("XML verify, full pipeline", verify_rate, verify_rate / raw_verify),
        ("signxml verify (reference)", signxml_rate, signxml_rate / raw_verify),
        ("raw P-256 verify", raw_p256_verify, None),
        ("XML P-256 verify, pipeline", p256_verify_rate, p256_verify_rate / raw_p256_verify),
    )
    for name, value, ratio in lines:
        share = "" if ratio is None else f"  {ratio:6.1%} of the raw operation"
        print(f"{name:30} {value:10,.0f} /s{share}")
    print(json.dumps(figures))


def pipeline_rate(
    signed: list[bytes], public_key: keys.PublicKey, certificate: x509.Certificate, count: int
) -> float:
    """Full-pipeline verify rate of `signed`, its key registered to the issuer."""
    with tempfile.TemporaryDirectory() as work, Registry.open(f"sqlite:///{work}/r.db") as registry:
        registry.init()
        since = NOW - timedelta(days=1)
        registry.add_issuer("in.gov.wb.kmc", "Kolkata Municipal Corporation", at=since)
        registry.authorise("in.gov.wb.kmc", "BTHCER", valid_from=since)
        registry.add_key(
            "in.gov.wb.kmc",
            public_key,
            certificate=certificate,
            valid_from=None,
            valid_until=None,
            at=NOW,
        )
        snapshot = registry.snapshot()
        policy = VerificationPolicy(at=NOW)
        assert all(verify(d, snapshot, policy).indication is Indication.PASSED for d in signed[:50])
        documents_cycle = iter(signed * 3)
        return rate(count, lambda: verify(next(documents_cycle), snapshot, policy))


if __name__ == "__main__":
    main()
