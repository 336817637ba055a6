"""Checks on values entering the registry, so a bad value is refused with a readable message
before it reaches the database (where it would surface as a driver error, or not at all)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from vc_engine.model import InstantError, bounded_instant
from vc_engine.store.errors import InvalidRegistryInput
from vc_engine.trust.records import IssuanceRecord

# No hyphens: the e-locker document URI `IssuerId-DocType-DocId` is split on '-'.
_ISSUER_ID = re.compile(r"[a-z0-9]+(\.[a-z0-9]+)+")
_DOCTYPE = re.compile(r"[A-Za-z0-9_]+")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def aware_utc(name: str, value: datetime) -> datetime:
    """`value` in UTC; a naive datetime is refused because its instant is a guess."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidRegistryInput(f"{name} must be a timezone-aware datetime, got naive {value}")
    try:
        return bounded_instant(value, name).astimezone(UTC)
    except InstantError as exc:
        raise InvalidRegistryInput(str(exc)) from None


def window(
    name: str, valid_from: datetime, valid_until: datetime | None
) -> tuple[datetime, datetime | None]:
    """A [valid_from, valid_until) window in UTC; an empty or inverted window is refused."""
    start = aware_utc(f"{name} valid_from", valid_from)
    if valid_until is None:
        return start, None
    end = aware_utc(f"{name} valid_until", valid_until)
    if end <= start:
        raise InvalidRegistryInput(
            f"{name} window is empty: valid_until {end.isoformat()} is not after "
            f"valid_from {start.isoformat()}"
        )
    return start, end


def issuer_id(value: str) -> str:
    if not _ISSUER_ID.fullmatch(value):
        raise InvalidRegistryInput(
            f"issuer id {value!r} must be lowercase dotted labels of letters and digits, "
            "e.g. 'in.gov.wb.kmc' (no hyphens: document URIs are split on '-')"
        )
    return value


def doctype(value: str) -> str:
    if not _DOCTYPE.fullmatch(value):
        raise InvalidRegistryInput(
            f"document type {value!r} must be letters, digits and underscores "
            "(no hyphens: document URIs are split on '-')"
        )
    return value


def sha256_hex(value: str) -> str:
    if not _SHA256_HEX.fullmatch(value):
        raise InvalidRegistryInput(f"sha256 {value!r} must be 64 lowercase hex digits")
    return value


def text(name: str, value: str) -> str:
    if not value.strip():
        raise InvalidRegistryInput(f"{name} must not be empty")
    return value


def issuance(record: IssuanceRecord) -> IssuanceRecord:
    """`record` with every field checked and its instants in UTC."""
    return IssuanceRecord(
        document_id=text("document id", record.document_id),
        issuer_id=issuer_id(record.issuer_id),
        doctype=doctype(record.doctype),
        sha256=sha256_hex(record.sha256),
        key_id=record.key_id,
        issued_at=aware_utc("issued_at", record.issued_at),
        recorded_at=aware_utc("recorded_at", record.recorded_at),
        renditions=tuple(
            (text("rendition format", name), sha256_hex(digest))
            for name, digest in record.renditions
        ),
    )
