"""What a printed page shows, as plain values: the layout reads only these, so the document type's
labels and titles are chosen by the caller (issuance), never looked up here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    """A table claim: its label, its column labels and its rows of text, in column order."""

    label: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class PrintedPage:
    """One certificate page: titles (English first, then the holder's language), every field
    with its label, who issued it, its id and dates, and the QR text printed beside them."""

    titles: tuple[str, ...]
    fields: tuple[tuple[str, str], ...]
    tables: tuple[Table, ...]
    issuer: str
    document_id: str
    dates: tuple[tuple[str, str], ...]
    qr_text: str


@dataclass(frozen=True)
class Attachment:
    """A machine-readable original embedded in the PDF as an associated file."""

    name: str
    media_type: str
    data: bytes
    description: str
