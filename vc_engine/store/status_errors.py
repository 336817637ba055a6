"""Refusals of the status-list store.

They are `RegistryError`s because the status lists live in the registry's database and are
administered next to it: the CLI and the admin API print the message as it is. A verifier's
status outcome is never one of these (see `credential.check_entry`).
"""

from __future__ import annotations

from vc_engine.errors import StoreError
from vc_engine.store.errors import RegistryError


class UnknownDocument(RegistryError):
    """No status entries were allocated for this document id."""


class AlreadyAllocated(RegistryError):
    """The document already holds status entries; an index is never handed out twice."""


class StatusConflict(RegistryError):
    """The status change cannot follow the document's history (e.g. reinstating a revocation)."""


class AllocationContention(StoreError):
    """Concurrent allocations kept colliding and the retries ran out; try again later."""
