"""The registry snapshot a verification reads, reused while the registry has not changed.

Taking a `TrustSnapshot` reads every issuer, key (with history) and authorisation; doing that for
every request would make the registry's size the cost of a verification. Instead each request
asks the database one cheap question, the registry's fingerprint, and reuses the snapshot taken
under the same fingerprint. Any write through any process (this one, another service process,
the CLI) changes the fingerprint, so the next request in every process sees it: the service stays
stateless in the sense that matters, and a compromise or revocation recorded anywhere applies at
once.

The fingerprint: the count and greatest id of key events and of authorisations (both only ever
inserted; every new key inserts an event), the number of keys, and each issuer's status and
status time (issuers are few; their status changes in place).
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine, func, select

from api.reads import read_only
from vc_engine.trust.schema import authorisations, issuer_keys, issuers, key_events
from vc_engine.trust.store import Registry
from vc_engine.trust.view import TrustSnapshot

# One statement, one round trip: the counters ride along on every issuer row (both backends
# evaluate the uncorrelated subqueries once). Built once: SQLAlchemy then reuses its compiled form.
_FINGERPRINT = select(
    issuers.c.id,
    issuers.c.status,
    issuers.c.status_since,
    select(func.count(key_events.c.id)).scalar_subquery(),
    select(func.max(key_events.c.id)).scalar_subquery(),
    select(func.count(authorisations.c.id)).scalar_subquery(),
    select(func.max(authorisations.c.id)).scalar_subquery(),
    select(func.count(issuer_keys.c.key_id)).scalar_subquery(),
).order_by(issuers.c.id)


class FreshTrust:
    def __init__(self, engine: Engine, registry: Registry) -> None:
        self._engine = engine
        self._registry = registry
        self._lock = threading.Lock()
        self._cached: tuple[tuple[Any, ...], TrustSnapshot] | None = None

    def fingerprint(self) -> tuple[Any, ...]:
        with read_only(self._engine) as conn:
            return tuple(tuple(row) for row in conn.execute(_FINGERPRINT))

    def snapshot(self) -> TrustSnapshot:
        """A snapshot at least as new as the registry was when this call began."""
        current = self.fingerprint()
        with self._lock:
            cached = self._cached
        if cached is not None and cached[0] == current:
            return cached[1]
        snapshot = self._registry.snapshot()
        with self._lock:
            self._cached = (current, snapshot)
        return snapshot
