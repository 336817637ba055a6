"""An in-memory trust registry for the trust-rule tests: the same calls as `Registry` for
what those tests set up, kept as plain records, and answered by the `TrustSnapshot` the
verifier uses. The store's own rules (refusals, windows from certificates) are tested in
tests/store on SQLite and PostgreSQL; here only the trust decision is under test."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from vc_engine import keys
from vc_engine.trust.records import (
    Authorisation,
    IssuanceRecord,
    IssuerRecord,
    IssuerStatus,
    KeyEvent,
    KeyStatus,
    RegisteredKey,
)
from vc_engine.trust.source import TrustSnapshot


@dataclass
class TrustBook:
    issuers: dict[str, IssuerRecord] = field(default_factory=dict)
    keys: dict[str, RegisteredKey] = field(default_factory=dict)
    grants: list[Authorisation] = field(default_factory=list)
    register: dict[str, IssuanceRecord] = field(default_factory=dict)

    def add_issuer(self, issuer_id: str, name: str, *, at: datetime) -> None:
        self.issuers[issuer_id] = IssuerRecord(issuer_id, name, IssuerStatus.ACTIVE, at, at)

    def set_issuer_status(self, issuer_id: str, status: IssuerStatus, *, at: datetime) -> None:
        self.issuers[issuer_id] = replace(self.issuers[issuer_id], status=status, status_since=at)

    def authorise(
        self,
        issuer_id: str,
        doctype: str,
        *,
        valid_from: datetime,
        valid_until: datetime | None = None,
    ) -> None:
        self.grants.append(Authorisation(issuer_id, doctype, valid_from, valid_until))

    def add_key(
        self,
        issuer_id: str,
        public_key: keys.PublicKey,
        *,
        valid_from: datetime,
        valid_until: datetime | None,
        at: datetime,
    ) -> str:
        kid = keys.key_id(public_key)
        registered = KeyEvent(KeyStatus.ACTIVE, valid_from, "registered", at)
        self.keys[kid] = RegisteredKey(
            kid,
            issuer_id,
            keys.algorithm_of(public_key),
            public_key,
            None,
            valid_from,
            valid_until,
            at,
            (registered,),
        )
        return kid

    def retire_key(self, issuer_id: str, key_id: str, *, at: datetime, reason: str) -> None:
        self._append(key_id, KeyEvent(KeyStatus.RETIRED, at, reason, at))

    def compromise_key(
        self, issuer_id: str, key_id: str, *, at: datetime, reason: str, recorded_at: datetime
    ) -> None:
        self._append(key_id, KeyEvent(KeyStatus.COMPROMISED, at, reason, recorded_at))

    def record_issuances(self, rows: list[IssuanceRecord]) -> None:
        self.register.update((row.document_id, row) for row in rows)

    def snapshot(self) -> TrustSnapshot:
        return TrustSnapshot(
            self.issuers.values(), self.keys.values(), self.grants, self.register.get
        )

    def _append(self, key_id: str, event: KeyEvent) -> None:
        key = self.keys[key_id]
        history = sorted((*key.history, event), key=lambda e: e.effective_at)
        self.keys[key_id] = replace(key, history=tuple(history))
