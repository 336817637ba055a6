"""Signing blocks of records: in this process, in local worker processes, or on a Dask cluster.

Workers only sign. The coordinator (`vc_engine.issuance.batch.scheduler`) reads and checks the
records, allocates their status entries and registers what was signed; a worker receives a block of
records that already passed validation, together with each one's status references, rebuilds each
`Document` (`record_to_document` is deterministic for a given issue time), signs every rendition
and sends the bytes back. A worker never touches the registry, so however many there are, no status
index is handed out twice and no document is registered twice.

Keys are opened once per worker process. A `SigningSpec` is picklable: it carries how to open the
key (`KeySource`: PEM bytes, or a PKCS#11 URI with its module and PIN), never an open key or
session, and each process keeps the issuer it opened under the spec's `token`. The PEM passphrase
or token PIN travels with the spec to the workers; on a Dask cluster, use TLS between client,
scheduler and workers."""

from __future__ import annotations

import dataclasses
import multiprocessing
import secrets
from collections.abc import Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, Protocol

from cryptography import x509

from vc_engine import doctypes, keys
from vc_engine.issuance.issue import Issuer, Rendition, renditions
from vc_engine.model import StatusReference


class KeySource(Protocol):
    """How to open a signing key in any process; picklable, and opened once per process."""

    def open(self) -> keys.Signer: ...


@dataclass(frozen=True)
class PemKey:
    """A PEM private key carried as bytes, so a worker on another machine needs no key file."""

    pem: bytes = field(repr=False)
    passphrase: bytes | None = field(default=None, repr=False)

    def open(self) -> keys.Signer:
        return keys.FileSigner(keys.load_private_key_pem(self.pem, self.passphrase))


@dataclass(frozen=True)
class SigningSpec:
    """Everything a worker needs to sign for one issuer; `token` names the opened issuer in a
    worker's cache (a new one per run, so a changed key is never served from an old cache)."""

    issuer_id: str
    issuer_name: str
    doctype: str
    formats: tuple[str, ...]
    key: KeySource
    certificate: bytes | None = None
    """DER certificate of the key (signed XML carries it)."""
    civil_timezone: tzinfo | None = None
    cryptosuite: str | None = None
    token: str = field(default_factory=lambda: secrets.token_hex(16))

    def open(self) -> tuple[Issuer, tuple[Rendition, ...]]:
        """Open the key and check it can sign every rendition asked for."""
        from vc_engine.policy import INDIA

        certificate = (
            None if self.certificate is None else x509.load_der_x509_certificate(self.certificate)
        )
        issuer = Issuer(
            self.issuer_id,
            self.issuer_name,
            self.key.open(),
            certificate,
            self.civil_timezone or INDIA,
            self.cryptosuite,
        )
        return issuer, renditions(self.formats, issuer)


@dataclass(frozen=True)
class BlockRequest:
    """A block of valid records to sign, all issued at `issued_at`."""

    block: int
    issued_at: datetime
    items: tuple[tuple[int, Mapping[str, object], tuple[StatusReference, ...]], ...]


@dataclass(frozen=True)
class SignedDocument:
    line: int
    document_id: str
    outputs: tuple[bytes, ...]
    """One signed rendition per format of the spec, in its order."""


@dataclass(frozen=True)
class SignedBlock:
    block: int
    documents: tuple[SignedDocument, ...]


_OPENED: dict[str, tuple[Issuer, tuple[Rendition, ...]]] = {}


def opened(spec: SigningSpec) -> tuple[Issuer, tuple[Rendition, ...]]:
    """The issuer of `spec`, opened once per process."""
    found = _OPENED.get(spec.token)
    if found is None:
        found = _OPENED[spec.token] = spec.open()
    return found


def sign_block(spec: SigningSpec, request: BlockRequest) -> SignedBlock:
    """Rebuild and sign each record of the block in every rendition (runs in a worker)."""
    issuer, formats = opened(spec)
    doctype = doctypes.get_doctype(spec.doctype)
    signed = []
    for line, record, status in request.items:
        document = doctypes.record_to_document(
            record,
            doctype,
            issuer_id=issuer.id,
            issuer_name=issuer.name,
            issued_at=request.issued_at,
        )
        document = dataclasses.replace(document, status=status)
        outputs = tuple(rendition.sign(document, issuer) for rendition in formats)
        signed.append(SignedDocument(line, document.id, outputs))
    return SignedBlock(request.block, tuple(signed))


# Executors: where `sign_block` runs.


class Pending(Protocol):
    def result(self) -> SignedBlock: ...


class SigningExecutor(Protocol):
    workers: int

    def submit(self, request: BlockRequest) -> Pending: ...

    def close(self) -> None: ...


class InProcess:
    """Sign in the calling process: one core, no start-up cost (small jobs, `--workers 1`)."""

    workers = 1

    def __init__(self, spec: SigningSpec) -> None:
        self._spec = spec

    def submit(self, request: BlockRequest) -> Pending:
        done: Future[SignedBlock] = Future()
        done.set_result(sign_block(self._spec, request))
        return done

    def close(self) -> None:
        pass


_WORKER_SPEC: SigningSpec | None = None


def _start_worker(spec: SigningSpec) -> None:
    global _WORKER_SPEC
    _WORKER_SPEC = spec
    opened(spec)


def _sign_in_worker(request: BlockRequest) -> SignedBlock:
    assert _WORKER_SPEC is not None
    return sign_block(_WORKER_SPEC, request)


class LocalProcesses:
    """A pool of fresh (spawned) processes, each opening the key once when it starts. Spawned,
    not forked: a PKCS#11 session or a database connection must never be shared by a fork."""

    def __init__(self, spec: SigningSpec, workers: int) -> None:
        self.workers = workers
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(spec,),
        )

    def submit(self, request: BlockRequest) -> Pending:
        return self._pool.submit(_sign_in_worker, request)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskCluster:
    """The same signing on a Dask distributed cluster. The spec is sent to every worker once;
    each worker process opens the key on its first block and keeps it."""

    def __init__(self, spec: SigningSpec, scheduler: Any) -> None:
        from distributed import Client

        self._own = not isinstance(scheduler, Client)
        self._client = Client(scheduler) if self._own else scheduler  # type: ignore[no-untyped-call]
        self.workers = max(1, sum(self._client.nthreads().values()))
        self._spec = self._client.scatter(spec, broadcast=True)

    def submit(self, request: BlockRequest) -> Pending:
        pending: Pending = self._client.submit(sign_block, self._spec, request, pure=False)
        return pending

    def close(self) -> None:
        if self._own:
            self._client.close()


def executor_for(
    spec: SigningSpec, *, workers: int, scheduler: Any | None = None
) -> SigningExecutor:
    """Dask when a scheduler (address or `distributed.Client`) is given; else `workers` local
    processes, or this process for one worker."""
    if scheduler is not None:
        return DaskCluster(spec, scheduler)
    if workers <= 1:
        return InProcess(spec)
    return LocalProcesses(spec, workers)
