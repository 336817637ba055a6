"""Pinned JSON-LD contexts: the only contexts a credential may name, served from files in the
package, never from the network.

A context changes what every term in a credential means, so which contexts are accepted is a
security decision. Each pinned file is listed in an `index.json` beside it,

    {"<context URL>": {"file": "<name beside index.json>", "sha256": "<hex>", "source": "..."}}

and its SHA-256 is checked the first time it is served (then the parsed document is kept). A URL
not in the index, or a file that no longer matches its digest, raises an error naming the URL.
A credential's `@context` must be a list of such URL strings: an inline (object) context could
redefine any unprotected term, so it is refused outright.

A directory may also list, in `resources.json` (same form), documents held only to compare
relatedResource digests with (`held`), never served as contexts.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from vc_engine.errors import BadInput
from vc_engine.policy import ContextRules

CONTEXT_DIRECTORY = resources.files("vc_engine") / "data" / "contexts"
INDEX = "index.json"
RESOURCES = "resources.json"


class ContextError(BadInput):
    """A document names a context the engine will not process."""

    def __init__(self, url: str, message: str) -> None:
        super().__init__(message)
        self.url = url


class UnknownContextError(ContextError):
    """The context URL is not one of the pinned contexts."""

    def __init__(self, url: str) -> None:
        super().__init__(url, f"context {url!r} is not a pinned context")


class TamperedContextError(ContextError):
    """The pinned file for a context URL does not match its recorded digest."""

    def __init__(self, url: str, path: str) -> None:
        super().__init__(url, f"the pinned file {path} for context {url!r} fails its SHA-256 check")


class InlineContextError(ContextError):
    """A document carries a context object instead of a pinned URL."""

    def __init__(self, where: str) -> None:
        super().__init__(where, f"inline context at {where}: only pinned context URLs are allowed")


@dataclass(frozen=True)
class PinnedContext:
    url: str
    path: Path | None
    sha256: str
    data: bytes | None = None
    """The document itself, for a context pinned in the registry rather than in a file."""

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.path is not None
        return self.path.read_bytes()


@dataclass(frozen=True, eq=False)
class ContextLoader:
    """A pyld document loader over pinned files; hashes each file once, on first use."""

    pinned: Mapping[str, PinnedContext]
    allow_inline: bool = False
    """Whether an inline (object) context may stand beside the pinned URLs."""
    resources: Mapping[str, PinnedContext] = field(default_factory=dict)
    """Documents held only as related resources, to compare relatedResource digests with,
    never used as contexts: a context set's own copy of a URL whose context it does not
    replace (a directory's `resources.json`, listed like its index.json)."""
    _documents: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @classmethod
    def from_index(cls, directory: Path) -> ContextLoader:
        return cls(_read_index(directory))

    def including(self, directory: Path) -> ContextLoader:
        """This loader plus the contexts pinned in another directory's index.json, and the
        related resources in its resources.json if any (the directory's entries win for a URL
        listed in both)."""
        return ContextLoader(
            {**self.pinned, **_read_index(directory)},
            self.allow_inline,
            {**self.resources, **_read_index(directory, RESOURCES)},
        )

    def with_documents(self, documents: Iterable[tuple[str, bytes]]) -> ContextLoader:
        """This loader plus contexts given as (URL, document) pairs (an operator's pins)."""
        extra = {
            url: PinnedContext(url, None, hashlib.sha256(data).hexdigest(), data)
            for url, data in documents
        }
        return ContextLoader({**self.pinned, **extra}, self.allow_inline, self.resources)

    @property
    def urls(self) -> frozenset[str]:
        return frozenset(self.pinned)

    def document(self, url: str) -> Any:
        """The parsed context document for `url`, checked against its digest."""
        cached = self._documents.get(url)
        if cached is not None:
            return cached
        entry = self.pinned.get(url)
        if entry is None:
            raise UnknownContextError(url)
        data = _checked(entry)
        try:
            parsed = json.loads(data)
        except ValueError:
            raise ContextError(url, f"the pinned context {url!r} is not JSON") from None
        with self._lock:
            self._documents.setdefault(url, parsed)
        return self._documents[url]

    def held(self, url: str) -> bytes | None:
        """The bytes held for `url` as a related resource (else as a pinned context), checked
        against their digest; None when nothing is held (to compare relatedResource digests)."""
        entry = self.resources.get(url) or self.pinned.get(url)
        return None if entry is None else _checked(entry)

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The pyld loader interface. pyld edits the document it is handed, so it gets a copy;
        the 'static' tag lets pyld keep the processed context across documents."""
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": copy.deepcopy(self.document(url)),
            "tag": "static",
        }

    def context_urls(self, document: Mapping[str, Any]) -> tuple[str, ...]:
        """The top-level `@context` of a credential as pinned URLs, refusing inline contexts and
        URLs that are not pinned (before any JSON-LD processing starts)."""
        context = document.get("@context")
        if context is None:
            return ()
        entries: Iterable[object] = context if isinstance(context, list) else [context]
        urls = []
        for index, entry in enumerate(entries):
            if isinstance(entry, dict) and self.allow_inline:
                continue
            if not isinstance(entry, str):
                raise InlineContextError(f"@context[{index}]")
            if entry not in self.pinned:
                raise UnknownContextError(entry)
            urls.append(entry)
        return tuple(urls)


def _checked(entry: PinnedContext) -> bytes:
    data = entry.read()
    if hashlib.sha256(data).hexdigest() != entry.sha256:
        raise TamperedContextError(entry.url, entry.path.name if entry.path else "(registry)")
    return data


def _read_index(directory: Path, name: str = INDEX) -> dict[str, PinnedContext]:
    listing = directory / name
    if name != INDEX and not listing.is_file():
        return {}
    index = json.loads(listing.read_text(encoding="utf-8"))
    return {
        url: PinnedContext(url, directory / entry["file"], entry["sha256"])
        for url, entry in index.items()
    }


@cache
def default_loader() -> ContextLoader:
    """The contexts shipped in the package: the W3C and W3ID contexts the engine accepts and
    the engine's own document context, each as listed in vc_engine/data/contexts/index.json."""
    return ContextLoader.from_index(Path(str(CONTEXT_DIRECTORY)))


@cache
def loader_for(
    sets: frozenset[str], allow_inline: bool, operator: tuple[tuple[str, bytes], ...]
) -> ContextLoader:
    """The loader a policy's context rules describe: the standard contexts, the `conformance`
    set when named (vc_engine/data/contexts/conformance: the W3C suites' example and test
    contexts), and the operator's pinned contexts. One per rule set, so each keeps its
    processed contexts."""
    loader = ContextLoader(default_loader().pinned, allow_inline)
    if "conformance" in sets:
        loader = loader.including(Path(str(CONTEXT_DIRECTORY / "conformance")))
    return loader.with_documents(operator)


def rules_loader(rules: ContextRules) -> ContextLoader:
    """The pinned contexts a policy's context rules allow (one loader per distinct rule set)."""
    return loader_for(frozenset(rules.sets), rules.allow_inline, rules.operator)
