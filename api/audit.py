"""The verification audit log: who verified which document, when, and with what verdict.

Only the document's id (when the signature covered one) and the SHA-256 of the bytes submitted
are kept, never the content: the log proves that a check happened without becoming a second
copy of citizens' documents.

The service writes through `AuditWriter`, a group commit: requests hand their entry to one
writer thread per process and wait for it; the thread writes everything that queued up while
its previous transaction committed (up to `MAX_BATCH` entries) in one transaction. A request
answers only after its entry is committed, so no acknowledged verification goes unlogged, and
a busy process pays one commit (and on SQLite one fsync) per batch rather than per request.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import queue
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select

from vc_engine.model import VerificationReport
from vc_engine.store.engine import WRITE
from vc_engine.store.schema import verification_log

MAX_BATCH = 500
log = logging.getLogger("vc_engine.api")


@dataclass(frozen=True)
class AuditEntry:
    client_id: str
    verified_at: datetime
    document_id: str | None
    document_sha256: str
    indication: str
    sub_indication: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "client": self.client_id,
            "time": self.verified_at.isoformat(),
            "documentId": self.document_id,
            "documentSha256": self.document_sha256,
            "indication": self.indication,
            "subIndication": self.sub_indication,
        }


def entry(client_id: str, at: datetime, data: bytes, report: VerificationReport) -> AuditEntry:
    return AuditEntry(
        client_id=client_id,
        verified_at=at,
        document_id=None if report.document is None else report.document.id,
        document_sha256=hashlib.sha256(data).hexdigest(),
        indication=str(report.indication),
        sub_indication=None if report.sub_indication is None else str(report.sub_indication),
    )


class AuditLog:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def write(self, entries: Sequence[AuditEntry]) -> None:
        if not entries:
            return
        with self._engine.connect() as conn:
            conn.execution_options(**{WRITE: True})  # SQLite: BEGIN IMMEDIATE, queue on the lock
            conn.begin()
            if conn.dialect.name == "postgresql":
                # The entry reaches the WAL at once and disk within PostgreSQL's WAL writer
                # delay (200 ms by default); only a crash of the database server itself in that
                # window could lose it. Verification does not wait for the disk.
                conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
            conn.execute(
                insert(verification_log),
                [
                    {
                        "client_id": e.client_id,
                        "verified_at": e.verified_at,
                        "document_id": e.document_id,
                        "document_sha256": e.document_sha256,
                        "indication": e.indication,
                        "sub_indication": e.sub_indication,
                    }
                    for e in entries
                ],
            )
            conn.commit()

    def query(
        self,
        *,
        client_id: str | None = None,
        document_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
    ) -> list[AuditEntry]:
        """Newest first."""
        log = verification_log.c
        statement = select(verification_log).order_by(log.id.desc()).limit(limit)
        if client_id is not None:
            statement = statement.where(log.client_id == client_id)
        if document_id is not None:
            statement = statement.where(log.document_id == document_id)
        if since is not None:
            statement = statement.where(log.verified_at >= since)
        if until is not None:
            statement = statement.where(log.verified_at < until)
        with self._engine.connect() as conn:
            rows = conn.execute(statement).all()
        return [
            AuditEntry(
                r.client_id,
                r.verified_at,
                r.document_id,
                r.document_sha256,
                r.indication,
                r.sub_indication,
            )
            for r in rows
        ]


class AuditWriter:
    """One thread that commits queued entries in batches (see the module docstring)."""

    def __init__(self, log: AuditLog, *, max_batch: int = MAX_BATCH) -> None:
        self._log = log
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[_Queued | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
        self._thread.start()

    def start(self) -> None:
        """Run again after `close` (an app whose lifespan starts once more, as in tests)."""
        if not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
            self._thread.start()

    def submit(self, entry: AuditEntry) -> asyncio.Future[None]:
        """Queue `entry` (from the event loop); the future completes when the entry is
        committed, or with the error that kept it out of the log."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if not self._thread.is_alive():
            done.set_exception(RuntimeError("the audit log writer has stopped"))
        else:
            self._queue.put((entry, done))
        return done

    def close(self) -> None:
        """Commit what is queued, then stop (the app's shutdown)."""
        self._queue.put(None)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        stopping = False
        while not stopping:
            item = self._queue.get()
            if item is None:
                break
            batch = [item]
            while len(batch) < self._max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            error: Exception | None = None
            try:
                self._log.write([entry for entry, _ in batch])
            except Exception as exc:
                log.exception("audit log: %d entries not written", len(batch))
                error = exc
            # One wake-up of each event loop per batch, not one per entry.
            waiting: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
            for _, done in batch:
                waiting.setdefault(done.get_loop(), []).append(done)
            for loop, futures in waiting.items():
                # RuntimeError: that loop has closed, so nobody is waiting any more.
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(_settle, futures, error)


_Queued = tuple[AuditEntry, "asyncio.Future[None]"]


def _settle(futures: list[asyncio.Future[None]], error: Exception | None) -> None:
    for done in futures:
        if done.done():  # the request went away
            continue
        if error is None:
            done.set_result(None)
        else:
            done.set_exception(error)
