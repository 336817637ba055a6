"""The PDF rendition: one human-readable certificate page, signed PAdES B-B by the issuer,
carrying the machine-readable originals (signed XML, the Data Integrity credential) as PDF/A-3
associated files and the QR rendition printed on the page.

`issue` lays out and signs a page the caller describes (`PrintedPage`: the labels and titles
come from the document type, chosen by issuance); `open_pdf` checks a PDF's own signature and
reads back what it carries. Whether the signing key is the issuer's, and whether the originals
and the QR code verify and agree, is the verification pipeline's question (verify.paper).
"""

from __future__ import annotations

from datetime import datetime

from cryptography import x509
from pyhanko.sign.timestamps import TimeStamper

from vc_engine.formats.pdf.fonts import FontsMissing
from vc_engine.formats.pdf.pades import sign_page
from vc_engine.formats.pdf.page import Attachment, PrintedPage, Table
from vc_engine.formats.pdf.reading import OpenedPdf, open_pdf
from vc_engine.keys import Signer

__all__ = [
    "Attachment",
    "FontsMissing",
    "OpenedPdf",
    "PrintedPage",
    "Table",
    "TimeStamper",
    "issue",
    "open_pdf",
]


def issue(
    page: PrintedPage,
    attachments: tuple[Attachment, ...],
    signer: Signer,
    certificate: x509.Certificate,
    *,
    signer_name: str,
    created: datetime,
    timestamper: TimeStamper | None = None,
) -> bytes:
    """The page laid out, its originals attached, signed by `signer` (and timestamped)."""
    return sign_page(
        page,
        attachments,
        created,
        signer,
        certificate,
        signer_name=signer_name,
        timestamper=timestamper,
    )
