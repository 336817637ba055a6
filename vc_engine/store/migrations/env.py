"""Alembic environment for the trust registry.

Migrations run only through `vc_engine.store.engine.migrate`, which hands over an open connection
(so a PostgreSQL `search_path` or a SQLite pragma set on it applies to the migration too). The
connection's transaction is the caller's: it commits the schema change, or nothing.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from vc_engine.store.schema import metadata

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError(
        "the trust registry migrates only through Registry.init(), which supplies a connection"
    )
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
