"""Excel workbooks (.xlsx), the files department clerks actually keep, read as records.

The sheet is chosen by name (default: the workbook's active sheet); its first non-empty row
names the columns, and each later row is a record numbered by its row in Excel, so a clerk can
find it. openpyxl's read-only mode streams the rows, so memory stays flat however long the sheet.

Cells are turned into the text a CSV export would hold: numbers without a spurious ".0"
(Excel stores every number as a float), dates as YYYY-MM-DD, empty cells as absent values.
Formulas are read as their last computed values, never evaluated.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from vc_engine.inputs.records import BadLine, InputLine, RecordFileError, check_header


def read_workbook(path: Path, sheet: str | None = None) -> Iterator[InputLine]:
    """Stream the records of one sheet of an .xlsx workbook (see the module docstring)."""
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise RecordFileError(f"{path.name}: not a readable .xlsx workbook ({exc})") from None
    try:
        if sheet is None:
            worksheet = workbook.active
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            names = ", ".join(workbook.sheetnames)
            raise RecordFileError(f"{path.name}: no sheet named {sheet!r}; it has {names}")
        if worksheet is None:
            raise RecordFileError(f"{path.name}: the workbook has no sheet")
        yield from _rows(worksheet.iter_rows(values_only=True), path.name)
    finally:
        workbook.close()


def _rows(rows: Iterator[tuple[object, ...]], name: str) -> Iterator[InputLine]:
    header: list[str] | None = None
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
            yield number, BadLine(f"row {number} has cells beyond the {len(header)} named columns")
            continue
        cells += [""] * (len(header) - len(cells))
        yield number, dict(zip(header, cells, strict=True))
    if header is None:
        raise RecordFileError(f"{name}: the sheet is empty; it needs a header row")


def cell_text(value: object) -> str:
    """A cell's value as the text a CSV export of it would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
