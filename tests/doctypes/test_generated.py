"""What definitions generate: record schemas that accept the fixture records, a CertificateData
layout that the engine's own signed XML follows, and pinned JSON-LD contexts equal to the files
shipped (regenerate with scripts/write_doctype_contexts.py)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime

import jsonschema
import pytest
from lxml import etree

from vc_engine.doctypes import DOCTYPES, record_to_document
from vc_engine.doctypes.catalogue import SHIPPED
from vc_engine.doctypes.generated import (
    CORE_TERMS,
    certificate_layout,
    context_url,
    record_schema,
    type_context,
)
from vc_engine.formats.vc_json import TYPE_CONTEXT_BASE
from vc_engine.formats.xml.document import to_element
from vc_engine.inputs.records import read_records

from paths import FIXTURES, ROOT

CONTEXTS = ROOT / "vc_engine" / "data" / "contexts"
ISSUED_AT = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)
CODES = sorted(DOCTYPES)


def fixture_records(code: str, count: int = 25) -> list[dict[str, object]]:
    found = []
    for _, record in read_records(FIXTURES / f"{code}.csv"):
        assert isinstance(record, dict)
        found.append({k: v for k, v in record.items() if v != ""})
        if len(found) == count:
            break
    return found


@pytest.mark.parametrize("code", CODES)
def test_the_record_schema_accepts_the_fixture_records_and_refuses_an_unknown_column(
    code: str,
) -> None:
    schema = record_schema(DOCTYPES[code])
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for record in fixture_records(code):
        as_json = {k: json.loads(v) if k in _tables(code) else v for k, v in record.items()}
        assert not list(validator.iter_errors(as_json)), record["docId"]
    assert list(validator.iter_errors({**as_json, "favouriteColour": "blue"}))


def _tables(code: str) -> set[str]:
    return {f.name for f in DOCTYPES[code].claim_fields if f.columns}


@pytest.mark.parametrize("code", CODES)
def test_the_signed_xml_follows_the_generated_layout(code: str) -> None:
    layout = etree.XMLSchema(etree.fromstring(certificate_layout(DOCTYPES[code])))
    for record in fixture_records(code, 10):
        document = record_to_document(
            record, DOCTYPES[code], issuer_id="in.gov.test", issuer_name="T", issued_at=ISSUED_AT
        )
        root = to_element(document, date(2026, 11, 23))
        for part in ("IssuedTo/Person", "CertificateData"):
            element = root.find(part)
            assert element is not None
            assert layout.validate(etree.fromstring(etree.tostring(element))), layout.error_log


def test_the_layout_refuses_an_unknown_claim() -> None:
    layout = etree.XMLSchema(etree.fromstring(certificate_layout(DOCTYPES["BTHCER"])))
    assert not layout.validate(
        etree.fromstring("<CertificateData><colour>x</colour></CertificateData>")
    )


@pytest.mark.parametrize(
    ("code", "version"), [(c, v) for c, vs in sorted(SHIPPED.items()) for v in sorted(vs)]
)
def test_each_shipped_context_is_the_generated_one_and_pinned(code: str, version: int) -> None:
    generated = type_context(SHIPPED[code][version].doctype)
    index = json.loads((CONTEXTS / "index.json").read_text("utf-8"))
    url = context_url(code, version)
    if generated is None:
        assert url not in index
        return
    assert generated.url == url and url.startswith(TYPE_CONTEXT_BASE)
    entry = index[url]
    shipped = (CONTEXTS / entry["file"]).read_bytes()
    assert shipped == generated.document
    assert entry["sha256"] == hashlib.sha256(shipped).hexdigest() == generated.sha256
    terms = set(json.loads(shipped)["@context"]) - {"@version", "@protected"}
    assert terms and not terms & CORE_TERMS


def test_core_terms_are_those_of_the_core_context() -> None:
    core = json.loads((CONTEXTS / "vc-engine-v1.jsonld").read_text("utf-8"))["@context"]
    assert set(core) - {"@version", "@protected"} == CORE_TERMS
