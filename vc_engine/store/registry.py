"""The trust registry over SQLAlchemy Core: issuers, their keys, what they may issue, and the
issuance register.

Every write validates its input first and refuses with a `RegistryError` naming what is wrong;
an impossible change (a key on two issuers, a document id reused, a second compromise) is refused
in the same transaction that would have made it. Nothing here reads the clock: every instant is
passed in, timezone-aware, and stored as UTC.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from datetime import datetime
from types import TracebackType

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import Connection, Engine, insert, select, true, update
from sqlalchemy.exc import IntegrityError

from vc_engine import keys
from vc_engine.store import queries, validate
from vc_engine.store.engine import (
    create_registry_engine,
    migrate,
    read_transaction,
    write_transaction,
)
from vc_engine.store.errors import (
    AlreadyAuthorised,
    AlreadyIssued,
    InvalidRegistryInput,
    IssuerAlreadyExists,
    IssuerStatusConflict,
    KeyAlreadyRegistered,
    KeyStatusConflict,
    RegistryError,
    UnknownIssuer,
    UnknownKey,
)
from vc_engine.store.schema import (
    authorisations,
    issuance_renditions,
    issuances,
    issuer_keys,
    issuers,
    key_events,
)
from vc_engine.trust.records import (
    Authorisation,
    IssuanceRecord,
    IssuerRecord,
    IssuerStatus,
    KeyEvent,
    KeyStatus,
    RegisteredKey,
)
from vc_engine.trust.source import TrustSnapshot


class Registry:
    """The registry of trust, stored in SQLite (default) or PostgreSQL; a `TrustSource`.

    Open with a SQLAlchemy URL, `init()` once to create or upgrade the schema, `close()` at the
    end (or use it as a context manager). Safe to share between threads.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @classmethod
    def open(cls, url: str) -> Registry:
        """`url` is e.g. `sqlite:///registry.db` or `postgresql+psycopg://host/db`; a PostgreSQL
        schema is chosen with `?options=-csearch_path%3Dname` (the tables go there too)."""
        return cls(create_registry_engine(url))

    def init(self) -> None:
        """Migrate the schema to the newest revision; running it again changes nothing."""
        with self._write() as conn:
            migrate(conn)

    def close(self) -> None:
        self._engine.dispose()

    @property
    def engine(self) -> Engine:
        """The database engine, shared with rooms that keep their tables in the registry's
        database (the status lists). A writer there must use `engine.write_transaction`, as
        `_write` does, so SQLite queues it with BEGIN IMMEDIATE."""
        return self._engine

    def __enter__(self) -> Registry:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # Issuers

    def add_issuer(self, issuer_id: str, name: str, *, at: datetime) -> IssuerRecord:
        created = validate.aware_utc("at", at)
        record = IssuerRecord(
            id=validate.issuer_id(issuer_id),
            name=validate.text("issuer name", name),
            status=IssuerStatus.ACTIVE,
            created_at=created,
            status_since=created,
        )
        conflict = IssuerAlreadyExists(f"issuer {issuer_id} is already registered")
        with self._write() as conn, _refuse_on_conflict(conflict):
            conn.execute(
                insert(issuers).values(
                    id=record.id,
                    name=record.name,
                    status=record.status.value,
                    created_at=record.created_at,
                    status_since=record.status_since,
                )
            )
        return record

    def set_issuer_status(
        self, issuer_id: str, status: IssuerStatus, *, at: datetime
    ) -> IssuerRecord:
        """Suspend, reinstate or revoke an issuer. Revocation is final: a revoked issuer's
        documents must never verify again, so it cannot be reinstated."""
        since = validate.aware_utc("at", at)
        with self._write() as conn:
            row = conn.execute(
                select(issuers).where(issuers.c.id == issuer_id).with_for_update()
            ).one_or_none()
            if row is None:
                raise UnknownIssuer(f"issuer {issuer_id} is not registered")
            current = queries.issuer_record(row)
            if current.status is status:
                raise IssuerStatusConflict(f"issuer {issuer_id} is already {status}")
            if current.status is IssuerStatus.REVOKED:
                raise IssuerStatusConflict(
                    f"issuer {issuer_id} was revoked on {current.status_since.isoformat()}; "
                    "revocation is final"
                )
            conn.execute(
                update(issuers)
                .where(issuers.c.id == issuer_id)
                .values(status=status.value, status_since=since)
            )
        return replace(current, status=status, status_since=since)

    def get_issuer(self, issuer_id: str) -> IssuerRecord | None:
        with self._read() as conn:
            row = conn.execute(select(issuers).where(issuers.c.id == issuer_id)).one_or_none()
        return None if row is None else queries.issuer_record(row)

    issuer = get_issuer

    def list_issuers(self) -> tuple[IssuerRecord, ...]:
        with self._read() as conn:
            return queries.all_issuers(conn)

    # Authorisations

    def authorise(
        self,
        issuer_id: str,
        doctype: str,
        *,
        valid_from: datetime,
        valid_until: datetime | None = None,
    ) -> Authorisation:
        """Allow the issuer to issue `doctype` documents signed within the window."""
        start, end = validate.window("authorisation", valid_from, valid_until)
        record = Authorisation(issuer_id, validate.doctype(doctype), start, end)
        conflict = AlreadyAuthorised(
            f"issuer {issuer_id} already holds a {doctype} authorisation from {start.isoformat()}"
        )
        with self._write() as conn, _refuse_on_conflict(conflict):
            queries.require_issuer(conn, issuer_id)
            conn.execute(
                insert(authorisations).values(
                    issuer_id=issuer_id, doctype=record.doctype, valid_from=start, valid_until=end
                )
            )
        return record

    def authorisations(self, issuer_id: str) -> tuple[Authorisation, ...]:
        with self._read() as conn:
            return queries.authorisations_where(conn, authorisations.c.issuer_id == issuer_id)

    # Keys

    def add_key(
        self,
        issuer_id: str,
        public_key: keys.PublicKey,
        *,
        certificate: x509.Certificate | None,
        valid_from: datetime | None,
        valid_until: datetime | None,
        at: datetime,
    ) -> str:
        """Register `public_key` to the issuer and return its key id.

        A missing window end comes from the certificate, if one is given (its key must be
        `public_key`; its inclusive notAfter becomes our exclusive end, one instant stricter);
        without a certificate the key is valid from `at`, open-ended. The `active` history event
        takes effect at the window start. A key belongs to one issuer only.
        """
        added = validate.aware_utc("at", at)
        algorithm = _algorithm(public_key)
        kid = keys.key_id(public_key)
        if certificate is not None:
            _require_certificate_of(certificate, kid)
            valid_from = certificate.not_valid_before_utc if valid_from is None else valid_from
            valid_until = certificate.not_valid_after_utc if valid_until is None else valid_until
        start, end = validate.window(
            f"key {kid}", added if valid_from is None else valid_from, valid_until
        )
        conflict = KeyAlreadyRegistered(f"key {kid} is already registered")
        with self._write() as conn, _refuse_on_conflict(conflict):
            queries.require_issuer(conn, issuer_id)
            owner = queries.key_owner(conn, kid)
            if owner == issuer_id:
                raise KeyAlreadyRegistered(f"key {kid} is already registered to {issuer_id}")
            if owner is not None:
                raise KeyAlreadyRegistered(
                    f"key {kid} is registered to issuer {owner}; a key belongs to one issuer only"
                )
            conn.execute(
                insert(issuer_keys).values(
                    key_id=kid,
                    issuer_id=issuer_id,
                    algorithm=algorithm.value,
                    public_key_pem=keys.public_key_pem(public_key),
                    certificate_pem=None
                    if certificate is None
                    else certificate.public_bytes(Encoding.PEM).decode("ascii"),
                    valid_from=start,
                    valid_until=end,
                    added_at=added,
                )
            )
            queries.insert_event(conn, kid, KeyEvent(KeyStatus.ACTIVE, start, "registered", added))
        return kid

    def retire_key(self, issuer_id: str, key_id: str, *, at: datetime, reason: str) -> KeyEvent:
        """Stop the key signing from `at` on; documents it signed before stay valid."""
        when = validate.aware_utc("at", at)
        event = KeyEvent(KeyStatus.RETIRED, when, validate.text("reason", reason), when)
        return self._append_event(issuer_id, key_id, event)

    def compromise_key(
        self, issuer_id: str, key_id: str, *, at: datetime, reason: str, recorded_at: datetime
    ) -> KeyEvent:
        """Mark the key compromised from `at`, which may lie before `recorded_at`: a signature
        made after `at` proves nothing, and one claiming an earlier time needs proof that the
        document existed before `at` (the issuance register)."""
        event = KeyEvent(
            KeyStatus.COMPROMISED,
            validate.aware_utc("at", at),
            validate.text("reason", reason),
            validate.aware_utc("recorded_at", recorded_at),
        )
        return self._append_event(issuer_id, key_id, event)

    def _append_event(self, issuer_id: str, key_id: str, event: KeyEvent) -> KeyEvent:
        with self._write() as conn:
            owner = queries.key_owner(conn, key_id, lock=True)
            if owner is None:
                raise UnknownKey(f"key {key_id} is not registered")
            if owner != issuer_id:
                raise UnknownKey(f"key {key_id} belongs to issuer {owner}, not {issuer_id}")
            seen = set(
                conn.execute(select(key_events.c.status).where(key_events.c.key_id == key_id))
                .scalars()
                .all()
            )
            if KeyStatus.COMPROMISED.value in seen:
                raise KeyStatusConflict(f"key {key_id} is already compromised")
            if event.status.value in seen:
                raise KeyStatusConflict(f"key {key_id} is already {event.status}")
            queries.insert_event(conn, key_id, event)
        return event

    def get_key(self, key_id: str) -> RegisteredKey | None:
        with self._read() as conn:
            found = queries.keys_where(conn, issuer_keys.c.key_id == key_id)
        return found[0] if found else None

    key = get_key

    def keys_of(self, issuer_id: str) -> tuple[RegisteredKey, ...]:
        with self._read() as conn:
            return queries.keys_where(conn, issuer_keys.c.issuer_id == issuer_id)

    # Issuance register

    def record_issuance(
        self,
        document_id: str,
        *,
        issuer_id: str,
        doctype: str,
        sha256: str,
        key_id: str,
        issued_at: datetime,
        recorded_at: datetime,
    ) -> IssuanceRecord:
        record = IssuanceRecord(
            document_id, issuer_id, doctype, sha256, key_id, issued_at, recorded_at
        )
        return self.record_issuances((record,))[0]

    def record_issuances(
        self,
        rows: Iterable[IssuanceRecord],
        *,
        also: Callable[[Connection], None] | None = None,
    ) -> tuple[IssuanceRecord, ...]:
        """Write many register rows in one transaction: all of them, or (on any refusal) none.

        `also` writes more rows in the same transaction (the batch journal), so they and the
        register rows commit or vanish together. Returns the rows as stored (instants in UTC).
        """
        records = tuple(validate.issuance(r) for r in rows)
        ids = [r.document_id for r in records]
        repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
        if repeated:
            raise AlreadyIssued(f"document ids repeated within the batch: {', '.join(repeated)}")
        conflict = AlreadyIssued("a document id in this batch was registered concurrently")
        with self._write() as conn, _refuse_on_conflict(conflict):
            queries.require_keys_of_issuers(conn, records)
            taken = queries.existing_document_ids(conn, ids)
            if taken:
                raise AlreadyIssued(f"document ids already issued: {', '.join(taken)}")
            if records:
                conn.execute(insert(issuances), [queries.issuance_values(r) for r in records])
            renditions = queries.rendition_values(records)
            if renditions:
                conn.execute(insert(issuance_renditions), renditions)
            if also is not None:
                also(conn)
        return records

    def issued(self, document_ids: Sequence[str]) -> set[str]:
        """Which of `document_ids` the register already holds."""
        with self._read() as conn:
            return set(queries.existing_document_ids(conn, document_ids))

    def get_issuance(self, document_id: str) -> IssuanceRecord | None:
        with self._read() as conn:
            row = conn.execute(
                select(issuances).where(issuances.c.document_id == document_id)
            ).one_or_none()
            if row is None:
                return None
            return queries.issuance_record(row, queries.renditions_of(conn, document_id))

    issuance = get_issuance

    # Snapshot

    def snapshot(self) -> TrustSnapshot:
        """Copy issuers, keys and authorisations in one consistent read (see `TrustSnapshot`)."""
        with self._read(consistent=True) as conn:
            return TrustSnapshot(
                issuers=queries.all_issuers(conn),
                keys=queries.keys_where(conn, true()),
                authorisations=queries.authorisations_where(conn, true()),
                issuance=self.get_issuance,
            )

    # Transactions

    def _write(self) -> AbstractContextManager[Connection]:
        return write_transaction(self._engine)

    def _read(self, *, consistent: bool = False) -> AbstractContextManager[Connection]:
        return read_transaction(self._engine, consistent=consistent)


@contextmanager
def _refuse_on_conflict(error: RegistryError) -> Iterator[None]:
    """Turn a uniqueness violation into `error`. The explicit checks before each insert give
    the precise message; this catches the writer that raced in between."""
    try:
        yield
    except IntegrityError:
        raise error from None


def _algorithm(public_key: keys.PublicKey) -> keys.KeyAlgorithm:
    try:
        return keys.algorithm_of(public_key)
    except keys.KeyMaterialError as exc:
        raise InvalidRegistryInput(str(exc)) from None


def _require_certificate_of(certificate: x509.Certificate, kid: str) -> None:
    try:
        certified = keys.key_id(keys.certificate_public_key(certificate))
    except keys.KeyMaterialError as exc:
        raise InvalidRegistryInput(str(exc)) from None
    if certified != kid:
        raise InvalidRegistryInput(
            f"the certificate carries key {certified}, not the key being added ({kid})"
        )
