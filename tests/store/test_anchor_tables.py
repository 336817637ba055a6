"""The registry's CA certificates, CRLs and certificate subjects, their refusals, and a
chain-trusted document verified through a snapshot, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509

from vc_engine.model import Indication
from vc_engine.policy import VerificationPolicy
from vc_engine.store import (
    AnchorConflict,
    InvalidRegistryInput,
    Registry,
    UnknownAnchor,
    UnknownIssuer,
)
from vc_engine.verify import verify

from factory import NOW
from pki import KMC, KMC_ORGANISATION, chain_document, enrol, pki

AT = datetime(2026, 1, 1, tzinfo=UTC)


def test_a_chain_trusted_document_verifies_through_the_snapshot(registry: Registry) -> None:
    enrol(registry)
    report = verify(
        pki().good.sign(chain_document()), registry.snapshot(), VerificationPolicy(at=NOW)
    )
    assert report.indication is Indication.PASSED, report.checks


def test_anchors_read_back_as_registered(registry: Registry) -> None:
    enrol(registry)
    anchors = registry.list_anchors()
    assert [(a.name, a.root) for a in anchors] == [
        ("CCA India Test Root", True),
        ("WB e-Sign CA", False),
    ]
    assert anchors[1].certificate == pki().licensed_ca.certificate
    assert anchors[0].added_at == AT
    crls = registry.list_crls()
    assert [c.ca_fingerprint for c in crls] == [anchors[1].fingerprint, anchors[0].fingerprint]
    assert registry.certificate_subjects(KMC)[0].organisation == KMC_ORGANISATION


def test_a_removed_root_no_longer_vouches(registry: Registry) -> None:
    enrol(registry)
    removed = registry.remove_anchor("CCA India Test Root", at=NOW)
    assert removed.root
    assert [a.name for a in registry.list_anchors()] == ["WB e-Sign CA"]
    report = verify(
        pki().good.sign(chain_document()), registry.snapshot(), VerificationPolicy(at=NOW)
    )
    assert report.indication is Indication.FAILED
    with pytest.raises(UnknownAnchor):
        registry.remove_anchor("CCA India Test Root", at=NOW)


def test_an_anchor_is_removed_by_fingerprint_too(registry: Registry) -> None:
    enrol(registry)
    fingerprint = registry.list_anchors()[1].fingerprint
    assert registry.remove_anchor(fingerprint.upper(), at=NOW).name == "WB e-Sign CA"


def test_a_ca_without_its_issuer_registered_is_refused(registry: Registry) -> None:
    with pytest.raises(AnchorConflict, match="add that CA first"):
        registry.add_anchor("WB e-Sign CA", pki().licensed_ca.certificate, at=AT)


def test_an_end_entity_certificate_is_not_an_anchor(registry: Registry) -> None:
    with pytest.raises(InvalidRegistryInput, match="not a CA certificate"):
        registry.add_anchor("KMC", pki().good.certificate, at=AT)


@pytest.mark.parametrize("name", ["CCA India Test Root", "another name"])
def test_an_anchor_is_registered_once(registry: Registry, name: str) -> None:
    registry.add_anchor("CCA India Test Root", pki().root.certificate, at=AT)
    other = pki().unknown_root.certificate if name == "CCA India Test Root" else None
    with pytest.raises(AnchorConflict):
        registry.add_anchor(name, other or pki().root.certificate, at=AT)


def test_a_crl_from_an_unregistered_ca_is_refused(registry: Registry) -> None:
    registry.add_anchor("CCA India Test Root", pki().root.certificate, at=AT)
    with pytest.raises(AnchorConflict, match="no registered CA signed this CRL"):
        registry.add_crl(x509.load_pem_x509_crl(pki().licensed_ca_crl()), at=AT)


def test_a_crl_is_loaded_once(registry: Registry) -> None:
    registry.add_anchor("CCA India Test Root", pki().root.certificate, at=AT)
    crl = x509.load_pem_x509_crl(pki().root_crl())
    registry.add_crl(crl, at=AT)
    with pytest.raises(AnchorConflict, match="already loaded"):
        registry.add_crl(crl, at=AT)


def test_an_organisation_speaks_for_one_issuer(registry: Registry) -> None:
    enrol(registry)
    registry.add_issuer("in.gov.wb.hmc", "Howrah Municipal Corporation", at=AT)
    with pytest.raises(AnchorConflict, match="already speaks for issuer"):
        registry.add_certificate_subject("in.gov.wb.hmc", KMC_ORGANISATION, at=AT)
    with pytest.raises(AnchorConflict, match="already registered"):
        registry.add_certificate_subject(KMC, KMC_ORGANISATION, at=AT)


def test_a_subject_narrowed_by_serial_and_key_reads_back(registry: Registry) -> None:
    enrol(registry)
    good = pki().good
    serial = good.certificate.serial_number
    registry.add_certificate_subject(
        KMC, KMC_ORGANISATION, serial_number=serial, key_id=good.key_id, at=AT
    )
    narrowed = registry.certificate_subjects(KMC)[1]
    assert (narrowed.serial_number, narrowed.key_id) == (serial, good.key_id)
    assert narrowed.matches(good.certificate)


def test_a_subject_of_an_unknown_issuer_is_refused(registry: Registry) -> None:
    with pytest.raises(UnknownIssuer):
        registry.add_certificate_subject("in.gov.xx.none", "Nobody", at=AT)


def test_a_change_is_seen_by_the_next_snapshot(registry: Registry) -> None:
    enrol(registry)
    before = registry.snapshot().anchors().fingerprint
    newer = x509.load_pem_x509_crl(pki().root_crl(this_update=NOW - timedelta(hours=1)))
    registry.add_crl(newer, at=NOW)
    assert registry.snapshot().anchors().fingerprint != before
