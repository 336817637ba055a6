"""Which format module opens which bytes: one table, from the name `detect_format` gives to the
function that parses, checks the signature and reads back what it covered."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from vc_engine.formats import (
    QR_CWT,
    SIGNED_XML,
    VC_DATA_INTEGRITY,
    VC_JWT,
    FormatOutcome,
    Resolver,
    qr,
    vc_di,
    vc_jwt,
)
from vc_engine.formats import xml as signed_xml
from vc_engine.policy import VerificationPolicy

Opener = Callable[[bytes, VerificationPolicy, Resolver], FormatOutcome]

OPENERS: Mapping[str, Opener] = {
    SIGNED_XML: signed_xml.open_signed,
    VC_DATA_INTEGRITY: vc_di.open_signed,
    VC_JWT: vc_jwt.open_signed,
    QR_CWT: qr.open_signed,
}
