"""Reading issuers' record files, one record at a time, for `doctypes.record_to_document`.

An issuer's batch may hold millions of rows, and one bad row must not cost the rest: a file is
read as a stream, and every record comes out as ``(line, record)`` where the record is either a
``dict`` of its columns or a `BadLine` saying why that line could not be read (invalid UTF-8, a
row with the wrong number of fields, broken JSON). The caller turns a `BadLine`, like a
`RecordError` from converting a record, into a rejects entry and carries on. `line` is the
1-based line on which the record starts.

Only a fault that makes the whole file unreadable raises `RecordFileError`: an unknown file
extension, or a CSV file without a usable header row (including an empty CSV file).

Formats, chosen by extension:

* ``.csv``: UTF-8 (a leading byte-order mark is dropped), a header row naming the columns, RFC 4180
  quoting (a quoted value may span lines). Values are returned as written; `record_to_document`
  normalises them. Blank lines are skipped.
* ``.jsonl``: UTF-8 JSON Lines, one JSON object per line; blank lines are skipped. An object with
  a repeated key is refused rather than silently keeping the last value.

A line longer than 1 MiB is reported as a `BadLine` and skipped without being held in memory.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from vc_engine.errors import BadInput

_MAX_LINE_BYTES = 1024 * 1024
_TOO_LONG = "\x00"  # what stands in for an over-long line, so the CSV reader sees a line there


class RecordFileError(BadInput):
    """The file as a whole cannot be read as records."""


@dataclass(frozen=True)
class BadLine:
    """A record that could not be read; `reason` is for the person who fixes the file."""

    reason: str


class Located(dict[str, object]):
    """A record read from one of many files (a directory of Certificate XML): `where` names
    the file and the element, which its number in the stream alone cannot."""

    def __init__(self, record: dict[str, object], where: str) -> None:
        super().__init__(record)
        self.where = where


InputLine = tuple[int, dict[str, object] | BadLine]
"""The line an input record starts on, and the record or the reason it could not be read."""


def blocks(lines: Iterable[InputLine], size: int) -> Iterator[list[InputLine]]:
    """Consecutive blocks of `size` input records (the last one shorter), read lazily."""
    iterator = iter(lines)
    while block := list(itertools.islice(iterator, size)):
        yield block


def read_records(path: Path) -> Iterator[InputLine]:
    """Stream the records of a ``.csv`` or ``.jsonl`` file; see the module docstring."""
    suffix = path.suffix.lower()
    if suffix not in _READERS:
        raise RecordFileError(f"{path.name}: record files must end in .csv or .jsonl")
    return _from_file(path, suffix)


def _from_file(path: Path, suffix: str) -> Iterator[InputLine]:
    with path.open("rb") as raw:
        yield from read_record_stream(raw, suffix, path.name)


def read_record_stream(raw: BinaryIO, suffix: str, name: str) -> Iterator[InputLine]:
    """The records of an open binary stream holding a file of kind `suffix` (".csv" or
    ".jsonl"); `name` names it in errors."""
    reader = _READERS.get(suffix)
    if reader is None:
        raise RecordFileError(f"{name}: record files must end in .csv or .jsonl")
    return reader(raw, name)


def _read_csv(raw: BinaryIO, name: str) -> Iterator[InputLine]:
    undecodable: dict[int, str] = {}
    reader = csv.reader(_decoded_lines(raw, undecodable), strict=True)
    header: list[str] | None = None
    end = 0
    while True:
        try:
            row, problem = next(reader), None
        except StopIteration:
            break
        except csv.Error as exc:
            row, problem = [], f"not valid CSV: {exc}"
        start, end = end + 1, reader.line_num
        problem = _undecodable_in(undecodable, start, end) or problem
        if header is None:
            if problem is None and not row:
                continue
            if problem is not None:
                raise RecordFileError(f"the header on line {start} is unreadable: {problem}")
            header = check_header(row, start)
        elif problem is not None:
            yield start, BadLine(problem)
        elif not row:
            continue
        elif len(row) != len(header):
            yield start, BadLine(f"{len(row)} fields, but the header has {len(header)}")
        else:
            yield start, dict(zip(header, row, strict=True))
    if header is None:
        raise RecordFileError(f"{name}: empty file; a CSV file needs a header row")


def check_header(row: list[str], line: int) -> list[str]:
    """The column names of a header row, refusing empty and repeated ones."""
    names = [name.strip() for name in row]
    if "" in names:
        raise RecordFileError(f"the header on line {line} has an empty column name")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise RecordFileError(f"the header on line {line} repeats {', '.join(repeated)}")
    return names


def _read_jsonl(raw: BinaryIO, name: str) -> Iterator[InputLine]:
    for line, data in enumerate(_physical_lines(raw), start=1):
        if data is None:
            yield line, BadLine(f"longer than {_MAX_LINE_BYTES} bytes")
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield line, BadLine(_utf8_problem(exc))
            continue
        if not text.strip():
            continue
        try:
            value = json.loads(text, object_pairs_hook=_object, parse_constant=_no_constant)
        except (ValueError, RecursionError) as exc:
            yield line, BadLine(f"not valid JSON: {exc}")
            continue
        if isinstance(value, dict):
            yield line, value
        else:
            yield line, BadLine(f"a JSON object was expected, not {type(value).__name__}")


def _physical_lines(raw: BinaryIO) -> Iterator[bytes | None]:
    """Each line of the file, BOM dropped from the first; None for a line that is too long."""
    first = True
    while line := raw.readline(_MAX_LINE_BYTES + 1):
        if first:
            line, first = line.removeprefix(codecs.BOM_UTF8), False
        if len(line) > _MAX_LINE_BYTES and not line.endswith(b"\n"):
            while (rest := raw.readline(_MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                pass
            yield None
        else:
            yield line


def _decoded_lines(raw: BinaryIO, undecodable: dict[int, str]) -> Iterator[str]:
    """Lines as text for the CSV reader; a line that cannot be decoded is noted in
    `undecodable` by its number and passed on, repaired, so the reader keeps its place."""
    for line, data in enumerate(_physical_lines(raw), start=1):
        if data is None:
            undecodable[line] = f"line {line} is longer than {_MAX_LINE_BYTES} bytes"
            yield _TOO_LONG + "\n"
            continue
        try:
            yield data.decode("utf-8")
        except UnicodeDecodeError as exc:
            undecodable[line] = f"line {line}: {_utf8_problem(exc)}"
            yield data.decode("utf-8", errors="replace")


def _utf8_problem(exc: UnicodeDecodeError) -> str:
    return f"invalid UTF-8 at byte {exc.start + 1} of the line"


def _undecodable_in(undecodable: dict[int, str], start: int, end: int) -> str | None:
    """The first decoding problem on lines start..end, forgetting all of them: each is reported
    once, with the record it broke."""
    found = [undecodable.pop(n) for n in range(start, end + 1) if n in undecodable]
    return found[0] if found else None


def _object(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [key for key, _ in pairs]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise ValueError(f"the key {repeated[0]!r} appears twice")
    return dict(pairs)


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON value")


_READERS = {".csv": _read_csv, ".jsonl": _read_jsonl}
