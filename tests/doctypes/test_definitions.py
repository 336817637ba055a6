"""Definition files: the shipped ones, and the bad ones refused with their line and reason."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from vc_engine.doctypes import DOCTYPES, LANGUAGES, FieldKind, Validity
from vc_engine.doctypes.catalogue import SHIPPED
from vc_engine.doctypes.definition import (
    SCHEMA_ID,
    DefinitionError,
    definition_schema,
    read_definition,
)

BIRTH = (resources.files("vc_engine") / "data" / "doctypes" / "BTHCER.v1.yaml").read_text("utf-8")


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the `occurrence`-th line containing `needle`."""
    found = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return found[occurrence - 1]


def test_the_schema_is_published_with_its_own_id_and_is_itself_valid() -> None:
    schema = definition_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == SCHEMA_ID


@pytest.mark.parametrize(
    ("code", "version"), [(c, v) for c, vs in sorted(SHIPPED.items()) for v in sorted(vs)]
)
def test_every_shipped_definition_satisfies_the_published_schema(code: str, version: int) -> None:
    definition = SHIPPED[code][version]
    jsonschema.validate(yaml.safe_load(definition.text), definition_schema())
    doctype = definition.doctype
    assert (doctype.code, doctype.version) == (code, version)
    assert set(doctype.titles) == set(LANGUAGES)
    for field in doctype.fields + tuple(c for f in doctype.fields for c in f.columns):
        assert set(field.labels) == set(LANGUAGES), field.name
    assert len(definition.sha256) == 64


@pytest.mark.parametrize(
    ("code", "version"), [(c, v) for c, vs in sorted(SHIPPED.items()) for v in sorted(vs)]
)
def test_a_shipped_definition_reads_the_same_through_the_checked_path(
    code: str, version: int
) -> None:
    """The shipped files are read at import without the schema check (and with libyaml); the
    full reader must accept each and build the very same type from it."""
    shipped = SHIPPED[code][version]
    assert read_definition(shipped.text, f"{code}.v{version}.yaml") == shipped


def test_the_four_original_types_keep_their_shape() -> None:
    birth, licence, marks = DOCTYPES["BTHCER"], DOCTYPES["DRVLC"], DOCTYPES["SSCMS"]
    assert [f.name for f in birth.holder_fields] == [
        "name", "nameLocal", "dateOfBirth", "gender", "fatherName", "motherName", "address"
    ]  # fmt: skip
    assert [f.name for f in birth.claim_fields] == [
        "registrationNumber", "registrationDate", "placeOfBirth", "ward", "district", "state"
    ]  # fmt: skip
    assert birth.validity is Validity.PERMANENT and licence.validity is Validity.UNTIL_RECORDED
    subjects = marks.claim_fields[-1]
    assert subjects.kind is FieldKind.TABLE
    assert [c.name for c in subjects.columns] == ["code", "name", "marks", "maxMarks", "grade"]
    assert birth.title("bn") == "জন্ম সনদ" and birth.holder_fields[0].personal
    assert birth.display_order == birth.fields


def test_json_is_accepted_as_well_as_yaml() -> None:
    as_json = json.dumps(yaml.safe_load(BIRTH), ensure_ascii=False, indent=1)
    assert read_definition(as_json).doctype == read_definition(BIRTH).doctype


BAD = [
    pytest.param(
        BIRTH.replace("field: ward,", "field: district,"),
        line_of(BIRTH, "field: district", 1),
        "the field 'district' is already defined at claims[3]",
        id="duplicate-field",
    ),
    pytest.param(
        BIRTH.replace("field: placeOfBirth, type: text", "field: placeOfBirth, type: place"),
        line_of(BIRTH, "placeOfBirth"),
        "claims[2].type: 'place' is not one of",
        id="unknown-type",
    ),
    pytest.param(
        BIRTH.replace(
            "field: registrationNumber, type: text,",
            'field: registrationNumber, type: text, pattern: "[0-9",',
        ),
        line_of(BIRTH, "registrationNumber"),
        "claims[0].pattern: the pattern does not compile",
        id="pattern-does-not-compile",
    ),
    pytest.param(
        BIRTH.replace(
            "label: {en: Place of birth, bn: জন্মস্থান, hi: जन्म स्थान}",
            "label: {en: Place of birth, hi: जन्म स्थान}",
        ),
        line_of(BIRTH, "placeOfBirth"),
        "claims[2].label: 'bn' is a required property",
        id="label-missing-in-bengali",
    ),
    pytest.param(
        BIRTH.replace(
            "title: {en: Birth Certificate, bn: জন্ম সনদ, ", "title: {en: Birth Certificate, "
        ),
        line_of(BIRTH, "title:"),
        "title: 'bn' is a required property",
        id="title-missing-in-bengali",
    ),
    pytest.param(
        BIRTH.replace("version: 1\n", "version: 1\nversion: 2\n"),
        line_of(BIRTH, "version: 1") + 1,
        "'version' given twice",
        id="repeated-key",
    ),
    pytest.param(
        BIRTH.replace("reference: dateOfBirth", "reference: dateOfDeath"),
        line_of(BIRTH, "rule: not-before"),
        "rules[0]: the rule names 'dateOfDeath', which is not a field",
        id="rule-names-unknown-field",
    ),
    pytest.param(
        BIRTH.replace("code: BTHCER", "code: BTH"),
        line_of(BIRTH, "code: BTHCER"),
        "code: 'BTH' does not match",
        id="bad-code",
    ),
    pytest.param(
        BIRTH + "display: [name, dateOfBirth]\n",
        BIRTH.count("\n") + 1,
        "display: must list every field once",
        id="display-incomplete",
    ),
    pytest.param(
        BIRTH.replace("type: enumeration, choices: [M, F, T]", "type: enumeration"),
        line_of(BIRTH, "field: gender"),
        "holder[3]: choices belong to enumerations",
        id="enumeration-without-choices",
    ),
    pytest.param(
        BIRTH.replace("field: ward, type: integer", "field: validUntil, type: date"),
        line_of(BIRTH, "field: ward"),
        "'validUntil' is a record column every type has",
        id="record-column-as-field",
    ),
    pytest.param("code: [unclosed\n", 2, "not valid YAML", id="not-yaml"),
    pytest.param("", 1, "the definition is empty", id="empty"),
    pytest.param("a: &x [1]\nb: *x\n", 1, "anchors and aliases are not allowed", id="alias"),
]


@pytest.mark.parametrize(("text", "line", "reason"), BAD)
def test_a_bad_definition_is_refused_with_its_line_and_reason(
    text: str, line: int, reason: str
) -> None:
    with pytest.raises(DefinitionError) as refused:
        read_definition(text, "bad.yaml")
    assert refused.value.line == line, refused.value
    assert reason in refused.value.reason, refused.value.reason
    assert str(refused.value).startswith(f"bad.yaml:{line}: ")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_text_is_read_or_refused_with_a_definition_error(text: str) -> None:
    try:
        read_definition(text)
    except DefinitionError as refused:
        assert refused.reason


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_a_mutated_shipped_definition_is_read_or_refused_cleanly(data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(BIRTH)))
    insert = data.draw(st.sampled_from(["{", "}", "[", ":", "\n  ", "-", "'", "x", "&a ", "*a"]))
    try:
        read_definition(BIRTH[:position] + insert + BIRTH[position:])
    except DefinitionError as refused:
        assert refused.reason
