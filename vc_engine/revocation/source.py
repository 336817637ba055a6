"""What the verification pipeline asks about status, wherever the answers are kept: the
registry's database online (`StatusStore`), or a signed offline bundle for an auditor."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from vc_engine.revocation.status import DocumentStatus


class StatusSource(Protocol):
    watermarks: ListWatermarks
    """The newest signing time of each list believed through this view (rollback refusal)."""

    def published_list(self, list_id: str) -> bytes | None:
        """The signed BitstringStatusListCredential as last published (vc+jwt bytes), or None
        when the list has never been published."""
        ...

    def status(self, document_id: str) -> DocumentStatus | None:
        """The document's status history (who, when, why), for the reasons in a report."""
        ...


@dataclass(frozen=True)
class StatusSnapshot:
    """The published lists copied into memory once, for verifying many documents fast; status
    histories (wanted only for a revoked or suspended document's reasons) are still looked up."""

    lists: Mapping[str, bytes]
    history: Callable[[str], DocumentStatus | None]
    watermarks: ListWatermarks = field(default_factory=lambda: ListWatermarks())

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
