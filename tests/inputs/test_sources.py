"""Issuers' own inputs: Excel workbooks and unsigned e-locker Certificate XML give the same
documents (the same claims digests) as the CSV they were made from; refusals name the row or
element, the field and the reason; the parsers never fail on bad input except as designed."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from vc_engine.doctypes import DOCTYPES, RecordError, get_doctype, record_to_document
from vc_engine.inputs.records import BadLine, InputLine, RecordFileError, read_records
from vc_engine.inputs.sources import read_input
from vc_engine.inputs.workbook import cell_text

from issuer_files import certificate, write_certificates, write_workbook
from paths import FIXTURES

ISSUED_AT = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)
CODES = sorted(DOCTYPES)  # every type of the catalogue


def csv_records(code: str, count: int = 15) -> list[dict[str, object]]:
    rows = [r for _, r in islice(read_records(FIXTURES / f"{code}.csv"), count)]
    assert all(isinstance(r, dict) for r in rows)
    return rows  # type: ignore[return-value]


def digests(code: str, lines: list[InputLine]) -> list[str]:
    found = []
    for line, record in lines:
        assert isinstance(record, dict), (line, record)
        document = record_to_document(
            record, get_doctype(code), issuer_id="in.gov.test", issuer_name="T",
            issued_at=ISSUED_AT,
        )  # fmt: skip
        found.append(document.claims_digest)
    return found


@pytest.mark.parametrize("code", CODES)
def test_a_workbook_issues_the_same_documents_as_the_csv(code: str, tmp_path: Path) -> None:
    records = csv_records(code)
    write_workbook(tmp_path / "records.xlsx", get_doctype(code), records)
    lines = list(read_input(tmp_path / "records.xlsx", sheet="Records"))
    assert [line for line, _ in lines] == list(range(2, len(records) + 2))  # Excel row numbers
    assert digests(code, lines) == digests(code, list(read_records(FIXTURES / f"{code}.csv"))[:15])


@pytest.mark.parametrize("code", CODES)
def test_certificate_xml_issues_the_same_documents_as_the_csv(code: str, tmp_path: Path) -> None:
    records = csv_records(code)
    write_certificates(tmp_path / "export.xml", get_doctype(code), records)
    expected = digests(code, list(read_records(FIXTURES / f"{code}.csv"))[:15])
    assert digests(code, list(read_input(tmp_path / "export.xml"))) == expected
    directory = tmp_path / "one-per-file"
    directory.mkdir()
    for number, record in enumerate(records):
        tree = etree.ElementTree(certificate(get_doctype(code), record))
        tree.write(directory / f"{number:04d}.xml", xml_declaration=True, encoding="UTF-8")
    assert digests(code, list(read_input(directory))) == expected


def test_the_sheet_is_chosen_by_name_and_an_unknown_one_is_refused(tmp_path: Path) -> None:
    write_workbook(tmp_path / "w.xlsx", get_doctype("BTHCER"), csv_records("BTHCER", 2))
    first = list(read_input(tmp_path / "w.xlsx"))  # the active sheet: "Notes", no records
    assert first == []
    with pytest.raises(RecordFileError, match=r"no sheet named 'Births'; it has Notes, Records"):
        list(read_input(tmp_path / "w.xlsx", sheet="Births"))
    with pytest.raises(RecordFileError, match=r"--sheet applies to .xlsx workbooks only"):
        read_input(FIXTURES / "BTHCER.csv", sheet="Records")


def test_a_misspelt_column_is_refused_with_a_did_you_mean(tmp_path: Path) -> None:
    records = [
        {("annualIncom" if k == "annualIncome" else k): v for k, v in r.items()}
        for r in csv_records("INCER", 2)
    ]
    write_workbook(tmp_path / "w.xlsx", get_doctype("INCER"), records)
    line, record = next(iter(read_input(tmp_path / "w.xlsx", sheet="Records")))
    assert line == 2 and isinstance(record, dict)
    with pytest.raises(RecordError) as refused:
        record_to_document(
            record, get_doctype("INCER"), issuer_id="in.gov.test", issuer_name="T",
            issued_at=ISSUED_AT,
        )  # fmt: skip
    assert refused.value.field == "annualIncom"
    assert "did you mean 'annualIncome'?" in refused.value.reason


def test_a_bad_certificate_is_a_bad_line_naming_file_and_element(tmp_path: Path) -> None:
    directory = tmp_path / "export"
    directory.mkdir()
    (directory / "a.xml").write_text(
        "<Certificates>\n<Certificate number='1'><IssuedTo/></Certificate>\n"
        "<Certificate number='2'><IssuedTo><Person name='x'/></IssuedTo>"
        "<CertificateData><total><b/></total></CertificateData></Certificate>\n</Certificates>",
        encoding="utf-8",
    )
    (directory / "b.xml").write_text("<Certificate number='3'><IssuedTo>", encoding="utf-8")
    # Numbered across the directory (each file's lines start again at 1); the reason names
    # the file and the line.
    lines = [(line, r.reason) for line, r in read_input(directory) if isinstance(r, BadLine)]
    assert lines[:2] == [
        (1, "a.xml: <Certificate> at line 2 must hold one IssuedTo/Person and one CertificateData"),
        (2, "a.xml: <Certificate> at line 3: claim total must be text or a table"),
    ]
    assert lines[2][0] == 3 and lines[2][1].startswith(
        "b.xml: not well-formed XML at line 1: Premature end of data in tag IssuedTo"
    )


def test_entities_are_never_expanded(tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_text(
        '<!DOCTYPE c [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        "<Certificate number='1'><IssuedTo><Person name='&e;'/></IssuedTo>"
        "<CertificateData/></Certificate>",
        encoding="utf-8",
    )
    with pytest.raises(RecordFileError, match="a DOCTYPE is not allowed"):
        list(read_input(path))


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_bytes_as_certificate_xml_give_records_bad_lines_or_a_file_error(data: bytes) -> None:
    path = Path(f"/tmp/hypothesis-{id(data)}.xml")
    path.write_bytes(b"<Certificate number='1'>" + data)
    try:
        for _, record in read_input(path):
            assert isinstance(record, dict | BadLine)
    except RecordFileError as refused:
        assert str(refused)
    finally:
        path.unlink()


@given(
    st.one_of(
        st.integers(-(10**12), 10**12).map(lambda n: (n, str(n))),
        st.integers(0, 10**9).map(lambda n: (float(n), str(n))),
        st.dates().map(lambda d: (d, d.isoformat())),
        st.dates().map(lambda d: (datetime.combine(d, datetime.min.time()), d.isoformat())),
        st.text(max_size=20).map(lambda s: (s, s)),
        st.just((None, "")),
    )
)
def test_a_cell_reads_as_the_text_a_csv_export_holds(case: tuple[object, str]) -> None:
    value, text = case
    assert cell_text(value) == text


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=8),
        min_size=1,
        max_size=4,
    )
)
def test_workbook_cells_round_trip(values: list[str]) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([f"c{i}" for i in range(len(values))])
    sheet.append([v or None for v in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    path = Path(f"/tmp/hypothesis-{id(values)}.xlsx")
    path.write_bytes(buffer.getvalue())
    try:
        rows = list(read_input(path))
    finally:
        path.unlink()
    expected = {f"c{i}": v for i, v in enumerate(values)}
    if any(values):
        assert rows == [(2, expected)]
    else:
        assert rows == []
    assert date.today()  # the clock is not consulted by the reader
