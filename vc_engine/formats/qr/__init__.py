"""The QR rendition: a compact signed copy of a document's printable claims, for paper.

`issue` writes the QR text (see `cwt` for the payload); `open_signed` is the format stage of the
verification pipeline for a QR text, whether typed, read from a file or decoded from an image
(`image.decode_qr`). Which claims are printable is the document type's choice, made by the
caller (issuance passes only those): a QR code carries no more than its holder wants printed.
"""

from __future__ import annotations

from vc_engine.formats import QR_CWT, FormatOutcome, Rejected, Resolver
from vc_engine.formats.qr.cwt import PREFIX, OpenedQr, open_qr
from vc_engine.formats.qr.cwt import sign as issue
from vc_engine.i18n import report as said
from vc_engine.model import Check
from vc_engine.policy import VerificationPolicy

__all__ = ["PREFIX", "OpenedQr", "issue", "open_signed"]


def open_signed(data: bytes, policy: VerificationPolicy, resolve: Resolver) -> FormatOutcome:
    """Check a QR text and read back the Document it signed; failures are checks."""
    try:
        opened = open_qr(data, policy.algorithms, resolve)
    except Rejected as rejected:
        return FormatOutcome(QR_CWT, (rejected.check,), None, None)
    document = opened.document
    carried = ", ".join([*document.holder, *document.claims])
    checks = (
        Check.passed("signature", said.QR_SIGNATURE_VALID(algorithm=opened.facts.algorithm)),
        Check.passed("qr-claims", said.QR_CLAIMS(claims=carried)),
    )
    return FormatOutcome(QR_CWT, checks, document, opened.facts, signed_at=opened.signed_at)
