"""Issuing: issuer record -> Document -> signed renditions, each registered before it is handed out.

An issuer should never produce a document that its own registry would refuse, so `preflight`
checks the issuer, key and authorisation before the first signature. Every issued document's id
and SHA-256 go into the issuance register: that row is what later proves the document existed
before a key compromise.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TypeVar

from vc_engine import doctypes
from vc_engine.formats import signed_xml
from vc_engine.formats.xmldsig import XmlSigningKey
from vc_engine.keys import key_id
from vc_engine.model import Document
from vc_engine.records import BadLine, RecordLine
from vc_engine.trust.errors import AlreadyIssued
from vc_engine.trust.records import IssuanceRecord, IssuerStatus, KeyStatus
from vc_engine.trust.store import Registry

Clock = Callable[[], datetime]
T = TypeVar("T")


class IssuanceRefused(Exception):
    """The registry would not vouch for what we are about to sign; nothing was issued."""


@dataclass(frozen=True)
class Issuer:
    """Who signs, with what, resolved once for a whole run."""

    id: str
    name: str
    key: XmlSigningKey
    civil_timezone: tzinfo

    @property
    def key_id(self) -> str:
        return key_id(self.key.signer.public_key)


def preflight(
    registry: Registry, issuer_id: str, signing_key_id: str, doctype: str, at: datetime
) -> str:
    """Check that documents signed now would verify; return the issuer's registered name."""
    record = registry.get_issuer(issuer_id)
    if record is None:
        raise IssuanceRefused(f"issuer {issuer_id} is not in the registry")
    if record.status is not IssuerStatus.ACTIVE:
        raise IssuanceRefused(f"issuer {issuer_id} is {record.status}")
    registered = registry.get_key(signing_key_id)
    if registered is None or registered.issuer_id != issuer_id:
        raise IssuanceRefused(f"the signing key {signing_key_id} is not registered to {issuer_id}")
    if not registered.in_window(at):
        raise IssuanceRefused(f"the signing key {signing_key_id} is outside its validity window")
    for final in (KeyStatus.RETIRED, KeyStatus.COMPROMISED):
        event = registered.first_event(final)
        if event is not None and event.effective_at <= at:
            raise IssuanceRefused(f"the signing key {signing_key_id} is {final}: {event.reason}")
    if not any(a.covers(doctype, at) for a in registry.authorisations(issuer_id)):
        raise IssuanceRefused(f"issuer {issuer_id} is not authorised to issue {doctype}")
    return record.name


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str
    document_id: str | None = None


@dataclass
class IssueSummary:
    issued: list[Path] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def sign_xml(document: Document, issuer: Issuer) -> bytes:
    return signed_xml.issue(document, issuer.key, issuer.civil_timezone)


def issue_records(
    records: Iterable[RecordLine],
    doctype: doctypes.DocType,
    issuer: Issuer,
    registry: Registry,
    out_dir: Path,
    clock: Clock,
    *,
    chunk_size: int = 500,
) -> IssueSummary:
    """Sign every good record as signed XML into `out_dir`; report the bad ones by line.

    Per chunk: sign, register (one transaction), then write the files. A document id already
    in the register is refused, never issued twice.
    """
    summary = IssueSummary()
    out_dir.mkdir(parents=True, exist_ok=True)
    for chunk in _chunks(records, chunk_size):
        signed: list[tuple[int, Document, bytes]] = []
        for line, record in chunk:
            if isinstance(record, BadLine):
                summary.rejected.append(Rejected(line, record.reason))
                continue
            try:
                document = doctypes.record_to_document(
                    record, doctype, issuer_id=issuer.id, issuer_name=issuer.name, issued_at=clock()
                )
            except doctypes.RecordError as error:
                summary.rejected.append(Rejected(line, str(error)))
                continue
            signed.append((line, document, sign_xml(document, issuer)))
        for _, document, data in _register(signed, issuer, registry, clock, summary):
            path = out_dir / f"{document.id}.xml"
            _write_atomically(path, data)
            summary.issued.append(path)
    return summary


def _register(
    signed: list[tuple[int, Document, bytes]],
    issuer: Issuer,
    registry: Registry,
    clock: Clock,
    summary: IssueSummary,
) -> list[tuple[int, Document, bytes]]:
    """Register a chunk in one transaction; on a duplicate, fall back to one row at a time so
    only the duplicates are refused."""
    if not signed:
        return []
    recorded_at = clock()
    rows = [_register_row(document, data, issuer, recorded_at) for _, document, data in signed]
    try:
        registry.record_issuances(rows)
        return signed
    except AlreadyIssued:
        pass
    accepted = []
    for (line, document, data), row in zip(signed, rows, strict=True):
        try:
            registry.record_issuances([row])
        except AlreadyIssued:
            summary.rejected.append(
                Rejected(line, f"{document.id} was already issued; not issued again", document.id)
            )
            continue
        accepted.append((line, document, data))
    return accepted


def _register_row(
    document: Document, data: bytes, issuer: Issuer, recorded_at: datetime
) -> IssuanceRecord:
    return IssuanceRecord(
        document_id=document.id,
        issuer_id=issuer.id,
        doctype=document.doctype,
        sha256=hashlib.sha256(data).hexdigest(),
        key_id=issuer.key_id,
        issued_at=document.issued_at,
        recorded_at=recorded_at,
    )


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary name in the same directory, then rename: a reader (or a crash)
    never sees half a document."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
