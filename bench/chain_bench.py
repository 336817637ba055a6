"""The cost of trusting an issuer through its certificate chain, against an XML verify with a
pinned key, measured in the same run on one core.

    .venv/bin/python bench/chain_bench.py [--documents N]

A three-level RSA-2048 PKI (root -> licensed CA -> issuer) with a CRL from each CA is registered
in a SQLite registry; the same signed XML documents are verified (full pipeline, from a
snapshot) once with the issuer's key pinned and once with the issuer trusted by its
certificate's subject. The difference is what chain trust costs a verification: with the
validated path cached per certificate it is the CRL look-ups and the checks' messages. A cold
path validation (cryptography's verifier, no cache) is measured too. Target (issue 12): chain
validation costs at most 25% of an XML verify. Prints each figure, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from vc_engine import keys
from vc_engine.formats import xml as signed_xml
from vc_engine.formats.xml.dsig import XmlSigningKey
from vc_engine.model import Indication
from vc_engine.policy import INDIA, VerificationPolicy
from vc_engine.store import Registry
from vc_engine.trust.chains import AnchorSet
from vc_engine.verify import verify

from common import add_profile_switch, fixture_documents, rate, use_profile_switch

NOW = datetime.now(UTC).replace(microsecond=0)
ISSUER = "in.gov.wb.kmc"
ORGANISATION = "Kolkata Municipal Corporation"


def certificate(
    subject: str, key: rsa.RSAPrivateKey, issuer: x509.Certificate | None, signer: rsa.RSAPrivateKey
) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, subject),
            x509.NameAttribute(NameOID.COMMON_NAME, subject),
        ]
    )
    ca = issuer is None or subject != ORGANISATION
    usage = x509.KeyUsage(not ca, not ca, False, False, False, ca, ca, False, False)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name if issuer is None else issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=30))
        .not_valid_after(NOW + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), False
        )
        .sign(signer, hashes.SHA256())
    )


def crl(
    ca: x509.Certificate, key: rsa.RSAPrivateKey, revoked: int
) -> x509.CertificateRevocationList:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.subject)
        .last_update(NOW - timedelta(hours=1))
        .next_update(NOW + timedelta(days=7))
    )
    for serial in range(1, revoked + 1):
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(NOW - timedelta(days=1))
            .build()
        )
    return builder.sign(key, hashes.SHA256())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--revoked", type=int, default=1000, help="entries on the CA's CRL")
    add_profile_switch(parser)
    options = parser.parse_args()
    use_profile_switch(options)
    count = options.documents

    root_key, ca_key, issuer_key = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(3)
    )
    root = certificate("Test Root CA", root_key, None, root_key)
    licensed = certificate("Licensed CA", ca_key, root, root_key)
    signer = certificate(ORGANISATION, issuer_key, licensed, ca_key)
    signing_key = XmlSigningKey(keys.FileSigner(issuer_key), signer)
    documents = fixture_documents("BTHCER", ISSUER, ORGANISATION, NOW - timedelta(minutes=1), count)
    signed = [signed_xml.issue(d, signing_key, INDIA) for d in documents]
    policy = VerificationPolicy(at=NOW)
    since = NOW - timedelta(days=1)

    with tempfile.TemporaryDirectory() as work:
        with Registry.open(f"sqlite:///{work}/pinned.db") as pinned:
            pinned.init()
            pinned.add_issuer(ISSUER, ORGANISATION, at=since)
            pinned.authorise(ISSUER, "BTHCER", valid_from=since)
            pinned.add_key(
                ISSUER,
                issuer_key.public_key(),
                certificate=signer,
                valid_from=None,
                valid_until=None,
                at=since,
            )
            pinned_view = pinned.snapshot()
        with Registry.open(f"sqlite:///{work}/chain.db") as chained:
            chained.init()
            chained.add_issuer(ISSUER, ORGANISATION, at=since)
            chained.authorise(ISSUER, "BTHCER", valid_from=since)
            chained.add_anchor("Test Root CA", root, at=since)
            chained.add_anchor("Licensed CA", licensed, at=since)
            chained.add_crl(crl(licensed, ca_key, options.revoked), at=since)
            chained.add_crl(crl(root, root_key, 0), at=since)
            chained.add_certificate_subject(ISSUER, ORGANISATION, at=since)
            chain_view = chained.snapshot()
            anchors = chained.list_anchors()
            crls = chained.list_crls()

    for view in (pinned_view, chain_view):
        assert all(verify(d, view, policy).indication is Indication.PASSED for d in signed[:20])
    assert any(c.name == "certificate-path" for c in verify(signed[0], chain_view, policy).checks)

    pinned_cycle = iter(signed * 3)
    pinned_rate = rate(count, lambda: verify(next(pinned_cycle), pinned_view, policy))
    chain_cycle = iter(signed * 3)
    chain_rate = rate(count, lambda: verify(next(chain_cycle), chain_view, policy))

    signer_der = signer.public_bytes(Encoding.DER)

    def cold() -> object:
        return AnchorSet(anchors, crls).validate(signer, signer_der, NOW - timedelta(minutes=1))

    cold_rate = rate(max(count // 10, 50), cold)

    pinned_cost = 1 / pinned_rate
    chain_cost = max(1 / chain_rate - pinned_cost, 0.0)
    figures = {
        "documents": count,
        "crl_entries": options.revoked,
        "xml_verify_pinned_per_s": round(pinned_rate),
        "xml_verify_chain_per_s": round(chain_rate),
        "chain_cost_us": round(chain_cost * 1e6, 1),
        "chain_cost_ratio_to_xml_verify": round(chain_cost / pinned_cost, 3),
        "cold_path_validation_per_s": round(cold_rate),
        "cold_path_ratio_to_xml_verify": round((1 / cold_rate) / pinned_cost, 3),
        "target_ratio": 0.25,
    }
    lines = (
        ("XML verify, pinned key", pinned_rate, ""),
        ("XML verify, chain (cached path)", chain_rate, ""),
        (
            "chain validation, cached",
            1 / chain_cost if chain_cost else float("inf"),
            f"  {chain_cost / pinned_cost:6.1%} of an XML verify",
        ),
        (
            "path validation, cold",
            cold_rate,
            f"  {(1 / cold_rate) / pinned_cost:6.1%} of an XML verify",
        ),
    )
    for name, value, share in lines:
        print(f"{name:34} {value:10,.0f} /s{share}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
