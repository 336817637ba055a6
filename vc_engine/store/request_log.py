"""The request log's table: who verified which document, when, and with what verdict.

Only the document's id (when the signature covered one) and the SHA-256 of the bytes submitted
are kept, never the content: the log proves that a check happened without becoming a second
copy of citizens' documents. The service writes it by group commit (`api.request_log`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

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


_COLUMNS = (
    "client_id",
    "verified_at",
    "document_id",
    "document_sha256",
    "indication",
    "sub_indication",
)


class RequestLog:
    def __init__(self, engine: Engine, *, synchronous: bool = True) -> None:
        self._engine = engine
        self._synchronous = synchronous
        """PostgreSQL: each `write` returns once its entries are on disk (one WAL flush per
        group). False: once they reach the WAL, and disk within PostgreSQL's WAL writer delay
        (200 ms by default), so only a crash of the database server itself in that window
        could lose them."""

    def write(self, entries: Sequence[LoggedVerification]) -> None:
        if not entries:
            return
        with self._engine.connect() as conn:
            conn.execution_options(**{WRITE: True})  # SQLite: BEGIN IMMEDIATE, queue on the lock
            conn.begin()
            if conn.dialect.name == "postgresql":
                if not self._synchronous:
                    conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
                _copy(conn, entries)
            else:
                conn.execute(
                    insert(verification_log),
                    [dict(zip(_COLUMNS, _row(e), strict=True)) for e in entries],
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


def _row(entry: LoggedVerification) -> tuple[object, ...]:
    if entry.verified_at.utcoffset() is None:
        raise ValueError(f"refusing naive datetime {entry.verified_at}: the log stores instants")
    return (
        entry.client_id,
        entry.verified_at.astimezone(UTC),
        entry.document_id,
        entry.document_sha256,
        entry.indication,
        entry.sub_indication,
    )


def _copy(conn: Connection, entries: Sequence[LoggedVerification]) -> None:
    """PostgreSQL's COPY: a group of hundreds of entries costs about what one INSERT does,
    where an executemany paid a round of Python and protocol work per entry."""
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(verification_log.name), sql.SQL(", ").join(map(sql.Identifier, _COLUMNS))
    )
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for entry in entries:
            copy.write_row(_row(entry))
