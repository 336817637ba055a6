"""Knowing, without a query per request, that the registry has not changed since we read it.

The service caches what every request needs from the database (the trust snapshot, the
published status lists, the client rows) under a *token*: a value that changes whenever a write
anywhere (this process, another service process, the CLI, psql) may have changed what was read.
A request takes the token first and reuses what was read under an equal token, so it never sees
the registry older than it was when the request began, except for the delay described below.

PostgreSQL (`Notifications`): statement-level triggers on the watched tables (installed by the
registry's migration 0007, which lists them) `NOTIFY` a channel, with the schema's name as the
payload; PostgreSQL delivers it when (and only if) the writing
transaction commits. Each process keeps one listening connection on a thread that bumps a
generation counter, and the token is that counter: no query at all. The delay is the delivery
of the notification to the listener thread (well under a millisecond on an idle host, a few
milliseconds under load: the thread waits for the GIL). Writes through this process's own
routes bump the counter before their response is sent (`changed`), so the same process never
waits for its own notification. While the listener is not known to be connected (starting,
reconnecting, or silent for longer than `_ALIVE_FOR` seconds) the token falls back to
`FINGERPRINT`, one query per request, as exact as before; a reconnection bumps the counter, since
notifications may have been missed while it was down.

SQLite (one host; `Fingerprint`): `FINGERPRINT` on a dedicated connection, in one statement of
a few index reads. `PRAGMA data_version` would be cheaper but changes on every audit-log insert,
which would invalidate the cache on every request.

The fingerprint relies on how the watched tables are written: key events, authorisations and
clients are only inserted (so are CRLs and certificate subjects; a CA certificate's removal sets
its `removed_at`), a key's changes insert a key event, an issuer's status changes its
`status_since`, a client is revoked once (`revoked_at` goes from NULL to a time), and each
publication of a status list raises its `version`, and each e-locker configuration its
`revision`; document type versions are only inserted. The PostgreSQL triggers rely on nothing.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Hashable
from typing import Any, Protocol

from sqlalchemy import Engine, func, select, text, true
from sqlalchemy.dialects import sqlite as sqlite_dialect

from vc_engine.store.reads import read_only
from vc_engine.store.schema import (
    api_clients,
    authorisations,
    certificate_revocation_lists,
    digilocker_issuers,
    doctype_versions,
    issuer_certificate_subjects,
    issuer_keys,
    issuers,
    key_events,
    status_list_credentials,
    trust_anchors,
)

log = logging.getLogger("vc_engine.store")

CHANNEL = "vc_engine_registry"

_ALIVE_FOR = 3.0
"""Seconds the listener may go without proof of life (a notification or a heartbeat) before
requests stop trusting the counter alone."""
_HEARTBEAT = 1.0

# One row of counters, outer-joined to every issuer's status (issuers are few and their status
# changes in place), so an empty issuers table still carries the counters.
_counters = select(
    select(func.count(key_events.c.id)).scalar_subquery().label("events"),
    select(func.max(key_events.c.id)).scalar_subquery().label("last_event"),
    select(func.count(authorisations.c.id)).scalar_subquery().label("grants"),
    select(func.max(authorisations.c.id)).scalar_subquery().label("last_grant"),
    select(func.count(issuer_keys.c.key_id)).scalar_subquery().label("keys"),
    select(func.count(api_clients.c.id)).scalar_subquery().label("clients"),
    select(func.count(api_clients.c.revoked_at)).scalar_subquery().label("revoked"),
    select(func.count(status_list_credentials.c.list_id)).scalar_subquery().label("lists"),
    select(func.sum(status_list_credentials.c.version)).scalar_subquery().label("versions"),
    select(func.max(trust_anchors.c.id)).scalar_subquery().label("last_anchor"),
    select(func.count(trust_anchors.c.removed_at)).scalar_subquery().label("removed_anchors"),
    select(func.max(certificate_revocation_lists.c.id)).scalar_subquery().label("last_crl"),
    select(func.max(issuer_certificate_subjects.c.id)).scalar_subquery().label("last_subject"),
    select(func.sum(digilocker_issuers.c.revision)).scalar_subquery().label("digilocker"),
    select(func.count(doctype_versions.c.code)).scalar_subquery().label("doctypes"),
).subquery("counters")
FINGERPRINT = (
    select(_counters, issuers.c.id, issuers.c.status, issuers.c.status_since)
    .select_from(_counters.outerjoin(issuers, true()))
    .order_by(issuers.c.id)
)


class Freshness(Protocol):
    def token(self) -> Hashable:
        """Equal to an earlier token only if nothing watched has changed in between."""
        ...

    def changed(self) -> None:
        """This process has just committed a write: the next token must differ."""
        ...

    def start(self) -> None:
        """Open again after `close` (a lifespan that starts once more); a no-op when open."""
        ...

    def close(self) -> None: ...


def for_engine(engine: Engine) -> Freshness:
    if engine.dialect.name == "postgresql":
        return Notifications(engine)
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        return Fingerprint(database)
    return Queried(engine)


class _Local:
    """A counter bumped by this process's own writes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.generation = 0

    def changed(self) -> None:
        with self._lock:
            self.generation += 1


class Queried(_Local):
    """`FINGERPRINT` through the engine's pool: any backend, one query per token."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self._engine = engine

    def token(self) -> Hashable:
        return self.generation, query_fingerprint(self._engine)

    def start(self) -> None:
        pass

    def close(self) -> None:
        pass


def query_fingerprint(engine: Engine) -> tuple[Any, ...]:
    with read_only(engine) as conn:
        return tuple(tuple(row) for row in conn.execute(FINGERPRINT))


class Fingerprint(_Local):
    """SQLite: `FINGERPRINT` on one dedicated connection (autocommit: the statement reads one
    consistent state), compiled once."""

    _SQL = str(FINGERPRINT.compile(dialect=sqlite_dialect.dialect()))

    def __init__(self, database: str) -> None:
        super().__init__()
        self._database = database
        self._query_lock = threading.Lock()
        self._connection = self._connect()

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self._database, check_same_thread=False, isolation_level=None, timeout=30.0
        )
        # Readers (this query, snapshots) then never wait for the audit log's writers.
        connection.execute("PRAGMA journal_mode = WAL")
        return connection

    def start(self) -> None:
        with self._query_lock:
            try:
                self._connection.execute("SELECT 1")
            except sqlite3.ProgrammingError:  # closed
                self._connection = self._connect()
                self.changed()

    def token(self) -> Hashable:
        with self._query_lock:
            rows = self._connection.execute(self._SQL).fetchall()
        return self.generation, tuple(rows)

    def close(self) -> None:
        with self._query_lock:
            self._connection.close()


class Notifications(_Local):
    """PostgreSQL: a generation counter bumped by LISTEN on `CHANNEL` (see the module doc)."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self._engine = engine
        self._alive_until = 0.0  # monotonic; 0: not listening
        self._stop = threading.Event()
        with engine.begin() as conn:
            self._schema: str = conn.execute(text("SELECT current_schema()")).scalar_one()
        self._thread = threading.Thread(target=self._listen, name="registry-listener", daemon=True)
        self._thread.start()

    def start(self) -> None:
        if self._thread.is_alive() and not self._stop.is_set():
            return
        self._thread.join(timeout=5)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="registry-listener", daemon=True)
        self._thread.start()

    def token(self) -> Hashable:
        if time.monotonic() < self._alive_until:
            return self.generation
        return self.generation, query_fingerprint(self._engine)

    def close(self) -> None:
        self._stop.set()

    def wait_listening(self, timeout: float) -> bool:
        """For tests and startup: whether the listener is connected within `timeout` s."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if time.monotonic() < self._alive_until:
                return True
            time.sleep(0.01)
        return False

    def _notified(self, schema: str) -> None:
        if schema == self._schema:
            self.changed()
        self._alive_until = time.monotonic() + _ALIVE_FOR

    def _listen(self) -> None:
        import psycopg

        url = self._engine.url
        cargs, cparams = self._engine.dialect.create_connect_args(url)
        while not self._stop.is_set():
            try:
                with psycopg.connect(*cargs, **cparams, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    # Anything committed before LISTEN took effect was not notified: forget it.
                    self.changed()
                    while not self._stop.is_set():
                        self._alive_until = time.monotonic() + _ALIVE_FOR
                        for notify in conn.notifies(timeout=_HEARTBEAT):
                            self._notified(notify.payload)
                        # Proof of life when nothing was notified; what arrives meanwhile waits
                        # in psycopg's backlog for the next `notifies`.
                        conn.execute("SELECT 1")
            except Exception:
                self._alive_until = 0.0
                log.warning("registry listener lost its connection; requests query until back")
                self._stop.wait(0.5)
        self._alive_until = 0.0
