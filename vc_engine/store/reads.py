"""Single-statement reads on the request path, in as few round trips as the backend allows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine


@contextmanager
def read_only(engine: Engine) -> Iterator[Connection]:
    """A connection for one read statement. On PostgreSQL it runs in autocommit (no BEGIN and
    ROLLBACK around it: one round trip instead of three); one statement sees one consistent
    state either way. SQLite reads in its own short transaction, which costs no round trip."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT")
        yield conn
