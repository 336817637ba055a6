"""The pipeline's status stage: is the document revoked or suspended, by its issuer's own
signed Bitstring Status Lists?

A list is believed only when its signature verifies under a key registered to the document's
issuer, valid and not compromised when the list was signed, and only while the list is fresh
(`validUntil` / `ttl`). Anything less is INDETERMINATE (TRY_LATER): a status that cannot be
established is never PASSED and never FAILED. Lists are verified and decoded once per version
and cached; the registry checks of the signing key are made every time, since they can change.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cachetools import LRUCache

from vc_engine.formats import vc_jwt
from vc_engine.model import Check, Document, StatusReference, SubIndication, issuer_did
from vc_engine.policy import VerificationPolicy
from vc_engine.revocation import StatusListCache, StatusOutcome, StatusResult
from vc_engine.revocation.credential import DecodedList, read_list
from vc_engine.revocation.source import StatusSource
from vc_engine.revocation.status import Action, DocumentStatus, Purpose
from vc_engine.trust.did import registry_resolver
from vc_engine.trust.records import KeyStatus
from vc_engine.trust.source import TrustSource

_MAX_LIST_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class _SignedList:
    credential: dict[str, Any]
    key_id: str
    signed_at: datetime | None
    views: dict[tuple[str, str, Purpose], DecodedList] = field(default_factory=dict)
    """The list read for (url, issuer, purpose): decoded once per list version."""

    def view(self, reference: StatusReference, issuer: str) -> DecodedList | StatusOutcome:
        try:
            purpose = Purpose(reference.purpose)
        except ValueError:
            return StatusOutcome(
                StatusResult.MALFORMED, None, f"unknown status purpose {reference.purpose!r}"
            )
        key = (reference.list_url, issuer, purpose)
        found = self.views.get(key)
        if found is None:
            read = read_list(
                self.credential,
                list_url=reference.list_url,
                issuer=issuer,
                purpose=purpose,
                cache=_decoded,
            )
            if not isinstance(read, DecodedList):
                return read
            found = self.views[key] = read
        return found


# Keyed by the published bytes themselves: a bytes object caches its hash, so a list served
# again from the same snapshot is found without hashing it again.
_verified: LRUCache[bytes, _SignedList] = LRUCache(maxsize=256)
_verified_lock = threading.Lock()
_decoded = StatusListCache()


def status_checks(
    document: Document, trust: TrustSource, status: StatusSource | None, policy: VerificationPolicy
) -> list[Check]:
    """One check per status entry the document carries; none when it carries none."""
    if not document.status:
        return []
    if status is None:
        return [
            Check.indeterminate(
                "status",
                SubIndication.TRY_LATER,
                "the document has status entries, but no status lists were given to check them",
            )
        ]
    return [_check(reference, document, trust, status, policy) for reference in document.status]


def _check(
    reference: StatusReference,
    document: Document,
    trust: TrustSource,
    status: StatusSource,
    policy: VerificationPolicy,
) -> Check:
    name = f"status-{reference.purpose}"
    published = status.published_list(reference.list_id)
    if published is None:
        return Check.indeterminate(
            name, SubIndication.TRY_LATER, f"status list {reference.list_url} is not available"
        )
    signed, problem = _believed_list(published, document.issuer_id, trust)
    if signed is None:
        return Check.indeterminate(name, SubIndication.TRY_LATER, problem)
    assert signed.signed_at is not None, "a believed list has a signing time"
    newest = status.watermarks.observe(reference.list_id, signed.signed_at)
    if newest is not None:
        return Check.indeterminate(
            name,
            SubIndication.TRY_LATER,
            f"status list {reference.list_url} was signed at {signed.signed_at.isoformat()}, "
            f"before the one already seen here (signed at {newest.isoformat()}): an older list "
            "could hide revocations made since; fetch the newest",
        )
    view = signed.view(reference, issuer_did(document.issuer_id))
    outcome = view.lookup(reference.index, policy.at) if isinstance(view, DecodedList) else view
    if outcome.result is StatusResult.OK:
        return Check.passed(name, f"not {_STATE[reference.purpose]} ({outcome.reason})")
    if outcome.result in (StatusResult.REVOKED, StatusResult.SUSPENDED):
        code = (
            SubIndication.REVOKED
            if outcome.result is StatusResult.REVOKED
            else SubIndication.SUSPENDED
        )
        return Check.failed(name, code, _why(document.id, outcome.result, status))
    w3c_code = f" ({outcome.code.value})" if outcome.code is not None else ""
    return Check.indeterminate(name, SubIndication.TRY_LATER, outcome.reason + w3c_code)


_STATE = {"revocation": "revoked", "suspension": "suspended"}


def _why(document_id: str, result: StatusResult, status: StatusSource) -> str:
    """The date and reason of the change that set the bit, from the registry's history."""
    history: DocumentStatus | None = status.status(document_id)
    action = Action.REVOKE if result is StatusResult.REVOKED else Action.SUSPEND
    events = [e for e in history.history if e.action is action] if history else []
    if not events:
        return f"the document is {result.value} by its issuer's status list"
    last = events[-1]
    since = f"{result.value} since {last.effective_at.isoformat()}"
    if last.reason is None:
        return since
    return f"{since} by {last.actor}: {last.reason}"


def _believed_list(
    published: bytes, issuer_id: str, trust: TrustSource
) -> tuple[_SignedList | None, str]:
    with _verified_lock:
        signed = _verified.get(published)
    if signed is None:
        outcome = vc_jwt.open_credential(
            published, max_bytes=_MAX_LIST_BYTES, resolve=registry_resolver(trust)
        )
        if outcome.credential is None or outcome.facts is None:
            failed = next(c for c in outcome.checks if c.code is not None)
            return None, f"the status list's signature does not hold: {failed.message}"
        signed = _SignedList(outcome.credential, outcome.facts.key_id, outcome.issued_at)
        with _verified_lock:
            _verified[published] = signed
    return _signer_trusted(signed, issuer_id, trust)


def _signer_trusted(
    signed: _SignedList, issuer_id: str, trust: TrustSource
) -> tuple[_SignedList | None, str]:
    key = trust.key(signed.key_id)
    if key is None or key.issuer_id != issuer_id:
        return None, f"the status list is not signed by a key registered to {issuer_id}"
    if signed.signed_at is None or not key.in_window(signed.signed_at):
        return None, "the status list was signed outside its key's validity window"
    for final in (KeyStatus.COMPROMISED, KeyStatus.RETIRED):
        event = key.first_event(final)
        if event is not None and event.effective_at <= signed.signed_at:
            return None, f"the status list was signed with a key {final} at that time"
    return signed, ""
