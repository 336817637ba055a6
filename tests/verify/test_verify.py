"""The whole pipeline, bytes in and report out, against a real registry (SQLite and PostgreSQL).

Each case asserts the exact indication and sub-indication, as DESIGN.md's pipeline promises.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
from datetime import date, timedelta

import pytest

from vc_engine import keys
from vc_engine.formats import xml as signed_xml
from vc_engine.model import Indication, SubIndication, VerificationReport
from vc_engine.policy import INDIA, VerificationPolicy
from vc_engine.store import Registry
from vc_engine.trust.records import IssuanceRecord
from vc_engine.verify import verify

from factory import NOW, fixture_document, make_key
from factory import valid_birth_certificate as birth_certificate

KMC = make_key("Kolkata Municipal Corporation")
TRANSPORT = make_key("Transport Department", keys.KeyAlgorithm.P256)
ATTACKER = make_key("Kolkata Municipal Corporation (forged)")
POLICY = VerificationPolicy(at=NOW)


@pytest.fixture
def trusted(registry: Registry) -> Registry:
    """Two issuers, each with one key and one document type, from a year ago."""
    since = NOW - timedelta(days=365)
    for issuer_id, name, doctype, key in (
        ("in.gov.wb.kmc", "Kolkata Municipal Corporation", "BTHCER", KMC),
        ("in.gov.up.transport", "Transport Department", "DRVLC", TRANSPORT),
    ):
        registry.add_issuer(issuer_id, name, at=since)
        registry.authorise(issuer_id, doctype, valid_from=since)
        registry.add_key(
            issuer_id,
            key.private_key.public_key(),
            certificate=key.certificate,
            valid_from=None,
            valid_until=None,
            at=since,
        )
    return registry


def sign(key=KMC, **changes: object) -> bytes:
    return signed_xml.issue(birth_certificate(**changes), key.signing_key, INDIA)


def _tampered(data: bytes) -> bytes:
    changed = data.replace(b"Amit Halder", b"Amit Haldar", 1)
    assert changed != data
    return changed


def outcome(report: VerificationReport) -> tuple[Indication, SubIndication | None]:
    return report.indication, report.sub_indication


def test_genuine_document_passes_with_its_signed_claims(trusted: Registry) -> None:
    report = verify(sign(), trusted, POLICY)
    assert outcome(report) == (Indication.PASSED, None)
    assert report.verified
    assert report.document == birth_certificate()
    assert [c.name for c in report.checks][-2:] == ["validity", "document-type"]


def test_snapshot_gives_the_same_answer_as_the_registry(trusted: Registry) -> None:
    data = sign()
    assert verify(data, trusted.snapshot(), POLICY) == verify(data, trusted, POLICY)


def test_tampered_document(trusted: Registry) -> None:
    report = verify(_tampered(sign()), trusted, POLICY)
    assert outcome(report) == (Indication.FAILED, SubIndication.HASH_FAILURE)
    assert report.document is None


def test_signed_by_a_key_not_in_the_registry(trusted: Registry) -> None:
    report = verify(sign(ATTACKER), trusted, POLICY)
    assert outcome(report) == (Indication.FAILED, SubIndication.NO_CERTIFICATE_CHAIN_FOUND)


def test_trusted_certificate_over_an_attackers_signature(trusted: Registry) -> None:
    encoded = base64.b64encode(KMC.certificate_der)
    pasted = re.sub(
        rb"(<ds:X509Certificate>)[^<]*(</ds:X509Certificate>)",
        lambda m: m.group(1) + encoded + m.group(2),
        sign(ATTACKER),
    )
    report = verify(pasted, trusted, POLICY)
    assert outcome(report) == (Indication.FAILED, SubIndication.SIG_CRYPTO_FAILURE)


def test_key_of_another_issuer(trusted: Registry) -> None:
    """The transport department's genuine key cannot speak for the municipal corporation."""
    report = verify(sign(TRANSPORT), trusted, POLICY)
    assert outcome(report) == (Indication.FAILED, SubIndication.NOT_TRUSTED)


def test_issuer_not_authorised_for_the_document_type(trusted: Registry) -> None:
    data = sign(doctype="DRVLC", id="in.gov.wb.kmc-DRVLC-2026000123")
    report = verify(data, trusted, POLICY)
    assert outcome(report) == (Indication.FAILED, SubIndication.NOT_AUTHORIZED)


def test_unknown_issuer(trusted: Registry) -> None:
    data = sign(issuer_id="in.gov.xx.nobody", id="in.gov.xx.nobody-BTHCER-1")
    report = verify(data, trusted, POLICY)
    assert outcome(report) == (Indication.FAILED, SubIndication.NOT_TRUSTED)


def licence(**changes: object) -> bytes:
    document = fixture_document("DRVLC", "in.gov.up.transport", "Transport Department")
    return signed_xml.issue(dataclasses.replace(document, **changes), TRANSPORT.signing_key, INDIA)


def test_licence_passes_within_its_validity(trusted: Registry) -> None:
    assert outcome(verify(licence(), trusted, POLICY)) == (Indication.PASSED, None)


def test_expired_document(trusted: Registry) -> None:
    data = licence(valid_until=date(2026, 11, 1))
    report = verify(data, trusted, POLICY)
    assert outcome(report) == (Indication.FAILED, SubIndication.EXPIRED)


def test_document_valid_from_a_future_date(trusted: Registry) -> None:
    data = sign(valid_from=date(2027, 1, 1))
    report = verify(data, trusted, POLICY)
    assert outcome(report) == (Indication.FAILED, SubIndication.NOT_YET_VALID)


def test_expiry_is_read_in_the_issuers_calendar(trusted: Registry) -> None:
    """At 20:00 UTC on the expiry date it is already the next day in India."""
    data = licence(valid_until=date(2026, 11, 23))
    late_evening = VerificationPolicy(at=NOW.replace(hour=20))
    assert outcome(verify(data, trusted, POLICY)) == (Indication.PASSED, None)
    assert outcome(verify(data, trusted, late_evening)) == (
        Indication.FAILED,
        SubIndication.EXPIRED,
    )


def test_signed_in_the_future(trusted: Registry) -> None:
    data = sign(issued_at=NOW + timedelta(hours=1))
    report = verify(data, trusted, POLICY)
    assert outcome(report) == (Indication.FAILED, SubIndication.NOT_YET_VALID)


def compromise_kmc(registry: Registry, at: object) -> None:
    registry.compromise_key(
        "in.gov.wb.kmc", KMC.key_id, at=at, reason="key file leaked", recorded_at=NOW
    )


def test_signed_after_the_key_was_compromised(trusted: Registry) -> None:
    compromise_kmc(trusted, NOW - timedelta(days=2))
    report = verify(sign(), trusted, POLICY)  # issued a day ago
    assert outcome(report) == (Indication.FAILED, SubIndication.KEY_COMPROMISED)


def test_signed_before_compromise_without_register_proof(trusted: Registry) -> None:
    compromise_kmc(trusted, NOW - timedelta(hours=1))
    report = verify(sign(), trusted, POLICY)
    assert outcome(report) == (Indication.INDETERMINATE, SubIndication.REVOKED_NO_POE)


def test_signed_before_compromise_with_register_proof(trusted: Registry) -> None:
    data = sign()
    document = birth_certificate()
    trusted.record_issuances(
        [
            IssuanceRecord(
                document_id=document.id,
                issuer_id=document.issuer_id,
                doctype=document.doctype,
                sha256=hashlib.sha256(data).hexdigest(),
                key_id=KMC.key_id,
                issued_at=document.issued_at,
                recorded_at=document.issued_at,
            )
        ]
    )
    compromise_kmc(trusted, NOW - timedelta(hours=1))
    assert outcome(verify(data, trusted, POLICY)) == (Indication.PASSED, None)
    # The same id with other bytes is not proven by that row.
    other = sign(holder={**birth_certificate().holder, "name": "Someone Else"})
    assert outcome(verify(other, trusted, POLICY)) == (
        Indication.INDETERMINATE,
        SubIndication.REVOKED_NO_POE,
    )


def test_verifying_as_of_a_past_time_before_the_issuer_existed(trusted: Registry) -> None:
    data = sign(issued_at=NOW - timedelta(days=400), valid_from=date(2025, 10, 1))
    report = verify(data, trusted, POLICY)
    assert report.indication is Indication.FAILED
    assert report.sub_indication in (SubIndication.NOT_TRUSTED, SubIndication.NOT_AUTHORIZED)


def test_document_type_rules_apply_to_signed_content(trusted: Registry) -> None:
    """A correctly signed document whose id names another issuer than its signed issuer."""
    data = sign(id="in.gov.wb.other-BTHCER-2026000123")
    report = verify(data, trusted, POLICY)
    assert outcome(report) == (Indication.FAILED, SubIndication.FORMAT_FAILURE)
    assert report.checks[-1].name == "document-type"


def test_report_json_has_exactly_the_published_keys(trusted: Registry) -> None:
    report = verify(_tampered(sign()), trusted, POLICY).to_json()
    assert list(report) == [
        "verified",
        "indication",
        "subIndication",
        "checks",
        "warnings",
        "problemDetails",
        "format",
        "document",
        "policy",
    ]
    assert report["policy"]["name"] == "default"
    assert report["problemDetails"][0]["type"].endswith("#CRYPTOGRAPHIC_SECURITY_ERROR")
    assert report["verified"] is False


def test_never_raises_on_garbage(trusted: Registry) -> None:
    for data in (b"", b"{}", b"\x00" * 10, b"<", sign()[:-20]):
        report = verify(data, trusted, POLICY)
        assert report.indication is not Indication.PASSED


def test_replacing_the_document_dataclass_changes_the_claims_digest() -> None:
    document = birth_certificate()
    changed = dataclasses.replace(document, holder={**document.holder, "name": "X"})
    assert document.claims_digest != changed.claims_digest
