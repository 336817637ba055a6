"""The pipeline for W3C credentials that are not our documents: who vouches for the issuer,
status, validity period.

The format stage (`formats.w3c`) has verified every proof and the data-model rules. Here:
1. the issuer: under the `registry` trust model its did:web must name a registered, active
   issuer and every proof's key must be registered to it, valid and not compromised when it
   signed; under `open` an unregistered did:key issuer is acceptable when every proof was made
   by the issuer's own key (the did:key is the key), and the report says it is unregistered;
2. the envelope's signing time is not in the future;
3. status: BitstringStatusListEntry entries of a registered issuer are read from its lists;
   any other status cannot be established offline (`status-unchecked`, INDETERMINATE);
4. the validity period (validFrom/validUntil, or 1.1's issuanceDate/expirationDate), as
   instants.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from vc_engine.formats.w3c import W3cOutcome
from vc_engine.keys import KeyMaterialError, did_key_public_key, key_id
from vc_engine.model import (
    STATUS_ENTRY_TYPE,
    Check,
    Document,
    StatusReference,
    SubIndication,
    issuer_id_of_did,
)
from vc_engine.policy import TrustModel, VerificationPolicy
from vc_engine.revocation.source import StatusSource
from vc_engine.trust.evaluate import key_vouches
from vc_engine.trust.records import IssuerStatus
from vc_engine.trust.source import TrustSource
from vc_engine.verify.status import status_checks


def credential_checks(
    opened: W3cOutcome,
    trust: TrustSource,
    policy: VerificationPolicy,
    status: StatusSource | None,
    warnings: list[str],
) -> list[Check]:
    """The checks after the format stage, for a credential whose proofs verified."""
    credential = opened.credential
    assert credential is not None
    issuer = _issuer_of(credential)
    registered = _registered_issuer(trust, issuer)
    checks: list[Check] = []

    # 1. Who vouches for the issuer.
    checks.extend(_issuer_checks(opened, trust, policy, issuer, registered, warnings))
    if any(c.status.value == "failed" for c in checks):
        return checks

    # 2. No proof claims to be made in the future.
    checks.append(_signing_time(opened, policy))

    # 3. Status, by the issuer's own lists.
    checks.extend(_status(credential, registered, trust, status, policy))

    # 4. The validity period.
    checks.append(_validity(opened, credential, policy))
    return checks


def _issuer_of(credential: Mapping[str, Any]) -> str:
    issuer = credential.get("issuer")
    value = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    return value if isinstance(value, str) else ""


def did_key_method(did: str) -> str:
    """The verification method of a did:key DID (its one key: `did:key:<mk>#<mk>`)."""
    return f"{did}#{did.removeprefix('did:key:')}"


def _registered_issuer(trust: TrustSource, issuer: str) -> str | None:
    """The registered issuer a credential's issuer names: a did:web of a registered issuer, or
    a did:key whose key is registered to one."""
    issuer_id = issuer_id_of_did(issuer)
    if issuer.startswith("did:key:"):
        try:
            key = trust.key(key_id(did_key_public_key(did_key_method(issuer))))
        except KeyMaterialError:
            return None
        issuer_id = None if key is None else key.issuer_id
    if issuer_id is None:
        return None
    record = trust.issuer(issuer_id)
    return issuer_id if record is not None else None


def _issuer_checks(
    opened: W3cOutcome,
    trust: TrustSource,
    policy: VerificationPolicy,
    issuer: str,
    registered: str | None,
    warnings: list[str],
) -> list[Check]:
    if registered is not None:
        return _registry_checks(opened, trust, registered, policy.at)
    if policy.trust_model is TrustModel.OPEN and issuer.startswith("did:key:"):
        return _did_key_checks(opened, issuer, warnings)
    if policy.trust_model is TrustModel.OPEN:
        return _unbound_issuer_checks(opened, issuer, warnings)
    return [
        Check.failed(
            "issuer", SubIndication.NOT_TRUSTED, f"issuer {issuer[:120]} is not in the registry"
        )
    ]


def _registry_checks(
    opened: W3cOutcome, trust: TrustSource, issuer_id: str, now: datetime
) -> list[Check]:
    record = trust.issuer(issuer_id)
    if record is None or record.status is not IssuerStatus.ACTIVE:
        return [Check.failed("issuer", SubIndication.NOT_TRUSTED, f"{issuer_id} is not active")]
    checks = [Check.passed("issuer", f"issuer {issuer_id} ({record.name}) is registered")]
    for signed in opened.signatures:
        at = signed.signed_at or now
        why = key_vouches(trust, signed.facts.key_id, issuer_id, at)
        if why is not None:
            checks.append(Check.failed("signing-key", SubIndication.NOT_TRUSTED, why))
            return checks
    checks.append(Check.passed("signing-key", f"every proof is by a key of {issuer_id}"))
    return checks


def _did_key_checks(opened: W3cOutcome, issuer: str, warnings: list[str]) -> list[Check]:
    try:
        issuer_key = key_id(did_key_public_key(did_key_method(issuer)))
    except KeyMaterialError as exc:
        return [Check.failed("issuer", SubIndication.FORMAT_FAILURE, f"issuer did:key: {exc}")]
    # A proof set or chain may hold other parties' proofs (a witness, a notary), each verified
    # already; the issuer's own key must have made one of them.
    others = [s for s in opened.signatures if s.facts.key_id != issuer_key]
    if len(others) == len(opened.signatures):
        return [
            Check.failed(
                "signing-key",
                SubIndication.NOT_TRUSTED,
                "no proof is made by the issuer's own did:key key",
            )
        ]
    message = f"issuer {issuer[:80]} is unregistered; acceptable under the open trust model"
    warnings.append(message)
    if others:
        warnings.append(
            f"{len(others)} proof(s) of the set or chain by keys other than the issuer's"
        )
    return [Check.passed("issuer", message), Check.passed("signing-key", "the issuer's key")]


def _unbound_issuer_checks(opened: W3cOutcome, issuer: str, warnings: list[str]) -> list[Check]:
    """An issuer the open trust model cannot tie to the signing key (an https URL, a did:web):
    binding it would mean fetching its document, and verification never touches the network.
    The proofs were checked against their own verification methods; the report says that is
    all that was checked (the W3C suites' vectors are signed so: an https issuer, a did:key)."""
    if not issuer:
        return [
            Check.failed("issuer", SubIndication.FORMAT_FAILURE, "the credential names no issuer")
        ]
    if not opened.signatures:  # nothing else vouches for it: an unsecured credential
        return [
            Check.failed("signing-key", SubIndication.NOT_TRUSTED, "the credential has no proof")
        ]
    message = (
        f"issuer {issuer[:80]} is unregistered and not bound to the signing key offline; "
        "acceptable under the open trust model: only the proofs were checked"
    )
    warnings.append(message)
    return [Check.passed("issuer", message), Check.passed("signing-key", "the proofs' own keys")]


def _signing_time(opened: W3cOutcome, policy: VerificationPolicy) -> Check:
    latest = policy.at + policy.clock_skew
    for signed in opened.signatures:
        if signed.signed_at is not None and signed.signed_at > latest:
            return Check.failed(
                "signing-time",
                SubIndication.NOT_YET_VALID,
                f"a proof claims to be made at {signed.signed_at.isoformat()}, in the future",
            )
    if opened.not_before is not None and opened.not_before > latest:
        return Check.failed("signing-time", SubIndication.NOT_YET_VALID, "nbf is in the future")
    if opened.expires_at is not None and opened.expires_at <= policy.at:
        return Check.failed("signing-time", SubIndication.EXPIRED, "the JWT has expired (exp)")
    return Check.passed("signing-time", "no proof claims a future signing time")


def _status(
    credential: Mapping[str, Any],
    registered: str | None,
    trust: TrustSource,
    status: StatusSource | None,
    policy: VerificationPolicy,
) -> list[Check]:
    entries = credential.get("credentialStatus")
    entries = entries if isinstance(entries, list) else [] if entries is None else [entries]
    references: list[StatusReference] = []
    for entry in entries:
        reference = _reference(entry)
        if reference is None or registered is None:
            kind = entry.get("type") if isinstance(entry, Mapping) else None
            return [
                Check.indeterminate(
                    "status-unchecked",
                    SubIndication.TRY_LATER,
                    f"a {str(kind)[:60]} status entry cannot be checked offline",
                )
            ]
        references.append(reference)
    if not references:
        return []
    holder = Document(
        id=str(credential.get("id", "")),
        doctype="",
        issuer_id=registered or "",
        issuer_name="",
        issued_at=policy.at,
        valid_from=policy.civil_date,
        valid_until=None,
        holder={},
        claims={},
        status=tuple(references),
    )
    return status_checks(holder, trust, status, policy)


def _reference(entry: object) -> StatusReference | None:
    if not isinstance(entry, Mapping) or entry.get("type") != STATUS_ENTRY_TYPE:
        return None
    purpose, url, index = (
        entry.get("statusPurpose"),
        entry.get("statusListCredential"),
        entry.get("statusListIndex"),
    )
    if not (isinstance(purpose, str) and isinstance(url, str) and isinstance(index, str)):
        return None
    if not index.isascii() or not index.isdigit() or len(index) > 12:
        return None
    return StatusReference(purpose, url, int(index))


def _validity(
    opened: W3cOutcome, credential: Mapping[str, Any], policy: VerificationPolicy
) -> Check:
    start_name, end_name = (
        ("validFrom", "validUntil")
        if opened.version == "2.0"
        else ("issuanceDate", "expirationDate")
    )
    start, end = _instant(credential.get(start_name)), _instant(credential.get(end_name))
    if start is not None and start > policy.at + policy.clock_skew:
        return Check.failed(
            "validity", SubIndication.NOT_YET_VALID, f"not valid before {start.isoformat()}"
        )
    if end is not None and end <= policy.at:
        return Check.failed("validity", SubIndication.EXPIRED, f"expired at {end.isoformat()}")
    return Check.passed("validity", "inside its validity period")


def _instant(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
