"""Wire formats. Each module turns a `Document` into signed bytes and signed bytes back into the
`Document` that was actually signed plus the facts about its signature; nothing else.

Formats know nothing of the registry or of status lists: judging who signed is the pipeline's job.
"""

from __future__ import annotations

from dataclasses import dataclass

from vc_engine.model import Check, Document, SignatureFacts


@dataclass(frozen=True)
class FormatOutcome:
    """The format stage's answer: its checks, and on success what the signature covered."""

    format: str | None
    checks: tuple[Check, ...]
    document: Document | None
    facts: SignatureFacts | None
    warnings: tuple[str, ...] = ()


def detect_format(data: bytes) -> str | None:
    """Name the wire format from its first significant byte; None when it is none of ours."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"<":
        from vc_engine.formats.signed_xml import FORMAT

        return FORMAT
    return None
