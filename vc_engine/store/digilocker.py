"""The e-locker issuer Pull API's tables: each issuer's sealed API key and search fields, and the
log of every Pull request received, which is also the replay guard.

The API key is stored sealed (`vc_engine.keys.sealed`) under the service's key file, never in
clear: the HMAC over each request needs the key itself, so a hash would not do, and a copy of
the database alone does not let anyone forge the e-locker's requests.

Every request is logged (issuer, API, txn, ts, SHA-256 of the body, the answer's status and a
machine code, the document), never the body: the log proves what was asked and answered
without becoming a copy of citizens' documents. An authenticated request carries a *replay
key* (issuer, API, txn, ts), unique in the table: a second request with the same one is refused
(`record` returns False), even when two arrive at once on different processes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from vc_engine.store.engine import Database, write_transaction
from vc_engine.store.errors import UnknownIssuer
from vc_engine.store.schema import digilocker_issuers, digilocker_requests, issuers


@dataclass(frozen=True)
class DoctypeSearch:
    """How the e-locker's search for one document type maps onto the document's fields."""

    search: Mapping[str, str]
    """Search parameter (`UDF1`, ...) to the document field it must equal (`rollNumber`,
    `docId`, ...)."""
    names: tuple[str, ...] = ("name", "nameLocal")
    """Holder fields a sent `FullName` is compared with (a match with any one suffices)."""
    date_of_birth: str = "dateOfBirth"
    """The holder field a sent `DOB` is compared with."""
    require: tuple[str, ...] = ()
    """Of `FullName` and `DOB`: those a request must send (and match) to get a document."""

    def to_json(self) -> dict[str, Any]:
        return {
            "search": dict(self.search),
            "names": list(self.names),
            "dateOfBirth": self.date_of_birth,
            "require": list(self.require),
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> DoctypeSearch:
        return cls(
            search=dict(value["search"]),
            names=tuple(value["names"]),
            date_of_birth=value["dateOfBirth"],
            require=tuple(value["require"]),
        )


@dataclass(frozen=True)
class DigiLockerIssuer:
    issuer_id: str
    sealed_key: bytes
    doctypes: Mapping[str, DoctypeSearch]
    revision: int
    configured_at: datetime


@dataclass(frozen=True)
class PullRequestEntry:
    """One request to the Pull API as logged (see the module docstring)."""

    received_at: datetime
    issuer_id: str
    api: str
    txn: str | None
    ts: str | None
    body_sha256: str
    status: int
    code: str
    document_id: str | None = None
    replay_key: str | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "time": self.received_at.isoformat(),
            "issuer": self.issuer_id,
            "api": self.api,
            "txn": self.txn,
            "ts": self.ts,
            "bodySha256": self.body_sha256,
            "status": self.status,
            "code": self.code,
            "documentId": self.document_id,
        }


class DigiLockerStore(Database):
    def configure(
        self,
        issuer_id: str,
        *,
        sealed_key: bytes,
        doctypes: Mapping[str, DoctypeSearch],
        at: datetime,
    ) -> DigiLockerIssuer:
        """Set (or replace) `issuer_id`'s key and search fields; the revision goes up by one,
        which tells every service process to drop what it cached."""
        text = json.dumps({code: d.to_json() for code, d in sorted(doctypes.items())})
        with self._write() as conn:
            if conn.execute(select(issuers.c.id).where(issuers.c.id == issuer_id)).first() is None:
                raise UnknownIssuer(f"no issuer {issuer_id!r} in the registry")
            row = conn.execute(
                select(digilocker_issuers.c.revision).where(
                    digilocker_issuers.c.issuer_id == issuer_id
                )
            ).first()
            values = {"sealed_key": sealed_key, "doctypes": text, "configured_at": at}
            if row is None:
                revision = 1
                conn.execute(
                    insert(digilocker_issuers).values(
                        issuer_id=issuer_id, revision=revision, **values
                    )
                )
            else:
                revision = row.revision + 1
                conn.execute(
                    update(digilocker_issuers)
                    .where(digilocker_issuers.c.issuer_id == issuer_id)
                    .values(revision=revision, **values)
                )
        return DigiLockerIssuer(issuer_id, sealed_key, dict(doctypes), revision, at)

    def issuer(self, issuer_id: str) -> DigiLockerIssuer | None:
        with self._read() as conn:
            row = conn.execute(
                select(digilocker_issuers).where(digilocker_issuers.c.issuer_id == issuer_id)
            ).one_or_none()
        if row is None:
            return None
        doctypes = {
            code: DoctypeSearch.from_json(value) for code, value in json.loads(row.doctypes).items()
        }
        return DigiLockerIssuer(
            row.issuer_id, row.sealed_key, doctypes, row.revision, row.configured_at
        )

    def record(self, entry: PullRequestEntry) -> bool:
        """Log `entry`; False (and the entry logged as a replay instead) when its replay key
        was used before."""
        try:
            _insert(self._engine, entry)
        except IntegrityError:
            if entry.replay_key is None:
                raise
            replay = PullRequestEntry(
                entry.received_at,
                entry.issuer_id,
                entry.api,
                entry.txn,
                entry.ts,
                entry.body_sha256,
                0,
                "replayed",
            )
            _insert(self._engine, replay)
            return False
        return True

    def requests(
        self, *, issuer_id: str | None = None, since: datetime | None = None, limit: int = 100
    ) -> list[PullRequestEntry]:
        """Newest first."""
        log = digilocker_requests.c
        statement = select(digilocker_requests).order_by(log.id.desc()).limit(limit)
        if issuer_id is not None:
            statement = statement.where(log.issuer_id == issuer_id)
        if since is not None:
            statement = statement.where(log.received_at >= since)
        with self._read() as conn:
            rows = conn.execute(statement).all()
        return [
            PullRequestEntry(
                r.received_at,
                r.issuer_id,
                r.api,
                r.txn,
                r.ts,
                r.body_sha256,
                r.status,
                r.code,
                r.document_id,
                r.replay_key,
            )
            for r in rows
        ]


def _insert(engine: Engine, entry: PullRequestEntry) -> None:
    """One statement: on PostgreSQL in autocommit (one round trip, committed durably before
    the answer); on SQLite in a write transaction (BEGIN IMMEDIATE queues writers)."""
    statement = insert(digilocker_requests).values(
        received_at=entry.received_at,
        issuer_id=entry.issuer_id,
        api=entry.api,
        txn=entry.txn,
        ts=entry.ts,
        body_sha256=entry.body_sha256,
        status=entry.status,
        code=entry.code,
        document_id=entry.document_id,
        replay_key=entry.replay_key,
    )
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(statement)
        return
    with write_transaction(engine) as conn:
        conn.execute(statement)
