"""The issuer's own PDFs, bound into its W3C credentials (`vc-engine issue --attach-pdf DIR`).

One rule finds a record's PDF: `DIR/<docId>.pdf`, where docId is the record's own `docId`
column (the e-locker's DocId, the last part of the document id `IssuerId-DocType-DocId`),
spelled exactly as in the record. A docId is 1 to 40 letters or digits, so the name can never
leave DIR. A record whose PDF is missing, or whose file is not a PDF, is refused (the run's
rejects name the file), never issued without its binding.

The binding is a VC 2.0 `relatedResource` entry: the PDF's id (`urn:elocker:<document id>:pdf`,
a name for it, not a place to fetch it), its media type and its SHA-256 as `digestMultibase`
(`formats.related`). Only the W3C renditions (vc-di, vc-jwt) can carry it, and the PDF
rendition through the credential it embeds; the e-locker's signed XML has no element for it
and the QR code's claims are fixed by the document type, so those two do not carry it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from vc_engine.doctypes import parse_document_id
from vc_engine.errors import BadInput
from vc_engine.formats.related import PDF_MEDIA_TYPE, digest_multibase
from vc_engine.formats.vc_json import ID_PREFIX
from vc_engine.model import Document, RelatedResource

CARRIERS = frozenset({"vc-di", "vc-jwt"})
"""The formats (as `--format` names them) whose credential carries the binding."""


class PdfNotFound(BadInput):
    """A record's PDF is missing from the folder, or is not a PDF."""


@dataclass(frozen=True)
class AttachedPdfs:
    """The folder of the issuer's PDFs, one per record (`DIR/<docId>.pdf`)."""

    folder: Path

    def check(self, formats: Collection[str]) -> None:
        """Refuse a run that could not carry the binding, or has no folder to read."""
        if not CARRIERS & set(formats):
            raise BadInput(
                "--attach-pdf binds each PDF into the W3C credential: add vc-di or vc-jwt to "
                "--format (signed XML and the QR code cannot carry it)"
            )
        if not self.folder.is_dir():
            raise BadInput(f"--attach-pdf {self.folder} is not a directory")

    def path_of(self, document: Document) -> Path:
        return self.folder / f"{parse_document_id(document.id).doc_id}.pdf"

    def bind(self, document: Document) -> Document:
        """`document` with its PDF bound; `PdfNotFound` when it has none."""
        path = self.path_of(document)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise PdfNotFound(
                f"no PDF to bind: {path.name} is not in {self.folder} (--attach-pdf looks for "
                "<docId>.pdf)"
            ) from None
        except OSError as error:
            raise PdfNotFound(f"the PDF {path} cannot be read: {error.strerror}") from None
        if not data.startswith(b"%PDF-"):
            raise PdfNotFound(f"{path.name} in {self.folder} is not a PDF (no %PDF- header)")
        return bind_pdf(document, data)


def bind_pdf(document: Document, pdf: bytes) -> Document:
    """`document` with `pdf` bound as its related resource."""
    resource = RelatedResource(
        f"{ID_PREFIX}{document.id}:pdf", PDF_MEDIA_TYPE, digest_multibase(pdf)
    )
    return dataclasses.replace(document, related=(resource,))
