"""The store: SQLAlchemy Core over SQLite (the default) or PostgreSQL, and the only room that
speaks SQL. It holds every table and migration: the trust registry (issuers, keys, what each
may issue, the issuance register), the status lists, the batch journal, and the service's
clients and request log. Other rooms get records and snapshots from it, never connections.
"""

from vc_engine.store.errors import (
    AlreadyAuthorised,
    AlreadyIssued,
    AnchorConflict,
    InvalidRegistryInput,
    IssuerAlreadyExists,
    IssuerStatusConflict,
    KeyAlreadyRegistered,
    KeyStatusConflict,
    RegistryError,
    UnknownAnchor,
    UnknownIssuer,
    UnknownKey,
)
from vc_engine.store.registry import Registry
from vc_engine.store.status import StatusStore
from vc_engine.store.status_errors import (
    AllocationContention,
    AlreadyAllocated,
    StatusConflict,
    UnknownDocument,
)

__all__ = [
    "AllocationContention",
    "AlreadyAllocated",
    "AlreadyAuthorised",
    "AlreadyIssued",
    "AnchorConflict",
    "InvalidRegistryInput",
    "IssuerAlreadyExists",
    "IssuerStatusConflict",
    "KeyAlreadyRegistered",
    "KeyStatusConflict",
    "Registry",
    "RegistryError",
    "StatusConflict",
    "StatusStore",
    "UnknownAnchor",
    "UnknownDocument",
    "UnknownIssuer",
    "UnknownKey",
]
