"""The trust registry and the trust decision.

The registry (issuers, their keys with validity windows and status history, what each may issue,
and the issuance register) is the only source of trust: a key or certificate carried inside a
document counts only if it is registered here. `evaluate_trust` judges a signed document against
a `TrustView`, either the live `Registry` or a `TrustSnapshot` of it.
"""

from vc_engine.trust.errors import (
    AlreadyAuthorised,
    AlreadyIssued,
    InvalidRegistryInput,
    IssuerAlreadyExists,
    IssuerStatusConflict,
    KeyAlreadyRegistered,
    KeyStatusConflict,
    RegistryError,
    UnknownIssuer,
    UnknownKey,
)
from vc_engine.trust.evaluate import evaluate_trust
from vc_engine.trust.records import (
    Authorisation,
    IssuanceRecord,
    IssuerRecord,
    IssuerStatus,
    KeyEvent,
    KeyStatus,
    RegisteredKey,
)
from vc_engine.trust.store import Registry
from vc_engine.trust.view import TrustSnapshot, TrustView

__all__ = [
    "AlreadyAuthorised",
    "AlreadyIssued",
    "Authorisation",
    "InvalidRegistryInput",
    "IssuanceRecord",
    "IssuerAlreadyExists",
    "IssuerRecord",
    "IssuerStatus",
    "IssuerStatusConflict",
    "KeyAlreadyRegistered",
    "KeyEvent",
    "KeyStatus",
    "KeyStatusConflict",
    "RegisteredKey",
    "Registry",
    "RegistryError",
    "TrustSnapshot",
    "TrustView",
    "UnknownIssuer",
    "UnknownKey",
    "evaluate_trust",
]
