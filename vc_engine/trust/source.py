"""What the trust decision may ask, and an in-memory answer to it.

`evaluate` depends only on `TrustSource`, so the same rules run against the live `Registry` and
against a `TrustSnapshot` taken once for a batch of verifications.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import MappingProxyType
from typing import Protocol

from vc_engine.trust.anchors import CertificateSubject
from vc_engine.trust.chains import EMPTY_ANCHORS, AnchorSet
from vc_engine.trust.records import Authorisation, IssuanceRecord, IssuerRecord, RegisteredKey


class TrustSource(Protocol):
    def issuer(self, issuer_id: str) -> IssuerRecord | None: ...

    def key(self, key_id: str) -> RegisteredKey | None: ...

    def authorisations(self, issuer_id: str) -> tuple[Authorisation, ...]: ...

    def issuance(self, document_id: str) -> IssuanceRecord | None: ...

    def certificate_subjects(self, issuer_id: str) -> tuple[CertificateSubject, ...]: ...

    def anchors(self) -> AnchorSet: ...


class TrustSnapshot:
    """An immutable copy of the registry's issuers, keys (with history), authorisations, the
    subjects issuers are trusted by, and the CA certificates and CRLs (one `AnchorSet`, which
    keeps the paths validated under it).

    It answers from memory, so repeated verifications do not touch the database, and it does not
    change under a running batch. The issuance register can hold millions of rows, so it is not
    copied: `issuance` asks the registry the snapshot came from, which must stay open.
    """

    __slots__ = ("_anchors", "_authorisations", "_issuance", "_issuers", "_keys", "_subjects")

    def __init__(
        self,
        issuers: Iterable[IssuerRecord],
        keys: Iterable[RegisteredKey],
        authorisations: Iterable[Authorisation],
        issuance: Callable[[str], IssuanceRecord | None],
        subjects: Iterable[CertificateSubject] = (),
        anchors: AnchorSet = EMPTY_ANCHORS,
    ) -> None:
        self._issuers = MappingProxyType({i.id: i for i in issuers})
        self._keys = MappingProxyType({k.key_id: k for k in keys})
        grouped: dict[str, list[Authorisation]] = {}
        for authorisation in authorisations:
            grouped.setdefault(authorisation.issuer_id, []).append(authorisation)
        self._authorisations = MappingProxyType({i: tuple(a) for i, a in grouped.items()})
        self._issuance = issuance
        by_issuer: dict[str, list[CertificateSubject]] = {}
        for subject in subjects:
            by_issuer.setdefault(subject.issuer_id, []).append(subject)
        self._subjects = MappingProxyType({i: tuple(s) for i, s in by_issuer.items()})
        self._anchors = anchors

    def issuer(self, issuer_id: str) -> IssuerRecord | None:
        return self._issuers.get(issuer_id)

    def key(self, key_id: str) -> RegisteredKey | None:
        return self._keys.get(key_id)

    def authorisations(self, issuer_id: str) -> tuple[Authorisation, ...]:
        return self._authorisations.get(issuer_id, ())

    def issuance(self, document_id: str) -> IssuanceRecord | None:
        return self._issuance(document_id)

    def certificate_subjects(self, issuer_id: str) -> tuple[CertificateSubject, ...]:
        return self._subjects.get(issuer_id, ())

    def anchors(self) -> AnchorSet:
        return self._anchors
