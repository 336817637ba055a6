"""Writing the request log (`vc_engine.store.request_log`) from the service: who verified which
document, when, and with what verdict, never the document.

The service writes through `RequestLogWriter`, a group commit: requests hand their entry to one
writer thread per process and wait for it; the thread writes everything that queued up while
its previous transaction committed (up to `MAX_BATCH` entries) in one transaction. A request
answers only after its entry is committed, so no acknowledged verification goes unlogged, and
a busy process pays one commit (and on SQLite one fsync) per batch rather than per request.
With `Settings.durable_request_log` off a request answers once its entry is queued instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import queue
import threading
from datetime import datetime

from vc_engine.model import VerificationReport
from vc_engine.store.request_log import LoggedVerification, RequestLog

MAX_BATCH = 500
log = logging.getLogger("vc_engine.api")


def entry(
    client_id: str, at: datetime, data: bytes, report: VerificationReport
) -> LoggedVerification:
    return LoggedVerification(
        client_id=client_id,
        verified_at=at,
        document_id=None if report.document is None else report.document.id,
        document_sha256=hashlib.sha256(data).hexdigest(),
        indication=str(report.indication),
        sub_indication=None if report.sub_indication is None else str(report.sub_indication),
    )


class RequestLogWriter:
    """One thread that commits queued entries in batches (see the module docstring)."""

    def __init__(self, log: RequestLog, *, max_batch: int = MAX_BATCH) -> None:
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

    def submit(self, entry: LoggedVerification) -> asyncio.Future[None]:
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


_Queued = tuple[LoggedVerification, "asyncio.Future[None]"]


def unawaited(done: asyncio.Future[None]) -> None:
    """Let `done` complete with nobody waiting: a failure is already logged by the writer, so
    its exception is taken here rather than reported again as never retrieved."""
    done.add_done_callback(lambda future: future.cancelled() or future.exception())


def _settle(futures: list[asyncio.Future[None]], error: Exception | None) -> None:
    for done in futures:
        if done.done():  # the request went away
            continue
        if error is None:
            done.set_result(None)
        else:
            done.set_exception(error)
