"""The registry's issuers, what each may issue and their keys: the writes that change whom a
verifier trusts, each validated first and refused (a `RegistryError`) in the transaction that
would have made it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import insert, select, update

from vc_engine import keys
from vc_engine.model import start_of_second
from vc_engine.store import queries, validate
from vc_engine.store.engine import Database, refuse_on_conflict
from vc_engine.store.errors import (
    AlreadyAuthorised,
    InvalidRegistryInput,
    IssuerAlreadyExists,
    IssuerStatusConflict,
    KeyAlreadyRegistered,
    KeyStatusConflict,
    UnknownIssuer,
    UnknownKey,
)
from vc_engine.store.schema import authorisations, issuer_keys, issuers, key_events
from vc_engine.trust.records import (
    Authorisation,
    IssuerRecord,
    IssuerStatus,
    KeyEvent,
    KeyStatus,
    RegisteredKey,
)


class IssuerTables(Database):
    """Issuers, authorisations and keys (a part of `Registry`)."""

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
        with self._write() as conn, refuse_on_conflict(conflict):
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
        with self._write() as conn, refuse_on_conflict(conflict):
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
        without a certificate the key is valid from the start of `at`'s second
        (`model.start_of_second`), open-ended. The `active` history event
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
            f"key {kid}", start_of_second(added) if valid_from is None else valid_from, valid_until
        )
        conflict = KeyAlreadyRegistered(f"key {kid} is already registered")
        with self._write() as conn, refuse_on_conflict(conflict):
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
