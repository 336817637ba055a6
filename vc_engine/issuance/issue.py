"""Issuing: issuer record -> Document -> signed renditions, each registered before it is handed out.

An issuer should never produce a document that its own registry would refuse, so `preflight`
checks the issuer, key and authorisation before the first signature. Every issued document's id
and SHA-256 go into the issuance register: that row is what later proves the document existed
before a key compromise.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from functools import cached_property
from pathlib import Path
from typing import TypeVar

from cryptography import x509

from vc_engine import doctypes
from vc_engine.errors import Refused
from vc_engine.formats import SIGNED_XML, VC_DATA_INTEGRITY, VC_JWT, vc_di, vc_jwt
from vc_engine.formats import xml as signed_xml
from vc_engine.formats.xml.dsig import XmlSigningKey
from vc_engine.inputs.records import BadLine, RecordLine
from vc_engine.keys import KeyAlgorithm, Signer, did_key, key_id
from vc_engine.model import Document, issuer_did
from vc_engine.revocation import status_list_credential
from vc_engine.revocation.credential import status_reference
from vc_engine.revocation.status import PublishedList
from vc_engine.store import StatusStore
from vc_engine.store.errors import AlreadyIssued
from vc_engine.store.registry import Registry
from vc_engine.trust.did import verification_method as registry_verification_method
from vc_engine.trust.records import IssuanceRecord, IssuerStatus, KeyStatus

Clock = Callable[[], datetime]
Signed = list[tuple["Rendition", bytes]]
T = TypeVar("T")


class IssuanceRefused(Refused):
    """The registry would not vouch for what we are about to sign; nothing was issued."""


@dataclass(frozen=True)
class Issuer:
    """Who signs, with what, resolved once for a whole run."""

    id: str
    name: str
    signer: Signer
    certificate: x509.Certificate | None
    civil_timezone: tzinfo
    cryptosuite: str | None = None

    @cached_property
    def key_id(self) -> str:
        return key_id(self.signer.public_key)

    @cached_property
    def xml_key(self) -> XmlSigningKey:
        if self.certificate is None:
            raise IssuanceRefused("signed XML carries the key's certificate: give --cert")
        return XmlSigningKey(self.signer, self.certificate)

    @cached_property
    def verification_method(self) -> str:
        """The proof's and JWT's key reference: the did:key of the signing key, or for an RSA
        key (which has no did:key form) the issuer's did:web with the registry's key id."""
        if self.signer.algorithm is KeyAlgorithm.RSA2048:
            return registry_verification_method(self.id, self.key_id)
        return did_key(self.signer.public_key)


@dataclass(frozen=True)
class Rendition:
    """One wire format an original can be issued in."""

    format: str
    suffix: str
    sign: Callable[[Document, Issuer], bytes]


RENDITIONS = {
    "xml": Rendition(
        SIGNED_XML, ".xml", lambda d, i: signed_xml.issue(d, i.xml_key, i.civil_timezone)
    ),
    "vc-di": Rendition(
        VC_DATA_INTEGRITY,
        ".vc.json",
        lambda d, i: vc_di.issue(
            d,
            i.signer,
            verification_method=i.verification_method,
            civil_timezone=i.civil_timezone,
            cryptosuite=i.cryptosuite,
        ),
    ),
    "vc-jwt": Rendition(
        VC_JWT,
        ".jwt",
        lambda d, i: vc_jwt.issue(
            d, i.signer, kid=i.verification_method, civil_timezone=i.civil_timezone
        ),
    ),
}


def renditions(names: Iterable[str], issuer: Issuer) -> tuple[Rendition, ...]:
    """The renditions asked for, refused up front when the key cannot sign one of them."""
    chosen = []
    for name in names:
        rendition = RENDITIONS.get(name)
        if rendition is None:
            raise IssuanceRefused(f"unknown format {name!r}; choose from {', '.join(RENDITIONS)}")
        chosen.append(rendition)
    algorithm = issuer.signer.algorithm
    if "xml" in names and algorithm not in (KeyAlgorithm.RSA2048, KeyAlgorithm.P256):
        raise IssuanceRefused(f"signed XML is signed with RSA-2048 or P-256 keys, not {algorithm}")
    if "xml" in names:
        _ = issuer.xml_key  # the certificate must be there and hold the signer's key
    if (
        "vc-di" in names
        and issuer.cryptosuite is None
        and algorithm not in vc_di.DEFAULT_CRYPTOSUITE
    ):
        raise IssuanceRefused(
            f"Data Integrity proofs need an Ed25519 or ECDSA key, not {algorithm}"
        )
    if not chosen:
        raise IssuanceRefused("no format to issue")
    return tuple(chosen)


def preflight(
    registry: Registry, issuer_id: str, signing_key_id: str, doctype: str | None, at: datetime
) -> str:
    """Check that documents (of `doctype`; status lists when None) signed now would verify;
    return the issuer's registered name."""
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
    if doctype is not None and not any(
        a.covers(doctype, at) for a in registry.authorisations(issuer_id)
    ):
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


def issue_records(
    records: Iterable[RecordLine],
    doctype: doctypes.DocType,
    issuer: Issuer,
    formats: Sequence[Rendition],
    registry: Registry,
    out_dir: Path,
    clock: Clock,
    *,
    status_lists: StatusLists | None = None,
    chunk_size: int = 500,
) -> IssueSummary:
    """Sign every good record in every rendition into `out_dir`; report bad ones by line.

    Per chunk: allocate status entries, sign, register (one transaction, every rendition's
    digest), then write the files; at the end, publish the status lists the run used. A document
    id already in the register is refused, never issued twice.
    """
    summary = IssueSummary()
    out_dir.mkdir(parents=True, exist_ok=True)
    used_lists: set[str] = set()
    for chunk in _chunks(records, chunk_size):
        documents: list[tuple[int, Document]] = []
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
            documents.append((line, document))
        issued = issue_documents(
            documents, issuer, formats, registry, clock, status_lists=status_lists, publish=False
        )
        summary.rejected.extend(issued.rejected)
        used_lists |= issued.lists
        for _, document, outputs in issued.issued:
            for rendition, data in outputs:
                path = out_dir / f"{document.id}{rendition.suffix}"
                _write_atomically(path, data)
                summary.issued.append(path)
    if status_lists is not None:
        publish_lists(status_lists, issuer, sorted(used_lists), clock())
    return summary


@dataclass
class IssuedInMemory:
    """What `issue_documents` signed and registered, by the caller's item number."""

    issued: list[tuple[int, Document, Signed]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    lists: set[str] = field(default_factory=set)
    """The status lists the documents' entries are in."""


def issue_documents(
    documents: Sequence[tuple[int, Document]],
    issuer: Issuer,
    formats: Sequence[Rendition],
    registry: Registry,
    clock: Clock,
    *,
    status_lists: StatusLists | None = None,
    publish: bool = True,
) -> IssuedInMemory:
    """Sign already-built documents in every rendition and register them in one transaction,
    returning the signed bytes instead of writing files (the HTTP service's batches).

    With `status_lists`, each document first gets its revocation and suspension entries, signed
    into every rendition; `publish` then (re)publishes the lists they are in. As in
    `issue_records`, a document id already in the register is refused, never issued twice.
    """
    lists: set[str] = set()
    if status_lists is not None:
        documents, lists = _with_status(documents, issuer, status_lists, clock())
    signed = [
        (number, document, [(r, r.sign(document, issuer)) for r in formats])
        for number, document in documents
    ]
    summary = IssueSummary()
    accepted = _register(signed, issuer, registry, clock, summary)
    if status_lists is not None and publish:
        publish_lists(status_lists, issuer, sorted(lists), clock())
    return IssuedInMemory(issued=accepted, rejected=summary.rejected, lists=lists)


# Status lists


DEFAULT_STATUS_TTL = timedelta(days=1)


@dataclass(frozen=True)
class StatusLists:
    """Where issued documents get their status entries and how their lists are published."""

    store: StatusStore
    base_url: str
    ttl: timedelta = DEFAULT_STATUS_TTL


def _with_status(
    documents: Sequence[tuple[int, Document]],
    issuer: Issuer,
    status_lists: StatusLists,
    at: datetime,
) -> tuple[list[tuple[int, Document]], set[str]]:
    """The documents with their status entries: new ones drawn for documents that have none, the
    existing ones kept for a document allocated before (a run resumed after a crash)."""
    store = status_lists.store
    ids = [document.id for _, document in documents]
    entries = store.entries_of_many(ids)
    fresh = [document_id for document_id in ids if document_id not in entries]
    entries.update(store.allocate(issuer.id, fresh, at=at) if fresh else {})
    with_status = []
    lists: set[str] = set()
    for number, document in documents:
        pair = entries[document.id]
        references = tuple(
            status_reference(entry, base_url=status_lists.base_url) for entry in pair
        )
        lists.update(entry.list_id for entry in pair)
        with_status.append((number, dataclasses.replace(document, status=references)))
    return with_status, lists


def sign_status_list(
    published: PublishedList, issuer: Issuer, status_lists: StatusLists, at: datetime
) -> bytes:
    """The list as a signed BitstringStatusListCredential (vc+jwt: any issuer key can sign it)."""
    credential = status_list_credential(
        published,
        base_url=status_lists.base_url,
        issuer=issuer_did(issuer.id),
        valid_from=at,
        ttl=status_lists.ttl,
    )
    return vc_jwt.sign_credential(
        credential, issuer.signer, kid=issuer.verification_method, issued_at=at, expires_at=None
    )


def publish_lists(
    status_lists: StatusLists, issuer: Issuer, list_ids: Iterable[str], at: datetime
) -> list[str]:
    """Sign and publish the current state of each list; returns the ids published."""
    published_ids = []
    for list_id in list_ids:
        published = status_lists.store.list_bits(list_id)
        if published is None or published.issuer_id != issuer.id:
            raise IssuanceRefused(f"status list {list_id} is not a list of {issuer.id}")
        credential = sign_status_list(published, issuer, status_lists, at)
        status_lists.store.publish(list_id, credential, version=published.version, at=at)
        published_ids.append(list_id)
    return published_ids


def _register(
    signed: list[tuple[int, Document, Signed]],
    issuer: Issuer,
    registry: Registry,
    clock: Clock,
    summary: IssueSummary,
) -> list[tuple[int, Document, Signed]]:
    """Register a chunk in one transaction; on a duplicate, fall back to one row at a time so
    only the duplicates are refused."""
    if not signed:
        return []
    recorded_at = clock()
    rows = [_register_row(document, out, issuer, recorded_at) for _, document, out in signed]
    try:
        registry.record_issuances(rows)
        return signed
    except AlreadyIssued:
        pass
    accepted = []
    for (line, document, outputs), row in zip(signed, rows, strict=True):
        try:
            registry.record_issuances([row])
        except AlreadyIssued:
            summary.rejected.append(
                Rejected(line, f"{document.id} was already issued; not issued again", document.id)
            )
            continue
        accepted.append((line, document, outputs))
    return accepted


def _register_row(
    document: Document, outputs: Signed, issuer: Issuer, recorded_at: datetime
) -> IssuanceRecord:
    digests = tuple((r.format, hashlib.sha256(data).hexdigest()) for r, data in outputs)
    return IssuanceRecord(
        document_id=document.id,
        issuer_id=issuer.id,
        doctype=document.doctype,
        sha256=digests[0][1],
        key_id=issuer.key_id,
        issued_at=document.issued_at,
        recorded_at=recorded_at,
        renditions=digests,
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
