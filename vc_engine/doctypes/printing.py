"""What of a document goes on paper: the fields its document type marks printable.

A QR code carries only these, so two renditions of one original are compared on them: the QR's
claims digest is the printable document's `claims_digest`, whatever the full rendition holds.
"""

from __future__ import annotations

from dataclasses import replace

from vc_engine.doctypes.catalogue import get_doctype
from vc_engine.doctypes.spec import DocType
from vc_engine.model import Document


def printable_document(document: Document, doctype: DocType | None = None) -> Document:
    """`document` with only the holder and claim fields its type version (default: the latest
    shipped version of its type) marks printable."""
    doctype = doctype or get_doctype(document.doctype)
    printable = {f.name for f in doctype.fields if f.printable}
    return replace(
        document,
        holder={k: v for k, v in document.holder.items() if k in printable},
        claims={k: v for k, v in document.claims.items() if k in printable},
    )


def holder_language(document: Document) -> str | None:
    """The holder's own language, from the script of their name in it ("bn" for Bengali, "hi"
    for Devanagari); None when the document has no local name in either."""
    local = document.holder.get("nameLocal", "")
    for character in local:
        if "\u0980" <= character <= "\u09ff":
            return "bn"
        if "\u0900" <= character <= "\u097f":
            return "hi"
    return None
