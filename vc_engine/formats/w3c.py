"""Any W3C Verifiable Credential (2.0, or 1.1 with Data Integrity), not only the shape we issue.

Opening one: strict JSON (or a vc+jwt), every proof of a proof set or chain verified over pinned
contexts (`verify_proof_set`), the data-model rules (`vc_model`), and JSON-LD safe mode over the
whole credential, whichever suite signed it (a JCS proof signs the JSON text, so an undefined
term would otherwise be signed and shown). What comes back is the credential the proofs covered
and, per proof, the key that verified it; who that key speaks for is the pipeline's question.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vc_engine.formats import VC_DATA_INTEGRITY, VC_JWT, Resolver
from vc_engine.formats.safe_json import UnsafeJson, loads_object
from vc_engine.formats.vc_di.canonical import CanonicalizationError
from vc_engine.formats.vc_di.contexts import ContextError, ContextLoader, rules_loader
from vc_engine.formats.vc_di.proofs import ProofOutcome, canonicalizer, verify_proof_set
from vc_engine.formats.vc_jwt import open_credential
from vc_engine.formats.vc_model import DataModelError, check_credential
from vc_engine.model import Check, SignatureFacts, SubIndication
from vc_engine.policy import VerificationPolicy


@dataclass(frozen=True)
class SignedBy:
    """One verified proof (or the JWS): the key's facts and when it claims to have signed."""

    facts: SignatureFacts
    signed_at: datetime | None


@dataclass(frozen=True)
class W3cOutcome:
    """The format stage's answer for a W3C credential; `credential` and `signatures` are set
    only when every check passed."""

    format: str
    checks: tuple[Check, ...]
    credential: dict[str, Any] | None
    version: str | None = None
    signatures: tuple[SignedBy, ...] = ()
    expires_at: datetime | None = None
    not_before: datetime | None = None


def policy_loader(policy: VerificationPolicy) -> ContextLoader:
    """The pinned contexts a policy allows."""
    return rules_loader(policy.contexts)


def safe_mode(document: Mapping[str, Any], policy: VerificationPolicy) -> Check:
    """Every term and type of `document` expands under the policy's pinned contexts."""
    try:
        canonicalizer(policy_loader(policy), policy.limits).quads(document)
    except (ContextError, CanonicalizationError) as exc:
        return Check.failed("data-model", SubIndication.FORMAT_FAILURE, f"DATA_LOSS: {exc}")
    except RecursionError:
        return Check.failed("data-model", SubIndication.FORMAT_FAILURE, "nested too deeply")
    return Check.passed("data-model", "every term and type is defined by a pinned context")


def data_model(credential: Mapping[str, Any], policy: VerificationPolicy) -> list[Check]:
    """The data-model rules, then safe mode; a list ending at the first failure."""
    try:
        version = check_credential(credential)
    except DataModelError as exc:
        return [Check.failed("data-model", SubIndication.FORMAT_FAILURE, str(exc))]
    rules = Check.passed("data-model", f"a well-formed VC {version} credential")
    return [rules, safe_mode(credential, policy)]


def open_data_integrity(
    secured: Mapping[str, Any], policy: VerificationPolicy, resolve: Resolver
) -> W3cOutcome:
    """Check every proof of a parsed credential, then its rules; failures are checks."""
    checks: list[Check] = []
    unsecured = {key: value for key, value in secured.items() if key != "proof"}
    model = data_model(unsecured, policy)
    checks.extend(model)
    if _failed(checks):
        return W3cOutcome(VC_DATA_INTEGRITY, tuple(checks), None)
    if secured.get("proof", []) == []:  # absent, or an empty proof set: nothing signed it
        message = "the credential carries no proof"
        checks.append(Check.failed("proof-format", SubIndication.FORMAT_FAILURE, message))
        return W3cOutcome(VC_DATA_INTEGRITY, tuple(checks), None)
    outcomes = verify_proof_set(
        secured,
        resolve=resolve,
        contexts=policy_loader(policy),
        algorithms=policy.algorithms,
        limits=policy.limits,
    )
    for outcome in outcomes:
        checks.extend(outcome.checks)
    if _failed(checks):
        return W3cOutcome(VC_DATA_INTEGRITY, tuple(checks), None)
    version = check_credential(unsecured)
    return W3cOutcome(
        VC_DATA_INTEGRITY, tuple(checks), unsecured, version, tuple(_signed(o) for o in outcomes)
    )


def open_w3c_data_integrity(
    data: bytes, policy: VerificationPolicy, resolve: Resolver
) -> W3cOutcome:
    """`open_data_integrity` over the bytes of a JSON credential."""
    limits = policy.limits
    try:
        secured = loads_object(
            data, max_bytes=limits.max_document_bytes, max_depth=limits.max_json_depth
        )
    except UnsafeJson as exc:
        check = Check.failed("parse", SubIndication.FORMAT_FAILURE, str(exc))
        return W3cOutcome(VC_DATA_INTEGRITY, (check,), None)
    outcome = open_data_integrity(secured, policy, resolve)
    parsed = Check.passed("parse", "a well-formed JSON object")
    return W3cOutcome(
        outcome.format,
        (parsed, *outcome.checks),
        outcome.credential,
        outcome.version,
        outcome.signatures,
    )


def open_w3c_jwt(data: bytes, policy: VerificationPolicy, resolve: Resolver) -> W3cOutcome:
    """A vc+jwt whose payload is any VC 2.0 credential."""
    outcome = open_credential(
        data, resolve=resolve, algorithms=policy.algorithms, limits=policy.limits
    )
    checks = list(outcome.checks)
    if outcome.credential is None or outcome.facts is None:
        return W3cOutcome(VC_JWT, tuple(checks), None)
    checks.extend(data_model(outcome.credential, policy))
    if _failed(checks):
        return W3cOutcome(VC_JWT, tuple(checks), None)
    return W3cOutcome(
        VC_JWT,
        tuple(checks),
        outcome.credential,
        check_credential(outcome.credential),
        (SignedBy(outcome.facts, outcome.issued_at),),
        expires_at=outcome.expires_at,
        not_before=outcome.not_before,
    )


def _signed(outcome: ProofOutcome) -> SignedBy:
    assert outcome.facts is not None
    return SignedBy(outcome.facts, outcome.created)


def _failed(checks: list[Check]) -> bool:
    return any(c.status.value == "failed" for c in checks)
