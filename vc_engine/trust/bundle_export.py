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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import IO, Any, Protocol

from sqlalchemy import Connection, select, true

from vc_engine import keys
from vc_engine.revocation.records import DocumentStatus
from vc_engine.trust import bundle_records as codec
from vc_engine.trust import queries
from vc_engine.trust.bundle_format import header_line
from vc_engine.trust.records import IssuanceRecord
from vc_engine.trust.schema import issuance_renditions, issuances
from vc_engine.trust.store import Registry

PAYLOAD_TYPE = "vc-engine-trust-bundle"
VERSION = 1
ROWS_PER_SECTION = 4096
"""Rows per register section: small enough to decode in milliseconds on a look-up."""
REGISTER_ENCODING = "zlib+json"


class StatusSource(Protocol):
    """What export reads of the status lists (`revocation.StatusStore` is one)."""

    def lists_of(self, issuer_id: str) -> tuple[str, ...]: ...

    def published_list(self, list_id: str) -> bytes | None: ...

    def documents_with_history(self) -> tuple[str, ...]: ...

    def status(self, document_id: str) -> DocumentStatus | None: ...


@dataclass(frozen=True, slots=True)
class ExportSummary:
    created: datetime
    next_update: datetime
    root_key_id: str
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
    status: StatusSource | None = None,
    rows_per_section: int = ROWS_PER_SECTION,
) -> ExportSummary:
    """Write a bundle of `registry` (and of `status`'s lists, if given) signed by `signer`.

    The registry part (issuers, keys, authorisations, register) is read in one consistent
    transaction; the status part is read after it, so it is at least as new. Each status list
    is carried as its issuer signed it, with its own validUntil: an audit after that finds the
    documents in it INDETERMINATE (TRY_LATER), as a verifier online with that list would. A list
    never published is left out and named in the warnings.
    """
    created = codec.read_instant(codec.instant(created))
    next_update = codec.read_instant(codec.instant(next_update))
    if next_update <= created:
        raise ValueError("a bundle's nextUpdate must be after its creation")
    with tempfile.TemporaryFile() as sections_file:
        with _consistent_read(registry) as conn:
            issuers = queries.all_issuers(conn)
            registered_keys = queries.keys_where(conn, true())
            authorisations = queries.authorisations_where(conn, true())
            sections, documents = _write_register(
                _issuance_rows(conn), sections_file, rows_per_section
            )
        lists, statuses, warnings = _status_part(status, [i.id for i in issuers], next_update)
        payload = _json(
            {
                "type": PAYLOAD_TYPE,
                "version": VERSION,
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
        root_key_id=keys.key_id(signer.public_key),
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


class _consistent_read:
    """One read transaction in which every statement sees the same registry state."""

    def __init__(self, registry: Registry) -> None:
        self._engine = registry.engine

    def __enter__(self) -> Connection:
        self._conn = self._engine.connect()
        if self._conn.dialect.name == "postgresql":
            self._conn = self._conn.execution_options(isolation_level="REPEATABLE READ")
        self._transaction = self._conn.begin()
        return self._conn

    def __exit__(self, *exc: object) -> None:
        self._transaction.rollback()
        self._conn.close()


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
    status: StatusSource | None, issuer_ids: Sequence[str], next_update: datetime
) -> tuple[dict[str, str], list[DocumentStatus], list[str]]:
    if status is None:
        return {}, [], []
    lists: dict[str, str] = {}
    warnings: list[str] = []
    for issuer_id in issuer_ids:
        for list_id in status.lists_of(issuer_id):
            published = status.published_list(list_id)
            if published is None:
                warnings.append(f"status list {list_id} has never been published; not included")
                continue
            lists[list_id] = published.decode("ascii")
    statuses = [s for d in status.documents_with_history() if (s := status.status(d)) is not None]
    return lists, statuses, warnings


def _json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
