"""The trust registry over SQLAlchemy Core: issuers, their keys, what they may issue
(`issuer_tables`), the CA certificates, CRLs and certificate subjects issuers are trusted by
(`anchor_tables`), and the issuance register (`register`).

Every write validates its input first and refuses with a `RegistryError` naming what is wrong;
an impossible change (a key on two issuers, a document id reused, a second compromise) is refused
in the same transaction that would have made it. Nothing here reads the clock: every instant is
passed in, timezone-aware, and stored as UTC.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine, true

from vc_engine.store import queries
from vc_engine.store.anchor_tables import AnchorTables, all_subjects, anchor_set
from vc_engine.store.engine import create_registry_engine, migrate
from vc_engine.store.issuer_tables import IssuerTables
from vc_engine.store.register import IssuanceRegister
from vc_engine.trust.source import TrustSnapshot


class Registry(IssuerTables, AnchorTables, IssuanceRegister):
    """The registry of trust, stored in SQLite (default) or PostgreSQL; a `TrustSource`.

    Open with a SQLAlchemy URL, `init()` once to create or upgrade the schema, `close()` at the
    end (or use it as a context manager). Safe to share between threads.
    """

    @classmethod
    def open(cls, url: str) -> Registry:
        """`url` is e.g. `sqlite:///registry.db` or `postgresql+psycopg://host/db`; a PostgreSQL
        schema is chosen with `?options=-csearch_path%3Dname` (the tables go there too)."""
        return cls(create_registry_engine(url))

    def init(self) -> None:
        """Migrate the schema to the newest revision; running it again changes nothing."""
        with self._write() as conn:
            migrate(conn)

    def close(self) -> None:
        self._engine.dispose()

    @property
    def engine(self) -> Engine:
        """The database engine, shared with rooms that keep their tables in the registry's
        database (the status lists). A writer there must use `engine.write_transaction`, as
        `_write` does, so SQLite queues it with BEGIN IMMEDIATE."""
        return self._engine

    def __enter__(self) -> Registry:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # Snapshot

    def snapshot(self) -> TrustSnapshot:
        """Copy issuers, keys, authorisations, certificate subjects, CA certificates and CRLs in
        one consistent read (see `TrustSnapshot`)."""
        with self._read(consistent=True) as conn:
            return TrustSnapshot(
                issuers=queries.all_issuers(conn),
                keys=queries.keys_where(conn, true()),
                authorisations=queries.authorisations_where(conn, true()),
                issuance=self.get_issuance,
                subjects=all_subjects(conn),
                anchors=anchor_set(conn),
            )
