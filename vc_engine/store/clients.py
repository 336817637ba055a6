"""The service's clients table: who may call the HTTP service, and for what. Only the hash of each
client's secret is stored (the service hashes and checks secrets: `api.access`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row, insert, select, update

from vc_engine.store.reads import read_only
from vc_engine.store.schema import api_clients


@dataclass(frozen=True)
class ClientRecord:
    id: str
    name: str
    scopes: frozenset[str]
    created_at: datetime
    revoked_at: datetime | None
    secret_hash: str
    """A salted slow hash of the secret; the secret itself is never stored."""

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    def allows_any(self, prefix: str) -> bool:
        """Holds some scope starting with `prefix` (e.g. `issue:` for one issuer or another)."""
        return any(scope.startswith(prefix) for scope in self.scopes)

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class ClientTable:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def insert(self, record: ClientRecord) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                insert(api_clients).values(
                    id=record.id,
                    name=record.name,
                    secret_hash=record.secret_hash,
                    scopes=" ".join(sorted(record.scopes)),
                    created_at=record.created_at,
                    revoked_at=record.revoked_at,
                )
            )

    def revoke(self, client_id: str, *, at: datetime) -> bool:
        """Mark an active client revoked; False when there is no active client of that id."""
        with self._engine.begin() as conn:
            done = conn.execute(
                update(api_clients)
                .where(api_clients.c.id == client_id, api_clients.c.revoked_at.is_(None))
                .values(revoked_at=at)
            )
        return done.rowcount == 1

    def all(self) -> list[ClientRecord]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(api_clients).order_by(api_clients.c.created_at)).all()
        return [_record(row) for row in rows]

    def get(self, client_id: str) -> ClientRecord | None:
        with read_only(self._engine) as conn:
            row = conn.execute(
                select(api_clients).where(api_clients.c.id == client_id)
            ).one_or_none()
        return None if row is None else _record(row)


def _record(row: Row[Any]) -> ClientRecord:
    return ClientRecord(
        id=row.id,
        name=row.name,
        scopes=frozenset(row.scopes.split()),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        secret_hash=row.secret_hash,
    )
