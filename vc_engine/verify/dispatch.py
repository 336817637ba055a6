"""Which format module opens which bytes: one table, from the name `detect_format` gives to the
function that parses, checks the signature and reads back what it covered.

Each module is imported on first use: verifying signed XML need not load the JSON-LD processor,
which matters to a command that verifies one file and exits.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from functools import cache
from typing import cast

from vc_engine.formats import SIGNED_XML, VC_DATA_INTEGRITY, VC_JWT, FormatOutcome, Resolver
from vc_engine.policy import VerificationPolicy

Opener = Callable[[bytes, VerificationPolicy, Resolver], FormatOutcome]

OPENER_PATHS: Mapping[str, tuple[str, str]] = {
    SIGNED_XML: ("vc_engine.formats.xml", "open_signed"),
    VC_DATA_INTEGRITY: ("vc_engine.formats.vc_di", "open_signed"),
    VC_JWT: ("vc_engine.formats.vc_jwt", "open_signed"),
}
"""Format name → (module, function) of its opener."""


@cache
def opener(format_name: str) -> Opener:
    """The opener of a format `detect_format` named (a KeyError for any other name)."""
    module, function = OPENER_PATHS[format_name]
    return cast(Opener, getattr(importlib.import_module(module), function))
