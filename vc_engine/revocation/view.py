"""What the verification pipeline asks about status, wherever the answers are kept: the
registry's database online (`StatusStore`), or a signed offline bundle for an auditor."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from vc_engine.revocation.records import DocumentStatus


class StatusView(Protocol):
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

    def published_list(self, list_id: str) -> bytes | None:
        return self.lists.get(list_id)

    def status(self, document_id: str) -> DocumentStatus | None:
        return self.history(document_id)
