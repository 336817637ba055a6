"""Wire formats. Each module turns a `Document` into signed bytes and signed bytes back into the
`Document` that was actually signed plus the facts about its signature; nothing else.

Formats know nothing of the registry or of status lists: judging who signed is the pipeline's job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from vc_engine.i18n import Message
from vc_engine.keys import PublicKey
from vc_engine.model import Check, Document, SignatureFacts, SubIndication

Resolver = Callable[[str], PublicKey | None]
"""Maps a key reference that does not carry its key (a did:web URL, a JWT `kid`) to the key,
or None when nobody registered one: the caller's registry, never the network."""


class Rejected(Exception):
    """Stops a format module's checks at the first failure; its entry point catches this and
    reports `check`, so a bad document becomes a report, never an exception for the caller."""

    def __init__(self, name: str, code: SubIndication, message: Message) -> None:
        super().__init__(message.text)
        self.check = Check.failed(name, code, message)


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


def detect_format(data: bytes) -> str | None:
    """Name the wire format from its first significant bytes; None when it is none of ours.

    Signed XML starts with `<`, a JSON-LD credential with `{`, a compact JWS with the base64url
    of `{"` (`ey`).
    """
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:2]
    if head[:1] == b"<":
        return SIGNED_XML
    if head[:1] == b"{":
        return VC_DATA_INTEGRITY
    if head == b"ey":
        return VC_JWT
    return None
