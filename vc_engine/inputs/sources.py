"""An issuer's records file, whatever its format, as one stream of ``(line, record)``.

Chosen by the path: a directory or an ``.xml`` file holds e-locker Certificate XML
(`certificates`); ``.xlsx`` is an Excel workbook (`workbook`, with the sheet chosen by name);
``.csv`` and ``.jsonl`` are read by `records`. Every reader streams and reports a record it
cannot read as a `BadLine`, so one bad row never costs the rest.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from vc_engine.inputs.certificates import read_certificates
from vc_engine.inputs.records import InputLine, RecordFileError, read_records
from vc_engine.inputs.workbook import read_workbook

SUFFIXES = (".csv", ".jsonl", ".xlsx", ".xml")


def read_input(path: Path, sheet: str | None = None) -> Iterator[InputLine]:
    """The records of `path` (see the module docstring); `sheet` only for a workbook."""
    suffix = path.suffix.lower()
    if sheet is not None and suffix != ".xlsx":
        raise RecordFileError(f"{path.name}: --sheet applies to .xlsx workbooks only")
    if path.is_dir() or suffix == ".xml":
        return read_certificates(path)
    if suffix == ".xlsx":
        return read_workbook(path, sheet)
    if suffix in (".csv", ".jsonl"):
        return read_records(path)
    raise RecordFileError(f"{path.name}: records must be {', '.join(SUFFIXES)} or a directory")
