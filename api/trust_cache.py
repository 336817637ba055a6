"""What requests read from the registry, reused while the registry has not changed.

Taking a `TrustSnapshot` reads every issuer, key (with history) and authorisation; doing that,
or reading the caller's client row and the status lists a document points to, on every request
would make the database the cost of a verification. Instead each request takes a `View`: the
freshness token of the moment it began (see `api.freshness`) and whatever has been read under
that same token, filled in lazily. Everything in a view was read after its token was taken, so
a request never sees the registry older than it was when the request began (within the
notification delay `api.freshness` states). A new token starts an empty view: a write anywhere
(this process, another service process, the CLI) reaches every process's next request, so a
compromise, a revocation or a revoked client applies at once.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from api.freshness import Freshness
from vc_engine.revocation.source import ListWatermarks
from vc_engine.revocation.status import DocumentStatus
from vc_engine.store.registry import Registry
from vc_engine.store.status import StatusStore
from vc_engine.trust.view import TrustSnapshot

if TYPE_CHECKING:
    from api.access import StoredClient

_MAX_CLIENTS = 10_000
_MAX_LISTS = 4_096


@dataclass
class View:
    """The registry as read under one freshness token. Filled by `RegistryCache`; its dicts
    only grow, so threads sharing a view may race to fill an entry but never see a torn one."""

    token: Hashable
    trust: TrustSnapshot | None = None
    lists: dict[str, bytes] = field(default_factory=dict)
    clients: dict[str, StoredClient] = field(default_factory=dict)

    def remember_client(self, client: StoredClient) -> None:
        if len(self.clients) < _MAX_CLIENTS:
            self.clients[client.client.id] = client


class RegistryCache:
    def __init__(self, registry: Registry, status: StatusStore, freshness: Freshness) -> None:
        self._registry = registry
        self._status = status
        self.freshness = freshness
        self._lock = threading.Lock()
        self._view = View(token=object())  # equal to no token
        self.watermarks = ListWatermarks()
        """Kept for the life of the process, across views: a list older than one this process
        has believed is refused even after the caches are dropped."""

    def view(self) -> View:
        """The view for a request beginning now (no I/O on PostgreSQL with its listener up)."""
        token = self.freshness.token()
        with self._lock:
            if self._view.token != token:
                self._view = View(token)
            return self._view

    def trust(self, view: View) -> TrustSnapshot:
        """The trust snapshot under `view` (read from the database on the view's first use)."""
        if view.trust is None:
            view.trust = self._registry.snapshot()
        return view.trust

    def status(self, view: View) -> CachedStatus:
        return CachedStatus(view, self._status, self.watermarks)


class CachedStatus:
    """A `StatusView` whose published lists are read once per view. Status histories (wanted
    only for a revoked or suspended document's reasons) are read each time."""

    def __init__(self, view: View, store: StatusStore, watermarks: ListWatermarks) -> None:
        self._lists = view.lists
        self._store = store
        self.watermarks = watermarks

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
