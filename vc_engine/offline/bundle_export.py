"""Exporting the registry and its status lists as a signed offline trust bundle.

The format is described in `bundle`. Export streams the issuance register out of the database
in document-id order into compressed sections (a temporary file, so memory stays flat at a
million documents), then writes the signed header, the payload and the sections. Nothing here
reads the clock: `created` and `next_update` are passed in.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, insert, select, true, update
from sqlalchemy.exc import IntegrityError, OperationalError

from vc_engine import keys
from vc_engine.offline import bundle_codec as codec
from vc_engine.offline.bundle_format import header_line
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
from vc_engine.trust.records import IssuanceRecord

PAYLOAD_TYPE = "vc-engine-trust-bundle"
VERSION = 2
"""2: a sequence number per root; status histories without reasons or actors."""
ROWS_PER_SECTION = 4096
"""Rows per register section: small enough to decode in milliseconds on a look-up."""
REGISTER_ENCODING = "zlib+json"


@dataclass(frozen=True, slots=True)
class ExportSummary:
    created: datetime
    next_update: datetime
    root_key_id: str
    sequence: int
    issuers: int
    keys: int
    documents: int
    status_lists: int
    document_statuses: int
    bytes_written: int
    warnings: tuple[str, ...]


def export_bundle(
    registry: Registry,
    signer: keys.Signer,
    out: IO[bytes],
    *,
    created: datetime,
    next_update: datetime,
    include_status: bool = True,
    rows_per_section: int = ROWS_PER_SECTION,
) -> ExportSummary:
    """Write a bundle of `registry` (and of its status lists) signed by `signer`.

    Everything is read in one transaction that also takes the bundle's sequence number, the
    next for the root key: so a bundle with a higher number never holds an older registry than
    one with a lower number, and an auditor who has seen number N can refuse anything below it
    (a rollback to before a revocation). Exports by one root are therefore serialized: on
    PostgreSQL by the sequence row's lock (a concurrent export retries), on SQLite by its one
    writer at a time.

    Each status list is carried as its issuer signed it, with its own validUntil: an audit
    after that finds the documents in it INDETERMINATE (TRY_LATER), as a verifier online with
    that list would. A list never published is left out and named in the warnings. Status
    histories carry actions and times only (see `bundle_records.document_status_json`).
    """
    created = codec.read_instant(codec.instant(created))
    next_update = codec.read_instant(codec.instant(next_update))
    if next_update <= created:
        raise ValueError("a bundle's nextUpdate must be after its creation")
    root_key_id = keys.key_id(signer.public_key)
    with tempfile.TemporaryFile() as sections_file:
        for attempt in range(_ATTEMPTS):
            sections_file.seek(0)
            sections_file.truncate()
            try:
                with _numbered_snapshot(registry) as conn:
                    sequence = _next_sequence(conn, root_key_id)
                    issuers = queries.all_issuers(conn)
                    registered_keys = queries.keys_where(conn, true())
                    authorisations = queries.authorisations_where(conn, true())
                    sections, documents = _write_register(
                        _issuance_rows(conn), sections_file, rows_per_section
                    )
                    lists, statuses, warnings = (
                        _status_part(conn) if include_status else ({}, [], [])
                    )
                break
            except (OperationalError, IntegrityError) as error:
                if attempt + 1 == _ATTEMPTS or not _lost_the_race(error):
                    raise
        payload = _json(
            {
                "type": PAYLOAD_TYPE,
                "version": VERSION,
                "sequence": sequence,
                "created": codec.instant(created),
                "nextUpdate": codec.instant(next_update),
                "issuers": [codec.issuer_json(i) for i in issuers],
                "keys": [codec.key_json(k) for k in registered_keys],
                "authorisations": [codec.authorisation_json(a) for a in authorisations],
                "issuanceRegister": {
                    "encoding": REGISTER_ENCODING,
                    "rows": documents,
                    "sections": sections,
                },
                "statusLists": lists,
                "documentStatus": [codec.document_status_json(s) for s in statuses],
                "contexts": pinned_contexts(),
            }
        )
        header = header_line(payload, signer)
        out.write(header)
        out.write(payload)
        sections_file.seek(0)
        shutil.copyfileobj(sections_file, out, 1024 * 1024)
    return ExportSummary(
        created=created,
        next_update=next_update,
        root_key_id=root_key_id,
        sequence=sequence,
        issuers=len(issuers),
        keys=len(registered_keys),
        documents=documents,
        status_lists=len(lists),
        document_statuses=len(statuses),
        bytes_written=len(header) + len(payload) + sum(s["length"] for s in sections),
        warnings=tuple(warnings),
    )


def write_bundle(
    path: Path, registry: Registry, signer: keys.Signer, **options: Any
) -> ExportSummary:
    """`export_bundle` into `path`, atomically: a reader never sees half a bundle."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        with temporary.open("wb") as out:
            summary = export_bundle(registry, signer, out, **options)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return summary


def pinned_contexts() -> dict[str, str]:
    """URL -> SHA-256 of the JSON-LD contexts this engine pins (vc_engine/data/contexts)."""
    index = resources.files("vc_engine") / "data" / "contexts" / "index.json"
    listed = json.loads(index.read_text(encoding="utf-8"))
    return {url: entry["sha256"] for url, entry in sorted(listed.items())}


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


def _write_register(
    rows: Iterable[IssuanceRecord], out: IO[bytes], rows_per_section: int
) -> tuple[list[dict[str, Any]], int]:
    sections: list[dict[str, Any]] = []
    batch: list[codec.IssuanceRow] = []
    previous = ""
    count = 0

    def flush() -> None:
        data = zlib.compress(_json(batch), 6)
        out.write(data)
        sections.append(
            {
                "first": batch[0][0],
                "last": batch[-1][0],
                "rows": len(batch),
                "length": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        )
        batch.clear()

    for record in rows:
        if count and record.document_id <= previous:
            raise RuntimeError(
                f"the register came back out of order ({previous!r} before "
                f"{record.document_id!r}); the database's collation is not code point order"
            )
        previous = record.document_id
        batch.append(codec.issuance_row(record))
        count += 1
        if len(batch) == rows_per_section:
            flush()
    if batch:
        flush()
    return sections, count


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


def _json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
