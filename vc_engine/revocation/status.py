"""The status store's answers as frozen values; every datetime is timezone-aware UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from vc_engine.revocation.bitstring import Bitstring


class Purpose(StrEnum):
    """The two `statusPurpose` values we issue: revocation is final, suspension is not."""

    REVOCATION = "revocation"
    SUSPENSION = "suspension"


class Action(StrEnum):
    REVOKE = "revoke"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"

    @property
    def purpose(self) -> Purpose:
        """The list whose bit the action sets or clears."""
        return Purpose.REVOCATION if self is Action.REVOKE else Purpose.SUSPENSION


class DocumentState(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """A document's slot in one status list: bit `index` of list `list_id`."""

    document_id: str
    purpose: Purpose
    list_id: str
    index: int


class DocumentEntries(NamedTuple):
    """A document's two slots, one per purpose."""

    revocation: StatusEntry
    suspension: StatusEntry

    def of(self, purpose: Purpose) -> StatusEntry:
        """The entry in the list of `purpose` (an action's list: `Action.purpose`)."""
        return self.revocation if purpose is Purpose.REVOCATION else self.suspension


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """One entry of a document's append-only status history: who did what, when and why."""

    action: Action
    effective_at: datetime
    reason: str | None
    """Why, in the words of whoever made the change; None where it is withheld (an offline
    bundle carries states and times, never clerks' free text about a citizen)."""
    actor: str | None
    """Who made the change; None where it is withheld, as `reason`."""
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class DocumentStatus:
    document_id: str
    state: DocumentState
    """Revoked wins over suspended: a revoked document stays revoked whatever its suspension."""
    entries: DocumentEntries
    history: tuple[StatusEvent, ...]
    """In the order the events were recorded."""


@dataclass(frozen=True, slots=True)
class PublishedList:
    """A status list as it stands at `version`: what a BitstringStatusListCredential carries."""

    list_id: str
    issuer_id: str
    purpose: Purpose
    bits: Bitstring
    version: int
    """Bumped by every status change in the list, so a publisher or cache can tell a list
    changed without comparing bits."""
    updated_at: datetime
