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
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import IO, Any

from vc_engine import keys
from vc_engine.doctypes.versions import Version
from vc_engine.offline import bundle_certificates as certificates
from vc_engine.offline import bundle_codec as codec
from vc_engine.offline.bundle_format import header_line
from vc_engine.revocation.status import DocumentStatus
from vc_engine.store.bundle_reads import RegistryExport, read_numbered
from vc_engine.store.doctype_versions import DoctypeVersions
from vc_engine.store.registry import Registry
from vc_engine.trust.anchors import CertificateSubject
from vc_engine.trust.chains import AnchorSet
from vc_engine.trust.records import Authorisation, IssuanceRecord, IssuerRecord, RegisteredKey

PAYLOAD_TYPE = "vc-engine-trust-bundle"
VERSION = 2
"""2: a sequence number per root; status histories without reasons or actors. The optional
`certificateTrust` member (CA certificates, CRLs, certificate subjects) needs no new version:
an older reader ignores it and trusts no chain, which fails closed."""
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
    ca_certificates: int = 0
    crls: int = 0


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

        def read(export: RegistryExport) -> _Read:
            sections_file.seek(0)
            sections_file.truncate()
            sections, documents = _write_register(
                export.issuances(), sections_file, rows_per_section
            )
            lists, statuses, warnings = export.status() if include_status else ({}, [], [])
            return _Read(
                export.sequence,
                export.issuers(),
                export.keys(),
                export.authorisations(),
                export.anchors(),
                export.certificate_subjects(),
                sections,
                documents,
                lists,
                statuses,
                warnings,
            )

        got = read_numbered(registry, root_key_id, read)
        payload = _json(
            {
                "type": PAYLOAD_TYPE,
                "version": VERSION,
                "sequence": got.sequence,
                "created": codec.instant(created),
                "nextUpdate": codec.instant(next_update),
                "issuers": [codec.issuer_json(i) for i in got.issuers],
                "keys": [codec.key_json(k) for k in got.keys],
                "authorisations": [codec.authorisation_json(a) for a in got.authorisations],
                certificates.MEMBER: certificates.certificate_trust_json(got.anchors, got.subjects),
                "issuanceRegister": {
                    "encoding": REGISTER_ENCODING,
                    "rows": got.documents,
                    "sections": got.sections,
                },
                "statusLists": got.lists,
                "documentStatus": [codec.document_status_json(s) for s in got.statuses],
                "contexts": pinned_contexts(),
                "doctypes": [_doctype_json(v) for v in DoctypeVersions(registry).added()],
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
        sequence=got.sequence,
        issuers=len(got.issuers),
        keys=len(got.keys),
        documents=got.documents,
        status_lists=len(got.lists),
        document_statuses=len(got.statuses),
        bytes_written=len(header) + len(payload) + sum(s["length"] for s in got.sections),
        warnings=tuple(got.warnings),
        ca_certificates=len(got.anchors.anchors),
        crls=len(got.anchors.crls),
    )


@dataclass(frozen=True)
class _Read:
    sequence: int
    issuers: tuple[IssuerRecord, ...]
    keys: tuple[RegisteredKey, ...]
    authorisations: tuple[Authorisation, ...]
    anchors: AnchorSet
    subjects: tuple[CertificateSubject, ...]
    sections: list[dict[str, Any]]
    documents: int
    lists: dict[str, str]
    statuses: list[DocumentStatus]
    warnings: list[str]


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


def _doctype_json(version: Version) -> dict[str, Any]:
    """A document type version added to the registry, as its definition text: an auditor
    checks documents of that type, and canonicalises their credentials, by it."""
    return {
        "code": version.doctype.code,
        "version": version.doctype.version,
        "definition": version.definition.text,
        "sha256": version.definition.sha256,
        "inForceFrom": codec.instant(version.in_force_from),
    }


def pinned_contexts() -> dict[str, str]:
    """URL -> SHA-256 of the JSON-LD contexts this engine pins (vc_engine/data/contexts)."""
    index = resources.files("vc_engine") / "data" / "contexts" / "index.json"
    listed = json.loads(index.read_text(encoding="utf-8"))
    return {url: entry["sha256"] for url, entry in sorted(listed.items())}


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


def _json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
