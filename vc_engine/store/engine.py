"""Opening the registry's database and migrating it.

SQLite needs two corrections to behave like PostgreSQL here: foreign keys are off unless asked
for, and Python's sqlite3 module does not begin a transaction before a SELECT, so a read spanning
several statements (a snapshot) could see a half-applied write. We take over BEGIN ourselves, as
the SQLAlchemy documentation recommends; a write begins IMMEDIATE so two writers queue on the
busy timeout instead of failing on lock upgrade.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import IntegrityError

from vc_engine.store.errors import RegistryError

_MIGRATIONS = Path(__file__).parent / "migrations"

WRITE = "vc_engine_write"
"""Execution option marking a connection that will write; see the module docstring."""


SQLITE_BUSY_SECONDS = 30.0
"""How long a SQLite writer waits for another's transaction. sqlite3's default, 5 s, was seen to
run out on a loaded two-core machine (two processes revoking at once): one of them failed with
"database is locked" where waiting a little longer loses nothing."""


def create_registry_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS})
    else:
        engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA foreign_keys = ON")


def _sqlite_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def head_revision() -> str:
    """The newest migration's revision id. Ids are zero-padded sequence numbers that prefix each
    file's name (a test holds this equal to Alembic's own head), so this needs no Alembic."""
    return max(path.name.split("_", 1)[0] for path in (_MIGRATIONS / "versions").glob("0*.py"))


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at; None when it has no schema yet."""
    if not connection.dialect.has_table(connection, "alembic_version"):
        return None
    found = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return None if found is None else str(found)


def migrate(connection: Connection) -> None:
    """Bring the schema on `connection` to the newest revision; a no-op when it is there.

    A registry already at the head is recognised with one query, without importing Alembic
    (a third of a second): most commands open a registry that is up to date."""
    if current_revision(connection) == head_revision():
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.set_main_option("path_separator", "os")
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def ping(engine: Engine) -> None:
    """Ask the database for nothing; raises when it does not answer (the health check)."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One write transaction; on SQLite it starts with BEGIN IMMEDIATE, so concurrent writers
    queue instead of failing half-way."""
    with engine.connect() as conn:
        conn.execution_options(**{WRITE: True})
        with conn.begin():
            yield conn


@contextmanager
def read_transaction(engine: Engine, *, consistent: bool = False) -> Iterator[Connection]:
    """One read transaction; `consistent` makes every statement in it see the same state
    (SQLite transactions already do; PostgreSQL needs REPEATABLE READ)."""
    with engine.connect() as conn:
        if consistent and conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


@contextmanager
def refuse_on_conflict(error: RegistryError) -> Iterator[None]:
    """Turn a uniqueness violation into `error`. The explicit checks before each insert give
    the precise message; this catches the writer that raced in between."""
    try:
        yield
    except IntegrityError:
        raise error from None


class Database:
    """A part of the registry: the engine and its two kinds of transaction."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _write(self) -> AbstractContextManager[Connection]:
        return write_transaction(self._engine)

    def _read(self, *, consistent: bool = False) -> AbstractContextManager[Connection]:
        return read_transaction(self._engine, consistent=consistent)
