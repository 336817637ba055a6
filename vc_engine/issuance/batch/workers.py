"""Signing blocks of documents: in this process, in local worker processes, or on a Dask cluster.

Workers only sign (`block.sign`). The coordinator (`batch.scheduler`) turns the input records
into Documents, admits them (refusals, status entries) and registers what was signed; a worker
receives the block's Documents, signs every rendition and sends the bytes back. A worker never
touches the registry, so however many there are, no status index is handed out twice and no
document is registered twice.

Keys are opened once per process. A `SigningSpec` is picklable: it carries how to open the key
(`KeySource`: PEM bytes, or a PKCS#11 URI with its module and PIN), never an open key or session,
and each process keeps the key it opened under the spec's `token`. The PEM passphrase or token
PIN travels with the spec to the workers; on a Dask cluster, use TLS between client, scheduler
and workers."""

from __future__ import annotations

import multiprocessing
import secrets
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, Protocol

from cryptography import x509

from vc_engine import keys
from vc_engine.doctypes import DocType
from vc_engine.issuance.block import sign
from vc_engine.issuance.issuer import Issuer, Rendition, renditions
from vc_engine.model import Document
from vc_engine.policy import INDIA

if TYPE_CHECKING:
    from pyhanko.sign.timestamps import TimeStamper


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
    """Everything a worker needs to sign for one issuer; `token` names the opened key in a
    process's cache (a new one per run, so a changed key is never served from an old cache)."""

    issuer_id: str
    formats: tuple[str, ...]
    key: KeySource
    certificate: bytes | None = None
    """DER certificate of the key (signed XML carries it)."""
    civil_timezone: tzinfo = INDIA
    cryptosuite: str | None = None
    issuer_name: str = ""
    """The registry's name of the issuer (the run fills it in after its preflight)."""
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    doctype: DocType | None = None
    """The type version the run issues under (the run fills it in)."""
    tsa_url: str | None = None
    """An RFC 3161 timestamp authority that stamps every signed PDF (`--tsa`)."""

    def issuer(self) -> tuple[Issuer, tuple[Rendition, ...]]:
        """The issuer with its key (opened once per process) and the renditions asked for,
        refused when the key cannot sign one of them."""
        certificate = (
            None if self.certificate is None else x509.load_der_x509_certificate(self.certificate)
        )
        issuer = Issuer(
            self.issuer_id,
            self.issuer_name,
            open_signer(self),
            certificate,
            self.civil_timezone,
            self.cryptosuite,
            timestamper=None if self.tsa_url is None else timestamper(self.tsa_url),
        )
        return issuer, renditions(self.formats, issuer)


def timestamper(url: str) -> TimeStamper:
    """pyHanko's RFC 3161 client for `url` (imported here: a run without PDFs never loads it)."""
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url)


_SIGNERS: dict[str, keys.Signer] = {}


def open_signer(spec: SigningSpec) -> keys.Signer:
    """The key of `spec`, opened once per process (a PKCS#11 token logs in once)."""
    found = _SIGNERS.get(spec.token)
    if found is None:
        found = _SIGNERS[spec.token] = spec.key.open()
    return found


@dataclass(frozen=True)
class BlockRequest:
    """A block of documents to sign (admitted, with their status entries)."""

    block: int
    documents: tuple[tuple[int, Document], ...]


@dataclass(frozen=True)
class SignedBlock:
    block: int
    outputs: tuple[tuple[bytes, ...], ...]
    """Each document's renditions, in the request's order and the spec's format order."""


def sign_block(spec: SigningSpec, request: BlockRequest) -> SignedBlock:
    """Sign each document of the block in every rendition (runs in a worker)."""
    issuer, formats = spec.issuer()
    signed = sign(request.documents, issuer, formats, spec.doctype)
    return SignedBlock(request.block, tuple(item.outputs for item in signed))


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
    open_signer(spec)


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
        # Start the processes now (a pool starts them on its first task): their imports and
        # key opening then overlap the coordinator preparing the first blocks.
        for _ in range(workers):
            self._pool.submit(int)

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
