"""What requests read from the registry, reused while the registry has not changed.

Taking a `TrustSnapshot` reads every issuer, key (with history) and authorisation; doing that, or
reading the caller's client row and the status lists a document points to, on every request would
make the database the cost of a verification. Instead each request takes a `Generation`: the
freshness token of the moment it began (see `vc_engine.store.changes`) and whatever has been read
under that same token, filled in lazily. Everything in a generation was read after its token was
taken, so a request never sees the registry older than it was when the request began (within the
notification delay `vc_engine.store.changes` states). A new token starts an empty generation: a
write anywhere (this process, another service process, the CLI) reaches every process's next
request, so a compromise, a revocation or a revoked client applies at once.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from dataclasses import dataclass, field

from vc_engine.doctypes.versions import SHIPPED_CATALOGUE, Catalogue, generated_contexts
from vc_engine.policy_files import PolicyFile
from vc_engine.revocation.source import ListMemory
from vc_engine.revocation.status import DocumentStatus
from vc_engine.store.changes import Freshness
from vc_engine.store.clients import ClientRecord
from vc_engine.store.doctype_versions import DoctypeVersions
from vc_engine.store.registry import Registry
from vc_engine.store.status import StatusStore
from vc_engine.trust.source import TrustSnapshot

_MAX_LISTS = 4_096


@dataclass
class Generation:
    """The registry as read under one freshness token. Filled by `RegistryCache`; its dicts
    only grow, so threads sharing one may race to fill an entry but never see a torn one."""

    token: Hashable
    trust: TrustSnapshot | None = None
    lists: dict[str, bytes] = field(default_factory=dict)
    clients: dict[str, ClientRecord] = field(default_factory=dict)
    """Client rows read under this generation (`api.access` fills it, up to its bound)."""
    catalogue: Catalogue | None = None
    """The document types: the shipped ones and the versions added to the registry."""
    type_contexts: tuple[tuple[str, bytes], ...] = ()
    """The generated contexts of the added versions (read with `catalogue`)."""
    policy: PolicyFile | None = None
    """The service's policy with those contexts pinned too (`Services.policy_of`)."""


class RegistryCache:
    def __init__(self, registry: Registry, status: StatusStore, freshness: Freshness) -> None:
        self._registry = registry
        self._status = status
        self.freshness = freshness
        self._lock = threading.Lock()
        self._reading = threading.Lock()
        self._view = Generation(token=object())  # equal to no token
        self.memory = ListMemory()
        """Kept for the life of the process, across generations: a list older than one this process
        has believed is refused even after the caches are dropped."""

    def current(self) -> Generation:
        """The generation for a request beginning now (no I/O on PostgreSQL, listener up)."""
        token = self.freshness.token()
        with self._lock:
            if self._view.token != token:
                self._view = Generation(token)
            return self._view

    def trust(self, generation: Generation) -> TrustSnapshot:
        """The trust snapshot of `generation` (read from the database on its first use).

        Read by one thread only: when a new generation begins under load, every request in
        flight wants it at once, and each reading its own copy multiplied the cost of a change
        by the number of requests waiting."""
        found = generation.trust
        if found is None:
            with self._reading:
                found = generation.trust
                if found is None:
                    found = generation.trust = self._registry.snapshot()
        return found

    def catalogue(self, generation: Generation) -> Catalogue:
        """The document type catalogue of `generation` (read on its first use)."""
        if generation.catalogue is None:
            added = DoctypeVersions(self._registry).added()
            generation.type_contexts = generated_contexts(added)
            generation.catalogue = SHIPPED_CATALOGUE.with_versions(added)
        return generation.catalogue

    def status(self, generation: Generation) -> CachedStatus:
        return CachedStatus(generation, self._status, self.memory)


class CachedStatus:
    """A `StatusSource` whose published lists are read once per generation. Status histories (wanted
    only for a revoked or suspended document's reasons) are read each time."""

    def __init__(self, generation: Generation, store: StatusStore, memory: ListMemory) -> None:
        self._lists = generation.lists
        self._store = store
        self.memory = memory

    def published_list(self, list_id: str) -> bytes | None:
        found = self._lists.get(list_id)
        if found is None:
            # Not remembered when absent: a document naming made-up lists must not fill memory.
            found = self._store.published_list(list_id)
            if found is not None and len(self._lists) < _MAX_LISTS:
                self._lists[list_id] = found
        return found

    def status(self, document_id: str) -> DocumentStatus | None:
        return self._store.status(document_id)
