"""What the verification pipeline asks about status, wherever the answers are kept: the
registry's database online (`vc_engine.store.StatusStore`), a snapshot of it in memory, or a
signed offline bundle for an auditor; and what a verifier remembers of the lists it has read.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from vc_engine.revocation.cache import StatusListCache
from vc_engine.revocation.credential import DecodedList
from vc_engine.revocation.status import DocumentStatus


class StatusSource(Protocol):
    memory: ListMemory
    """What verifications through this source have learnt of its lists (see `ListMemory`)."""

    def published_list(self, list_id: str) -> bytes | None:
        """The signed BitstringStatusListCredential as last published (vc+jwt, or JSON-LD with
        a Data Integrity proof), or None when the list has never been published."""
        ...

    def status(self, document_id: str) -> DocumentStatus | None:
        """The document's status history (who, when, why), for the reasons in a report."""
        ...


@dataclass
class SignedList:
    """A published list credential whose signature verified under `key_id`, made at
    `signed_at`. Whether that key may speak for the issuer is judged on every use (the
    registry can change); the signature and the decoding are worth doing once per version."""

    credential: dict[str, Any]
    key_id: str
    signed_at: datetime | None
    decoded: dict[tuple[str, str, str], DecodedList] = field(default_factory=dict)
    """The list read for (list URL, issuer, purpose)."""


class ListMemory:
    """What a verifier keeps of the lists read through one status source: each published
    version's signature check (by its bytes, a changed list being new bytes), its decoding, and
    the newest signing time believed per list (rollback refusal). Thread-safe; bounded."""

    def __init__(self, capacity: int = 256) -> None:
        self._capacity = capacity
        self._signed: OrderedDict[bytes, SignedList] = OrderedDict()
        self._lock = threading.Lock()
        self.decoded = StatusListCache()
        self.watermarks = ListWatermarks()

    def signed(self, published: bytes) -> SignedList | None:
        with self._lock:
            found = self._signed.get(published)
            if found is not None:
                self._signed.move_to_end(published)
            return found

    def remember(self, published: bytes, signed: SignedList) -> None:
        with self._lock:
            self._signed[published] = signed
            if len(self._signed) > self._capacity:
                self._signed.popitem(last=False)


@dataclass(frozen=True)
class StatusSnapshot:
    """The published lists copied into memory once, for verifying many documents fast; status
    histories (wanted only for a revoked or suspended document's reasons) are still looked up."""

    lists: Mapping[str, bytes]
    history: Callable[[str], DocumentStatus | None]
    memory: ListMemory = field(default_factory=ListMemory)

    def published_list(self, list_id: str) -> bytes | None:
        return self.lists.get(list_id)

    def status(self, document_id: str) -> DocumentStatus | None:
        return self.history(document_id)


class ListWatermarks:
    """The newest signing time seen for each status list, so a list signed earlier than one
    already believed is refused: replaying an older list (a rollback) would hide every
    revocation made since. Thread-safe; it remembers at most `capacity` lists (the least
    recently seen are forgotten first)."""

    def __init__(self, capacity: int = 100_000) -> None:
        self._capacity = capacity
        self._newest: OrderedDict[str, datetime] = OrderedDict()
        self._lock = threading.Lock()

    def observe(self, list_id: str, signed_at: datetime) -> datetime | None:
        """Remember `signed_at` for `list_id`; the newer time already seen when it is older."""
        with self._lock:
            newest = self._newest.get(list_id)
            if newest is not None and signed_at < newest:
                return newest
            self._newest[list_id] = signed_at
            self._newest.move_to_end(list_id)
            if len(self._newest) > self._capacity:
                self._newest.popitem(last=False)
        return None
