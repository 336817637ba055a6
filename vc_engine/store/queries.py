"""The registry's SQL: look-ups shared by several `Registry` operations, and rows turned into
records. Every function takes the caller's connection, so it runs inside the caller's
transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, ColumnElement, Connection, Row, insert, select

from vc_engine import keys
from vc_engine.store.errors import UnknownIssuer, UnknownKey
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

# Rows per IN (...) look-up: well under every backend's bound-parameter limit.
_CHUNK = 500


def require_issuer(conn: Connection, issuer_id: str) -> None:
    found = conn.execute(select(issuers.c.id).where(issuers.c.id == issuer_id)).one_or_none()
    if found is None:
        raise UnknownIssuer(f"issuer {issuer_id} is not registered")


def key_owner(conn: Connection, key_id: str, *, lock: bool = False) -> str | None:
    query = select(issuer_keys.c.issuer_id).where(issuer_keys.c.key_id == key_id)
    owner: str | None = conn.execute(
        query.with_for_update() if lock else query
    ).scalar_one_or_none()
    return owner


def insert_event(conn: Connection, key_id: str, event: KeyEvent) -> None:
    conn.execute(
        insert(key_events).values(
            key_id=key_id,
            status=event.status.value,
            effective_at=event.effective_at,
            reason=event.reason,
            recorded_at=event.recorded_at,
        )
    )


def require_keys_of_issuers(conn: Connection, records: Sequence[IssuanceRecord]) -> None:
    """Every record's key must be registered to that record's issuer."""
    wanted = sorted({r.key_id for r in records})
    owners: dict[str, str] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        rows = conn.execute(
            select(issuer_keys.c.key_id, issuer_keys.c.issuer_id).where(
                issuer_keys.c.key_id.in_(chunk)
            )
        )
        owners.update({kid: owner for kid, owner in rows})
    for record in records:
        owner = owners.get(record.key_id)
        if owner is None:
            raise UnknownKey(
                f"document {record.document_id}: key {record.key_id} is not registered"
            )
        if owner != record.issuer_id:
            raise UnknownKey(
                f"document {record.document_id}: key {record.key_id} belongs to issuer {owner}, "
                f"not {record.issuer_id}"
            )


def existing_document_ids(conn: Connection, ids: Sequence[str]) -> list[str]:
    return present_among(conn, issuances.c.document_id, ids)


def present_among(conn: Connection, column: Column[str], values: Sequence[str]) -> list[str]:
    """Which of `values` the column holds, sorted, in IN (...) look-ups of bounded size."""
    found: set[str] = set()
    for start in range(0, len(values), _CHUNK):
        chunk = values[start : start + _CHUNK]
        found.update(conn.execute(select(column).where(column.in_(chunk))).scalars())
    return sorted(found)


def issuance_values(record: IssuanceRecord) -> dict[str, Any]:
    return {
        "document_id": record.document_id,
        "issuer_id": record.issuer_id,
        "doctype": record.doctype,
        "sha256": record.sha256,
        "key_id": record.key_id,
        "issued_at": record.issued_at,
        "recorded_at": record.recorded_at,
    }


def issuer_record(row: Row[Any]) -> IssuerRecord:
    return IssuerRecord(
        id=row.id,
        name=row.name,
        status=IssuerStatus(row.status),
        created_at=row.created_at,
        status_since=row.status_since,
    )


def all_issuers(conn: Connection) -> tuple[IssuerRecord, ...]:
    return tuple(issuer_record(r) for r in conn.execute(select(issuers).order_by(issuers.c.id)))


def authorisations_where(conn: Connection, where: ColumnElement[bool]) -> tuple[Authorisation, ...]:
    rows = conn.execute(
        select(authorisations)
        .where(where)
        .order_by(authorisations.c.issuer_id, authorisations.c.doctype, authorisations.c.valid_from)
    )
    return tuple(Authorisation(r.issuer_id, r.doctype, r.valid_from, r.valid_until) for r in rows)


def keys_where(conn: Connection, where: ColumnElement[bool]) -> tuple[RegisteredKey, ...]:
    """The keys matching `where` on `issuer_keys`, each with its ordered history."""
    history: dict[str, list[KeyEvent]] = {}
    events = conn.execute(
        select(key_events)
        .join_from(key_events, issuer_keys)
        .where(where)
        .order_by(key_events.c.effective_at, key_events.c.id)
    )
    for e in events:
        history.setdefault(e.key_id, []).append(
            KeyEvent(KeyStatus(e.status), e.effective_at, e.reason, e.recorded_at)
        )
    rows = conn.execute(select(issuer_keys).where(where).order_by(issuer_keys.c.key_id))
    return tuple(
        RegisteredKey(
            key_id=r.key_id,
            issuer_id=r.issuer_id,
            algorithm=keys.KeyAlgorithm(r.algorithm),
            public_key=keys.load_public_key_pem(r.public_key_pem.encode("ascii")),
            certificate=None
            if r.certificate_pem is None
            else keys.load_certificate(r.certificate_pem.encode("ascii")),
            valid_from=r.valid_from,
            valid_until=r.valid_until,
            added_at=r.added_at,
            history=tuple(history.get(r.key_id, ())),
        )
        for r in rows
    )


def rendition_values(records: Sequence[IssuanceRecord]) -> list[dict[str, Any]]:
    return [
        {"sha256": digest, "document_id": r.document_id, "format": name}
        for r in records
        for name, digest in r.renditions
    ]


def renditions_of(conn: Connection, document_id: str) -> tuple[tuple[str, str], ...]:
    rows = conn.execute(
        select(issuance_renditions.c.format, issuance_renditions.c.sha256)
        .where(issuance_renditions.c.document_id == document_id)
        .order_by(issuance_renditions.c.format)
    )
    return tuple((row.format, row.sha256) for row in rows)


def issuance_record(row: Row[Any], renditions: tuple[tuple[str, str], ...]) -> IssuanceRecord:
    return IssuanceRecord(
        document_id=row.document_id,
        issuer_id=row.issuer_id,
        doctype=row.doctype,
        sha256=row.sha256,
        key_id=row.key_id,
        issued_at=row.issued_at,
        recorded_at=row.recorded_at,
        renditions=renditions,
    )
