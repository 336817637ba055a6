"""The batch journal, kept in the registry's database next to the register it guards.

A job's input is cut into blocks of `block_size` consecutive records. Blocks are registered
strictly in input order, each in one transaction together with its register rows: the block's
row (lines, counts, the sequence number of its first document), one `batch_documents` row per
document issued and one `batch_rejects` row per record refused. So the registered blocks are
always a prefix of the input, and after a crash the journal says exactly where to resume: the
first unregistered block. A block goes from `registered` to `done` once its output files (or the
archive holding its last document) are durably in place; until then its signed bytes wait in a
staging file (`batch_output.Staging`) from which they are written again after a crash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, func, insert, select, update

from vc_engine.errors import Refused
from vc_engine.model import Rejection
from vc_engine.store.engine import read_transaction, write_transaction
from vc_engine.store.registry import Registry
from vc_engine.store.schema import (
    batch_blocks,
    batch_documents,
    batch_jobs,
    batch_rejects,
    issuances,
)

_CHUNK = 500


class JournalConflict(Refused):
    """The job exists with other settings: resuming it with these would mix two jobs."""


@dataclass(frozen=True)
class BlockRecord:
    block: int
    first_line: int | None
    last_line: int | None
    records: int
    issued: int
    first_sequence: int
    """The sequence number (0-based, across the job) of the block's first issued document."""
    state: str = "registered"


@dataclass(frozen=True)
class JobRecord:
    id: str
    block_size: int
    archive_size: int | None
    archives_closed: int
    complete: bool
    blocks: tuple[BlockRecord, ...]
    """The registered blocks, in order: always blocks 0 .. len-1."""

    @property
    def next_sequence(self) -> int:
        return sum(b.issued for b in self.blocks)


class Journal:
    def __init__(self, registry: Registry) -> None:
        self._engine: Engine = registry.engine

    def open_job(
        self,
        job_id: str,
        *,
        issuer_id: str,
        doctype: str,
        formats: Sequence[str],
        block_size: int,
        archive_size: int | None,
        at: datetime,
    ) -> JobRecord:
        """The job as journalled, created when new; a job is resumed only with its settings."""
        wanted = {
            "issuer_id": issuer_id,
            "doctype": doctype,
            "formats": ",".join(formats),
            "archive_size": archive_size,
        }
        with self._write() as conn:
            row = conn.execute(
                select(batch_jobs).where(batch_jobs.c.id == job_id).with_for_update()
            ).one_or_none()
            if row is None:
                conn.execute(
                    insert(batch_jobs).values(
                        id=job_id,
                        block_size=block_size,
                        archives_closed=0,
                        state="running",
                        created_at=at,
                        updated_at=at,
                        **wanted,
                    )
                )
            else:
                differing = sorted(k for k, v in wanted.items() if getattr(row, k) != v)
                if differing:
                    raise JournalConflict(
                        f"job {job_id} was started with other settings ({', '.join(differing)}); "
                        "finish it with its own settings or start a job with another id"
                    )
        return self.job(job_id)

    def job(self, job_id: str) -> JobRecord:
        with self._read() as conn:
            row = conn.execute(select(batch_jobs).where(batch_jobs.c.id == job_id)).one()
            blocks = tuple(
                BlockRecord(
                    b.block,
                    b.first_line,
                    b.last_line,
                    b.records,
                    b.issued,
                    b.first_sequence,
                    b.state,
                )
                for b in conn.execute(
                    select(batch_blocks)
                    .where(batch_blocks.c.job_id == job_id)
                    .order_by(batch_blocks.c.block)
                )
            )
        if [b.block for b in blocks] != list(range(len(blocks))):
            raise JournalConflict(f"job {job_id}: the registered blocks are not a prefix")
        return JobRecord(
            row.id,
            row.block_size,
            row.archive_size,
            row.archives_closed,
            row.state == "complete",
            blocks,
        )

    def registrar(
        self,
        job_id: str,
        block: BlockRecord,
        documents: Sequence[tuple[str, int]],
        rejections: Sequence[Rejection],
    ) -> Callable[[Connection], None]:
        """What to write, inside the register's transaction, when `block` is registered."""

        def write(conn: Connection) -> None:
            conn.execute(
                insert(batch_blocks).values(
                    job_id=job_id,
                    block=block.block,
                    first_line=block.first_line,
                    last_line=block.last_line,
                    records=block.records,
                    issued=block.issued,
                    first_sequence=block.first_sequence,
                    state="registered",
                )
            )
            if documents:
                conn.execute(
                    insert(batch_documents),
                    [
                        {"document_id": d, "job_id": job_id, "block": block.block, "line": line}
                        for d, line in documents
                    ],
                )
            if rejections:
                conn.execute(
                    insert(batch_rejects),
                    [
                        {
                            "job_id": job_id,
                            "line": r.line,
                            "reason": r.reason,
                            "document_id": r.document_id,
                        }
                        for r in rejections
                    ],
                )

        return write

    def mark_done(
        self,
        job_id: str,
        blocks: Sequence[int],
        *,
        at: datetime,
        archives_closed: int | None = None,
    ) -> None:
        with self._write() as conn:
            for start in range(0, len(blocks), _CHUNK):
                conn.execute(
                    update(batch_blocks)
                    .where(batch_blocks.c.job_id == job_id)
                    .where(batch_blocks.c.block.in_(blocks[start : start + _CHUNK]))
                    .values(state="done")
                )
            values: dict[str, object] = {"updated_at": at}
            if archives_closed is not None:
                values["archives_closed"] = archives_closed
            conn.execute(update(batch_jobs).where(batch_jobs.c.id == job_id).values(**values))

    def complete(self, job_id: str, *, at: datetime) -> None:
        with self._write() as conn:
            conn.execute(
                update(batch_jobs)
                .where(batch_jobs.c.id == job_id)
                .values(state="complete", updated_at=at)
            )

    def issued_among(self, document_ids: Sequence[str]) -> dict[str, tuple[str | None, int]]:
        """Of `document_ids`, those already in the register: the batch job that issued each
        (None when issued some other way) and its line there (0 then)."""
        found: dict[str, tuple[str | None, int]] = {}
        with self._read() as conn:
            for start in range(0, len(document_ids), _CHUNK):
                chunk = list(document_ids[start : start + _CHUNK])
                rows = conn.execute(
                    select(
                        issuances.c.document_id, batch_documents.c.job_id, batch_documents.c.line
                    )
                    .select_from(
                        issuances.outerjoin(
                            batch_documents,
                            batch_documents.c.document_id == issuances.c.document_id,
                        )
                    )
                    .where(issuances.c.document_id.in_(chunk))
                )
                for r in rows:
                    found[r.document_id] = (r.job_id, r.line or 0)
        return found

    def rejections(self, job_id: str) -> Iterator[Rejection]:
        """The job's refused records by line, read in pages (there may be very many)."""
        after = -1
        while True:
            with self._read() as conn:
                page = conn.execute(
                    select(
                        batch_rejects.c.line, batch_rejects.c.reason, batch_rejects.c.document_id
                    )
                    .where(batch_rejects.c.job_id == job_id, batch_rejects.c.line > after)
                    .order_by(batch_rejects.c.line)
                    .limit(5000)
                ).all()
            if not page:
                return
            for r in page:
                yield Rejection(r.line, r.reason, r.document_id)
            after = page[-1].line

    def counts(self, job_id: str) -> tuple[int, int]:
        """(documents issued, records refused) by the job so far."""
        with self._read() as conn:
            issued = conn.execute(
                select(func.coalesce(func.sum(batch_blocks.c.issued), 0)).where(
                    batch_blocks.c.job_id == job_id
                )
            ).scalar_one()
            refused = conn.execute(
                select(func.count()).where(batch_rejects.c.job_id == job_id)
            ).scalar_one()
        return int(issued), int(refused)

    def _write(self) -> AbstractContextManager[Connection]:
        return write_transaction(self._engine)

    def _read(self) -> AbstractContextManager[Connection]:
        return read_transaction(self._engine)
