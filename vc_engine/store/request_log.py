"""The request log's table: who verified which document, when, and with what verdict.

Only the document's id (when the signature covered one) and the SHA-256 of the bytes submitted
are kept, never the content: the log proves that a check happened without becoming a second
copy of citizens' documents. The service writes it by group commit (`api.request_log`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select

from vc_engine.store.engine import WRITE
from vc_engine.store.schema import verification_log


@dataclass(frozen=True)
class LoggedVerification:
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


class RequestLog:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def write(self, entries: Sequence[LoggedVerification]) -> None:
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
    ) -> list[LoggedVerification]:
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
            LoggedVerification(
                r.client_id,
                r.verified_at,
                r.document_id,
                r.document_sha256,
                r.indication,
                r.sub_indication,
            )
            for r in rows
        ]
