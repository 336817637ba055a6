"""Excel workbooks (.xlsx), the files department clerks actually keep, read as records.

The sheet is chosen by name (default: the workbook's active sheet); its first non-empty row
names the columns, and each later row is a record numbered by its row in Excel, so a clerk can
find it.

The sheet's XML is streamed straight out of the zip with lxml, one row at a time, each row
dropped once read, so memory stays flat however long the sheet. openpyxl, which we used before,
builds a cell object per cell and cost five times the CSV rate; it stays the reference our
reading is tested against (tests/inputs/test_workbook_differential.py). We read what openpyxl's
read-only mode reads, with one difference: every row the sheet holds, not only those inside the
`<dimension>` its writer claimed.

Cells are turned into the text a CSV export would hold: numbers without a spurious ".0"
(Excel stores every number as a float), dates (numbers in a date format, counted from the
workbook's 1900 or 1904 epoch) as YYYY-MM-DD, booleans as TRUE/FALSE, empty cells as absent
values. Formulas are read as their last computed values, never evaluated.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import IO
from xml.parsers import expat

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import (
    CALENDAR_MAC_1904,
    CALENDAR_WINDOWS_1900,
    from_excel,
    from_ISO8601,
)

from vc_engine.inputs.records import BadLine, InputLine, RecordFileError, check_header

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


class _Unreadable(Exception):
    """A part of the package is missing or broken (reported as a `RecordFileError`)."""


def read_workbook(path: Path, sheet: str | None = None) -> Iterator[InputLine]:
    """Stream the records of one sheet of an .xlsx workbook (see the module docstring)."""
    try:
        package = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise RecordFileError(f"{path.name}: not a readable .xlsx workbook ({exc})") from None
    with package:
        try:
            book = _book(package)
            member = book.sheet_member(sheet, path.name)
            cells = _CellReader(book.date_styles, book.timedelta_styles, book.epoch)
            cells.shared = _shared_strings(package, book.shared_strings)
            with package.open(member) as source:
                yield from _rows(_sheet_rows(source, cells), path.name)
        except RecordFileError:
            raise
        except (_Unreadable, expat.ExpatError, etree.XMLSyntaxError, KeyError, ValueError,
                zipfile.BadZipFile) as e:  # fmt: skip
            raise RecordFileError(f"{path.name}: not a readable .xlsx workbook ({e})") from None


def _rows(rows: Iterator[tuple[int, list[str]]], name: str) -> Iterator[InputLine]:
    header: list[str] | None = None
    for number, cells in rows:
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


# The package: which part is the sheet, the shared strings, the date styles, the epoch.


@dataclass
class _Book:
    sheets: list[tuple[str, str, bool]]
    """Each sheet in order: name, zip member, and whether it holds cells (not a chart)."""
    active: int
    epoch: datetime
    shared_strings: str | None
    date_styles: frozenset[int]
    timedelta_styles: frozenset[int]

    def sheet_member(self, sheet: str | None, name: str) -> str:
        if sheet is None:
            if not 0 <= self.active < len(self.sheets):
                raise RecordFileError(f"{name}: the workbook has no sheet")
            found = self.sheets[self.active]
        else:
            matching = [s for s in self.sheets if s[0] == sheet]
            if not matching:
                names = ", ".join(s[0] for s in self.sheets)
                raise RecordFileError(f"{name}: no sheet named {sheet!r}; it has {names}")
            found = matching[0]
        if not found[2]:
            raise RecordFileError(f"{name}: sheet {found[0]!r} is a chart, not a sheet of cells")
        return found[1]


def _book(package: zipfile.ZipFile) -> _Book:
    workbook = _related(package, "", "officeDocument") or "xl/workbook.xml"
    root = _parse(package, workbook)
    relations = _relations(package, workbook)
    properties = root.find(f"{_MAIN}workbookPr")
    mac = properties is not None and properties.get("date1904", "") in ("1", "true")
    view = root.find(f"{_MAIN}bookViews/{_MAIN}workbookView")
    active = int(view.get("activeTab", "0")) if view is not None else 0
    sheets = []
    for sheet in root.iterfind(f"{_MAIN}sheets/{_MAIN}sheet"):
        relation = relations.get(sheet.get(_REL_ID, ""))
        if relation is None:
            continue
        target, kind = relation
        sheets.append((sheet.get("name", ""), target, kind.endswith("/worksheet")))
    by_kind = {kind.rsplit("/", 1)[-1]: target for target, kind in relations.values()}
    date_styles, timedelta_styles = _date_styles(package, by_kind.get("styles"))
    return _Book(
        sheets,
        active,
        CALENDAR_MAC_1904 if mac else CALENDAR_WINDOWS_1900,
        by_kind.get("sharedStrings"),
        date_styles,
        timedelta_styles,
    )


def _related(package: zipfile.ZipFile, part: str, kind: str) -> str | None:
    """The target of `part`'s first relationship of `kind` ("" : the package's own)."""
    for target, relation_kind in _relations(package, part).values():
        if relation_kind.rsplit("/", 1)[-1] == kind:
            return target
    return None


def _relations(package: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """`part`'s relationships by id: (zip member of the target, relationship type)."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels not in package.NameToInfo:
        return {}
    found = {}
    for relation in _parse(package, rels).iter(_PACKAGE_RELS):
        target = relation.get("Target", "")
        if relation.get("TargetMode") == "External":
            continue
        member = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        found[relation.get("Id", "")] = (posixpath.normpath(member), relation.get("Type", ""))
    return found


def _date_styles(
    package: zipfile.ZipFile, styles: str | None
) -> tuple[frozenset[int], frozenset[int]]:
    """The cell styles (indices into cellXfs) whose number format shows a date or a duration."""
    if styles is None or styles not in package.NameToInfo:
        return frozenset(), frozenset()
    root = _parse(package, styles)
    custom = {
        int(f.get("numFmtId", "-1")): f.get("formatCode", "")
        for f in root.iterfind(f"{_MAIN}numFmts/{_MAIN}numFmt")
    }
    dates, durations = set(), set()
    for index, style in enumerate(root.iterfind(f"{_MAIN}cellXfs/{_MAIN}xf")):
        number = int(style.get("numFmtId", "0"))
        code = custom[number] if number in custom else BUILTIN_FORMATS.get(number)
        if is_date_format(code):
            dates.add(index)
        if is_timedelta_format(code):
            durations.add(index)
    return frozenset(dates), frozenset(durations)


def _parse(package: zipfile.ZipFile, member: str) -> etree._Element:
    if member not in package.NameToInfo:
        raise _Unreadable(f"it has no {member}")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(package.read(member), parser)


# The sheet: rows of cells as text, read with expat. An lxml element per cell cost more than
# the whole CSV record; expat's callbacks on plain strings cost a fraction of it.

_CHUNK = 1 << 16
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main "
_E_ROW, _E_CELL, _E_VALUE = f"{_NS}row", f"{_NS}c", f"{_NS}v"
_E_INLINE, _E_TEXT, _E_RUN, _E_PHONETIC = f"{_NS}is", f"{_NS}t", f"{_NS}r", f"{_NS}rPh"
_E_STRING = f"{_NS}si"


class _CellReader:
    """One cell's text, by its type (`t`) and style (`s`), as openpyxl would read its value."""

    def __init__(
        self, date_styles: frozenset[int], timedelta_styles: frozenset[int], epoch: datetime
    ) -> None:
        self.date_styles, self.timedelta_styles, self.epoch = date_styles, timedelta_styles, epoch
        self.shared: list[str] = []

    def text(self, kind: str, style: str | None, value: str | None, inline: str | None) -> str:
        """`value`: the cell's `<v>`; `inline`: the text of its `<is>` (None: none)."""
        if kind == "inlineStr":
            return inline or ""
        if not value:
            return ""
        if kind == "n":
            number = _number(value)
            if style and int(style) in self.date_styles:
                return self._date(number, int(style))
            return cell_text(number)
        if kind == "s":
            return self.shared[int(value)]
        if kind == "b":
            return "TRUE" if int(value) else "FALSE"
        if kind == "d":
            return cell_text(from_ISO8601(value))  # type: ignore[no-untyped-call]
        return value  # "str" (a formula's text), "e" (an error such as #N/A)

    def _date(self, number: float, style: int) -> str:
        try:
            return cell_text(
                from_excel(number, self.epoch, timedelta=style in self.timedelta_styles)
            )
        except (OverflowError, ValueError):
            return "#VALUE!"  # a date outside the calendar; openpyxl reads it so


def _number(value: str) -> float:
    return float(value) if "." in value or "E" in value or "e" in value else int(value)


class _Scanner:
    """expat callbacks collecting finished rows (`rows`), or with `strings`, the shared
    string table's items. Text is kept only inside `<v>` and the `<t>` of a string that is
    not a phonetic hint (`<rPh>`), as openpyxl reads them."""

    def __init__(self, cells: _CellReader | None) -> None:
        self.cells = cells
        self.rows: list[tuple[int, list[str]]] = []
        self.strings: list[str] = []
        self.number = 0
        self.values: list[str] | None = None
        self.columns: dict[str, int] = {}
        self.kind, self.column = "n", 0
        self.style: str | None = None
        self.value: str | None = None
        self.inline: list[str] | None = None
        self.text: list[str] | None = None
        self.phonetic = False
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._doctype
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._data
        self.parser = parser

    def feed(self, source: IO[bytes]) -> Iterator[None]:
        """Parse `source` a chunk at a time, pausing after each so the caller takes what
        was collected."""
        while chunk := source.read(_CHUNK):
            self.parser.Parse(chunk, False)
            yield
        self.parser.Parse(b"", True)
        yield

    def _doctype(self, *_: object) -> None:
        raise _Unreadable("a DOCTYPE is not allowed")

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        if name == _E_CELL:
            self.kind = attributes.get("t", "n")
            self.style = attributes.get("s")
            self.value, self.inline = None, None
            reference = attributes.get("r")
            if reference:
                letters = reference.rstrip("0123456789")
                column = self.columns.get(letters)
                if column is None:
                    column = self.columns[letters] = _column_number(letters)
                self.column = column
            else:
                self.column += 1
        elif name == _E_VALUE:
            self.text = []
        elif name == _E_TEXT:
            if (self.inline is not None or self.values is None) and not self.phonetic:
                self.text = []
        elif name in (_E_INLINE, _E_STRING):
            self.inline = []
        elif name == _E_PHONETIC:
            self.phonetic = True
        elif name == _E_ROW:
            given = attributes.get("r")
            at = int(float(given)) if given else self.number + 1
            if at <= self.number:  # a row out of order: openpyxl drops it, and so do we
                self.values = None
            else:
                self.number, self.values = at, []
            self.column = 0

    def _end(self, name: str) -> None:
        if name == _E_CELL:
            values = self.values
            if values is not None and self.cells is not None:
                inline = None if self.inline is None else "".join(self.inline)
                text = self.cells.text(self.kind, self.style, self.value, inline)
                if self.column > len(values):
                    values += [""] * (self.column - len(values))
                values[self.column - 1] = text
        elif name == _E_VALUE:
            if self.text is not None and self.value is None:
                self.value = "".join(self.text)
            self.text = None
        elif name == _E_TEXT:
            if self.text is not None and self.inline is not None:
                self.inline.append("".join(self.text))
            self.text = None
        elif name == _E_ROW:
            if self.values is not None:
                self.rows.append((self.number, self.values))
            self.values = None
        elif name == _E_STRING:
            self.strings.append("".join(self.inline or ()).replace("x005F_", ""))
            self.inline = None
        elif name == _E_PHONETIC:
            self.phonetic = False

    def _data(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)


def _shared_strings(package: zipfile.ZipFile, member: str | None) -> list[str]:
    """The shared string table (each string's plain text, as openpyxl reads it)."""
    if member is None or member not in package.NameToInfo:
        return []
    scanner = _Scanner(None)
    with package.open(member) as source:
        for _ in scanner.feed(source):
            pass
    return scanner.strings


def _sheet_rows(source: IO[bytes], cells: _CellReader) -> Iterator[tuple[int, list[str]]]:
    """Each `<row>` as (its number, its cells' text by column from A, gaps as "")."""
    scanner = _Scanner(cells)
    for _ in scanner.feed(source):
        yield from scanner.rows
        scanner.rows.clear()


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        if not "A" <= letter <= "Z":
            raise ValueError(f"{letters!r} is not a column")
        number = number * 26 + ord(letter) - ord("A") + 1
    return number
