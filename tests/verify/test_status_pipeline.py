"""Revocation and suspension through the whole pipeline: every rendition carries its status
entries, the issuer's signed lists decide, and a list that cannot be believed is never PASSED."""

from __future__ import annotations

import base64
import dataclasses
import gzip
import json
from datetime import timedelta
from itertools import islice
from pathlib import Path

import pytest

from vc_engine import doctypes, keys
from vc_engine.formats import vc_jwt
from vc_engine.formats import xml as signed_xml
from vc_engine.formats.vc_di.proofs import add_proof
from vc_engine.inputs import records
from vc_engine.issuance.block import Plan
from vc_engine.issuance.directory import issue_records
from vc_engine.issuance.issuer import Issuer, renditions
from vc_engine.issuance.status_lists import StatusLists, sign_status_list
from vc_engine.model import Indication, StatusReference, SubIndication, issuer_did
from vc_engine.policy import INDIA, VerificationPolicy
from vc_engine.revocation import status_list_credential
from vc_engine.revocation.source import StatusSnapshot
from vc_engine.store import Registry, StatusStore
from vc_engine.verify import verify

from factory import NOW
from paths import FIXTURES

ISSUER = "in.gov.up.edistrict"
OTHER = "in.gov.wb.kmc"
BASE_URL = "https://status.test.example"
POLICY = VerificationPolicy(at=NOW + timedelta(minutes=5))


def enrol(registry: Registry, issuer_id: str) -> Issuer:
    private_key = keys.generate_private_key(keys.KeyAlgorithm.P256)
    certificate = keys.self_signed_certificate(
        private_key, issuer_id, NOW - timedelta(days=1), NOW + timedelta(days=365)
    )
    registry.add_issuer(issuer_id, issuer_id, at=NOW - timedelta(days=1))
    registry.authorise(issuer_id, "CASCR", valid_from=NOW - timedelta(days=1))
    registry.add_key(
        issuer_id,
        private_key.public_key(),
        certificate=certificate,
        valid_from=None,
        valid_until=None,
        at=NOW - timedelta(days=1),
    )
    return Issuer(issuer_id, issuer_id, keys.FileSigner(private_key), certificate, INDIA)


@pytest.fixture
def issued(registry: Registry, tmp_path: Path) -> tuple[Registry, Issuer, StatusLists, list[Path]]:
    issuer = enrol(registry, ISSUER)
    lists = StatusLists(StatusStore(registry), BASE_URL)
    summary = issue_records(
        islice(records.read_records(FIXTURES / "CASCR.csv"), 3),
        Plan(
            issuer,
            doctypes.get_doctype("CASCR"),
            renditions(("xml", "vc-di", "vc-jwt"), issuer),
            registry,
            lists,
        ),
        tmp_path,
        lambda: NOW,
    )
    assert len(summary.issued) == 9
    return registry, issuer, lists, sorted(summary.issued)


def verdicts(registry: Registry, paths: list[Path], policy: VerificationPolicy = POLICY):
    store = StatusStore(registry)
    snapshot = registry.snapshot()
    return {p.name: verify(p.read_bytes(), snapshot, policy, store) for p in paths}


def first_id(paths: list[Path]) -> str:
    return paths[0].name.split(".xml")[0].split(".vc.json")[0].split(".jwt")[0]


def republish(registry: Registry, issuer: Issuer, lists: StatusLists, document_id: str) -> None:
    store = StatusStore(registry)
    entries = store.entries_of(document_id)
    assert entries is not None
    for entry in entries:
        published = store.list_bits(entry.list_id)
        assert published is not None
        credential = sign_status_list(published, issuer, lists, NOW + timedelta(minutes=1)).jwt
        store.publish(entry.list_id, credential, version=published.version, at=NOW)


def test_every_rendition_carries_both_entries_and_passes(issued) -> None:  # type: ignore[no-untyped-def]
    registry, _, _, paths = issued
    for name, report in verdicts(registry, paths).items():
        assert report.indication is Indication.PASSED, (name, report.to_json())
        assert report.document is not None
        assert {r.purpose for r in report.document.status} == {"revocation", "suspension"}
        assert {c.name for c in report.checks} >= {"status-revocation", "status-suspension"}


def test_revoked_in_every_rendition_with_date_and_reason(issued) -> None:  # type: ignore[no-untyped-def]
    registry, issuer, lists, paths = issued
    document_id = first_id(paths)
    StatusStore(registry).revoke(document_id, reason="issued in error", actor="clerk-7", at=NOW)
    republish(registry, issuer, lists, document_id)
    reports = verdicts(registry, paths)
    mine = {n: r for n, r in reports.items() if n.startswith(document_id)}
    assert len(mine) == 3
    for report in mine.values():
        assert (report.indication, report.sub_indication) == (
            Indication.FAILED,
            SubIndication.REVOKED,
        )
        reason = next(c for c in report.checks if c.code is SubIndication.REVOKED).message
        assert "issued in error" in reason and "clerk-7" in reason
    others = [r for n, r in reports.items() if not n.startswith(document_id)]
    assert all(r.indication is Indication.PASSED for r in others)


def test_suspended_then_reinstated(issued) -> None:  # type: ignore[no-untyped-def]
    registry, issuer, lists, paths = issued
    document_id = first_id(paths)
    store = StatusStore(registry)
    store.suspend(document_id, reason="under inquiry", actor="officer", at=NOW)
    republish(registry, issuer, lists, document_id)
    suspended = [r for n, r in verdicts(registry, paths).items() if n.startswith(document_id)]
    assert {r.sub_indication for r in suspended} == {SubIndication.SUSPENDED}
    store.reinstate(document_id, reason="cleared", actor="officer", at=NOW)
    republish(registry, issuer, lists, document_id)
    assert all(
        r.indication is Indication.PASSED
        for n, r in verdicts(registry, paths).items()
        if n.startswith(document_id)
    )


def test_a_change_not_yet_published_is_not_seen(issued) -> None:  # type: ignore[no-untyped-def]
    """Verifiers go by the signed list, as offline verifiers must: publishing is part of the
    change (the CLI does both in one command)."""
    registry, _, _, paths = issued
    document_id = first_id(paths)
    StatusStore(registry).revoke(document_id, reason="x", actor="y", at=NOW)
    assert verdicts(registry, paths[:1])[paths[0].name].indication is Indication.PASSED


def test_stale_list_is_indeterminate(issued) -> None:  # type: ignore[no-untyped-def]
    registry, _, _, paths = issued
    much_later = VerificationPolicy(at=NOW + timedelta(days=3))
    report = verdicts(registry, paths[:1], much_later)[paths[0].name]
    assert (report.indication, report.sub_indication) == (
        Indication.INDETERMINATE,
        SubIndication.TRY_LATER,
    )


def test_without_status_lists_a_document_with_entries_is_indeterminate(issued) -> None:  # type: ignore[no-untyped-def]
    registry, _, _, paths = issued
    report = verify(paths[0].read_bytes(), registry.snapshot(), POLICY)
    assert (report.indication, report.sub_indication) == (
        Indication.INDETERMINATE,
        SubIndication.TRY_LATER,
    )


class ReplacedList:
    """A status source that serves one forged list credential for every list."""

    def __init__(self, registry: Registry, credential: bytes) -> None:
        self.store = StatusStore(registry)
        self.credential = credential
        self.memory = self.store.memory

    def published_list(self, list_id: str) -> bytes | None:
        return self.credential

    def status(self, document_id: str):  # type: ignore[no-untyped-def]
        return self.store.status(document_id)


def forged_list(registry: Registry, issuer: Issuer, lists: StatusLists, paths: list[Path], change):  # type: ignore[no-untyped-def]
    entries = StatusStore(registry).entries_of(first_id(paths))
    assert entries is not None
    published = StatusStore(registry).list_bits(entries.revocation.list_id)
    assert published is not None
    credential = status_list_credential(
        published,
        base_url=BASE_URL,
        issuer=issuer_did(issuer.id),
        valid_from=NOW,
        ttl=timedelta(days=1),
    )
    change(credential)
    return vc_jwt.sign_credential(
        credential, issuer.signer, kid=issuer.verification_method, issued_at=NOW, expires_at=None
    )


def gzip_encoded(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(gzip.compress(data)).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c["credentialSubject"].update(encodedList="u" + "A" * 100),
        lambda c: c["credentialSubject"].update(encodedList=gzip_encoded(b"\0" * 1024)),
        lambda c: c["credentialSubject"].update(encodedList="zNotMultibaseBase64url"),
    ],
    ids=["not-gzip", "shorter-than-16KB", "wrong-multibase"],
)
def test_malformed_list_is_never_passed(issued, change) -> None:  # type: ignore[no-untyped-def]
    registry, issuer, lists, paths = issued
    forged = forged_list(registry, issuer, lists, paths, change)
    report = verify(
        paths[0].read_bytes(), registry.snapshot(), POLICY, ReplacedList(registry, forged)
    )
    assert report.indication is Indication.INDETERMINATE


def test_list_with_a_bad_signature(issued) -> None:  # type: ignore[no-untyped-def]
    registry, issuer, lists, paths = issued
    good = forged_list(registry, issuer, lists, paths, lambda c: None)
    header, payload, signature = good.split(b".")
    tampered = header + b"." + payload + b"." + signature[:-4] + b"AAAA"
    report = verify(
        paths[0].read_bytes(), registry.snapshot(), POLICY, ReplacedList(registry, tampered)
    )
    assert report.indication is Indication.INDETERMINATE
    assert "signature" in next(c for c in report.checks if c.name.startswith("status")).message


def test_list_signed_by_another_issuer(issued) -> None:  # type: ignore[no-untyped-def]
    registry, _, lists, paths = issued
    other = enrol(registry, OTHER)
    forged = forged_list(registry, other, lists, paths, lambda c: None)
    report = verify(
        paths[0].read_bytes(), registry.snapshot(), POLICY, ReplacedList(registry, forged)
    )
    assert (report.indication, report.sub_indication) == (
        Indication.INDETERMINATE,
        SubIndication.TRY_LATER,
    )


def test_index_past_the_end_of_the_list(issued) -> None:  # type: ignore[no-untyped-def]
    """A document its own issuer signed with an index beyond the list: status unknown."""
    registry, issuer, _, paths = issued
    opened = verdicts(registry, paths[:1])[paths[0].name].document
    assert opened is not None
    beyond = tuple(StatusReference(r.purpose, r.list_url, 10**7) for r in opened.status)
    data = signed_xml.issue(
        dataclasses.replace(opened, id=opened.id + "9", status=beyond), issuer.xml_key, INDIA
    )
    report = verify(data, registry.snapshot(), POLICY, StatusStore(registry))
    assert (report.indication, report.sub_indication) == (
        Indication.INDETERMINATE,
        SubIndication.TRY_LATER,
    )
    status_check = next(c for c in report.checks if c.name == "status-revocation")
    assert status_check.code is SubIndication.TRY_LATER
    assert "RANGE_ERROR" in status_check.message


def test_a_signed_status_entry_cannot_be_moved(issued) -> None:  # type: ignore[no-untyped-def]
    registry, _, _, paths = issued
    text = next(p for p in paths if p.suffix == ".xml").read_text()
    start = text.index('index="') + len('index="')
    moved = (text[:start] + "9" + text[start:]).encode()
    report = verify(moved, registry.snapshot(), POLICY, StatusStore(registry))
    assert report.sub_indication is SubIndication.HASH_FAILURE


def test_xml_status_attribute_never_overrides_the_list(issued) -> None:  # type: ignore[no-untyped-def]
    registry, issuer, lists, paths = issued
    document_id = first_id(paths)
    xml = next(p for p in paths if p.name == f"{document_id}.xml")
    assert b'status="A"' in xml.read_bytes()
    StatusStore(registry).revoke(document_id, reason="fraud", actor="x", at=NOW)
    republish(registry, issuer, lists, document_id)
    assert verdicts(registry, [xml])[xml.name].sub_indication is SubIndication.REVOKED


# Lists published as JSON-LD with a Data Integrity proof (ecdsa-rdfc-2019 for this P-256 issuer)


def json_ld_lists(registry: Registry, issuer: Issuer, lists: StatusLists, at=NOW):  # type: ignore[no-untyped-def]
    """Every list of the issuer signed now, as the JSON-LD form only."""
    store = StatusStore(registry)
    found = {}
    for list_id in store.lists_of(issuer.id):
        published = store.list_bits(list_id)
        assert published is not None
        signed = sign_status_list(published, issuer, lists, at + timedelta(minutes=1))
        assert signed.json_ld is not None
        found[list_id] = signed.json_ld
    return found


def json_ld_source(registry: Registry, found: dict[str, bytes]) -> StatusSnapshot:
    return StatusSnapshot(found, StatusStore(registry).status)


def test_json_ld_lists_decide_like_the_jwt_ones(issued) -> None:  # type: ignore[no-untyped-def]
    registry, issuer, lists, paths = issued
    document_id = first_id(paths)
    before = json_ld_lists(registry, issuer, lists)
    assert all(json.loads(b)["proof"]["cryptosuite"] == "ecdsa-rdfc-2019" for b in before.values())
    for path in paths:
        report = verify(
            path.read_bytes(), registry.snapshot(), POLICY, json_ld_source(registry, before)
        )
        assert report.indication is Indication.PASSED, report.to_json()
    StatusStore(registry).revoke(document_id, reason="issued in error", actor="clerk", at=NOW)
    after = json_ld_source(registry, json_ld_lists(registry, issuer, lists))
    mine = [p for p in paths if p.name.startswith(document_id)]
    for path in mine:
        report = verify(path.read_bytes(), registry.snapshot(), POLICY, after)
        assert (report.indication, report.sub_indication) == (
            Indication.FAILED,
            SubIndication.REVOKED,
        )


def test_a_tampered_json_ld_list_is_never_believed(issued) -> None:  # type: ignore[no-untyped-def]
    registry, issuer, lists, paths = issued
    found = json_ld_lists(registry, issuer, lists)
    tampered = {}
    for list_id, data in found.items():
        credential = json.loads(data)
        credential["validUntil"] = "2099-01-01T00:00:00Z"  # outlive its ttl: the proof breaks
        tampered[list_id] = json.dumps(credential).encode()
    report = verify(
        paths[0].read_bytes(), registry.snapshot(), POLICY, json_ld_source(registry, tampered)
    )
    assert (report.indication, report.sub_indication) == (
        Indication.INDETERMINATE,
        SubIndication.TRY_LATER,
    )
    assert "proof" in next(c for c in report.checks if c.name.startswith("status")).message


def test_a_json_ld_list_signed_by_another_issuer_is_not_believed(issued) -> None:  # type: ignore[no-untyped-def]
    registry, issuer, lists, paths = issued
    other = enrol(registry, OTHER)
    found = json_ld_lists(registry, issuer, lists)
    forged = {}
    for list_id, data in found.items():
        credential = json.loads(data)
        del credential["proof"]
        secured = add_proof(
            credential,
            cryptosuite="ecdsa-rdfc-2019",
            signer=other.signer,
            verification_method=other.verification_method,
            created=NOW,
        )
        forged[list_id] = json.dumps(secured).encode()
    report = verify(
        paths[0].read_bytes(), registry.snapshot(), POLICY, json_ld_source(registry, forged)
    )
    assert (report.indication, report.sub_indication) == (
        Indication.INDETERMINATE,
        SubIndication.TRY_LATER,
    )


def test_junk_where_a_json_ld_list_should_be_is_indeterminate(issued) -> None:  # type: ignore[no-untyped-def]
    registry, issuer, _, paths = issued
    junk = {list_id: b"{not json" for list_id in StatusStore(registry).lists_of(issuer.id)}
    report = verify(
        paths[0].read_bytes(), registry.snapshot(), POLICY, json_ld_source(registry, junk)
    )
    assert report.indication is Indication.INDETERMINATE
