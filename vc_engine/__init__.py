"""vc-engine: sign government documents as signed XML and W3C Verifiable Credentials, and tell a
department, with reasons, whether what it was shown is equivalent to the original.

The names a library user needs are here (see "Using it as a library" in the README):

    registry = Registry.open("sqlite:///vc-engine.db"); registry.init()
    report = verify(data, registry.snapshot(), VerificationPolicy(at=now), StatusStore(registry))
    outcome = issue(Plan(issuer, get_doctype("BTHCER"), renditions(["xml"], issuer), ...), ...)

They are loaded on first use, so importing one room (a worker process importing `keys`) does
not import them all.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vc_engine.doctypes import get_doctype
    from vc_engine.errors import BadInput, Refused, StoreError, VcEngineError
    from vc_engine.issuance.block import BlockOutcome, Plan, issue
    from vc_engine.issuance.issuer import Issuer, renditions
    from vc_engine.issuance.status_lists import StatusLists
    from vc_engine.keys import FileSigner, load_private_key
    from vc_engine.model import Document, Indication, VerificationReport
    from vc_engine.policy import VerificationPolicy
    from vc_engine.store import Registry, StatusStore
    from vc_engine.verify import verify

_HOMES = {
    "BadInput": "vc_engine.errors",
    "BlockOutcome": "vc_engine.issuance.block",
    "Document": "vc_engine.model",
    "FileSigner": "vc_engine.keys",
    "Indication": "vc_engine.model",
    "Issuer": "vc_engine.issuance.issuer",
    "Plan": "vc_engine.issuance.block",
    "Refused": "vc_engine.errors",
    "Registry": "vc_engine.store",
    "StatusLists": "vc_engine.issuance.status_lists",
    "StatusStore": "vc_engine.store",
    "StoreError": "vc_engine.errors",
    "VcEngineError": "vc_engine.errors",
    "VerificationPolicy": "vc_engine.policy",
    "VerificationReport": "vc_engine.model",
    "get_doctype": "vc_engine.doctypes",
    "issue": "vc_engine.issuance.block",
    "load_private_key": "vc_engine.keys",
    "renditions": "vc_engine.issuance.issuer",
    "verify": "vc_engine.verify",
}

__all__ = [
    "BadInput",
    "BlockOutcome",
    "Document",
    "FileSigner",
    "Indication",
    "Issuer",
    "Plan",
    "Refused",
    "Registry",
    "StatusLists",
    "StatusStore",
    "StoreError",
    "VcEngineError",
    "VerificationPolicy",
    "VerificationReport",
    "get_doctype",
    "issue",
    "load_private_key",
    "renditions",
    "verify",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'vc_engine' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
