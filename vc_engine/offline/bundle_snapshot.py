"""`BundleSnapshot`: the registry and the status lists as a verified offline bundle holds them.

It is both a `TrustSource` and a `StatusSource`, so `verify(data, view, policy, status=view)` runs
with no registry and no network. It is built only by `bundle.open_bundle`, after the root's
signature and every section digest have been checked, and it never changes afterwards.

Issuers, keys, authorisations, certificate subjects, CA certificates and CRLs, status lists and
status histories are answered from dicts. The issuance register can hold millions of rows but is
needed only for documents signed by a key that was later compromised (or a certificate that has
expired or was revoked since), so its sections stay compressed until a look-up falls in one; each
section is then decoded once (under a lock: one view may serve several threads).
"""

from __future__ import annotations

import bisect
import json
import threading
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING

from vc_engine.doctypes.versions import SHIPPED_CATALOGUE, Version, generated_contexts
from vc_engine.offline.bundle_codec import decoded, read_issuance
from vc_engine.offline.bundle_format import BundleRefused, Refusal
from vc_engine.revocation.source import ListMemory, StatusSource
from vc_engine.revocation.status import DocumentStatus
from vc_engine.trust.anchors import CertificateSubject
from vc_engine.trust.chains import AnchorSet
from vc_engine.trust.records import Authorisation, IssuanceRecord, IssuerRecord, RegisteredKey
from vc_engine.trust.source import TrustSource

MAX_SECTION_BYTES = 256 * 1024 * 1024
"""A decompressed register section larger than this is refused (a section holds a few thousand
rows, well under a megabyte)."""


@dataclass(frozen=True, slots=True)
class RegisterSection:
    """Rows `first`..`last` (by document id) of the register, compressed as exported."""

    first: str
    last: str
    rows: int
    data: bytes | memoryview


class IssuanceRegister:
    """The register's sections, sorted by document id, decoded on demand."""

    def __init__(self, sections: Sequence[RegisterSection]) -> None:
        self._sections = tuple(sections)
        self._firsts = [s.first for s in self._sections]
        self._decoded: dict[int, dict[str, IssuanceRecord]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return sum(s.rows for s in self._sections)

    def get(self, document_id: str) -> IssuanceRecord | None:
        at = bisect.bisect_right(self._firsts, document_id) - 1
        if at < 0 or document_id > self._sections[at].last:
            return None
        rows = self._decoded.get(at)
        if rows is None:
            rows = self._decode(at)
        return rows.get(document_id)

    def _decode(self, at: int) -> dict[str, IssuanceRecord]:
        section = self._sections[at]
        inflater = zlib.decompressobj()
        try:
            raw = inflater.decompress(section.data, MAX_SECTION_BYTES + 1)
        except zlib.error as exc:
            raise BundleRefused(Refusal.MALFORMED, f"register section {at}: {exc}") from None
        if len(raw) > MAX_SECTION_BYTES or not inflater.eof:
            raise BundleRefused(Refusal.MALFORMED, f"register section {at} is not one zlib stream")
        rows = decoded(f"register section {at}", json.loads, raw)
        records = decoded(f"register section {at}", lambda r: [read_issuance(x) for x in r], rows)
        found = {r.document_id: r for r in records}
        with self._lock:
            self._decoded.setdefault(at, found)
        return found


class BundleSnapshot:
    """A `TrustSource` and a `StatusSource` over one verified bundle (see the module docstring).

    `warnings` are what every report made from this view must carry (a bundle accepted past its
    nextUpdate, pinned contexts that differ from this engine's); `audit` adds them.
    """

    def __init__(
        self,
        *,
        created: datetime,
        next_update: datetime,
        root_key_id: str,
        sequence: int,
        sha256: str,
        issuers: Iterable[IssuerRecord],
        keys: Iterable[RegisteredKey],
        authorisations: Iterable[Authorisation],
        register: IssuanceRegister,
        anchors: AnchorSet,
        certificate_subjects: Iterable[CertificateSubject],
        status_lists: Mapping[str, bytes],
        statuses: Iterable[DocumentStatus],
        contexts: Mapping[str, str],
        doctypes: Iterable[Version] = (),
        warnings: Sequence[str] = (),
    ) -> None:
        self.created = created
        self.next_update = next_update
        self.root_key_id = root_key_id
        self.sequence = sequence
        """The export's number among the bundles of this root: higher is newer."""
        self.sha256 = sha256
        """SHA-256 of the whole bundle file, to name the bundle an audit was made with."""
        self.contexts = MappingProxyType(dict(contexts))
        added = tuple(doctypes)
        self.catalogue = SHIPPED_CATALOGUE.with_versions(added)
        """The shipped document types and the versions the registry added, as it exported them."""
        self.type_contexts = generated_contexts(added)
        """The generated contexts of the added versions: (URL, document), pinned by the bundle."""
        self.warnings = tuple(warnings)
        self._issuers = MappingProxyType({i.id: i for i in issuers})
        self._keys = MappingProxyType({k.key_id: k for k in keys})
        grouped: dict[str, list[Authorisation]] = {}
        for authorisation in authorisations:
            grouped.setdefault(authorisation.issuer_id, []).append(authorisation)
        self._authorisations = MappingProxyType({i: tuple(a) for i, a in grouped.items()})
        self._register = register
        self._anchors = anchors
        grouped_subjects: dict[str, list[CertificateSubject]] = {}
        for subject in certificate_subjects:
            grouped_subjects.setdefault(subject.issuer_id, []).append(subject)
        self._subjects = MappingProxyType({i: tuple(s) for i, s in grouped_subjects.items()})
        self._lists = MappingProxyType(dict(status_lists))
        self._statuses = MappingProxyType({s.document_id: s for s in statuses})
        self.memory = ListMemory()

    # TrustSource

    def issuer(self, issuer_id: str) -> IssuerRecord | None:
        return self._issuers.get(issuer_id)

    def key(self, key_id: str) -> RegisteredKey | None:
        return self._keys.get(key_id)

    def authorisations(self, issuer_id: str) -> tuple[Authorisation, ...]:
        return self._authorisations.get(issuer_id, ())

    def issuance(self, document_id: str) -> IssuanceRecord | None:
        return self._register.get(document_id)

    def certificate_subjects(self, issuer_id: str) -> tuple[CertificateSubject, ...]:
        return self._subjects.get(issuer_id, ())

    def anchors(self) -> AnchorSet:
        return self._anchors

    # StatusSource

    def published_list(self, list_id: str) -> bytes | None:
        return self._lists.get(list_id)

    def status(self, document_id: str) -> DocumentStatus | None:
        """The status history of a document that was ever revoked, suspended or reinstated;
        None for the others (the bundle carries the lists, whose bits decide, not an entry for
        every document)."""
        return self._statuses.get(document_id)

    # What the bundle holds, for reports

    def issuers(self) -> tuple[IssuerRecord, ...]:
        return tuple(self._issuers.values())

    def keys(self) -> tuple[RegisteredKey, ...]:
        return tuple(self._keys.values())

    def list_ids(self) -> tuple[str, ...]:
        return tuple(sorted(self._lists))

    @property
    def documents(self) -> int:
        """Rows in the issuance register."""
        return len(self._register)


if TYPE_CHECKING:

    def _is_both_views(view: BundleSnapshot) -> tuple[TrustSource, StatusSource]:
        """Never called: mypy checks here that a BundleSnapshot is both protocols."""
        return view, view
