"""A Document as a VC 2.0 credential and back: every fixture record, and the strict reader."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vc_engine import doctypes
from vc_engine.formats.vc_json import (
    ENGINE_CONTEXT,
    MalformedCredential,
    from_credential,
    to_credential,
)
from vc_engine.inputs import records
from vc_engine.model import issuer_did, issuer_id_of_did
from vc_engine.policy import INDIA

from factory import NOW, fixture_document
from paths import FIXTURES, ROOT

CONTEXT = ROOT / "vc_engine" / "data" / "contexts"


@pytest.mark.parametrize("doctype", sorted(doctypes.DOCTYPES))
def test_every_fixture_record_round_trips(doctype: str) -> None:
    spec = doctypes.get_doctype(doctype)
    for _, record in records.read_records(FIXTURES / f"{doctype}.csv"):
        assert isinstance(record, dict)
        document = doctypes.record_to_document(
            record, spec, issuer_id="in.gov.wb.kmc", issuer_name="KMC", issued_at=NOW
        )
        credential = to_credential(document, INDIA)
        through_json = json.loads(json.dumps(credential, ensure_ascii=False))
        back = from_credential(through_json)
        assert back == document
        assert back.claims_digest == document.claims_digest


@given(day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 30)))
def test_validity_dates_survive_in_the_issuers_calendar(day: date) -> None:
    document = fixture_document("DRVLC", "in.gov.dl.transport", "Transport Department, Delhi")
    import dataclasses

    changed = dataclasses.replace(document, valid_from=day, valid_until=day)
    assert from_credential(to_credential(changed, INDIA)) == changed


@given(labels=st.lists(st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True), min_size=2, max_size=5))
def test_issuer_did_round_trip(labels: list[str]) -> None:
    issuer_id = ".".join(labels)
    assert issuer_id_of_did(issuer_did(issuer_id)) == issuer_id


@pytest.mark.parametrize(
    "did", ["did:key:z6Mk", "did:web:", "did:web:host:8443", "did:web:a.b/path", "https://a.b"]
)
def test_not_an_issuer_did(did: str) -> None:
    assert issuer_id_of_did(did) is None


def credential() -> dict[str, object]:
    return to_credential(
        fixture_document("SSCMS", "in.gov.wb.wbbse", "West Bengal Board of Secondary Education"),
        INDIA,
    )


def mutate(change) -> dict[str, object]:  # type: ignore[no-untyped-def]
    value = copy.deepcopy(credential())
    change(value)
    return value


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c.update(extra="x"),
        lambda c: c.update({"@context": ["https://www.w3.org/ns/credentials/v2"]}),
        lambda c: c.update(type=["VerifiableCredential"]),
        lambda c: c.update(id="in.gov.wb.wbbse-SSCMS-1"),
        lambda c: c.update(issuer="did:web:wbbse.wb.gov.in"),
        lambda c: c["issuer"].update(id="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"),
        lambda c: c.update(issuedAt="2026-11-23T10:00:00"),
        lambda c: c.update(validFrom=20261123),
        lambda c: c["credentialSubject"].update(name=["A", "B"]),
        lambda c: c["credentialSubject"]["certificateData"].update(total=600),
        lambda c: c["credentialSubject"]["certificateData"]["subjects"][0].update(marks=90),
        lambda c: c["credentialSubject"].pop("certificateData"),
    ],
    ids=[
        "extra-property",
        "context",
        "type",
        "id-not-urn",
        "issuer-not-object",
        "issuer-not-did-web",
        "naive-issued-at",
        "valid-from-number",
        "holder-list",
        "claim-number",
        "table-cell-number",
        "no-certificate-data",
    ],
)
def test_other_shapes_are_refused(change) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(MalformedCredential):
        from_credential(mutate(change))


def test_engine_context_defines_every_field_of_every_document_type() -> None:
    """The core context, or else the type's own (pinned, generated) context, defines each term."""
    core = json.loads((CONTEXT / "vc-engine-v1.jsonld").read_text())["@context"]
    index = json.loads((CONTEXT / "index.json").read_text())
    for spec in doctypes.DOCTYPES.values():
        own = doctypes.credential_context(spec)
        context = dict(core)
        if own is not None:
            context |= json.loads((CONTEXT / index[own]["file"]).read_text())["@context"]
        for field in spec.holder_fields + spec.claim_fields:
            columns = [c.name for c in field.columns]
            for name in [field.name, *columns]:
                # `name` is the VC 2.0 context's protected schema:name, reused as it is.
                assert name == "name" or name in context, f"{spec.code}.{name}"
        tables = [f.name for f in spec.claim_fields if f.kind == "table"]
        for table in tables:
            assert context[table]["@container"] == "@list", "table order must be signed"
    assert core["@protected"] is True
    assert ENGINE_CONTEXT == "https://vc-engine.org/contexts/v1"


def test_issued_at_is_utc_and_exact() -> None:
    document = fixture_document("BTHCER", "in.gov.wb.kmc", "Kolkata Municipal Corporation")
    credential = to_credential(document, INDIA)
    assert credential["issuedAt"].endswith("Z")
    assert from_credential(credential).issued_at == document.issued_at
    assert from_credential(credential).issued_at.tzinfo == UTC
    assert isinstance(document.issued_at, datetime)
