"""The streaming .xlsx reader against openpyxl, the reference it replaced: workbooks generated
with openpyxl (shared and inline strings, numbers, booleans, dates and times in both epochs,
formulas without cached values, gaps, several sheets) read both ways give the same records."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from vc_engine.inputs.records import BadLine, InputLine, RecordFileError, check_header
from vc_engine.inputs.workbook import cell_text, read_workbook

_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from(" \t\n"),
    max_size=12,
)
_CELL = st.one_of(
    st.none(),
    _TEXT,
    st.sampled_from(["docId", "name", "=1+1", "জন্ম", "जन्म", "0012", " padded "]),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.booleans(),
    st.dates(min_value=date(1904, 1, 2), max_value=date(2100, 12, 31)),
    st.datetimes(min_value=datetime(1904, 1, 2), max_value=datetime(2100, 12, 31)),
    st.times(),
    st.tuples(_TEXT, _TEXT).map(
        lambda parts: CellRichText(parts[0], TextBlock(InlineFont(b=True), parts[1] or "x"))
    ),
)
_GRID = st.lists(st.lists(_CELL, max_size=6), max_size=8)


def reference(path: Path, sheet: str | None) -> Iterator[InputLine]:
    """The records as openpyxl's read-only mode gives them (the reader before this one)."""
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        worksheet = workbook.active if sheet is None else workbook[sheet]
        assert worksheet is not None
        header: list[str] | None = None
        rows = worksheet.iter_rows(values_only=True)  # type: ignore[union-attr]
        for number, row in enumerate(rows, start=1):
            cells = [cell_text(value) for value in row]
            while cells and cells[-1] == "":
                cells.pop()
            if not cells:
                continue
            if header is None:
                header = check_header(cells, number)
                continue
            if len(cells) > len(header):
                yield (
                    number,
                    BadLine(f"row {number} has cells beyond the {len(header)} named columns"),
                )
                continue
            cells += [""] * (len(header) - len(cells))
            yield number, dict(zip(header, cells, strict=True))
        if header is None:
            raise RecordFileError(f"{path.name}: the sheet is empty; it needs a header row")
    finally:
        workbook.close()


def outcome(records: Iterator[InputLine]) -> list[InputLine] | str:
    try:
        return list(records)
    except RecordFileError as error:
        return f"refused: {error}"


def save(path: Path, sheets: list[list[list[object]]], active: int, mac: bool, gap: int) -> None:
    workbook = Workbook()
    if mac:
        workbook.epoch = CALENDAR_MAC_1904
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for number, grid in enumerate(sheets):
        worksheet = workbook.create_sheet(f"Sheet {number}")
        for row_number, row in enumerate(grid, start=1 + gap):
            for column, value in enumerate(row, start=1):
                if value is not None:
                    worksheet.cell(row=row_number, column=column, value=value)
    workbook.active = active % len(sheets)
    workbook.save(path)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sheets=st.lists(_GRID, min_size=1, max_size=3),
    active=st.integers(min_value=0, max_value=2),
    mac=st.booleans(),
    gap=st.integers(min_value=0, max_value=3),
    by_name=st.booleans(),
    headed=st.booleans(),
)
def test_records_equal_openpyxl(
    tmp_path: Path,
    sheets: list[list[list[object]]],
    active: int,
    mac: bool,
    gap: int,
    by_name: bool,
    headed: bool,
) -> None:
    """`headed`: each sheet starts with a good header row, so most rows become records."""
    path = tmp_path / "generated.xlsx"
    if headed:
        sheets = [[[f"c{n}" for n in range(6)], *grid] for grid in sheets]
    save(path, sheets, active, mac, gap)
    sheet = f"Sheet {len(sheets) - 1}" if by_name else None
    assert outcome(read_workbook(path, sheet)) == outcome(reference(path, sheet))


@pytest.mark.parametrize("mac", [False, True], ids=["1900 epoch", "1904 epoch"])
def test_dates_and_times_read_as_a_csv_export_would_hold_them(tmp_path: Path, mac: bool) -> None:
    rows: list[list[object]] = [
        ["docId", "born", "at", "clock", "count", "ok"],
        ["A1", date(1950, 3, 1), datetime(2026, 1, 2, 3, 4, 5), time(6, 30), 12.0, True],
    ]
    save(tmp_path / "dates.xlsx", [rows], 0, mac, 0)
    [(line, record)] = list(read_workbook(tmp_path / "dates.xlsx"))
    assert line == 2
    assert record == {
        "docId": "A1",
        "born": "1950-03-01",
        "at": "2026-01-02T03:04:05",
        "clock": "06:30:00",
        "count": "12",
        "ok": "TRUE",
    }


def test_a_sheet_with_a_doctype_is_refused_without_expanding_it(tmp_path: Path) -> None:
    save(tmp_path / "plain.xlsx", [[["docId"], ["A1"]]], 0, False, 0)
    with zipfile.ZipFile(tmp_path / "plain.xlsx") as source:
        members = {name: source.read(name) for name in source.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    bomb = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    body = members[sheet]
    assert not body.startswith(b"<?xml")  # openpyxl writes no declaration: the DOCTYPE leads
    members[sheet] = bomb + body
    with zipfile.ZipFile(tmp_path / "doctype.xlsx", "w") as target:
        for name, data in members.items():
            target.writestr(name, data)
    with pytest.raises(RecordFileError, match="DOCTYPE is not allowed"):
        list(read_workbook(tmp_path / "doctype.xlsx"))
