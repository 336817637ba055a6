"""Which format module opens which bytes: one table, from the name `detect_format` gives to the
function that parses, checks the signature and reads back what it covered.

Each module is imported on first use: verifying signed XML need not load the JSON-LD processor,
which matters to a command that verifies one file and exits.
"""

from __future__ import annotations

import base64
import binascii
import importlib
from collections.abc import Callable, Mapping
from functools import cache
from typing import cast

from vc_engine.formats import (
    QR_CWT,
    SIGNED_XML,
    VC_DATA_INTEGRITY,
    VC_JWT,
    FormatOutcome,
    Resolver,
)
from vc_engine.formats.vc_json import ENGINE_CONTEXT
from vc_engine.policy import VerificationPolicy

Opener = Callable[[bytes, VerificationPolicy, Resolver], FormatOutcome]

OPENER_PATHS: Mapping[str, tuple[str, str]] = {
    SIGNED_XML: ("vc_engine.formats.xml", "open_signed"),
    VC_DATA_INTEGRITY: ("vc_engine.formats.vc_di", "open_signed"),
    VC_JWT: ("vc_engine.formats.vc_jwt", "open_signed"),
    QR_CWT: ("vc_engine.formats.qr", "open_signed"),
}
"""Format name → (module, function) of its opener."""


@cache
def opener(format_name: str) -> Opener:
    """The opener of a format `detect_format` named (a KeyError for any other name)."""
    module, function = OPENER_PATHS[format_name]
    return cast(Opener, getattr(importlib.import_module(module), function))


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
