"""Issuing one block of input records: the steps every driver shares.

    input records -> Documents -> refusals -> status entries -> signed renditions -> register rows

1. `prepare`: each input record becomes the Document its issuer will sign (or a rejection that
   names its line and reason); a document id already issued, or repeated, is refused; the
   documents that remain get their status entries (kept if a crashed run drew them already).
2. `sign`: every rendition of every document. A pure function of the documents and the key, so
   it runs here or in a worker process (`batch.workers`).
3. `register`: one register row per document (the SHA-256 of every rendition) in ONE
   transaction, with whatever else must commit with them (`also`: the batch journal; and, when
   the plan keeps renditions, their bytes and the documents' fields). A document
   id registered by someone else since step 1 is refused alone and the rest registered again.

`issue_block` runs the three in this process (`issue` and `issue_documents` then publish the
status lists): the library, the HTTP service's issuing routes and `issue_records` use them.
Batch issuance (`batch.scheduler`) runs the same steps, signing in its workers. Nothing here
reads the clock: the issue time and the registration clock are passed in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection

from vc_engine.doctypes import (
    DocType,
    DocumentIdError,
    RecordError,
    record_to_document,
)
from vc_engine.inputs.records import BadLine, InputLine, Located
from vc_engine.issuance.attached import AttachedPdfs, PdfNotFound
from vc_engine.issuance.issuer import Issuer, Rendition
from vc_engine.issuance.kept import kept
from vc_engine.issuance.status_lists import StatusLists, publish_lists, with_status
from vc_engine.model import Document, Rejection
from vc_engine.store import AlreadyIssued, Registry
from vc_engine.store.kept import keep
from vc_engine.trust.records import IssuanceRecord

Taken = Callable[[Sequence[str]], Mapping[str, str]]
"""Of some document ids, those that may not be issued now, each with the reason to give."""


@dataclass(frozen=True)
class Issued:
    """A document and its signed renditions, one per format of the run, in its order."""

    line: int
    document: Document
    outputs: tuple[bytes, ...]


@dataclass(frozen=True)
class Plan:
    """What a run issues: who signs, which document type, in which renditions, registered
    where, with status entries from where (None: documents without status entries)."""

    issuer: Issuer
    doctype: DocType
    formats: tuple[Rendition, ...]
    registry: Registry
    status_lists: StatusLists | None
    keep_renditions: bool = False
    """Keep every rendition's bytes (and the document's fields, for search) with its register
    row, for serving later (the e-locker's Pull API); see `vc_engine.store.kept`."""
    attached_pdfs: AttachedPdfs | None = None
    """The issuer's own PDFs, each bound into its record's credential (`issuance.attached`)."""

    def already_issued(self, document_ids: Sequence[str]) -> Mapping[str, str]:
        """The default `Taken`: ids the register already holds."""
        return {
            document_id: f"{document_id} was already issued; not issued again"
            for document_id in self.registry.issued(document_ids)
        }


@dataclass
class Prepared:
    """A block after step 1: documents ready to sign (with their status entries), the records
    refused, and the status lists the documents' entries are in."""

    issued_at: datetime
    documents: list[tuple[int, Document]]
    rejections: list[Rejection]
    lists: set[str] = field(default_factory=set)


def prepare(
    plan: Plan,
    lines: Iterable[InputLine],
    *,
    issued_at: datetime,
    taken: Taken | None = None,
) -> Prepared:
    """Step 1 for one block of input records (see the module docstring)."""
    documents, rejections = to_documents(plan, lines, issued_at)
    prepared = admit(plan, documents, issued_at=issued_at, taken=taken)
    prepared.rejections[:0] = rejections
    return prepared


def to_documents(
    plan: Plan, lines: Iterable[InputLine], issued_at: datetime
) -> tuple[list[tuple[int, Document]], list[Rejection]]:
    """Each input record as the Document its issuer will sign, or the reason it cannot be."""
    rejections: list[Rejection] = []
    documents: list[tuple[int, Document]] = []
    for line, record in lines:
        if isinstance(record, BadLine):
            rejections.append(Rejection(line, record.reason))
            continue
        try:
            document = record_to_document(
                record,
                plan.doctype,
                issuer_id=plan.issuer.id,
                issuer_name=plan.issuer.name,
                issued_at=issued_at,
            )
        except (RecordError, DocumentIdError) as error:
            where = f"{record.where}: " if isinstance(record, Located) else ""
            rejections.append(Rejection(line, f"{where}{error}"))
            continue
        if plan.attached_pdfs is not None:
            try:
                document = plan.attached_pdfs.bind(document)
            except PdfNotFound as error:
                rejections.append(Rejection(line, str(error), document.id))
                continue
        documents.append((line, document))
    return documents, rejections


def admit(
    plan: Plan,
    documents: Iterable[tuple[int, Document]],
    *,
    issued_at: datetime,
    taken: Taken | None = None,
) -> Prepared:
    """Refuse the documents whose id is repeated or may not be issued (`taken`: by default,
    already in the register), then give the others their status entries."""
    rejections: list[Rejection] = []
    unique: list[tuple[int, Document]] = []
    seen: dict[str, int] = {}
    for line, document in documents:
        if document.id in seen:
            reason = f"{document.id} repeats line {seen[document.id]}; not issued twice"
            rejections.append(Rejection(line, reason, document.id))
            continue
        seen[document.id] = line
        unique.append((line, document))
    refused = (taken or plan.already_issued)([d.id for _, d in unique])
    rejections.extend(Rejection(n, refused[d.id], d.id) for n, d in unique if d.id in refused)
    admitted = [(n, d) for n, d in unique if d.id not in refused]
    lists: set[str] = set()
    if plan.status_lists is not None and admitted:
        admitted, lists = with_status(admitted, plan.issuer.id, plan.status_lists, issued_at)
    return Prepared(issued_at, admitted, rejections, lists)


def sign(
    documents: Iterable[tuple[int, Document]],
    issuer: Issuer,
    formats: Sequence[Rendition],
    doctype: DocType | None,
) -> tuple[Issued, ...]:
    """Step 2: every rendition of every document, signed by `issuer`, in order: a rendition
    that carries others (a PDF) is given those signed before it; `doctype` is the type version
    the documents are issued under (None: the latest shipped version of each one's type)."""
    return tuple(
        Issued(line, document, _renditions(document, issuer, formats, doctype))
        for line, document in documents
    )


def _renditions(
    document: Document,
    issuer: Issuer,
    formats: Sequence[Rendition],
    doctype: DocType | None,
) -> tuple[bytes, ...]:
    signed: dict[str, bytes] = {}
    outputs = []
    for rendition in formats:
        output = rendition.sign(document, issuer, signed, doctype)
        signed[rendition.format] = output
        outputs.append(output)
    return tuple(outputs)


Also = Callable[[Connection, Sequence["Issued"], Sequence[Rejection]], None]
"""Writes more in the register's transaction: given what is being registered and what was
refused, so they commit (or vanish) together."""


def register(
    plan: Plan,
    signed: Sequence[Issued],
    *,
    recorded_at: datetime,
    taken: Taken | None = None,
    also: Also | None = None,
    before_attempt: Callable[[Sequence[Issued]], None] | None = None,
) -> tuple[list[Issued], list[Rejection]]:
    """Step 3: register `signed` in one transaction; returns what was registered and what was
    refused because another writer registered its id since `prepare` (asked of `taken`).
    `before_attempt(documents)` runs before each try (the batch stages the bytes durably
    first); `also` writes in the same transaction (the batch journal)."""
    refused: list[Rejection] = []
    pending = list(signed)
    while True:
        if before_attempt is not None:
            before_attempt(pending)
        rows = [register_row(item, plan, recorded_at) for item in pending]
        try:
            plan.registry.record_issuances(rows, also=_bound(plan, also, pending, refused))
            return pending, refused
        except AlreadyIssued:
            found = (taken or plan.already_issued)([item.document.id for item in pending])
            if not found:
                raise
            refused += [
                Rejection(item.line, found[item.document.id], item.document.id)
                for item in pending
                if item.document.id in found
            ]
            pending = [item for item in pending if item.document.id not in found]


def _bound(
    plan: Plan, also: Also | None, registered: list[Issued], refused: list[Rejection]
) -> Callable[[Connection], None] | None:
    if also is None and not plan.keep_renditions:
        return None
    formats = [rendition.format for rendition in plan.formats]

    def write(conn: Connection) -> None:
        if plan.keep_renditions:
            keep(conn, [kept(item.document, formats, item.outputs) for item in registered])
        if also is not None:
            also(conn, registered, refused)

    return write


def register_row(item: Issued, plan: Plan, recorded_at: datetime) -> IssuanceRecord:
    """The register's row for one document: the SHA-256 of each of its renditions."""
    digests = tuple(
        (rendition.format, hashlib.sha256(data).hexdigest())
        for rendition, data in zip(plan.formats, item.outputs, strict=True)
    )
    return IssuanceRecord(
        document_id=item.document.id,
        issuer_id=plan.issuer.id,
        doctype=item.document.doctype,
        sha256=digests[0][1],
        key_id=plan.issuer.key_id,
        issued_at=item.document.issued_at,
        recorded_at=recorded_at,
        renditions=digests,
    )


@dataclass(frozen=True)
class BlockOutcome:
    issued: list[Issued]
    rejections: list[Rejection]
    lists: set[str]
    """The status lists the issued documents' entries are in (to publish)."""


def issue_block(
    plan: Plan,
    lines: Iterable[InputLine],
    *,
    issued_at: datetime,
    recorded_at: Callable[[], datetime],
) -> BlockOutcome:
    """The three steps in this process, for one block of input records."""
    return issue_prepared(plan, prepare(plan, lines, issued_at=issued_at), recorded_at)


def issue_documents(
    plan: Plan,
    documents: Iterable[tuple[int, Document]],
    *,
    issued_at: datetime,
    clock: Callable[[], datetime],
) -> BlockOutcome:
    """Admit, sign and register documents already built, in this process, then publish the
    status lists they are in (the service's issuing routes)."""
    outcome = issue_prepared(plan, admit(plan, documents, issued_at=issued_at), clock)
    if plan.status_lists is not None and outcome.lists:
        publish_lists(plan.status_lists, plan.issuer, sorted(outcome.lists), clock())
    return outcome


def issue(
    plan: Plan,
    records: Iterable[Mapping[str, object]],
    *,
    clock: Callable[[], datetime],
) -> BlockOutcome:
    """Issue a handful of input records in this process (numbered from 0), then publish the
    status lists they are in: the library's one call. Returns the signed renditions; nothing
    is written to files. Millions of records are `batch.run_batch`'s job."""
    issued_at = clock()
    lines: list[InputLine] = [(number, dict(record)) for number, record in enumerate(records)]
    documents, rejections = to_documents(plan, lines, issued_at)
    outcome = issue_documents(plan, documents, issued_at=issued_at, clock=clock)
    rejections = sorted([*rejections, *outcome.rejections], key=lambda r: r.line)
    return BlockOutcome(outcome.issued, rejections, outcome.lists)


def issue_prepared(
    plan: Plan, prepared: Prepared, recorded_at: Callable[[], datetime]
) -> BlockOutcome:
    """Steps 2 and 3 in this process, for documents already admitted (`admit`)."""
    signed = sign(prepared.documents, plan.issuer, plan.formats, plan.doctype)
    registered, refused = register(plan, signed, recorded_at=recorded_at())
    rejections = sorted([*prepared.rejections, *refused], key=lambda r: r.line)
    return BlockOutcome(registered, rejections, prepared.lists)
