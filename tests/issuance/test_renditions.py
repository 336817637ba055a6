"""One original, many renditions: every fixture type issued as signed XML, a JSON-LD credential
and a vc+jwt verifies to the same document and the same claims digest, on both stores."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path

import pytest

from vc_engine import doctypes, keys
from vc_engine.inputs import records
from vc_engine.issuance.block import Plan
from vc_engine.issuance.directory import issue_records
from vc_engine.issuance.issuer import Issuer, renditions
from vc_engine.model import Indication, SubIndication, VerificationReport
from vc_engine.policy import INDIA, VerificationPolicy
from vc_engine.store import Registry
from vc_engine.verify import verify

from factory import NOW
from paths import FIXTURES

ISSUER = "in.gov.test.issuer"
POLICY = VerificationPolicy(at=NOW + timedelta(minutes=1))

PROFILES = [
    pytest.param(
        keys.KeyAlgorithm.P256, "ecdsa-rdfc-2019", ("xml", "vc-di", "vc-jwt"), id="p256-rdfc"
    ),
    pytest.param(keys.KeyAlgorithm.P256, "ecdsa-jcs-2019", ("vc-di",), id="p256-jcs"),
    pytest.param(keys.KeyAlgorithm.P384, "ecdsa-rdfc-2019", ("vc-di", "vc-jwt"), id="p384-rdfc"),
    pytest.param(
        keys.KeyAlgorithm.ED25519, "eddsa-rdfc-2022", ("vc-di", "vc-jwt"), id="ed25519-rdfc"
    ),
    pytest.param(keys.KeyAlgorithm.ED25519, "eddsa-jcs-2022", ("vc-di",), id="ed25519-jcs"),
    pytest.param(keys.KeyAlgorithm.RSA2048, None, ("xml", "vc-jwt"), id="rsa"),
]


def enrol(
    registry: Registry,
    algorithm: keys.KeyAlgorithm,
    suite: str | None,
    authorised_until: datetime | None = None,
) -> Issuer:
    private_key = keys.generate_private_key(algorithm)
    certificate = keys.self_signed_certificate(
        private_key, "Test issuer", NOW - timedelta(days=1), NOW + timedelta(days=365)
    )
    registry.add_issuer(ISSUER, "Test issuer", at=NOW - timedelta(days=1))
    for code in doctypes.DOCTYPES:
        registry.authorise(
            ISSUER, code, valid_from=NOW - timedelta(days=1), valid_until=authorised_until
        )
    registry.add_key(
        ISSUER,
        private_key.public_key(),
        certificate=certificate,
        valid_from=None,
        valid_until=None,
        at=NOW - timedelta(days=1),
    )
    return Issuer(ISSUER, "Test issuer", keys.FileSigner(private_key), certificate, INDIA, suite)


def issue_all(
    registry: Registry, issuer: Issuer, formats: tuple[str, ...], out: Path, count: int
) -> list[Path]:
    issued: list[Path] = []
    for code in sorted(doctypes.DOCTYPES):
        lines = islice(records.read_records(FIXTURES / f"{code}.csv"), count)
        summary = issue_records(
            lines,
            Plan(issuer, doctypes.get_doctype(code), renditions(formats, issuer), registry, None),
            out / code,
            lambda: NOW,
        )
        assert not summary.rejected
        issued.extend(summary.issued)
    return issued


def verdicts(registry: Registry, paths: list[Path]) -> dict[Path, VerificationReport]:
    snapshot = registry.snapshot()
    return {path: verify(path.read_bytes(), snapshot, POLICY) for path in paths}


@pytest.mark.parametrize(("algorithm", "suite", "formats"), PROFILES)
def test_every_rendition_verifies_to_the_same_original(
    registry: Registry, tmp_path: Path, algorithm, suite, formats
) -> None:  # type: ignore[no-untyped-def]
    issuer = enrol(registry, algorithm, suite)
    issued = issue_all(registry, issuer, formats, tmp_path, count=6)
    reports = verdicts(registry, issued)
    by_document: dict[str, set[tuple[str, str]]] = {}
    for path, report in reports.items():
        if report.sub_indication is SubIndication.EXPIRED:
            continue  # a fixture licence that expired before today: expired in every rendition
        assert report.indication is Indication.PASSED, (path.name, report.to_json())
        assert report.document is not None
        by_document.setdefault(report.document.id, set()).add(
            (report.document.claims_digest, json.dumps(report.document.to_json(), sort_keys=True))
        )
        assert path.name.startswith(report.document.id)
    assert len(by_document) >= 20
    for document_id, seen in by_document.items():
        assert len(seen) == 1, f"{document_id} reads differently across renditions"


def test_an_expired_original_is_expired_in_every_rendition(
    registry: Registry, tmp_path: Path
) -> None:
    issuer = enrol(registry, keys.KeyAlgorithm.P256, None)
    issued = issue_all(registry, issuer, ("xml", "vc-di", "vc-jwt"), tmp_path, count=30)
    reports = verdicts(registry, issued)
    expired = {
        r.document.id
        for r in reports.values()
        if r.sub_indication is SubIndication.EXPIRED and r.document is not None
    }
    assert expired, "the fixtures hold at least one licence that has expired"
    for path, report in reports.items():
        assert report.document is not None, path.name
        if report.document.id in expired:
            assert report.sub_indication is SubIndication.EXPIRED, path.name
    assert len([r for r in reports.values() if r.document and r.document.id in expired]) == 3 * len(
        expired
    )


def test_register_proves_every_rendition_after_a_compromise(
    registry: Registry, tmp_path: Path
) -> None:
    issuer = enrol(registry, keys.KeyAlgorithm.P256, None)
    issued = issue_all(registry, issuer, ("xml", "vc-di", "vc-jwt"), tmp_path, count=2)
    registry.compromise_key(
        ISSUER, issuer.key_id, at=NOW + timedelta(seconds=30), reason="leak", recorded_at=NOW
    )
    reports = verdicts(registry, issued)
    assert all(r.indication is Indication.PASSED for r in reports.values())
    # The same signed credential re-serialised is other bytes: the register does not prove them.
    credential = next(p for p in issued if p.name.endswith(".vc.json"))
    reformatted = json.dumps(json.loads(credential.read_bytes()), separators=(",", ":")).encode()
    report = verify(reformatted, registry.snapshot(), POLICY)
    assert (report.indication, report.sub_indication) == (
        Indication.INDETERMINATE,
        SubIndication.REVOKED_NO_POE,
    )


def test_document_type_authorisation_applies_to_every_format(
    registry: Registry, tmp_path: Path
) -> None:
    """The issuer's authorisation ended an hour before these documents were signed."""
    issuer = enrol(
        registry, keys.KeyAlgorithm.P256, None, authorised_until=NOW - timedelta(hours=1)
    )
    issued = issue_all(registry, issuer, ("xml", "vc-di", "vc-jwt"), tmp_path, count=1)
    reports = verdicts(registry, issued)
    assert {r.sub_indication for r in reports.values()} == {SubIndication.NOT_AUTHORIZED}
