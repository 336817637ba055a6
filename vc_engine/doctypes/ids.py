"""Document ids: `IssuerId-DocType-DocId`, with exactly one way to read each."""

from __future__ import annotations

import re
from dataclasses import dataclass

from vc_engine.doctypes.values import quoted
from vc_engine.errors import BadInput

CODE = re.compile(r"[A-Z]{5,6}")

_ISSUER_ID = re.compile(r"[a-z0-9]+(?:\.[a-z0-9]+)+")

DOC_ID = re.compile(r"[A-Za-z0-9]{1,40}")


class DocumentIdError(BadInput):
    """A document id, or a part of one, does not follow `IssuerId-DocType-DocId`."""


@dataclass(frozen=True)
class DocumentId:
    """The parts of an e-locker document id `IssuerId-DocType-DocId`."""

    issuer_id: str
    doctype: str
    doc_id: str

    def __str__(self) -> str:
        return f"{self.issuer_id}-{self.doctype}-{self.doc_id}"


def make_document_id(issuer_id: str, code: str, doc_id: str) -> str:
    """Join the parts, refusing any that would make the id ambiguous or unparseable."""
    if not _ISSUER_ID.fullmatch(issuer_id):
        raise DocumentIdError(
            f"issuer id {quoted(issuer_id)} must be lowercase dotted labels of letters and digits"
            " (e.g. in.gov.wb.kmc), without hyphens"
        )
    if not CODE.fullmatch(code):
        raise DocumentIdError(f"document type {quoted(code)} must be 5 or 6 capital letters")
    if not DOC_ID.fullmatch(doc_id):
        raise DocumentIdError(f"doc id {quoted(doc_id)} must be 1 to 40 letters or digits")
    return f"{issuer_id}-{code}-{doc_id}"


def parse_document_id(value: str) -> DocumentId:
    """Split an id; no part may contain a hyphen, so there is exactly one way to read it."""
    parts = value.split("-")
    if len(parts) != 3:
        raise DocumentIdError(
            f"document id {quoted(value)} must have the form IssuerId-DocType-DocId"
            " (e.g. in.gov.wb.kmc-BTHCER-2026000123)"
        )
    make_document_id(*parts)
    return DocumentId(*parts)
