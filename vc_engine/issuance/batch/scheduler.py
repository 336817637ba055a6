"""Batch issuance: a stream of input records -> signed documents in every rendition, crash-safe
and resumable, signed in parallel on local processes or a Dask cluster.

The steps of each block are those of every issuance (`issuance.block`); the batch adds the
scheduling, the journal (`store.journal`) and the outputs (`batch.outputs`). One coordinator
(the caller's process) and any number of signers (`batch.workers`). Per block of `block_size`
consecutive records, in input order:

1. `prepare`: records -> Documents; ids already issued (by this job or another), or repeated in
   the blocks still in flight, refused; status entries allocated, reusing any a crashed run drew;
2. the block's Documents go to a signer, which signs every rendition;
3. (back in order) the signed bytes are staged durably, then `register` writes, in ONE
   transaction, the register rows and the journal: the block, its documents, its rejections;
4. the outputs (files, or the open ZIP archive) and the block's manifest part are written; at
   the next checkpoint, once they are durable, the block is marked done and its staging dropped.

Only the coordinator writes to the registry, so status indices and register rows stay unique
however many signers run. Killed at any moment, the same job run again resumes: blocks already
registered are skipped (their outputs rewritten from staging if not done), the first
unregistered block is prepared again (reusing its status entries), nothing is issued twice.
When every block is done the manifest and rejects file are assembled and the issuer's status
lists republished.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from sqlalchemy import Connection

from vc_engine.errors import Refused
from vc_engine.inputs.records import InputLine, blocks
from vc_engine.issuance.attached import AttachedPdfs
from vc_engine.issuance.batch.outputs import (
    MANIFEST,
    REJECTS,
    BatchOutputs,
    StagedBlock,
    StagedDocument,
    Staging,
    remove_stale_temporaries,
)
from vc_engine.issuance.batch.workers import BlockRequest, SigningSpec, executor_for, open_signer
from vc_engine.issuance.block import Issued, Plan, Prepared, prepare, register
from vc_engine.issuance.issuer import enrol_by_chain, preflight
from vc_engine.issuance.status_lists import StatusLists, publish_lists
from vc_engine.keys import key_id
from vc_engine.model import Rejection
from vc_engine.store.doctype_versions import DoctypeVersions
from vc_engine.store.journal import BlockRecord, JobRecord, Journal
from vc_engine.store.registry import Registry

Clock = Callable[[], datetime]
DEFAULT_BLOCK_SIZE = 500
DEFAULT_ARCHIVE_SIZE = 10_000
_JOB_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")

__all__ = [
    "MANIFEST",
    "REJECTS",
    "BatchError",
    "BatchOptions",
    "BatchProgress",
    "BatchSummary",
    "SigningSpec",
    "job_id_for",
    "run_batch",
]


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
    keep_renditions: bool = False
    """Keep every rendition's bytes in the registry for later fetching (`Plan.keep_renditions`)."""
    attach_pdf: Path | None = None
    """A folder of the issuer's own PDFs, `<docId>.pdf`, each bound into its record's
    credential (`issuance.attached`)."""


def run_batch(
    records: Iterable[InputLine | Mapping[str, object]],
    *,
    job_id: str,
    doctype: str,
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

    Everything that can refuse the job (key, issuer, authorisation, formats, output directory)
    is checked before the first status entry or file, the key being opened once here. Re-running
    a job with the same id and records resumes it; a job already complete issues nothing.
    Raises `BatchError`, `IssuanceRefused` or `KeyMaterialError` with what went wrong.
    """
    options = options or BatchOptions()
    if not _JOB_ID.fullmatch(job_id):
        raise BatchError(f"job id {job_id!r}: use 1-100 letters, digits, '.', '_' or '-'")
    spec = DoctypeVersions(registry).catalogue().in_force(doctype, clock())
    signer = open_signer(signing)
    if signing.certificate is not None:
        certificate = x509.load_der_x509_certificate(signing.certificate)
        enrol_by_chain(registry, signing.issuer_id, key_id(signer.public_key), certificate, clock())
    name = preflight(registry, signing.issuer_id, key_id(signer.public_key), spec.code, clock())
    signing = dataclasses.replace(signing, issuer_name=name, doctype=spec)
    issuer, formats = signing.issuer()
    attached = None if options.attach_pdf is None else AttachedPdfs(options.attach_pdf)
    if attached is not None:
        attached.check(signing.formats)
    _require_writable(out_dir)
    journal = Journal(registry)
    job = journal.open_job(
        job_id,
        issuer_id=issuer.id,
        doctype=spec.code,
        formats=signing.formats,
        block_size=options.block_size,
        archive_size=options.archive_size if options.archive else None,
        at=clock(),
    )
    plan = Plan(
        issuer,
        spec,
        formats,
        registry,
        status_lists,
        keep_renditions=options.keep_renditions,
        attached_pdfs=attached,
    )
    if not job.complete:
        run = _Run(job, plan, signing, journal, out_dir, clock, options, progress, total)
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


def _numbered(records: Iterable[InputLine | Mapping[str, object]]) -> Iterator[InputLine]:
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
class _Block:
    """A block between `prepare` and `register`: where it lies in the input, and what it holds."""

    number: int
    records: int
    first_line: int | None
    last_line: int | None
    prepared: Prepared


class _Run:
    """One run of a job: its position (blocks, records, sequence) and the in-flight ids."""

    def __init__(
        self,
        job: JobRecord,
        plan: Plan,
        signing: SigningSpec,
        journal: Journal,
        out_dir: Path,
        clock: Clock,
        options: BatchOptions,
        progress: Callable[[BatchProgress], None] | None,
        total: int | None,
    ) -> None:
        self.job, self.plan, self.signing, self.journal = job, plan, signing, journal
        self.clock, self.options, self.progress, self.total = clock, options, progress, total
        self.staging = Staging(out_dir, job.id)
        self.outputs = BatchOutputs(
            out_dir,
            self.staging,
            plan.formats,
            archive_size=job.archive_size,
            archives_closed=job.archives_closed,
            mark_done=lambda done, closed: journal.mark_done(
                job.id, done, at=clock(), archives_closed=closed
            ),
            checkpoint_seconds=options.checkpoint_seconds,
        )
        self.sequence = job.next_sequence
        self.blocks = len(job.blocks)
        self.records = sum(b.records for b in job.blocks)
        self.issued, self.rejected = journal.counts(job.id)
        self.in_flight: dict[str, int] = {}

    def resume_and_issue(self, records: Iterator[InputLine]) -> None:
        job = self.job
        remove_stale_temporaries(self.outputs.out)
        self.staging.prepare(registered=len(job.blocks))
        try:
            # 1. Blocks registered before a crash but not yet done: write them again.
            for block in job.blocks:
                if block.state == "registered":
                    staged = self.staging.read(block.block)
                    self.outputs.write(block.block, block.first_sequence, staged)
            # 2. The rest of the input, block by block, signed in parallel.
            chunks = blocks(records, job.block_size)
            self._skip_registered(chunks)
            self._issue(chunks)
        finally:
            self.outputs.close()

    def _skip_registered(self, chunks: Iterator[list[InputLine]]) -> None:
        for block in self.job.blocks:
            chunk = next(chunks, None)
            if chunk is None or (chunk[0][0], chunk[-1][0]) != (block.first_line, block.last_line):
                raise BatchError(
                    f"job {self.job.id}: the records differ from those the job started with "
                    f"(block {block.block}); resume it with the same input"
                )

    def _issue(self, chunks: Iterator[list[InputLine]]) -> None:
        executor = executor_for(
            self.signing, workers=self._workers(), scheduler=self.options.scheduler
        )
        pending: deque[tuple[_Block, Any]] = deque()
        limit = max(1, executor.workers * self.options.in_flight_per_worker)
        try:
            for number, chunk in enumerate(chunks, start=len(self.job.blocks)):
                block = self._prepare(number, chunk)
                documents = tuple(block.prepared.documents)
                future = executor.submit(BlockRequest(number, documents)) if documents else None
                pending.append((block, future))
                while len(pending) >= limit:
                    self._complete(*pending.popleft())
            while pending:
                self._complete(*pending.popleft())
            self._finish()
        finally:
            executor.close()

    def _workers(self) -> int:
        workers = self.options.workers or os.cpu_count() or 1
        if self.total is not None:
            remaining = self.total - self.records
            workers = min(workers, max(1, -(-remaining // self.job.block_size)))
        return workers

    # Step 1: prepare.

    def _prepare(self, number: int, chunk: list[InputLine]) -> _Block:
        prepared = prepare(self.plan, chunk, issued_at=self.clock(), taken=self._taken)
        for line, document in prepared.documents:
            self.in_flight[document.id] = line
        return _Block(number, len(chunk), chunk[0][0], chunk[-1][0], prepared)

    def _taken(self, document_ids: Sequence[str]) -> dict[str, str]:
        """Ids not to issue now: in a block still in flight, or in the register (this job's
        line, another job's, or issued some other way)."""
        refused = {
            d: f"{d} repeats line {self.in_flight[d]}; not issued twice"
            for d in document_ids
            if d in self.in_flight
        }
        for document_id, (job, line) in self.journal.issued_among(document_ids).items():
            if job == self.job.id:
                refused[document_id] = (
                    f"{document_id} repeats line {line}, already issued; not issued twice"
                )
            else:
                by = f"by batch job {job}" if job else "outside any batch job"
                refused[document_id] = f"{document_id} was already issued {by}; not issued again"
        return refused

    # Steps 3 and 4: stage, register, write.

    def _complete(self, block: _Block, future: Any) -> None:
        outputs = () if future is None else future.result().outputs
        signed = [
            Issued(line, document, rendered)
            for (line, document), rendered in zip(block.prepared.documents, outputs, strict=True)
        ]
        for item in signed:
            self.in_flight.pop(item.document.id, None)
        staged: list[StagedBlock] = []

        def stage(attempt: Sequence[Issued]) -> None:
            staged[:] = [_staged(block.number, block.prepared.issued_at, attempt)]
            self.staging.stage(staged[0])

        def journal(
            conn: Connection, issued: Sequence[Issued], refused: Sequence[Rejection]
        ) -> None:
            rejections = sorted([*block.prepared.rejections, *refused], key=lambda r: r.line)
            record = self._record(block, len(issued))
            self.journal.registrar(
                self.job.id,
                record,
                [(item.document.id, item.line) for item in issued],
                rejections,
            )(conn)

        registered, refused = register(
            self.plan,
            signed,
            recorded_at=self.clock(),
            taken=self._raced,
            also=journal,
            before_attempt=stage,
        )
        if not staged:  # nothing to sign: stage the empty block too
            stage(registered)
        self.outputs.write(block.number, self.sequence, staged[0])
        self.sequence += len(registered)
        self.blocks += 1
        self.records += block.records
        self.issued += len(registered)
        self.rejected += len(block.prepared.rejections) + len(refused)
        if self.progress is not None:
            self.progress(BatchProgress(self.records, self.issued, self.rejected, self.total))

    def _raced(self, document_ids: Sequence[str]) -> dict[str, str]:
        """Ids registered by another writer since `prepare`."""
        refused = {}
        for document_id, (job, _) in self.journal.issued_among(document_ids).items():
            by = f"by batch job {job}" if job else "outside any batch job"
            refused[document_id] = (
                f"{document_id} was issued {by} while this job ran; not issued again"
            )
        return refused

    def _record(self, block: _Block, issued: int) -> BlockRecord:
        return BlockRecord(
            block.number, block.first_line, block.last_line, block.records, issued, self.sequence
        )

    def _finish(self) -> None:
        rejections = [
            (r.line, r.document_id, r.reason) for r in self.journal.rejections(self.job.id)
        ]
        self.outputs.finish(self.blocks, rejections)
        if self.plan.status_lists is not None:
            lists = self.plan.status_lists
            issuer = self.plan.issuer
            publish_lists(lists, issuer, lists.store.lists_of(issuer.id), self.clock())
        self.journal.complete(self.job.id, at=self.clock())
        self.staging.remove()


def _staged(number: int, issued_at: datetime, issued: Sequence[Issued]) -> StagedBlock:
    return StagedBlock(
        number,
        issued_at,
        tuple(
            StagedDocument(item.document.id, item.line, item.outputs, item.document.status)
            for item in issued
        ),
    )


def job_id_for(
    records_file: Path, *, issuer_id: str, doctype: str, formats: Sequence[str], out_dir: Path,
    archive: bool, attach_pdf: Path | None = None,
) -> tuple[str, int]:  # fmt: skip
    """The CLI's job id: the same command on the same file (or directory of files) names the
    same job (a folder of PDFs to bind is part of the command). Also returns the line count, a
    progress estimate of a CSV or JSONL file's records."""
    digest = hashlib.sha256()
    for part in (issuer_id, doctype, ",".join(formats), str(out_dir.resolve()), str(archive)):
        digest.update(part.encode("utf-8") + b"\0")
    if attach_pdf is not None:
        digest.update(b"attach-pdf\0" + str(attach_pdf.resolve()).encode("utf-8") + b"\0")
    lines = 0
    files = sorted(records_file.iterdir()) if records_file.is_dir() else [records_file]
    for file in (f for f in files if f.is_file()):
        digest.update(file.name.encode("utf-8") + b"\0")
        with file.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
                lines += block.count(b"\n")
    return f"job-{digest.hexdigest()[:32]}", lines
