"""Document types, document ids, records -> Document, and reading record files."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vc_engine.doctypes import (
    DOCTYPES,
    DocType,
    DocumentId,
    DocumentIdError,
    Field,
    FieldKind,
    RecordError,
    UnknownDocTypeError,
    Validity,
    check_document,
    document_to_record,
    get_doctype,
    make_document_id,
    parse_document_id,
    record_to_document,
)
from vc_engine.doctypes.rules import MarksTable, NotBefore
from vc_engine.inputs.records import BadLine, RecordFileError, read_records
from vc_engine.model import Document

from paths import FIXTURES

ISSUED_AT = datetime(2026, 2, 1, 10, 30, tzinfo=ZoneInfo("Asia/Kolkata"))
# The issuer of each fixture file, as fixtures/make_records.py documents.
ISSUERS = {
    "BTHCER": ("in.gov.wb.kmc", "Kolkata Municipal Corporation"),
    "CASCR": ("in.gov.up.edistrict", "Revenue Department, Government of Uttar Pradesh"),
    "SSCMS": ("in.gov.wb.wbbse", "West Bengal Board of Secondary Education"),
    "DRVLC": ("in.gov.dl.transport", "Transport Department, Government of NCT of Delhi"),
    "DTHCER": ("in.gov.wb.kmc", "Kolkata Municipal Corporation"),
    "INCER": ("in.gov.up.edistrict", "Revenue Department, Government of Uttar Pradesh"),
    "DOMCER": ("in.gov.wb.edistrict", "Home Department, Government of West Bengal"),
    "HSCMS": ("in.gov.wb.wbchse", "West Bengal Council of Higher Secondary Education"),
    "RVCER": ("in.gov.dl.transport", "Transport Department, Government of NCT of Delhi"),
    "RATCD": ("in.gov.up.fcs", "Food and Civil Supplies, Government of Uttar Pradesh"),
}
BENGALI = range(0x0980, 0x0A00)
DEVANAGARI = range(0x0900, 0x0980)


def convert(record: Mapping[str, object], code: str) -> Document:
    issuer_id, issuer_name = ISSUERS[code]
    return record_to_document(
        record, DOCTYPES[code], issuer_id=issuer_id, issuer_name=issuer_name, issued_at=ISSUED_AT
    )


def fixture_rows(code: str) -> list[tuple[int, dict[str, object]]]:
    rows = []
    for line, record in read_records(FIXTURES / f"{code}.csv"):
        assert isinstance(record, dict), f"{code}.csv line {line}: {record}"
        rows.append((line, record))
    return rows


def first_row(code: str) -> dict[str, object]:
    return dict(fixture_rows(code)[0][1])


# --- fixtures ----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ISSUERS)
def test_every_fixture_row_converts_and_passes_the_type_rules(code: str) -> None:
    """One pass over all rows (any record, generated, is test_record_document_record_round_trip)."""
    problems = {}
    for line, record in fixture_rows(code):
        document = convert(record, code)
        found = check_document(document)
        if document.doctype != code or found:
            problems[line] = found or [f"converted to a {document.doctype}"]
    assert problems == {}


@pytest.mark.parametrize("code", ISSUERS)
def test_fixture_file_has_300_rows_with_unique_doc_ids(code: str) -> None:
    rows = fixture_rows(code)
    assert len(rows) == 300
    assert len({record["docId"] for _, record in rows}) == 300


@pytest.mark.parametrize(
    ("code", "script"),
    [("BTHCER", BENGALI), ("SSCMS", BENGALI), ("CASCR", DEVANAGARI), ("DRVLC", DEVANAGARI)],
)
def test_local_names_are_in_the_issuers_script(code: str, script: range) -> None:
    for _, record in fixture_rows(code):
        local = str(record["nameLocal"])
        letters = [c for c in local if not c.isspace()]
        assert letters and all(ord(c) in script for c in letters), local


@pytest.mark.parametrize("code", ISSUERS)
def test_fixture_names_survive_conversion_unchanged(code: str) -> None:
    for _, record in fixture_rows(code):
        document = convert(record, code)
        assert document.holder["nameLocal"] == record["nameLocal"]
        assert document.holder["name"] == record["name"]


# --- document types ----------------------------------------------------------------------------


def test_known_document_types() -> None:
    assert set(DOCTYPES) == {"BTHCER", "CASCR", "SSCMS", "DRVLC"} | {
        "DTHCER", "INCER", "DOMCER", "HSCMS", "RVCER", "RATCD"
    }  # fmt: skip
    assert get_doctype("SSCMS").name == "class X mark sheet"


def test_unknown_document_type_is_refused_with_the_known_ones() -> None:
    with pytest.raises(UnknownDocTypeError, match=r"'PASSPT'.*BTHCER, CASCR, DOMCER, DRVLC"):
        get_doctype("PASSPT")


def test_the_licence_and_the_registration_expire_as_recorded_income_and_ration_by_term() -> None:
    expiring = {code for code, d in DOCTYPES.items() if d.validity is Validity.UNTIL_RECORDED}
    assert expiring == {"DRVLC", "RVCER"}
    terms = {code: d.term_months for code, d in DOCTYPES.items() if d.validity is Validity.TERM}
    assert terms == {"INCER": 12, "RATCD": 60}


def test_a_doctype_may_not_reuse_a_record_column_name() -> None:
    with pytest.raises(ValueError, match=r"distinct"):
        DocType("ABCDE", "test", (Field("docId", FieldKind.TEXT),), (), Validity.PERMANENT)


def test_a_holder_field_may_not_be_a_table() -> None:
    table = Field("rows", FieldKind.TABLE, columns=(Field("a", FieldKind.TEXT),))
    with pytest.raises(ValueError, match=r"never tables"):
        DocType("ABCDE", "test", (table,), (), Validity.PERMANENT)


# --- document ids ------------------------------------------------------------------------------

issuer_ids = st.from_regex(r"[a-z0-9]{1,8}(\.[a-z0-9]{1,8}){1,4}", fullmatch=True)
codes = st.from_regex(r"[A-Z]{5,6}", fullmatch=True)
doc_ids = st.from_regex(r"[A-Za-z0-9]{1,40}", fullmatch=True)


def test_the_example_id_parses() -> None:
    assert parse_document_id("in.gov.wb.kmc-BTHCER-2026000123") == DocumentId(
        "in.gov.wb.kmc", "BTHCER", "2026000123"
    )


@given(issuer_ids, codes, doc_ids)
def test_document_id_round_trip(issuer_id: str, code: str, doc_id: str) -> None:
    made = make_document_id(issuer_id, code, doc_id)
    parsed = parse_document_id(made)
    assert parsed == DocumentId(issuer_id, code, doc_id)
    assert str(parsed) == made


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("", id="empty"),
        pytest.param("in-gov.wb.kmc-BTHCER-2026000123", id="hyphen-in-issuer"),
        pytest.param("kmc-BTHCER-2026000123", id="single-label-issuer"),
        pytest.param("in.gov.WB.kmc-BTHCER-2026000123", id="uppercase-issuer"),
        pytest.param("in.gov.wb.kmc-BTH-2026000123", id="short-code"),
        pytest.param("in.gov.wb.kmc-bthcer-2026000123", id="lowercase-code"),
        pytest.param("in.gov.wb.kmc-BTHCERT1-2026000123", id="long-code"),
        pytest.param("in.gov.wb.kmc-BTHCER-", id="empty-doc-id"),
        pytest.param("in.gov.wb.kmc-BTHCER-2026/000123", id="slash-in-doc-id"),
        pytest.param("in.gov.wb.kmc-BTHCER-" + "1" * 41, id="doc-id-too-long"),
        pytest.param("in.gov.wb.kmc-BTHCER-2026-000123", id="four-parts"),
        pytest.param("in.gov.wb.kmc-BTHCER-2026000123\n", id="trailing-newline"),
    ],
)
def test_parse_document_id_refuses(value: str) -> None:
    with pytest.raises(DocumentIdError):
        parse_document_id(value)


def test_make_document_id_names_the_bad_part() -> None:
    with pytest.raises(DocumentIdError, match=r"issuer id 'in.gov.wb-kmc'.*without hyphens"):
        make_document_id("in.gov.wb-kmc", "BTHCER", "1")


# --- records -> Document -----------------------------------------------------------------------


def test_birth_record_becomes_the_document_that_is_signed() -> None:
    record = first_row("BTHCER")
    document = convert(record, "BTHCER")
    assert document.id == f"in.gov.wb.kmc-BTHCER-{record['docId']}"
    assert document.issuer_id == "in.gov.wb.kmc"
    assert document.valid_until is None
    assert document.holder["dateOfBirth"] == record["dateOfBirth"]
    assert document.claims["placeOfBirth"] == record["placeOfBirth"]
    assert "placeOfBirth" not in document.holder and "name" not in document.claims


def test_valid_from_defaults_to_the_issue_date_in_india() -> None:
    late_evening_utc = datetime(2026, 1, 31, 20, 0, tzinfo=UTC)
    document = record_to_document(
        first_row("BTHCER"),
        DOCTYPES["BTHCER"],
        issuer_id="in.gov.wb.kmc",
        issuer_name="Kolkata Municipal Corporation",
        issued_at=late_evening_utc,
    )
    assert document.valid_from == date(2026, 2, 1)


def test_naive_issue_time_is_refused() -> None:
    with pytest.raises(ValueError, match=r"timezone-aware"):
        record_to_document(
            first_row("BTHCER"),
            DOCTYPES["BTHCER"],
            issuer_id="in.gov.wb.kmc",
            issuer_name="KMC",
            issued_at=datetime(2026, 2, 1, 10, 0),
        )


def test_bad_issuer_id_is_refused() -> None:
    with pytest.raises(DocumentIdError):
        record_to_document(
            first_row("BTHCER"),
            DOCTYPES["BTHCER"],
            issuer_id="in.gov.wb-kmc",
            issuer_name="KMC",
            issued_at=ISSUED_AT,
        )


@pytest.mark.parametrize(
    ("code", "field"),
    [
        (code, spec.name)
        for code, doctype in DOCTYPES.items()
        for spec in doctype.fields
        if spec.required
    ]
    + [(code, "docId") for code in DOCTYPES],
)
def test_missing_required_field_is_named(code: str, field: str) -> None:
    record = first_row(code)
    record[field] = "   "
    with pytest.raises(RecordError) as caught:
        convert(record, code)
    assert caught.value.field == field
    assert str(caught.value) == f"{field}: is required"


def test_missing_column_is_the_same_as_an_empty_one() -> None:
    record = first_row("CASCR")
    del record["caste"]
    with pytest.raises(RecordError, match=r"^caste: is required$"):
        convert(record, "CASCR")


@pytest.mark.parametrize("value", ["31-02-2010", "2010-02-31", "2010-2-3", "20100203", "soon"])
def test_bad_date_is_refused(value: str) -> None:
    record = first_row("BTHCER")
    record["dateOfBirth"] = value
    with pytest.raises(RecordError) as caught:
        convert(record, "BTHCER")
    assert str(caught.value) == f"dateOfBirth: '{value}' is not a date YYYY-MM-DD"


@pytest.mark.parametrize(
    ("code", "field", "value", "message"),
    [
        ("BTHCER", "gender", "Male", "gender: 'Male' is not one of M, F, T"),
        ("CASCR", "category", "GEN", "category: 'GEN' is not one of SC, ST, OBC"),
        ("SSCMS", "result", "PASSED", "result: 'PASSED' is not one of PASS, COMPARTMENTAL, FAIL"),
        ("DRVLC", "bloodGroup", "C+", "bloodGroup: 'C+' is not one of A+, A-, B+"),
        ("DRVLC", "vehicleClasses", "LMV,JET", "vehicleClasses: 'JET' is not one of MC50CC"),
        ("DRVLC", "vehicleClasses", "LMV,lmv", "vehicleClasses: 'LMV,lmv' lists a value twice"),
    ],
)
def test_bad_enum_is_refused(code: str, field: str, value: str, message: str) -> None:
    record = first_row(code)
    record[field] = value
    with pytest.raises(RecordError) as caught:
        convert(record, code)
    assert caught.value.field == field
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("ward", "12a", "'12a' is not a whole number"),
        ("ward", "-3", "'-3' is not a whole number"),
        ("ward", "0", "0 is not between 1 and 999"),
    ],
)
def test_bad_integer_is_refused(field: str, value: str, reason: str) -> None:
    record = first_row("BTHCER")
    record[field] = value
    with pytest.raises(RecordError) as caught:
        convert(record, "BTHCER")
    assert (caught.value.field, caught.value.reason) == (field, reason)


def test_unknown_column_is_refused_with_a_suggestion() -> None:
    record = first_row("BTHCER")
    record["dateofbirth"] = "2025-01-01"
    with pytest.raises(RecordError) as caught:
        convert(record, "BTHCER")
    assert caught.value.field == "dateofbirth"
    assert "did you mean 'dateOfBirth'?" in caught.value.reason


def test_a_claim_of_another_type_is_an_unknown_column() -> None:
    record = first_row("BTHCER")
    record["caste"] = "Namasudra"
    with pytest.raises(RecordError, match=r"^caste: is not a column of a birth certificate"):
        convert(record, "BTHCER")


def test_non_text_value_is_refused() -> None:
    record = first_row("BTHCER")
    record["name"] = ["Amit", "Halder"]
    with pytest.raises(RecordError, match=r"^name: must be text, not list$"):
        convert(record, "BTHCER")


def test_bad_doc_id_is_refused() -> None:
    record = first_row("BTHCER")
    record["docId"] = "2026-000001"
    with pytest.raises(RecordError, match=r"^docId: '2026-000001' must be 1 to 40"):
        convert(record, "BTHCER")


def test_permanent_document_refuses_an_expiry() -> None:
    record = first_row("CASCR")
    record["validUntil"] = "2030-01-01"
    with pytest.raises(RecordError, match=r"^validUntil: a caste certificate does not expire"):
        convert(record, "CASCR")


def test_licence_needs_an_expiry() -> None:
    record = first_row("DRVLC")
    record["validUntil"] = ""
    with pytest.raises(RecordError, match=r"^validUntil: is required: a driving licence expires"):
        convert(record, "DRVLC")


def test_licence_expiry_before_its_start_is_refused() -> None:
    record = first_row("DRVLC")
    record["validFrom"], record["validUntil"] = "2026-01-10", "2026-01-09"
    with pytest.raises(RecordError) as caught:
        convert(record, "DRVLC")
    assert str(caught.value) == "validUntil: 2026-01-09 is before validFrom 2026-01-10"


def test_licence_takes_its_validity_from_the_record() -> None:
    record = first_row("DRVLC")
    document = convert(record, "DRVLC")
    assert document.valid_from.isoformat() == record["validFrom"]
    assert document.valid_until is not None
    assert document.valid_until.isoformat() == record["validUntil"]


def test_licence_number_must_look_like_one() -> None:
    record = first_row("DRVLC")
    record["licenceNumber"] = "DL123"
    with pytest.raises(RecordError, match=r"^licenceNumber: 'DL123' does not match"):
        convert(record, "DRVLC")


def test_registration_before_birth_is_refused() -> None:
    record = first_row("BTHCER")
    record["dateOfBirth"], record["registrationDate"] = "2025-05-07", "2025-05-06"
    with pytest.raises(RecordError, match=r"^registrationDate: 2025-05-06 is before the birth"):
        convert(record, "BTHCER")


# --- table claims ------------------------------------------------------------------------------


def subjects_of(record: Mapping[str, object]) -> list[dict[str, str]]:
    rows = json.loads(str(record["subjects"]))
    assert isinstance(rows, list)
    return rows


def test_mark_sheet_subjects_become_a_table_claim() -> None:
    record = first_row("SSCMS")
    subjects = convert(record, "SSCMS").claims["subjects"]
    assert isinstance(subjects, tuple)
    assert [dict(row) for row in subjects] == subjects_of(record)
    assert [row["name"] for row in subjects][:3] == ["Bengali", "English", "Mathematics"]


def test_json_record_may_give_the_table_as_a_list_with_numbers() -> None:
    record = first_row("SSCMS")
    json_record = dict(record, total=int(str(record["total"])), examYear=2026)
    json_record["subjects"] = [
        dict(row, marks=int(row["marks"]), maxMarks=int(row["maxMarks"]))
        for row in subjects_of(record)
    ]
    assert convert(json_record, "SSCMS") == convert(record, "SSCMS")


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        pytest.param(
            lambda rows: "not json", "subjects", "is not a JSON array of objects", id="text"
        ),
        pytest.param(
            lambda rows: {"a": 1}, "subjects", "must be a list of rows, each an object", id="object"
        ),
        pytest.param(
            lambda rows: [{**rows[0], "marks": "101"}, *rows[1:]],
            "subjects[1].marks",
            "101 is more than 100",
            id="over-max",
        ),
        pytest.param(
            lambda rows: [rows[0], {**rows[1], "code": rows[0]["code"]}, *rows[2:]],
            "subjects[2].code",
            "FL is listed twice",
            id="duplicate-code",
        ),
        pytest.param(
            lambda rows: [{**rows[0], "remarks": "good"}, *rows[1:]],
            "subjects[1].remarks",
            "is not a column; known: code, name, marks, maxMarks, grade",
            id="unknown-column",
        ),
        pytest.param(
            lambda rows: [{k: v for k, v in rows[0].items() if k != "name"}, *rows[1:]],
            "subjects[1].name",
            "is required",
            id="missing-column",
        ),
        pytest.param(lambda rows: [], "subjects", "is required", id="no-rows"),
        pytest.param(
            lambda rows: [{**rows[0], "marks": "ninety"}, *rows[1:]],
            "subjects[1].marks",
            "'ninety' is not a whole number",
            id="bad-marks",
        ),
    ],
)
def test_bad_subjects_are_refused(change: object, field: str, reason: str) -> None:
    record = first_row("SSCMS")
    assert callable(change)
    changed = change(subjects_of(record))
    record["subjects"] = changed if isinstance(changed, str) else json.dumps(changed)
    with pytest.raises(RecordError) as caught:
        convert(record, "SSCMS")
    assert (caught.value.field, caught.value.reason) == (field, reason)


def test_total_must_be_the_sum_of_the_marks() -> None:
    record = first_row("SSCMS")
    record["total"] = str(int(str(record["total"])) + 1)
    with pytest.raises(RecordError, match=r"^total: .* is not the sum of the subject marks"):
        convert(record, "SSCMS")


# --- normalisation -----------------------------------------------------------------------------


def test_values_are_trimmed_collapsed_and_canonical() -> None:
    clean = first_row("DRVLC")
    messy = dict(clean)
    messy["name"] = "  " + str(clean["name"]).replace(" ", " \n\t ") + "  "
    messy["vehicleClasses"] = " , ".join(str(clean["vehicleClasses"]).lower().split(","))
    messy["gender"] = f" {str(clean['gender']).lower()} "
    messy["bloodGroup"] = str(clean["bloodGroup"]).lower()
    assert messy != clean
    assert convert(messy, "DRVLC") == convert(clean, "DRVLC")


def test_integers_lose_leading_zeros() -> None:
    record = first_row("BTHCER")
    record["ward"] = "007"
    assert convert(record, "BTHCER").claims["ward"] == "7"


def test_decomposed_bengali_is_stored_composed_never_transliterated() -> None:
    composed = unicodedata.normalize("NFC", "অয়ন রায়")
    decomposed = unicodedata.normalize("NFD", composed)
    record = first_row("BTHCER")
    record["nameLocal"] = decomposed
    assert convert(record, "BTHCER").holder["nameLocal"] == composed


@pytest.mark.parametrize(
    "local",
    ["অরিজিৎ বন্দ্যোপাধ্যায়", "শ্রেয়া চক্রবর্তী", "राहुल श्रीवास्तव", "क्‍ष", "স্বাতী\u200cসেন"],
)
def test_local_script_names_survive_byte_for_byte(local: str) -> None:
    local = unicodedata.normalize("NFC", local)
    record = first_row("CASCR")
    record["nameLocal"] = local
    document = convert(record, "CASCR")
    assert document.holder["nameLocal"].encode() == local.encode()


@pytest.mark.parametrize(
    ("value", "char"),
    [("Amit\x00Halder", "U+0000"), ("Amit \u202eredlaH", "U+202E"), ("Amit\x7f", "U+007F")],
)
def test_control_characters_are_refused(value: str, char: str) -> None:
    record = first_row("BTHCER")
    record["name"] = value
    with pytest.raises(RecordError) as caught:
        convert(record, "BTHCER")
    assert str(caught.value) == f"name: contains the control character {char}"


def test_overlong_text_is_refused() -> None:
    record = first_row("BTHCER")
    record["placeOfBirth"] = "x" * 201
    with pytest.raises(RecordError, match=r"^placeOfBirth: is longer than 200 characters$"):
        convert(record, "BTHCER")


# --- round trip --------------------------------------------------------------------------------

text_chars = st.characters(
    exclude_categories=("Cc", "Cs"),
    exclude_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
)


def value_strategy(spec: Field) -> st.SearchStrategy[object]:
    if spec.kind is FieldKind.TEXT and spec.pattern is not None:
        value: st.SearchStrategy[object] = st.from_regex(spec.pattern, fullmatch=True)
    elif spec.kind is FieldKind.TEXT:
        value = st.text(text_chars, min_size=1, max_size=12).filter(
            lambda s: bool(s.split()) and len(unicodedata.normalize("NFC", s)) <= spec.max_length
        )
    elif spec.kind is FieldKind.DATE:
        value = st.dates().map(date.isoformat)
    elif spec.kind is FieldKind.INTEGER:
        value = st.integers(spec.minimum, min(spec.maximum, spec.minimum + 100)).map(str)
    elif spec.kind is FieldKind.DECIMAL:
        value = st.decimals(spec.minimum, spec.maximum, places=spec.scale).map(str)
    elif spec.kind is FieldKind.ENUM:
        value = st.sampled_from(spec.choices)
    elif spec.kind is FieldKind.ENUM_LIST:
        value = st.lists(st.sampled_from(spec.choices), min_size=1, unique=True).map(",".join)
    else:
        value = st.lists(
            st.fixed_dictionaries({c.name: value_strategy(c) for c in spec.columns}),
            min_size=1,
            max_size=4,
            unique_by=lambda row: json.dumps(row, sort_keys=True),
        )
    return value if spec.required else st.one_of(st.just(""), value)


@st.composite
def records(draw: st.DrawFn, doctype: DocType) -> dict[str, object]:
    record: dict[str, object] = {spec.name: draw(value_strategy(spec)) for spec in doctype.fields}
    record["docId"] = draw(doc_ids)
    start, end = sorted(draw(st.lists(st.dates(), min_size=2, max_size=2)))
    record["validFrom"] = start.isoformat()
    if doctype.validity is Validity.UNTIL_RECORDED:
        record["validUntil"] = end.isoformat()
    # Satisfy the cross-field rules the generic values know nothing about.
    for rule in doctype.rules:
        if isinstance(rule, NotBefore) and record[rule.earlier] and record[rule.later]:
            earlier, later = sorted([record[rule.earlier], record[rule.later]], key=str)
            record[rule.earlier], record[rule.later] = earlier, later
        if isinstance(rule, MarksTable) and isinstance(record[rule.table], list):
            rows = list({str(row[rule.key]): row for row in record[rule.table]}.values())
            for row in rows:
                row[rule.value], row[rule.limit] = sorted(
                    [row[rule.value], row[rule.limit]], key=int
                )
            record[rule.total] = str(sum(int(row[rule.value]) for row in rows))
            record[rule.table] = rows
    for spec in doctype.fields:
        if isinstance(record[spec.name], list):
            record[spec.name] = json.dumps(record[spec.name])
    return record


@pytest.mark.parametrize("code", ISSUERS)
@given(data=st.data())
def test_record_document_record_round_trip(code: str, data: st.DataObject) -> None:
    doctype = DOCTYPES[code]
    document = convert(data.draw(records(doctype)), code)
    again = convert(document_to_record(document), code)
    assert again == document
    assert again.claims_digest == document.claims_digest
    assert check_document(document) == []


# --- check_document ----------------------------------------------------------------------------


def fixture_document(code: str = "BTHCER") -> Document:
    return convert(first_row(code), code)


def test_check_document_accepts_a_document_it_issued() -> None:
    assert check_document(fixture_document("SSCMS")) == []


def test_check_document_refuses_an_unknown_type() -> None:
    document = replace(fixture_document(), doctype="PASSPT")
    assert check_document(document) == [
        "unknown document type 'PASSPT'; known: BTHCER, CASCR, DOMCER, DRVLC, DTHCER, HSCMS,"
        " INCER, RATCD, RVCER, SSCMS"
    ]


def test_check_document_refuses_an_id_of_another_type() -> None:
    document = fixture_document()
    document = replace(document, id=document.id.replace("BTHCER", "CASCR"))
    assert check_document(document) == [
        f"the id {document.id} names type CASCR, but the document is a BTHCER"
    ]


def test_check_document_refuses_an_id_of_another_issuer() -> None:
    document = replace(fixture_document(), issuer_id="in.gov.wb.hmc")
    assert check_document(document) == [
        f"the id {document.id} names issuer in.gov.wb.kmc,"
        " but the document was issued by in.gov.wb.hmc"
    ]


def test_check_document_refuses_a_malformed_id() -> None:
    document = replace(fixture_document(), id="in.gov.wb.kmc-BTHCER")
    assert len(check_document(document)) == 1
    assert "must have the form IssuerId-DocType-DocId" in check_document(document)[0]


def test_check_document_reports_every_field_problem() -> None:
    document = fixture_document()
    holder = {k: v for k, v in document.holder.items() if k != "fatherName"}
    holder["gender"] = "X"
    claims = {**document.claims, "favouriteColour": "blue"}
    problems = check_document(replace(document, holder=holder, claims=claims))
    assert problems == [
        "gender: 'X' is not one of M, F, T",
        "fatherName: is required",
        "favouriteColour: not a field of a birth certificate",
    ]


def test_check_document_refuses_values_not_in_normal_form() -> None:
    document = fixture_document()
    holder = {**document.holder, "name": f" {document.holder['name']}"}
    assert check_document(replace(document, holder=holder)) == [
        "name: is not written in normal form"
    ]


def test_check_document_refuses_an_expiry_on_a_permanent_document() -> None:
    document = replace(fixture_document(), valid_until=date(2030, 1, 1))
    assert check_document(document) == [
        "validUntil: a birth certificate does not expire; leave it empty"
    ]


def test_check_document_applies_the_cross_field_rules() -> None:
    document = fixture_document("SSCMS")
    claims = {**document.claims, "total": "1"}
    problems = check_document(replace(document, claims=claims))
    assert len(problems) == 1 and problems[0].startswith("total: 1 is not the sum")


def test_check_document_reads_plain_dict_tables() -> None:
    document = fixture_document("SSCMS")
    subjects = document.claims["subjects"]
    assert isinstance(subjects, tuple)
    claims = {**document.claims, "subjects": tuple(dict(row) for row in subjects)}
    assert check_document(replace(document, claims=claims)) == []


# --- reading record files ----------------------------------------------------------------------


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_csv_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", b"\xef\xbb\xbfdocId,name\n1,Amit\n")
    assert list(read_records(path)) == [(2, {"docId": "1", "name": "Amit"})]


def test_csv_quoted_newline_stays_in_the_value_and_lines_stay_right(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", b'docId,address\n1,"12 Park Street,\nKolkata"\n2,Delhi\n')
    assert list(read_records(path)) == [
        (2, {"docId": "1", "address": "12 Park Street,\nKolkata"}),
        (4, {"docId": "2", "address": "Delhi"}),
    ]


def test_csv_row_with_too_many_or_too_few_fields_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", b"docId,name\n1,Amit,extra\n2\n3,Rupa\n")
    assert list(read_records(path)) == [
        (2, BadLine("3 fields, but the header has 2")),
        (3, BadLine("1 fields, but the header has 2")),
        (4, {"docId": "3", "name": "Rupa"}),
    ]


def test_csv_invalid_utf8_is_reported_by_line_and_the_rest_read(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", b"docId,name\n1,Am\xffit\n2,Rupa\n")
    assert list(read_records(path)) == [
        (2, BadLine("line 2: invalid UTF-8 at byte 5 of the line")),
        (3, {"docId": "2", "name": "Rupa"}),
    ]


def test_csv_bad_quoting_is_reported_and_the_rest_read(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", b'docId,name\n1,"Amit"x\n2,Rupa\n')
    results = list(read_records(path))
    assert isinstance(results[0][1], BadLine) and results[0][0] == 2
    assert results[1:] == [(3, {"docId": "2", "name": "Rupa"})]


def test_csv_bengali_and_hindi_values_are_read_unchanged(tmp_path: Path) -> None:
    names = ["অমিত হালদার", "राहुल श्रीवास्तव"]
    text = "docId,nameLocal\n" + "".join(f"{i},{n}\n" for i, n in enumerate(names))
    path = write(tmp_path, "r.csv", text.encode())
    records = [record for _, record in read_records(path)]
    assert [r["nameLocal"] for r in records if isinstance(r, dict)] == names


def test_csv_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", b"\ndocId\n\n1\r\n\n2\n")
    assert list(read_records(path)) == [(4, {"docId": "1"}), (6, {"docId": "2"})]


def test_empty_csv_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RecordFileError, match=r"empty file"):
        list(read_records(write(tmp_path, "r.csv", b"")))


def test_csv_header_only_has_no_records(tmp_path: Path) -> None:
    assert list(read_records(write(tmp_path, "r.csv", b"docId,name\n"))) == []


@pytest.mark.parametrize(
    ("header", "message"),
    [(b"docId,name,docId\n", "repeats docId"), (b"docId,,name\n", "empty column name")],
)
def test_bad_csv_header_is_refused(tmp_path: Path, header: bytes, message: str) -> None:
    with pytest.raises(RecordFileError, match=message):
        list(read_records(write(tmp_path, "r.csv", header + b"1,2,3\n")))


def test_overlong_line_is_reported_without_stopping(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", b"docId,name\n1," + b"x" * (1024 * 1024 + 10) + b"\n2,Rupa\n")
    results = list(read_records(path))
    assert results[0][0] == 2 and isinstance(results[0][1], BadLine)
    assert "longer than" in results[0][1].reason
    assert results[1] == (3, {"docId": "2", "name": "Rupa"})


def test_jsonl_broken_line_is_reported_and_the_rest_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "r.jsonl",
        b'{"docId": "1", "name": "\xe0\xa6\x85\xe0\xa6\xae\xe0\xa6\xbf\xe0\xa6\xa4"}\n'
        b'{"docId": "2", "name": \n'
        b"\n"
        b'["not", "an", "object"]\n'
        b'{"docId": "3", "docId": "4"}\n'
        b'{"docId": "5", "marks": NaN}\n'
        b"\xff\n"
        b'{"docId": "6", "subjects": [{"code": "FL"}]}\n',
    )
    results = list(read_records(path))
    assert results[0] == (1, {"docId": "1", "name": "অমিত"})
    assert [line for line, _ in results] == [1, 2, 4, 5, 6, 7, 8]
    assert [type(r).__name__ for _, r in results] == [
        "dict", "BadLine", "BadLine", "BadLine", "BadLine", "BadLine", "dict",
    ]  # fmt: skip
    assert results[2][1] == BadLine("a JSON object was expected, not list")
    assert results[3][1] == BadLine("not valid JSON: the key 'docId' appears twice")
    assert results[5][1] == BadLine("invalid UTF-8 at byte 1 of the line")
    assert results[6][1] == {"docId": "6", "subjects": [{"code": "FL"}]}


def test_jsonl_record_converts_like_the_csv_one(tmp_path: Path) -> None:
    record = first_row("SSCMS")
    json_record = dict(record, subjects=subjects_of(record))
    path = write(tmp_path, "r.jsonl", json.dumps(json_record, ensure_ascii=False).encode() + b"\n")
    ((line, read),) = list(read_records(path))
    assert line == 1 and isinstance(read, dict)
    assert convert(read, "SSCMS") == convert(record, "SSCMS")


def test_empty_jsonl_file_has_no_records(tmp_path: Path) -> None:
    assert list(read_records(write(tmp_path, "r.jsonl", b""))) == []


def test_unknown_file_extension_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RecordFileError, match=r"\.csv or \.jsonl"):
        read_records(write(tmp_path, "r.xlsx", b""))


def test_forbidden_characters_are_exactly_controls_surrogates_and_bidi_overrides() -> None:
    """The verification path uses one regular expression; it must mean the Unicode definition."""
    import unicodedata

    from vc_engine.doctypes.values import FORBIDDEN as _FORBIDDEN

    bidi = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    for code in range(0x110000):
        char = chr(code)
        expected = unicodedata.category(char) in ("Cc", "Cs") or char in bidi
        assert bool(_FORBIDDEN.fullmatch(char)) == expected, f"U+{code:04X}"


def _normalise_by_the_rules(raw: str, max_length: int) -> str:
    """The rules of `normalise`, written out plainly: NFC, whitespace runs collapsed, then no
    control or bidirectional character, then the length."""
    from vc_engine.doctypes.values import FORBIDDEN as _FORBIDDEN

    value = " ".join(unicodedata.normalize("NFC", raw).split())
    found = _FORBIDDEN.search(value)
    if found is not None:
        raise RecordError("f", f"contains the control character U+{ord(found.group()):04X}")
    if len(value) > max_length:
        raise RecordError("f", f"is longer than {max_length} characters")
    return value


@given(
    st.text(alphabet=st.characters(max_codepoint=0x7F))
    | st.text(alphabet="ab \t\n\r\x00\x1f\x7f\x85\xa0\u202e\u0995")
    | st.text()
)
def test_normalise_fast_path_for_ascii_keeps_the_rules(raw: str) -> None:
    """ASCII text skips the NFC and control-character scans when it is printable once
    collapsed; the answer must be the one the rules give."""
    from vc_engine.doctypes.values import normalise

    def outcome(function: Callable[[], str]) -> str:
        try:
            return function()
        except RecordError as error:
            return f"refused: {error}"

    expected = outcome(lambda: _normalise_by_the_rules(raw, 40))
    assert outcome(lambda: normalise(raw, "f", 40)) == expected
