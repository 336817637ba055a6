"""What an issuing run keeps of each document when asked to (`Plan.keep_renditions`): every
rendition's bytes with its media type, and the document's scalar fields normalised for search,
written with its register row (`vc_engine.store.kept`). The e-locker's Pull API serves them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from vc_engine.doctypes import parse_document_id
from vc_engine.doctypes.holders import normalise
from vc_engine.formats import PDF_PADES, QR_CWT, SIGNED_XML, VC_DATA_INTEGRITY, VC_JWT
from vc_engine.model import Document
from vc_engine.store.kept import KeptDocument, KeptRendition

MEDIA_TYPES = {
    SIGNED_XML: "application/xml",
    VC_DATA_INTEGRITY: "application/vc",
    VC_JWT: "application/vc+jwt",
    QR_CWT: "text/plain",
    PDF_PADES: "application/pdf",
}
"""The media type kept with each rendition format; a format not listed is kept as
application/octet-stream."""

MAX_FIELD_CHARS = 200
"""Longer field values (addresses, free text) are not searched by, so not indexed."""


def kept(document: Document, formats: Sequence[str], outputs: Sequence[bytes]) -> KeptDocument:
    """The renditions `outputs` (one per format of `formats`) and the fields of `document`."""
    renditions = tuple(
        KeptRendition(
            name,
            MEDIA_TYPES.get(name, "application/octet-stream"),
            data,
            hashlib.sha256(data).hexdigest(),
        )
        for name, data in zip(formats, outputs, strict=True)
    )
    return KeptDocument(document.id, renditions, search_fields(document))


def search_fields(document: Document) -> dict[str, str]:
    """`docId`, then every holder field and every text claim, normalised (a holder field and a
    claim never share a name in a document type)."""
    values: dict[str, str] = {"docId": parse_document_id(document.id).doc_id}
    values.update(document.holder)
    values.update(
        (name, value) for name, value in document.claims.items() if isinstance(value, str)
    )
    return {
        name: normalise(value) for name, value in values.items() if len(value) <= MAX_FIELD_CHARS
    }
