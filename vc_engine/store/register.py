"""The issuance register: one row per issued document, with the SHA-256 of each of its
renditions. It is the proof a document existed before its key was compromised, and the
reason a document id is never issued twice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from sqlalchemy import Connection, insert, select

from vc_engine.store import queries, validate
from vc_engine.store.engine import Database, refuse_on_conflict
from vc_engine.store.errors import AlreadyIssued
from vc_engine.store.schema import issuance_renditions, issuances
from vc_engine.trust.records import IssuanceRecord


class IssuanceRegister(Database):
    """The issuance register (a part of `Registry`)."""

    def record_issuance(
        self,
        document_id: str,
        *,
        issuer_id: str,
        doctype: str,
        sha256: str,
        key_id: str,
        issued_at: datetime,
        recorded_at: datetime,
    ) -> IssuanceRecord:
        record = IssuanceRecord(
            document_id, issuer_id, doctype, sha256, key_id, issued_at, recorded_at
        )
        return self.record_issuances((record,))[0]

    def record_issuances(
        self,
        rows: Iterable[IssuanceRecord],
        *,
        also: Callable[[Connection], None] | None = None,
    ) -> tuple[IssuanceRecord, ...]:
        """Write many register rows in one transaction: all of them, or (on any refusal) none.

        `also` writes more rows in the same transaction (the batch journal), so they and the
        register rows commit or vanish together. Returns the rows as stored (instants in UTC).
        """
        records = tuple(validate.issuance(r) for r in rows)
        ids = [r.document_id for r in records]
        repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
        if repeated:
            raise AlreadyIssued(f"document ids repeated within the batch: {', '.join(repeated)}")
        conflict = AlreadyIssued("a document id in this batch was registered concurrently")
        with self._write() as conn, refuse_on_conflict(conflict):
            queries.require_keys_of_issuers(conn, records)
            taken = queries.existing_document_ids(conn, ids)
            if taken:
                raise AlreadyIssued(f"document ids already issued: {', '.join(taken)}")
            if records:
                conn.execute(insert(issuances), [queries.issuance_values(r) for r in records])
            renditions = queries.rendition_values(records)
            if renditions:
                conn.execute(insert(issuance_renditions), renditions)
            if also is not None:
                also(conn)
        return records

    def issued(self, document_ids: Sequence[str]) -> set[str]:
        """Which of `document_ids` the register already holds."""
        with self._read() as conn:
            return set(queries.existing_document_ids(conn, document_ids))

    def get_issuance(self, document_id: str) -> IssuanceRecord | None:
        with self._read() as conn:
            row = conn.execute(
                select(issuances).where(issuances.c.document_id == document_id)
            ).one_or_none()
            if row is None:
                return None
            return queries.issuance_record(row, queries.renditions_of(conn, document_id))

    issuance = get_issuance
