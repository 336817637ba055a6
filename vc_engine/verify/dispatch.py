"""Which format module opens which bytes: one table, from the name `detect_format` gives to the
function that parses, checks the signature and reads back what it covered."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping

from vc_engine.formats import (
    SIGNED_XML,
    VC_DATA_INTEGRITY,
    VC_JWT,
    FormatOutcome,
    Resolver,
    vc_di,
    vc_jwt,
)
from vc_engine.formats import xml as signed_xml
from vc_engine.formats.vc_json import ENGINE_CONTEXT
from vc_engine.policy import VerificationPolicy

Opener = Callable[[bytes, VerificationPolicy, Resolver], FormatOutcome]

OPENERS: Mapping[str, Opener] = {
    SIGNED_XML: signed_xml.open_signed,
    VC_DATA_INTEGRITY: vc_di.open_signed,
    VC_JWT: vc_jwt.open_signed,
}


def is_our_credential(data: bytes) -> bool:
    """Whether a JSON-LD credential or vc+jwt names our document context, and so must have the
    exact shape we issue (and is judged by the document pipeline); anything else is a W3C
    credential for the generic path. Routing only: both paths verify everything they read."""
    text = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] != b"{":
        payload = text.partition(b".")[2].partition(b".")[0]
        try:
            text = base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4))
        except (ValueError, binascii.Error):
            return True
    return ENGINE_CONTEXT.encode() in text
