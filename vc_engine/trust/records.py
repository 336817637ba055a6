"""The registry's answers as frozen values.

Everything the trust decision reads is one of these, whether it came from the database or from a
`TrustSnapshot`, so the decision cannot tell (and need not care) where its facts were stored.
Every datetime here is timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cryptography import x509

from vc_engine.keys import KeyAlgorithm, PublicKey


class IssuerStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


class KeyStatus(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"
    COMPROMISED = "compromised"


@dataclass(frozen=True, slots=True)
class IssuerRecord:
    id: str
    name: str
    status: IssuerStatus
    created_at: datetime
    status_since: datetime
    """When the current status was set (the creation time for a never-changed issuer)."""


@dataclass(frozen=True, slots=True)
class KeyEvent:
    """One entry of a key's append-only status history."""

    status: KeyStatus
    effective_at: datetime
    """From when the status holds; a compromise may be backdated to before it was recorded."""
    reason: str
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class RegisteredKey:
    """A public key the registry vouches for, within its window and subject to its history."""

    key_id: str
    issuer_id: str
    algorithm: KeyAlgorithm
    public_key: PublicKey
    certificate: x509.Certificate | None
    valid_from: datetime
    valid_until: datetime | None
    """Exclusive end of the window; None means open-ended."""
    added_at: datetime
    history: tuple[KeyEvent, ...]
    """Ordered by effective time, then by the order the events were recorded."""

    def first_event(self, status: KeyStatus) -> KeyEvent | None:
        """The earliest-effective event with this status: retirement and compromise are final,
        so the first one is the one that decides."""
        return next((e for e in self.history if e.status is status), None)

    def in_window(self, at: datetime) -> bool:
        return _within(at, self.valid_from, self.valid_until)


@dataclass(frozen=True, slots=True)
class Authorisation:
    """The issuer may issue documents of `doctype` signed within [valid_from, valid_until)."""

    issuer_id: str
    doctype: str
    valid_from: datetime
    valid_until: datetime | None

    def covers(self, doctype: str, at: datetime) -> bool:
        return self.doctype == doctype and _within(at, self.valid_from, self.valid_until)


@dataclass(frozen=True, slots=True)
class IssuanceRecord:
    """One row of the issuance register: the proof that a document's exact bytes existed by
    `recorded_at`, which is what lets a document signed before a key compromise still pass."""

    document_id: str
    issuer_id: str
    doctype: str
    sha256: str
    """Lowercase hex SHA-256 of the issued file's bytes."""
    key_id: str
    issued_at: datetime
    """The signing time claimed inside the document."""
    recorded_at: datetime
    """When the registry wrote the row: the registry's own clock, not the document's claim."""
    renditions: tuple[tuple[str, str], ...] = ()
    """(format, SHA-256) of every rendition issued of this one original, `sha256`'s included:
    an XML file, a JSON-LD credential and a JWT of the same document are all proven."""

    def proves(self, sha256: str) -> bool:
        """Do the register's digests include these exact bytes?"""
        return sha256 == self.sha256 or any(sha256 == digest for _, digest in self.renditions)


def _within(at: datetime, start: datetime, end: datetime | None) -> bool:
    return start <= at and (end is None or at < end)
