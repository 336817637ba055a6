"""Documents of an issuer registered by its certificates' subject, through the whole pipeline,
against the declared test PKI (tests/pki.py) on an in-memory snapshot: each scenario asserts
the exact sub-indication and the check that decided it. The store that fills the snapshot is
tested in tests/store/test_anchor_tables.py, the offline bundle in tests/offline."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509

from vc_engine.keys import KeyAlgorithm
from vc_engine.model import CheckStatus, Indication, SubIndication, VerificationReport
from vc_engine.policy import VerificationPolicy
from vc_engine.trust.anchors import CertificateSubject, RevocationList, TrustAnchor
from vc_engine.trust.chains import AnchorSet
from vc_engine.trust.records import (
    Authorisation,
    IssuanceRecord,
    IssuerRecord,
    IssuerStatus,
    KeyEvent,
    KeyStatus,
    RegisteredKey,
)
from vc_engine.trust.source import TrustSnapshot
from vc_engine.verify import verify

from factory import NOW
from pki import KMC, KMC_ORGANISATION, REVOKED_ON, SIGNED, Party, chain_document, pki

EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
POLICY = VerificationPolicy(at=NOW)
AFTER_REVOCATION = REVOKED_ON + timedelta(days=30)


def crl(data: bytes, ca: Party) -> RevocationList:
    loaded = x509.load_pem_x509_crl(data)
    anchor = TrustAnchor.of("ca", ca.certificate, EPOCH)
    digest = hashlib.sha256(data).hexdigest()
    return RevocationList(loaded, anchor.fingerprint, digest, EPOCH)


def anchors(*, crls: bool = True) -> AnchorSet:
    p = pki()
    registered = (
        TrustAnchor.of("CCA India Test Root", p.root.certificate, EPOCH),
        TrustAnchor.of("WB e-Sign CA", p.licensed_ca.certificate, EPOCH),
    )
    lists = (crl(p.licensed_ca_crl(), p.licensed_ca), crl(p.root_crl(), p.root)) if crls else ()
    return AnchorSet(registered, lists)


def snapshot(
    *,
    anchor_set: AnchorSet | None = None,
    subject: CertificateSubject | None = None,
    proof: IssuanceRecord | None = None,
) -> TrustSnapshot:
    return TrustSnapshot(
        issuers=[IssuerRecord(KMC, KMC_ORGANISATION, IssuerStatus.ACTIVE, EPOCH, EPOCH)],
        keys=[],
        authorisations=[Authorisation(KMC, "BTHCER", EPOCH, None)],
        issuance=lambda document_id: proof,
        subjects=[subject or CertificateSubject(KMC, KMC_ORGANISATION, None, None, EPOCH)],
        anchors=anchor_set or anchors(),
    )


def signed_by(party: Party, signed_at: datetime = SIGNED) -> bytes:
    return party.sign(chain_document(signed_at))


def registered(data: bytes, *, recorded_at: datetime, signer: Party) -> IssuanceRecord:
    document = chain_document()
    return IssuanceRecord(
        document.id,
        KMC,
        "BTHCER",
        hashlib.sha256(data).hexdigest(),
        signer.key_id,
        SIGNED,
        recorded_at,
    )


def decided_by(report: VerificationReport) -> tuple[str, SubIndication | None]:
    deciding = next(c for c in report.checks if c.status is not CheckStatus.PASSED)
    return deciding.name, deciding.code


def test_a_good_chain_passes_and_names_its_anchor_and_path() -> None:
    report = verify(signed_by(pki().good), snapshot(), POLICY)
    assert report.indication is Indication.PASSED, report.checks
    path = next(c for c in report.checks if c.name == "certificate-path")
    assert '"WB e-Sign CA" -> "CCA India Test Root"' in path.message
    assert 'trust anchor root "CCA India Test Root"' in path.message
    names = [c.name for c in report.checks]
    assert "certificate-subject" in names and "certificate-revocation" in names


def test_a_second_document_reuses_the_validated_path() -> None:
    anchor_set = anchors()
    view = snapshot(anchor_set=anchor_set)
    first = verify(signed_by(pki().good), view, POLICY)
    later = verify(signed_by(pki().good, datetime(2026, 4, 1, tzinfo=UTC)), view, POLICY)
    assert first.verified and later.verified
    assert len(anchor_set._paths) == 1


@pytest.mark.parametrize(
    ("scenario", "signed_at", "check", "code"),
    [
        ("expired", SIGNED, "certificate-path", SubIndication.EXPIRED),
        ("wrong_usage", SIGNED, "certificate-path", SubIndication.CHAIN_CONSTRAINTS_FAILURE),
        ("outside_names", SIGNED, "certificate-path", SubIndication.CHAIN_CONSTRAINTS_FAILURE),
        ("stranger", SIGNED, "certificate-path", SubIndication.NO_CERTIFICATE_CHAIN_FOUND),
        (
            "unknown_critical",
            SIGNED,
            "certificate-path",
            SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
        ),
        ("revoked", AFTER_REVOCATION, "certificate-revocation", SubIndication.REVOKED),
    ],
)
def test_a_bad_certificate_fails_with_its_reason(
    scenario: str, signed_at: datetime, check: str, code: SubIndication
) -> None:
    report = verify(signed_by(getattr(pki(), scenario), signed_at), snapshot(), POLICY)
    assert report.indication is Indication.FAILED
    assert decided_by(report) == (check, code)


def test_revoked_after_signing_without_proof_is_indeterminate() -> None:
    report = verify(signed_by(pki().revoked_later), snapshot(), POLICY)
    assert report.indication is Indication.INDETERMINATE
    assert decided_by(report) == ("certificate-revocation", SubIndication.REVOKED_NO_POE)


def test_revoked_after_signing_with_proof_passes() -> None:
    data = signed_by(pki().revoked_later)
    proof = registered(data, recorded_at=SIGNED, signer=pki().revoked_later)
    report = verify(data, snapshot(proof=proof), POLICY)
    assert report.indication is Indication.PASSED, report.checks


def test_valid_at_signing_but_expired_today_passes_with_proof_of_existence() -> None:
    data = signed_by(pki().expired_today)
    proof = registered(data, recorded_at=SIGNED, signer=pki().expired_today)
    report = verify(data, snapshot(proof=proof), POLICY)
    assert report.indication is Indication.PASSED, report.checks
    expiry = next(c for c in report.checks if c.name == "certificate-expiry")
    assert "recorded this exact document" in expiry.message


def test_valid_at_signing_but_expired_today_without_proof_is_indeterminate() -> None:
    report = verify(signed_by(pki().expired_today), snapshot(), POLICY)
    assert report.indication is Indication.INDETERMINATE
    assert decided_by(report) == ("certificate-expiry", SubIndication.OUT_OF_BOUNDS_NO_POE)


def test_a_proof_recorded_after_expiry_proves_nothing() -> None:
    data = signed_by(pki().expired_today)
    late = registered(data, recorded_at=NOW, signer=pki().expired_today)
    report = verify(data, snapshot(proof=late), POLICY)
    assert decided_by(report) == ("certificate-expiry", SubIndication.OUT_OF_BOUNDS_NO_POE)


def test_without_crls_revocation_cannot_be_checked() -> None:
    report = verify(signed_by(pki().good), snapshot(anchor_set=anchors(crls=False)), POLICY)
    assert report.indication is Indication.INDETERMINATE
    assert decided_by(report) == ("certificate-revocation", SubIndication.TRY_LATER)


def test_a_stale_crl_issued_before_signing_cannot_vouch() -> None:
    p = pki()
    old = datetime(2026, 2, 1, tzinfo=UTC)
    lists = (crl(p.licensed_ca_crl(this_update=old), p.licensed_ca), crl(p.root_crl(), p.root))
    anchor_set = AnchorSet(anchors().anchors, lists)
    report = verify(signed_by(p.good), snapshot(anchor_set=anchor_set), POLICY)
    assert decided_by(report) == ("certificate-revocation", SubIndication.TRY_LATER)


def test_another_organisation_is_not_trusted() -> None:
    other = CertificateSubject(KMC, "Howrah Municipal Corporation", None, None, EPOCH)
    report = verify(signed_by(pki().good), snapshot(subject=other), POLICY)
    assert decided_by(report) == ("certificate-subject", SubIndication.NOT_TRUSTED)


def test_a_subject_narrowed_to_a_serial_trusts_only_that_certificate() -> None:
    p = pki()
    narrowed = CertificateSubject(
        KMC, KMC_ORGANISATION, p.good.certificate.serial_number, None, EPOCH
    )
    assert verify(signed_by(p.good), snapshot(subject=narrowed), POLICY).verified
    report = verify(signed_by(p.revoked_later), snapshot(subject=narrowed), POLICY)
    assert decided_by(report) == ("certificate-subject", SubIndication.NOT_TRUSTED)


def test_without_the_licensed_ca_registered_there_is_no_path() -> None:
    p = pki()
    only_root = AnchorSet((TrustAnchor.of("root", p.root.certificate, EPOCH),), ())
    report = verify(signed_by(p.good), snapshot(anchor_set=only_root), POLICY)
    assert decided_by(report) == ("certificate-path", SubIndication.NO_CERTIFICATE_CHAIN_FOUND)


def test_a_licensed_ca_alone_is_not_a_trust_anchor() -> None:
    p = pki()
    only_ca = AnchorSet((TrustAnchor.of("ca", p.licensed_ca.certificate, EPOCH),), ())
    report = verify(signed_by(p.good), snapshot(anchor_set=only_ca), POLICY)
    assert decided_by(report) == ("certificate-path", SubIndication.NO_CERTIFICATE_CHAIN_FOUND)


def test_a_registered_key_s_compromise_counts_on_the_chain_path_too() -> None:
    good = pki().good
    compromised = RegisteredKey(
        key_id=good.key_id,
        issuer_id=KMC,
        algorithm=KeyAlgorithm.P256,
        public_key=good.key.public_key(),
        certificate=good.certificate,
        valid_from=EPOCH,
        valid_until=None,
        added_at=EPOCH,
        history=(KeyEvent(KeyStatus.COMPROMISED, EPOCH, "token lost", EPOCH),),
    )
    view = snapshot()
    view = TrustSnapshot(
        issuers=[view.issuer(KMC)],  # type: ignore[list-item]
        keys=[compromised],
        authorisations=view.authorisations(KMC),
        issuance=lambda document_id: None,
        subjects=view.certificate_subjects(KMC),
        anchors=view.anchors(),
    )
    report = verify(signed_by(good), view, POLICY)
    assert decided_by(report) == ("key-compromise", SubIndication.KEY_COMPROMISED)
    assert "certificate-path" in [c.name for c in report.checks]
