"""What the verification pipeline asks about status, wherever the answers are kept: the
registry's database online (`StatusStore`), or a signed offline bundle for an auditor."""

from __future__ import annotations

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
