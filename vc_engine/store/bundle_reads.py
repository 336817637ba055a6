"""What an offline bundle carries, read from the registry in one transaction that also
takes the bundle's sequence number (see `offline.bundle_export`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, insert, select, true, update
from sqlalchemy.exc import IntegrityError, OperationalError

from vc_engine.revocation.status import (
    Action,
    DocumentEntries,
    DocumentState,
    DocumentStatus,
    Purpose,
    StatusEntry,
    StatusEvent,
)
from vc_engine.store import queries
from vc_engine.store.anchor_tables import all_subjects, anchor_set
from vc_engine.store.engine import WRITE
from vc_engine.store.registry import Registry
from vc_engine.store.schema import (
    bundle_sequences,
    issuance_renditions,
    issuances,
    status_entries,
    status_events,
    status_list_credentials,
    status_lists,
)
from vc_engine.trust.anchors import CertificateSubject
from vc_engine.trust.chains import AnchorSet
from vc_engine.trust.records import Authorisation, IssuanceRecord, IssuerRecord, RegisteredKey

T = TypeVar("T")


@dataclass(frozen=True)
class RegistryExport:
    """The registry as one export sees it, with the sequence number the export took."""

    sequence: int
    _conn: Connection

    def issuers(self) -> tuple[IssuerRecord, ...]:
        return queries.all_issuers(self._conn)

    def keys(self) -> tuple[RegisteredKey, ...]:
        return queries.keys_where(self._conn, true())

    def authorisations(self) -> tuple[Authorisation, ...]:
        return queries.authorisations_where(self._conn, true())

    def certificate_subjects(self) -> tuple[CertificateSubject, ...]:
        return all_subjects(self._conn)

    def anchors(self) -> AnchorSet:
        return anchor_set(self._conn)

    def issuances(self) -> Iterator[IssuanceRecord]:
        return _issuance_rows(self._conn)

    def status(self) -> tuple[dict[str, str], list[DocumentStatus], list[str]]:
        return _status_part(self._conn)


def read_numbered(registry: Registry, root_key_id: str, read: Callable[[RegistryExport], T]) -> T:
    """Run `read` in one transaction that takes the next sequence number of `root_key_id`.

    Exports by one root are serialized: on PostgreSQL by the sequence row's lock (a concurrent
    export loses the race and `read` runs again, so it must start afresh each time), on SQLite
    by its one writer at a time.
    """
    for attempt in range(_ATTEMPTS):
        try:
            with _numbered_snapshot(registry) as conn:
                return read(RegistryExport(_next_sequence(conn, root_key_id), conn))
        except (OperationalError, IntegrityError) as error:
            if attempt + 1 == _ATTEMPTS or not _lost_the_race(error):
                raise
    raise AssertionError("unreachable")


_ATTEMPTS = 50
"""Concurrent exports of one root each retry once another commits; they are rare."""


@contextmanager
def _numbered_snapshot(registry: Registry) -> Iterator[Connection]:
    """One write transaction whose every statement sees the same registry state (SQLite's
    BEGIN IMMEDIATE; PostgreSQL's REPEATABLE READ, whose snapshot is taken by the sequence
    update that comes first)."""
    with registry.engine.connect() as conn:
        conn.execution_options(**{WRITE: True})
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def _next_sequence(conn: Connection, root_key_id: str) -> int:
    updated = conn.execute(
        update(bundle_sequences)
        .where(bundle_sequences.c.root_key_id == root_key_id)
        .values(last_sequence=bundle_sequences.c.last_sequence + 1)
        .returning(bundle_sequences.c.last_sequence)
    ).scalar_one_or_none()
    if updated is not None:
        return int(updated)
    conn.execute(insert(bundle_sequences).values(root_key_id=root_key_id, last_sequence=1))
    return 1


def _lost_the_race(error: OperationalError | IntegrityError) -> bool:
    """Another export of this root took the sequence first: PostgreSQL's "could not serialize
    access" (40001), or both inserted the root's first number (a unique violation). Running
    again sees its commit."""
    return isinstance(error, IntegrityError) or getattr(error.orig, "sqlstate", None) == "40001"


def _issuance_rows(conn: Connection) -> Iterator[IssuanceRecord]:
    """Every register row with its renditions, in code point order of document id (the
    order `str` compares in: "C" collation on PostgreSQL, SQLite's default binary)."""
    document_id: Any = issuances.c.document_id
    if conn.dialect.name == "postgresql":
        document_id = document_id.collate("C")
    query = (
        select(issuances, issuance_renditions.c.format, issuance_renditions.c.sha256.label("r"))
        .outerjoin(
            issuance_renditions, issuance_renditions.c.document_id == issuances.c.document_id
        )
        .order_by(document_id, issuance_renditions.c.format)
        .execution_options(stream_results=True, yield_per=5000)
    )
    current: Any = None
    renditions: list[tuple[str, str]] = []
    for row in conn.execute(query):
        if current is not None and row.document_id != current.document_id:
            yield queries.issuance_record(current, tuple(renditions))
            renditions = []
        current = row
        if row.format is not None:
            renditions.append((row.format, row.r))
    if current is not None:
        yield queries.issuance_record(current, tuple(renditions))


def _status_part(
    conn: Connection,
) -> tuple[dict[str, str], list[DocumentStatus], list[str]]:
    """The published lists of every issuer, the lists never published (as warnings), and the
    status history of every document ever revoked, suspended or reinstated."""
    published = conn.execute(
        select(
            status_lists.c.id,
            status_list_credentials.c.credential,
        )
        .select_from(status_lists.outerjoin(status_list_credentials))
        .order_by(status_lists.c.issuer_id, status_lists.c.purpose, status_lists.c.sequence)
    ).all()
    lists = {r.id: bytes(r.credential).decode("ascii") for r in published if r.credential}
    warnings = [
        f"status list {r.id} has never been published; not included"
        for r in published
        if not r.credential
    ]
    entries: dict[str, dict[str, tuple[str, int, bool]]] = {}
    for r in conn.execute(
        select(
            status_entries.c.document_id,
            status_entries.c.purpose,
            status_entries.c.list_id,
            status_entries.c.list_index,
            status_entries.c.is_set,
        ).where(status_entries.c.document_id.in_(select(status_events.c.document_id)))
    ):
        entries.setdefault(r.document_id, {})[r.purpose] = (r.list_id, r.list_index, r.is_set)
    histories: dict[str, list[StatusEvent]] = {}
    for e in conn.execute(select(status_events).order_by(status_events.c.id)):
        histories.setdefault(e.document_id, []).append(
            StatusEvent(Action(e.action), e.effective_at, None, None, e.recorded_at)
        )
    statuses = [
        _document_status(document_id, entries[document_id], history)
        for document_id, history in sorted(histories.items())
    ]
    return lists, statuses, warnings


def _document_status(
    document_id: str, rows: dict[str, tuple[str, int, bool]], history: list[StatusEvent]
) -> DocumentStatus:
    def entry(purpose: Purpose) -> StatusEntry:
        list_id, index, _ = rows[purpose.value]
        return StatusEntry(document_id, purpose, list_id, index)

    if rows[Purpose.REVOCATION.value][2]:
        state = DocumentState.REVOKED
    elif rows[Purpose.SUSPENSION.value][2]:
        state = DocumentState.SUSPENDED
    else:
        state = DocumentState.ACTIVE
    return DocumentStatus(
        document_id,
        state,
        DocumentEntries(entry(Purpose.REVOCATION), entry(Purpose.SUSPENSION)),
        tuple(history),
    )
