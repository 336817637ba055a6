"""Wire formats. Each module turns a `Document` into signed bytes and signed bytes back into the
`Document` that was actually signed plus the facts about its signature; nothing else.

Formats know nothing of the registry or of status lists: judging who signed is the pipeline's job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from vc_engine.keys import PublicKey
from vc_engine.model import Check, Document, Said, SignatureFacts, SubIndication

Resolver = Callable[[str], PublicKey | None]
"""Maps a key reference that does not carry its key (a did:web URL, a JWT `kid`) to the key,
or None when nobody registered one: the caller's registry, never the network."""


class Rejected(Exception):
    """Stops a format module's checks at the first failure; its entry point catches this and
    reports `check`, so a bad document becomes a report, never an exception for the caller."""

    def __init__(self, name: str, code: SubIndication, message: Said) -> None:
        self.check = Check.failed(name, code, message)
        super().__init__(self.check.message)


@dataclass(frozen=True)
class FormatOutcome:
    """The format stage's answer: its checks, and on success what the signature covered."""

    format: str | None
    checks: tuple[Check, ...]
    document: Document | None
    facts: SignatureFacts | None
    warnings: tuple[str, ...] = ()
    signed_at: datetime | None = None
    """When the envelope says it was signed (a proof's `created`, a JWT's `iat`)."""
    expires_at: datetime | None = None
    """When the envelope itself stops being valid (a JWT's `exp`)."""
    not_before: datetime | None = None
    """Before when the envelope is not valid (a JWT's `nbf`)."""


SIGNED_XML = "xml-dsig"
VC_DATA_INTEGRITY = "vc-di"
VC_JWT = "vc-jwt"
QR_CWT = "qr-cwt"
PDF_PADES = "pdf-pades"
IMAGE = "image"
"""A photo or scan (PNG, JPEG): not a format of its own, but the QR code it shows."""

QR_PREFIX = b"VC1:"


def detect_format(data: bytes) -> str | None:
    """Name the wire format from its first significant bytes; None when it is none of ours.

    Signed XML starts with `<`, a JSON-LD credential with `{`, a compact JWS with the base64url
    of `{"` (`ey`), a QR text with its versioned prefix, a PDF with `%PDF-`, and an image with
    the PNG or JPEG signature.
    """
    if data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        return IMAGE
    if data.startswith(b"%PDF-"):
        return PDF_PADES
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(QR_PREFIX):
        return QR_CWT
    head = stripped[:2]
    if head[:1] == b"<":
        return SIGNED_XML
    if head[:1] == b"{":
        return VC_DATA_INTEGRITY
    if head == b"ey":
        return VC_JWT
    return None
