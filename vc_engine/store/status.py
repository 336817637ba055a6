"""Status entries, revocation, suspension and reinstatement, in the registry's database.

Every write is one transaction: an allocation hands out all of its entries or none (a crash
mid-way commits nothing, so no index is ever handed out twice), and a status change writes its
history event, flips its bit and bumps its list's version together, so concurrent changes never
lose one another and a publisher never sees a bit without its event. A refused change leaves
nothing behind. Nothing here reads the clock: every instant is passed in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from vc_engine.revocation.bitstring import Bitstring
from vc_engine.revocation.source import ListMemory, StatusSnapshot
from vc_engine.revocation.status import (
    Action,
    DocumentEntries,
    DocumentState,
    DocumentStatus,
    PublishedList,
    Purpose,
    StatusEntry,
    StatusEvent,
)
from vc_engine.store import allocation, queries, validate
from vc_engine.store.engine import read_transaction, write_transaction
from vc_engine.store.registry import Registry
from vc_engine.store.schema import (
    status_entries,
    status_events,
    status_list_credentials,
    status_lists,
)
from vc_engine.store.status_errors import (
    AllocationContention,
    AlreadyAllocated,
    StatusConflict,
    UnknownDocument,
)

# Rows per IN (...) look-up: well under every backend's bound-parameter limit.
_CHUNK = 500

# An allocation collides only when two writers open the same new list at once; the loser's
# retry finds the list opened and draws from it.
_ATTEMPTS = 5


class StatusStore:
    """Bitstring status lists of the issuers in `registry`'s database (migrated by its `init`)."""

    def __init__(self, registry: Registry) -> None:
        self._engine: Engine = registry.engine
        self.memory = ListMemory()

    # Allocation

    def allocate(
        self, issuer_id: str, document_ids: Sequence[str], *, at: datetime
    ) -> dict[str, DocumentEntries]:
        """Give each document a revocation and a suspension entry, at random free indices of
        the issuer's current lists; all of them, or (on any refusal) none."""
        when = validate.aware_utc("at", at)
        ids = [validate.text("document id", d) for d in document_ids]
        repeated = sorted(d for d, n in Counter(ids).items() if n > 1)
        if repeated:
            raise AlreadyAllocated(f"document ids repeated within the batch: {', '.join(repeated)}")
        if not ids:
            return {}
        for _ in range(_ATTEMPTS):
            try:
                return self._allocate_once(issuer_id, ids, when)
            except IntegrityError:
                continue
        raise AllocationContention(
            f"allocating status entries for issuer {issuer_id} collided {_ATTEMPTS} times "
            "with concurrent allocations"
        )

    def _allocate_once(
        self, issuer_id: str, ids: list[str], when: datetime
    ) -> dict[str, DocumentEntries]:
        with self._write() as conn:
            queries.require_issuer(conn, issuer_id)
            taken = queries.present_among(conn, status_entries.c.document_id, ids)
            if taken:
                raise AlreadyAllocated(f"documents already hold status entries: {', '.join(taken)}")
            drawn = {
                purpose: allocation.draw(conn, issuer_id, purpose, len(ids), at=when)
                for purpose in Purpose
            }
            entries = {
                document_id: DocumentEntries(
                    *(
                        StatusEntry(document_id, purpose, *drawn[purpose][n])
                        for purpose in (Purpose.REVOCATION, Purpose.SUSPENSION)
                    )
                )
                for n, document_id in enumerate(ids)
            }
            conn.execute(
                insert(status_entries),
                [
                    {
                        "document_id": entry.document_id,
                        "purpose": entry.purpose.value,
                        "list_id": entry.list_id,
                        "list_index": entry.index,
                        "is_set": False,
                        "allocated_at": when,
                    }
                    for pair in entries.values()
                    for entry in pair
                ],
            )
        return entries

    def entries_of(self, document_id: str) -> DocumentEntries | None:
        with self._read() as conn:
            rows = _entry_rows(conn, document_id, lock=False)
        return None if rows is None else _entries(document_id, rows)

    def entries_of_many(self, document_ids: Sequence[str]) -> dict[str, DocumentEntries]:
        """The entries of those of `document_ids` that hold some, in one read (a batch resumed
        after a crash between allocating and registering reuses them)."""
        found: dict[str, _EntryRows] = {}
        with self._read() as conn:
            for start in range(0, len(document_ids), _CHUNK):
                chunk = list(document_ids[start : start + _CHUNK])
                rows = conn.execute(
                    select(
                        status_entries.c.document_id,
                        status_entries.c.purpose,
                        status_entries.c.list_id,
                        status_entries.c.list_index,
                        status_entries.c.is_set,
                    ).where(status_entries.c.document_id.in_(chunk))
                )
                for r in rows:
                    found.setdefault(r.document_id, {})[r.purpose] = (
                        r.list_id,
                        r.list_index,
                        bool(r.is_set),
                    )
        return {document_id: _entries(document_id, rows) for document_id, rows in found.items()}

    # Status changes

    def revoke(
        self,
        document_id: str,
        *,
        reason: str,
        actor: str,
        at: datetime,
        effective_at: datetime | None = None,
    ) -> StatusEvent:
        """Revoke for good: a revoked document is never reinstated."""
        return self.change(
            document_id, Action.REVOKE, reason=reason, actor=actor, at=at, effective_at=effective_at
        )

    def suspend(
        self,
        document_id: str,
        *,
        reason: str,
        actor: str,
        at: datetime,
        effective_at: datetime | None = None,
    ) -> StatusEvent:
        """Suspend until reinstated; a revoked document cannot be suspended (it is final)."""
        return self.change(
            document_id,
            Action.SUSPEND,
            reason=reason,
            actor=actor,
            at=at,
            effective_at=effective_at,
        )

    def reinstate(
        self,
        document_id: str,
        *,
        reason: str,
        actor: str,
        at: datetime,
        effective_at: datetime | None = None,
    ) -> StatusEvent:
        """Lift a suspension; only a suspended, unrevoked document can be reinstated."""
        return self.change(
            document_id,
            Action.REINSTATE,
            reason=reason,
            actor=actor,
            at=at,
            effective_at=effective_at,
        )

    def change(
        self,
        document_id: str,
        action: Action,
        *,
        reason: str,
        actor: str,
        at: datetime,
        effective_at: datetime | None = None,
    ) -> StatusEvent:
        """Apply `action` (the rules are those of `revoke`, `suspend` and `reinstate`)."""
        recorded = validate.aware_utc("at", at)
        event = StatusEvent(
            action=action,
            effective_at=recorded
            if effective_at is None
            else validate.aware_utc("effective_at", effective_at),
            reason=validate.text("reason", reason),
            actor=validate.text("actor", actor),
            recorded_at=recorded,
        )
        with self._write() as conn:
            rows = _entry_rows(conn, document_id, lock=True)
            if rows is None:
                raise UnknownDocument(f"document {document_id} holds no status entries")
            _require_allowed(document_id, action, _state(rows))
            purpose = action.purpose.value
            conn.execute(
                update(status_entries)
                .where(status_entries.c.document_id == document_id)
                .where(status_entries.c.purpose == purpose)
                .values(is_set=action is not Action.REINSTATE)
            )
            conn.execute(
                insert(status_events).values(
                    document_id=document_id,
                    purpose=purpose,
                    action=action.value,
                    effective_at=event.effective_at,
                    reason=event.reason,
                    actor=event.actor,
                    recorded_at=event.recorded_at,
                )
            )
            conn.execute(
                update(status_lists)
                .where(status_lists.c.id == rows[purpose][0])
                .values(version=status_lists.c.version + 1, updated_at=recorded)
            )
        return event

    # Reading

    def status(self, document_id: str) -> DocumentStatus | None:
        """The document's current state and its whole history, read in one consistent view."""
        with self._read(consistent=True) as conn:
            rows = _entry_rows(conn, document_id, lock=False)
            if rows is None:
                return None
            events = conn.execute(
                select(status_events)
                .where(status_events.c.document_id == document_id)
                .order_by(status_events.c.id)
            )
            history = tuple(
                StatusEvent(Action(e.action), e.effective_at, e.reason, e.actor, e.recorded_at)
                for e in events
            )
        return DocumentStatus(document_id, _state(rows), _entries(document_id, rows), history)

    def list_bits(self, list_id: str) -> PublishedList | None:
        """The list to publish: a bit is set where the document's entry for the list's purpose
        is revoked or suspended now. Version and bits come from the same consistent view."""
        with self._read(consistent=True) as conn:
            row = conn.execute(
                select(
                    status_lists.c.issuer_id,
                    status_lists.c.purpose,
                    status_lists.c.size,
                    status_lists.c.version,
                    status_lists.c.updated_at,
                ).where(status_lists.c.id == list_id)
            ).one_or_none()
            if row is None:
                return None
            set_indices = conn.execute(
                select(status_entries.c.list_index).where(
                    status_entries.c.list_id == list_id, status_entries.c.is_set
                )
            ).scalars()
            bits = Bitstring.from_indices(row.size, set_indices)
        return PublishedList(
            list_id, row.issuer_id, Purpose(row.purpose), bits, row.version, row.updated_at
        )

    def lists_of(self, issuer_id: str) -> tuple[str, ...]:
        """The ids of every list of an issuer, oldest first."""
        with self._read() as conn:
            return tuple(
                conn.execute(
                    select(status_lists.c.id)
                    .where(status_lists.c.issuer_id == issuer_id)
                    .order_by(status_lists.c.purpose, status_lists.c.sequence)
                ).scalars()
            )

    def publish(
        self,
        list_id: str,
        credential: bytes,
        *,
        version: int,
        at: datetime,
        json_ld: bytes | None = None,
    ) -> None:
        """Keep the signed credential of `list_id` at `version` (vc+jwt, and the same version as
        JSON-LD with a Data Integrity proof when there is one) as the published one.

        An older version never replaces a newer one, so two publishers racing cannot roll a
        revocation back.
        """
        with self._write() as conn:
            current = conn.execute(
                select(status_list_credentials.c.version).where(
                    status_list_credentials.c.list_id == list_id
                )
            ).scalar_one_or_none()
            values = {
                "version": version,
                "credential": credential,
                "published_at": at,
                "credential_ld": json_ld,
            }
            if current is None:
                conn.execute(insert(status_list_credentials).values(list_id=list_id, **values))
            elif current <= version:
                conn.execute(
                    update(status_list_credentials)
                    .where(status_list_credentials.c.list_id == list_id)
                    .values(**values)
                )

    def documents_with_history(self) -> tuple[str, ...]:
        """The ids of every document ever revoked, suspended or reinstated, sorted (what an
        offline trust bundle carries the histories of)."""
        with self._read() as conn:
            return tuple(
                sorted(conn.execute(select(status_events.c.document_id).distinct()).scalars())
            )

    def snapshot(self) -> StatusSnapshot:
        """Every published list in memory (see `StatusSnapshot`)."""
        with self._read() as conn:
            rows = conn.execute(
                select(status_list_credentials.c.list_id, status_list_credentials.c.credential)
            ).all()
        return StatusSnapshot({row.list_id: bytes(row.credential) for row in rows}, self.status)

    def published_list(self, list_id: str) -> bytes | None:
        with self._read() as conn:
            credential = conn.execute(
                select(status_list_credentials.c.credential).where(
                    status_list_credentials.c.list_id == list_id
                )
            ).scalar_one_or_none()
        return None if credential is None else bytes(credential)

    def published_list_ld(self, list_id: str) -> bytes | None:
        """The published version of `list_id` as JSON-LD with a Data Integrity proof; None when
        the list is not published or its issuer's key makes no such proof (RSA)."""
        with self._read() as conn:
            credential = conn.execute(
                select(status_list_credentials.c.credential_ld).where(
                    status_list_credentials.c.list_id == list_id
                )
            ).scalar_one_or_none()
        return None if credential is None else bytes(credential)

    # Transactions (the same semantics as the registry's own)

    def _write(self) -> AbstractContextManager[Connection]:
        return write_transaction(self._engine)

    def _read(self, *, consistent: bool = False) -> AbstractContextManager[Connection]:
        return read_transaction(self._engine, consistent=consistent)


_EntryRows = dict[str, tuple[str, int, bool]]
"""purpose -> (list id, index, bit set), as read from `status_entries`."""


def _entry_rows(conn: Connection, document_id: str, *, lock: bool) -> _EntryRows | None:
    query = select(
        status_entries.c.purpose,
        status_entries.c.list_id,
        status_entries.c.list_index,
        status_entries.c.is_set,
    ).where(status_entries.c.document_id == document_id)
    rows = conn.execute(query.with_for_update() if lock else query).all()
    if not rows:
        return None
    return {r.purpose: (r.list_id, r.list_index, bool(r.is_set)) for r in rows}


def _entries(document_id: str, rows: _EntryRows) -> DocumentEntries:
    def entry(purpose: Purpose) -> StatusEntry:
        list_id, index, _ = rows[purpose.value]
        return StatusEntry(document_id, purpose, list_id, index)

    return DocumentEntries(entry(Purpose.REVOCATION), entry(Purpose.SUSPENSION))


def _state(rows: _EntryRows) -> DocumentState:
    if rows[Purpose.REVOCATION.value][2]:
        return DocumentState.REVOKED
    if rows[Purpose.SUSPENSION.value][2]:
        return DocumentState.SUSPENDED
    return DocumentState.ACTIVE


def _require_allowed(document_id: str, action: Action, state: DocumentState) -> None:
    if state is DocumentState.REVOKED:
        raise StatusConflict(
            f"document {document_id} is already revoked"
            if action is Action.REVOKE
            else f"document {document_id} is revoked and revocation is final: cannot {action} it"
        )
    if action is Action.SUSPEND and state is DocumentState.SUSPENDED:
        raise StatusConflict(f"document {document_id} is already suspended")
    if action is Action.REINSTATE and state is not DocumentState.SUSPENDED:
        raise StatusConflict(f"document {document_id} is not suspended; nothing to reinstate")
