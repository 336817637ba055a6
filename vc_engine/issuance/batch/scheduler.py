"""Batch issuance: a stream of records -> signed documents in every rendition, crash-safe and
resumable, signed in parallel on local processes or a Dask cluster.

One coordinator (the caller's process) and any number of signers (`batch_workers`). Per block of
`block_size` consecutive records, in input order:

1. read and check the records (`record_to_document`); a bad one becomes a rejection with its line;
2. refuse a document id already in the register (issued by another job, or earlier in this one)
   or repeated in the blocks still in flight;
3. allocate the block's status entries in one transaction, reusing any a crashed run allocated;
4. hand the block to a signer, which rebuilds each document with its status and signs it;
5. (back in order) stage the signed bytes durably, then register the block in ONE transaction:
   register rows, their renditions, and the journal (`batch_journal`): the block, its documents
   and its rejections;
6. write the outputs (files, or the open ZIP archive) and the block's manifest part; at the next
   checkpoint, once they are durable, mark the block done and drop its staging file.

Only the coordinator writes to the registry, so status indices and register rows stay unique
however many signers run. Killed at any moment, the same job run again resumes: blocks already
registered are skipped (their outputs rewritten from staging if not done), the first unregistered
block is signed again (reusing its status entries), nothing is issued twice. When every block is
done the manifest and rejects file are assembled and the status lists the issuer uses are
republished.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from vc_engine import doctypes
from vc_engine.errors import Refused
from vc_engine.inputs.records import BadLine, RecordLine
from vc_engine.issuance.batch.outputs import (
    ArchiveWriter,
    StagedBlock,
    StagedDocument,
    Staging,
    remove_stale_temporaries,
    sync_directory,
    write_atomically,
)
from vc_engine.issuance.batch.workers import BlockRequest, SigningSpec, executor_for, opened
from vc_engine.issuance.issue import Clock, IssuanceRefused, StatusLists, preflight, publish_lists
from vc_engine.revocation.credential import status_reference
from vc_engine.store.errors import AlreadyIssued
from vc_engine.store.journal import BlockRecord, JobRecord, Journal, Rejection
from vc_engine.store.registry import Registry
from vc_engine.trust.records import IssuanceRecord

DEFAULT_BLOCK_SIZE = 500
DEFAULT_ARCHIVE_SIZE = 10_000
MANIFEST = "manifest.jsonl"
REJECTS = "rejects.csv"
_JOB_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


class BatchError(Refused):
    """The job cannot start, or stopped; what it registered is kept and a re-run resumes it."""


@dataclass(frozen=True)
class BatchProgress:
    records: int
    """Records read and settled (issued or refused) so far, this run and earlier ones."""
    issued: int
    rejected: int
    total: int | None
    """Records expected, when the caller knows."""


@dataclass(frozen=True)
class BatchSummary:
    job_id: str
    issued: int
    rejected: int
    manifest: Path
    rejects: Path | None
    resumed: bool
    """The job had been started before (this run carried on from its journal)."""


@dataclass(frozen=True)
class BatchOptions:
    block_size: int = DEFAULT_BLOCK_SIZE
    archive: bool = False
    archive_size: int = DEFAULT_ARCHIVE_SIZE
    workers: int | None = None
    """Local signing processes; None: all cores; 1: sign in this process."""
    scheduler: Any | None = None
    """A Dask scheduler address (`tcp://host:8786`) or a `distributed.Client`."""
    checkpoint_seconds: float = 5.0
    """How often finished outputs are made durable and their staging dropped."""
    in_flight_per_worker: int = 3


def run_batch(
    records: Iterable[RecordLine | Mapping[str, object]],
    *,
    job_id: str,
    signing: SigningSpec,
    registry: Registry,
    out_dir: Path,
    clock: Clock,
    status_lists: StatusLists | None = None,
    options: BatchOptions | None = None,
    progress: Callable[[BatchProgress], None] | None = None,
    total: int | None = None,
) -> BatchSummary:
    """Issue every good record of `records` (``(line, record)`` pairs as `read_records` yields,
    or plain mappings numbered from 1) as job `job_id`; see the module docstring.

    Everything that can refuse the job (issuer, key, authorisation, formats, output directory)
    is checked before the first status entry or file. Re-running a job with the same id and
    the same records resumes it; a job already complete issues nothing. Raises `BatchError`
    (or `IssuanceRefused`) with what went wrong.
    """
    options = options or BatchOptions()
    if not _JOB_ID.fullmatch(job_id):
        raise BatchError(f"job id {job_id!r}: use 1-100 letters, digits, '.', '_' or '-'")
    doctype = doctypes.get_doctype(signing.doctype)
    issuer, _ = opened(signing)
    name = preflight(registry, issuer.id, issuer.key_id, doctype.code, clock())
    if name != issuer.name:
        raise IssuanceRefused(f"the registry names the issuer {name!r}, not {issuer.name!r}")
    _require_writable(out_dir)
    journal = Journal(registry)
    job = journal.open_job(
        job_id,
        issuer_id=issuer.id,
        doctype=doctype.code,
        formats=signing.formats,
        block_size=options.block_size,
        archive_size=options.archive_size if options.archive else None,
        at=clock(),
    )
    run = _Run(job, signing, registry, journal, out_dir, clock, status_lists, options, progress)
    run.total = total
    if not job.complete:
        run.resume_and_issue(_numbered(records))
    issued, rejected = journal.counts(job.id)
    rejects = out_dir / REJECTS
    return BatchSummary(
        job.id,
        issued,
        rejected,
        out_dir / MANIFEST,
        rejects if rejects.exists() else None,
        resumed=bool(job.blocks),
    )


def _numbered(records: Iterable[RecordLine | Mapping[str, object]]) -> Iterator[RecordLine]:
    for number, item in enumerate(records, start=1):
        if isinstance(item, tuple):
            yield item
        else:
            yield number, dict(item)


def _require_writable(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / f".vc-batch-probe-{os.getpid()}.tmp"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise BatchError(
            f"cannot write to the output directory {out_dir}: {error.strerror}"
        ) from None


@dataclass
class _Prepared:
    block: int
    records: int
    first_line: int | None
    last_line: int | None
    request: BlockRequest
    rejections: list[Rejection]
    accepted: list[str]


class _Run:
    def __init__(
        self,
        job: JobRecord,
        signing: SigningSpec,
        registry: Registry,
        journal: Journal,
        out_dir: Path,
        clock: Clock,
        status_lists: StatusLists | None,
        options: BatchOptions,
        progress: Callable[[BatchProgress], None] | None,
    ) -> None:
        self.job, self.signing, self.registry, self.journal = job, signing, registry, journal
        self.out, self.clock, self.status_lists, self.options = (
            out_dir,
            clock,
            status_lists,
            options,
        )
        self.progress = progress
        self.total: int | None = None
        self.issuer, self.formats = opened(signing)
        self.staging = Staging(out_dir, job.id)
        self.sequence = job.next_sequence
        self.blocks = len(job.blocks)
        self.records = sum(b.records for b in job.blocks)
        self.issued, self.rejected = journal.counts(job.id)
        self.in_flight: dict[str, int] = {}
        self.ready: list[int] = []
        self.archives_closed: int | None = None
        self.last_checkpoint = time.monotonic()
        self.file_writers = ThreadPoolExecutor(max_workers=8, thread_name_prefix="vc-batch-write")
        self.archive: ArchiveWriter | None = None
        if job.archive_size is not None:
            self.archive = ArchiveWriter(
                out_dir, job.archive_size, job.archives_closed, self._closed
            )

    def resume_and_issue(self, records: Iterator[RecordLine]) -> None:
        job = self.job
        remove_stale_temporaries(self.out)
        self.staging.prepare(registered=len(job.blocks))
        # 1. Blocks registered before a crash but not yet done: write them again from staging.
        for block in job.blocks:
            if block.state == "registered":
                self._write_outputs(block, self.staging.read(block.block))
        # 2. The rest of the input, block by block, in parallel.
        chunks = _chunks(records, job.block_size)
        for block in job.blocks:
            chunk = next(chunks, None)
            if chunk is None or (chunk[0][0], chunk[-1][0]) != (block.first_line, block.last_line):
                raise BatchError(
                    f"job {job.id}: the records differ from those the job started with "
                    f"(block {block.block}); resume it with the same input"
                )
        executor = executor_for(
            self.signing, workers=self._workers(), scheduler=self.options.scheduler
        )
        pending: deque[tuple[_Prepared, Any]] = deque()
        limit = max(1, executor.workers * self.options.in_flight_per_worker)
        try:
            for number, chunk in enumerate(chunks, start=len(job.blocks)):
                prepared = self._prepare(number, chunk)
                future = executor.submit(prepared.request) if prepared.request.items else None
                pending.append((prepared, future))
                while len(pending) >= limit:
                    self._complete(*pending.popleft())
            while pending:
                self._complete(*pending.popleft())
            self._finish()
        finally:
            executor.close()
            self.file_writers.shutdown(wait=True, cancel_futures=True)

    def _workers(self) -> int:
        workers = self.options.workers or os.cpu_count() or 1
        if self.total is not None:
            remaining = self.total - self.records
            workers = min(workers, max(1, -(-remaining // self.job.block_size)))
        return workers

    # Steps 1-4: check, refuse, allocate, submit.

    def _prepare(self, number: int, chunk: list[RecordLine]) -> _Prepared:
        issued_at = self.clock()
        rejections: list[Rejection] = []
        valid: list[tuple[int, Mapping[str, object], str]] = []
        for line, record in chunk:
            if isinstance(record, BadLine):
                rejections.append(Rejection(line, record.reason))
                continue
            try:
                document = doctypes.record_to_document(
                    record,
                    doctypes.get_doctype(self.signing.doctype),
                    issuer_id=self.issuer.id,
                    issuer_name=self.issuer.name,
                    issued_at=issued_at,
                )
            except doctypes.RecordError as error:
                rejections.append(Rejection(line, str(error)))
                continue
            valid.append((line, record, document.id))
        taken = self.journal.issued_among([d for _, _, d in valid])
        accepted: list[tuple[int, Mapping[str, object], str]] = []
        for line, fields, document_id in valid:
            refusal = self._refusal(document_id, taken.get(document_id))
            if refusal is not None:
                rejections.append(Rejection(line, refusal, document_id))
                continue
            self.in_flight[document_id] = line
            accepted.append((line, fields, document_id))
        status = self._allocate([d for _, _, d in accepted], issued_at)
        items = tuple((line, record, status.get(d, ())) for line, record, d in accepted)
        return _Prepared(
            number,
            len(chunk),
            chunk[0][0],
            chunk[-1][0],
            BlockRequest(number, issued_at, items),
            rejections,
            [d for _, _, d in accepted],
        )

    def _refusal(self, document_id: str, owner: tuple[str | None, int] | None) -> str | None:
        if document_id in self.in_flight:
            return f"{document_id} repeats line {self.in_flight[document_id]}; not issued twice"
        if owner is None:
            return None
        job, line = owner
        if job == self.job.id:
            return f"{document_id} repeats line {line}, already issued; not issued twice"
        by = f"by batch job {job}" if job else "outside any batch job"
        return f"{document_id} was already issued {by}; not issued again"

    def _allocate(self, ids: list[str], at: datetime) -> dict[str, tuple[Any, ...]]:
        if self.status_lists is None or not ids:
            return {}
        store = self.status_lists.store
        entries = store.entries_of_many(ids)
        fresh = [d for d in ids if d not in entries]
        if fresh:
            entries.update(store.allocate(self.issuer.id, fresh, at=at))
        base = self.status_lists.base_url
        return {
            d: tuple(status_reference(entry, base_url=base) for entry in pair)
            for d, pair in entries.items()
        }

    # Steps 5-6: stage, register, write.

    def _complete(self, prepared: _Prepared, future: Any) -> None:
        signed = () if future is None else future.result().documents
        status = {line: s for line, _, s in prepared.request.items}
        documents = [
            StagedDocument(d.document_id, d.line, d.outputs, status[d.line]) for d in signed
        ]
        rejections = list(prepared.rejections)
        while True:
            staged = StagedBlock(prepared.block, prepared.request.issued_at, tuple(documents))
            block = BlockRecord(
                prepared.block,
                prepared.first_line,
                prepared.last_line,
                prepared.records,
                len(documents),
                self.sequence,
            )
            self.staging.stage(staged)
            try:
                self.registry.record_issuances(
                    [self._register_row(d, staged.issued_at) for d in documents],
                    also=self.journal.registrar(
                        self.job.id,
                        block,
                        [(d.document_id, d.line) for d in documents],
                        sorted(rejections, key=lambda r: r.line),
                    ),
                )
                break
            except AlreadyIssued:
                # Another writer registered some of these ids since step 2: refuse just those.
                taken = self.journal.issued_among([d.document_id for d in documents])
                rejections += [
                    Rejection(d.line, self._refusal_after_race(d.document_id, taken), d.document_id)
                    for d in documents
                    if d.document_id in taken
                ]
                documents = [d for d in documents if d.document_id not in taken]
        for document_id in prepared.accepted:
            self.in_flight.pop(document_id, None)
        self.sequence += len(documents)
        self.blocks += 1
        self.records += prepared.records
        self.issued += len(documents)
        self.rejected += len(rejections)
        self._write_outputs(block, staged)
        if self.progress is not None:
            self.progress(BatchProgress(self.records, self.issued, self.rejected, self.total))

    def _refusal_after_race(
        self, document_id: str, taken: dict[str, tuple[str | None, int]]
    ) -> str:
        job, _ = taken[document_id]
        by = f"by batch job {job}" if job else "outside any batch job"
        return f"{document_id} was issued {by} while this job ran; not issued again"

    def _register_row(self, document: StagedDocument, issued_at: datetime) -> IssuanceRecord:
        digests = tuple(
            (r.format, hashlib.sha256(data).hexdigest())
            for r, data in zip(self.formats, document.outputs, strict=True)
        )
        return IssuanceRecord(
            document_id=document.document_id,
            issuer_id=self.issuer.id,
            doctype=self.signing.doctype,
            sha256=digests[0][1],
            key_id=self.issuer.key_id,
            issued_at=issued_at,
            recorded_at=self.clock(),
            renditions=digests,
        )

    def _write_outputs(self, block: BlockRecord, staged: StagedBlock) -> None:
        lines = []
        members: list[list[tuple[str, bytes]]] = []
        files_to_write: list[tuple[Path, bytes]] = []
        for offset, document in enumerate(staged.documents):
            names = [f"{document.document_id}{r.suffix}" for r in self.formats]
            files = []
            for rendition, file_name, data in zip(
                self.formats, names, document.outputs, strict=True
            ):
                where: dict[str, str] = {"file": file_name}
                if self.archive is not None:
                    where = {
                        "archive": self.archive.location(block.first_sequence + offset),
                        "member": file_name,
                    }
                else:
                    files_to_write.append((self.out / file_name, data))
                files.append(
                    {
                        "format": rendition.format,
                        **where,
                        "sha256": hashlib.sha256(data).hexdigest(),
                    }
                )
            members.append(list(zip(names, document.outputs, strict=True)))
            entry = {
                "documentId": document.document_id,
                "line": document.line,
                "files": files,
                "status": [
                    {"purpose": s.purpose, "statusListCredential": s.list_url, "index": s.index}
                    for s in document.status
                ],
            }
            lines.append(json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n")
        # Creating files is kernel work that releases the GIL: a few threads overlap it.
        for _ in self.file_writers.map(lambda item: write_atomically(*item), files_to_write):
            pass
        self.staging.write_manifest_part(block.block, lines)
        if self.archive is not None:
            self.archive.add_block(block.block, block.first_sequence, members, staged.issued_at)
        else:
            self.ready.append(block.block)
        if time.monotonic() - self.last_checkpoint >= self.options.checkpoint_seconds:
            self._checkpoint()

    def _closed(self, closed: int, done: list[int]) -> None:
        self.archives_closed = closed
        self.ready.extend(done)

    def _checkpoint(self) -> None:
        """Make the finished outputs durable, then let go of their staging files."""
        self.last_checkpoint = time.monotonic()
        if not self.ready and self.archives_closed is None:
            return
        sync_directory(self.out)
        self.journal.mark_done(
            self.job.id, self.ready, at=self.clock(), archives_closed=self.archives_closed
        )
        self.staging.drop(self.ready)
        self.ready, self.archives_closed = [], None

    def _finish(self) -> None:
        if self.archive is not None:
            self.archive.finish()
        self._checkpoint()
        self.staging.assemble_manifest(self.blocks, self.out / MANIFEST)
        self._write_rejects()
        if self.status_lists is not None:
            store = self.status_lists.store
            publish_lists(
                self.status_lists, self.issuer, store.lists_of(self.issuer.id), self.clock()
            )
        self.journal.complete(self.job.id, at=self.clock())
        self.staging.remove()

    def _write_rejects(self) -> None:
        target = self.out / REJECTS
        rows = ["line,documentId,reason\n"]
        rows.extend(
            f"{r.line},{_csv(r.document_id or '')},{_csv(r.reason)}\n"
            for r in self.journal.rejections(self.job.id)
        )
        if len(rows) == 1:
            target.unlink(missing_ok=True)
            return
        write_atomically(target, "".join(rows).encode("utf-8"), durable=True)


def _csv(value: str) -> str:
    if any(c in value for c in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _chunks(items: Iterator[RecordLine], size: int) -> Iterator[list[RecordLine]]:
    while chunk := list(itertools.islice(items, size)):
        yield chunk


def job_id_for(
    records_file: Path, *, issuer_id: str, doctype: str, formats: Sequence[str], out_dir: Path,
    archive: bool,
) -> tuple[str, int]:  # fmt: skip
    """The CLI's job id: the same command on the same file names the same job. Also returns the
    file's line count, a progress estimate of its records."""
    digest = hashlib.sha256()
    for part in (issuer_id, doctype, ",".join(formats), str(out_dir.resolve()), str(archive)):
        digest.update(part.encode("utf-8") + b"\0")
    lines = 0
    with records_file.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            lines += block.count(b"\n")
    return f"job-{digest.hexdigest()[:32]}", lines


__all__ = [
    "BatchError",
    "BatchOptions",
    "BatchProgress",
    "BatchSummary",
    "SigningSpec",
    "job_id_for",
    "run_batch",
]
