"""JSON-LD contexts an operator pinned in the registry (`vc-engine context add URL FILE`).

A credential may name a context only when its document is pinned; an operator pins one by
giving the URL and the document it must mean, and the registry keeps the bytes and their
SHA-256. Verification loads them from here, never from the URL: it stays offline, and a
context cannot change under a credential that was verified against it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select

from vc_engine.store.engine import Database, refuse_on_conflict
from vc_engine.store.errors import InvalidRegistryInput, RegistryError
from vc_engine.store.schema import pinned_contexts

MAX_CONTEXT_BYTES = 1024 * 1024
"""The largest context document an operator may pin (the VC 2.0 context is 12 KiB)."""


class ContextExists(RegistryError):
    """A context is already pinned under this URL (remove it first, on purpose)."""


class UnknownPinnedContext(RegistryError):
    """No context is pinned under this URL."""


@dataclass(frozen=True)
class PinnedContextRecord:
    url: str
    sha256: str
    added_at: datetime
    document: bytes


class PinnedContexts(Database):
    """The registry's pinned contexts."""

    def add(self, url: str, document: bytes, *, at: datetime) -> PinnedContextRecord:
        """Pin `document` under `url`; refuses what is not a JSON-LD context document."""
        _check(url, document)
        record = PinnedContextRecord(url, hashlib.sha256(document).hexdigest(), at, document)
        conflict = ContextExists(f"a context is already pinned under {url}")
        with self._write() as conn, refuse_on_conflict(conflict):
            found = conn.execute(
                select(pinned_contexts.c.url).where(pinned_contexts.c.url == url)
            ).first()
            if found is not None:
                raise conflict
            conn.execute(
                insert(pinned_contexts).values(
                    url=url, document=document, sha256=record.sha256, added_at=at
                )
            )
        return record

    def remove(self, url: str) -> None:
        with self._write() as conn:
            done = conn.execute(delete(pinned_contexts).where(pinned_contexts.c.url == url))
            if done.rowcount == 0:
                raise UnknownPinnedContext(f"no context is pinned under {url}")

    def list(self) -> list[PinnedContextRecord]:
        with self._read() as conn:
            rows = conn.execute(select(pinned_contexts).order_by(pinned_contexts.c.url)).all()
        records = [PinnedContextRecord(r.url, r.sha256, r.added_at, r.document) for r in rows]
        for record in records:
            if hashlib.sha256(record.document).hexdigest() != record.sha256:
                raise RegistryError(f"the pinned context {record.url} fails its SHA-256 check")
        return records

    def documents(self) -> tuple[tuple[str, bytes], ...]:
        """(URL, document) of every pinned context, checked against its digest: what a
        verification policy's context rules carry."""
        return tuple((r.url, r.document) for r in self.list())


def _check(url: str, document: bytes) -> None:
    if (
        not url.startswith(("https://", "http://"))
        or len(url) > 2000
        or any(c.isspace() for c in url)
    ):
        raise InvalidRegistryInput(f"{url[:100]!r} is not an http(s) URL")
    if len(document) > MAX_CONTEXT_BYTES:
        raise InvalidRegistryInput(f"the context document is over {MAX_CONTEXT_BYTES:,} bytes")
    try:
        parsed = json.loads(document)
    except ValueError:
        raise InvalidRegistryInput("the context document is not JSON") from None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("@context"), dict | list):
        raise InvalidRegistryInput("the document is not a JSON-LD context (no @context object)")
