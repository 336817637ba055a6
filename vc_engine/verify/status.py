"""The pipeline's status stage: is the document revoked or suspended, by its issuer's own
signed Bitstring Status Lists?

A list is published as a vc+jwt or as JSON-LD with a Data Integrity proof (either form, as the
source holds it). A list is believed only when its signature verifies and the key that made it
vouches for the document's issuer at the list's signing time (the trust room's rule,
`key_vouches`: registered to that issuer, inside its window, neither retired nor compromised by
then), only while it is fresh (`validUntil` / `ttl`), and only when it is not older than a list
already believed for the same list id (a rollback). Anything less is INDETERMINATE (TRY_LATER):
a status that cannot be established is never PASSED and never FAILED. The signature and the
decoding are done once per published version and kept in the source's `ListMemory`; the
registry's word on the signing key is asked every time, since it can change.
"""

from __future__ import annotations

from vc_engine.formats import vc_jwt
from vc_engine.formats.safe_json import UnsafeJson, loads_object
from vc_engine.i18n import Message
from vc_engine.i18n import report as said
from vc_engine.model import Check, Document, StatusReference, SubIndication, issuer_did
from vc_engine.policy import VerificationPolicy
from vc_engine.revocation.credential import DecodedList, StatusOutcome, StatusResult, read_list
from vc_engine.revocation.source import SignedList, StatusSource
from vc_engine.revocation.status import Action, DocumentStatus, Purpose
from vc_engine.trust.did import registry_resolver
from vc_engine.trust.evaluate import key_vouches
from vc_engine.trust.source import TrustSource

_NOT_SET = {"revocation": said.NOT_REVOKED, "suspension": said.NOT_SUSPENDED}


def status_checks(
    document: Document,
    trust: TrustSource,
    status: StatusSource | None,
    policy: VerificationPolicy,
) -> list[Check]:
    """One check per status entry the document carries; none when it carries none."""
    if not document.status:
        return []
    if status is None:
        return [Check.indeterminate("status", SubIndication.TRY_LATER, said.STATUS_NO_LISTS())]
    return [_check(reference, document, trust, status, policy) for reference in document.status]


def _check(
    reference: StatusReference,
    document: Document,
    trust: TrustSource,
    status: StatusSource,
    policy: VerificationPolicy,
) -> Check:
    name = f"status-{reference.purpose}"
    # 1. The list the entry points to has been published.
    published = status.published_list(reference.list_id)
    if published is None:
        return Check.indeterminate(
            name, SubIndication.TRY_LATER, said.STATUS_LIST_MISSING(list=reference.list_url)
        )
    # 2. Its signature holds (checked once per published version).
    signed = _signed(published, trust, status, policy)
    if isinstance(signed, str):
        return Check.indeterminate(
            name, SubIndication.TRY_LATER, said.STATUS_LIST_SIGNATURE(detail=signed)
        )
    # 3. The key that signed it vouches for the document's issuer at the list's signing time.
    if signed.signed_at is None:
        return Check.indeterminate(name, SubIndication.TRY_LATER, said.STATUS_LIST_NO_IAT())
    refused = key_vouches(trust, signed.key_id, document.issuer_id, signed.signed_at)
    if refused is not None:
        return Check.indeterminate(
            name, SubIndication.TRY_LATER, said.STATUS_LIST_KEY(reason=refused)
        )
    # 4. It is not older than a list already believed for the same id.
    newest = status.memory.watermarks.observe(reference.list_id, signed.signed_at)
    if newest is not None:
        return Check.indeterminate(
            name,
            SubIndication.TRY_LATER,
            said.STATUS_LIST_ROLLBACK(
                list=reference.list_url,
                signed=signed.signed_at.isoformat(),
                newest=newest.isoformat(),
            ),
        )
    # 5. It is the list the entry names, for that issuer and purpose, and fresh: read the bit.
    decoded = _decoded(signed, reference, issuer_did(document.issuer_id), status)
    outcome = (
        decoded.lookup(reference.index, policy.at) if isinstance(decoded, DecodedList) else decoded
    )
    if outcome.result is StatusResult.OK:
        return Check.passed(name, _NOT_SET[reference.purpose](detail=outcome.reason))
    if outcome.result in (StatusResult.REVOKED, StatusResult.SUSPENDED):
        code = (
            SubIndication.REVOKED
            if outcome.result is StatusResult.REVOKED
            else SubIndication.SUSPENDED
        )
        return Check.failed(name, code, _why(document.id, outcome.result, status))
    w3c_code = f" ({outcome.code.value})" if outcome.code is not None else ""
    unreadable = said.STATUS_LIST_UNREADABLE(detail=outcome.reason + w3c_code)
    return Check.indeterminate(name, SubIndication.TRY_LATER, unreadable)


def _signed(
    published: bytes, trust: TrustSource, status: StatusSource, policy: VerificationPolicy
) -> SignedList | str:
    """The list with its verified signature, or why its signature does not hold (in the
    words of the check that refused it)."""
    found = status.memory.signed(published)
    if found is not None:
        return found
    opened = (
        _open_json_ld(published, trust, policy)
        if published.lstrip().startswith(b"{")
        else _open_jwt(published, trust, policy)
    )
    if isinstance(opened, SignedList):
        status.memory.remember(published, opened)
    return opened


def _open_json_ld(
    published: bytes, trust: TrustSource, policy: VerificationPolicy
) -> SignedList | str:
    """A JSON-LD list credential whose one Data Integrity proof verifies; its signing time is
    the proof's `created`."""
    limits = policy.limits
    try:
        secured = loads_object(
            published, max_bytes=limits.max_status_list_bytes, max_depth=limits.max_json_depth
        )
    except UnsafeJson as exc:
        return f"the status list is not a JSON credential: {exc}"
    # Data Integrity (and with it the JSON-LD processor) loads only when a list is JSON-LD.
    from vc_engine.formats.vc_di.proofs import verify_proof

    outcome = verify_proof(
        secured,
        resolve=registry_resolver(trust),
        algorithms=policy.algorithms,
        limits=limits,
    )
    if outcome.unsecured is None or outcome.facts is None:
        failed = next(c for c in outcome.checks if c.code is not None)
        return f"the status list's proof does not hold: {failed.message}"
    return SignedList(outcome.unsecured, outcome.facts.key_id, outcome.created)


def _open_jwt(published: bytes, trust: TrustSource, policy: VerificationPolicy) -> SignedList | str:
    outcome = vc_jwt.open_credential(
        published,
        resolve=registry_resolver(trust),
        algorithms=policy.algorithms,
        limits=policy.limits,
        max_bytes=policy.limits.max_status_list_bytes,
    )
    if outcome.credential is None or outcome.facts is None:
        failed = next(c for c in outcome.checks if c.code is not None)
        return failed.message
    return SignedList(outcome.credential, outcome.facts.key_id, outcome.issued_at)


def _decoded(
    signed: SignedList, reference: StatusReference, issuer: str, status: StatusSource
) -> DecodedList | StatusOutcome:
    try:
        purpose = Purpose(reference.purpose)
    except ValueError:
        return StatusOutcome(
            StatusResult.MALFORMED, None, f"unknown status purpose {reference.purpose!r}"
        )
    key = (reference.list_url, issuer, purpose.value)
    found = signed.decoded.get(key)
    if found is None:
        read = read_list(
            signed.credential,
            list_url=reference.list_url,
            issuer=issuer,
            purpose=purpose,
            cache=status.memory.decoded,
        )
        if not isinstance(read, DecodedList):
            return read
        found = signed.decoded[key] = read
    return found


def _why(document_id: str, result: StatusResult, status: StatusSource) -> Message:
    """The date and reason of the change that set the bit, from the source's history."""
    history: DocumentStatus | None = status.status(document_id)
    revoked = result is StatusResult.REVOKED
    action = Action.REVOKE if revoked else Action.SUSPEND
    events = [e for e in history.history if e.action is action] if history else []
    if not events:
        return said.REVOKED_BY_LIST() if revoked else said.SUSPENDED_BY_LIST()
    last = events[-1]
    since = last.effective_at.isoformat()
    if last.reason is None:
        return (said.REVOKED_SINCE if revoked else said.SUSPENDED_SINCE)(since=since)
    by = said.REVOKED_SINCE_BY if revoked else said.SUSPENDED_SINCE_BY
    return by(since=since, actor=last.actor, reason=last.reason)
