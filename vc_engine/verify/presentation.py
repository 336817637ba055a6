"""Verifying a W3C Verifiable Presentation: its own rules and proof, then every credential in it.

1. The data-model rules for presentations (`vc_model.check_presentation`, every credential's
   rules included) and JSON-LD safe mode over the presentation.
2. A signed presentation: every proof (set or chain) verifies for proof purpose
   `authentication`; the verifier's `challenge` and `domain`, when it gives them, are the ones
   the proofs signed (a replayed presentation carries another challenge); and when the holder is
   a did:key, the proofs are made by the holder's key. An unsigned presentation is accepted as
   what it is: a wrapper, whose credentials stand on their own proofs.
3. Every credential inside goes through the whole pipeline (`verify`), by itself.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_to_bytes

from vc_engine.formats.vc_di.proofs import verify_proof_set
from vc_engine.formats.vc_model import ENVELOPED_CREDENTIAL, DataModelError, check_presentation
from vc_engine.formats.w3c import policy_loader, safe_mode
from vc_engine.keys import KeyMaterialError, did_key_public_key, key_id
from vc_engine.model import (
    Check,
    PolicyName,
    PresentationReport,
    SubIndication,
    VerificationReport,
)
from vc_engine.policy import VerificationPolicy
from vc_engine.revocation.source import StatusSource
from vc_engine.trust.did import registry_resolver
from vc_engine.trust.source import TrustSource
from vc_engine.verify.credential import did_key_method
from vc_engine.verify.pipeline import verify

AUTHENTICATION = "authentication"


def verify_presentation(
    presentation: object,
    trust: TrustSource,
    policy: VerificationPolicy,
    status: StatusSource | None = None,
    *,
    challenge: str | None = None,
    domain: str | None = None,
) -> PresentationReport:
    """Is this presentation what its holder presented, and is every credential in it genuine?
    Never raises for a bad presentation."""
    name = PolicyName(policy.name, policy.sha256)
    # 1. The data-model rules and safe mode.
    try:
        check_presentation(presentation)
    except DataModelError as exc:
        failed = Check.failed("presentation", SubIndication.FORMAT_FAILURE, str(exc))
        return PresentationReport((failed,), (), name)
    assert isinstance(presentation, Mapping)
    unsecured = {k: v for k, v in presentation.items() if k != "proof"}
    checks = [
        Check.passed("presentation", "a well-formed presentation"),
        safe_mode(unsecured, policy),
    ]
    if checks[-1].status.value == "failed":
        return PresentationReport(tuple(checks), (), name)

    # 2. The holder's proof, for this verifier's challenge and domain.
    checks.extend(_proof_checks(presentation, trust, policy, challenge, domain))
    if any(c.status.value == "failed" for c in checks):
        return PresentationReport(tuple(checks), (), name)

    # 3. Every credential, by itself, through the whole pipeline.
    reports = tuple(
        _credential_report(entry, trust, policy, status)
        for entry in _values(presentation.get("verifiableCredential"))
    )
    return PresentationReport(tuple(checks), reports, name)


def _values(value: object) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _proof_checks(
    presentation: Mapping[str, Any],
    trust: TrustSource,
    policy: VerificationPolicy,
    challenge: str | None,
    domain: str | None,
) -> list[Check]:
    if "proof" not in presentation:
        return [Check.passed("holder-proof", "an unsigned presentation: no holder binding")]
    outcomes = verify_proof_set(
        presentation,
        resolve=registry_resolver(trust),
        contexts=policy_loader(policy),
        algorithms=policy.algorithms,
        limits=policy.limits,
        proof_purpose=AUTHENTICATION,
    )
    checks = [check for outcome in outcomes for check in outcome.checks]
    if any(c.status.value == "failed" for c in checks):
        return checks
    for proof in _values(presentation.get("proof")):
        checks.append(_bound(proof, challenge, domain))
    holder = presentation.get("holder")
    holder_id = holder.get("id") if isinstance(holder, Mapping) else holder
    if isinstance(holder_id, str) and holder_id.startswith("did:key:"):
        checks.append(_holder_key(holder_id, [o.facts.key_id for o in outcomes if o.facts]))
    return checks


def _bound(proof: Mapping[str, Any], challenge: str | None, domain: str | None) -> Check:
    """The proof signed the challenge and domain this verifier asked for."""
    if challenge is not None and proof.get("challenge") != challenge:
        return Check.failed(
            "challenge",
            SubIndication.SIG_CRYPTO_FAILURE,
            "the presentation's proof was not made for this challenge",
        )
    signed_domain = proof.get("domain")
    domains = signed_domain if isinstance(signed_domain, list) else [signed_domain]
    if domain is not None and domain not in domains:
        return Check.failed(
            "domain",
            SubIndication.SIG_CRYPTO_FAILURE,
            "the presentation's proof was not made for this domain",
        )
    return Check.passed("challenge", "the proof is bound to this verifier's challenge and domain")


def _holder_key(holder: str, key_ids: list[str]) -> Check:
    try:
        holder_key = key_id(did_key_public_key(did_key_method(holder)))
    except KeyMaterialError as exc:
        return Check.failed("holder", SubIndication.FORMAT_FAILURE, f"holder did:key: {exc}")
    if any(k != holder_key for k in key_ids):
        return Check.failed(
            "holder", SubIndication.NOT_TRUSTED, "the presentation is not signed by its holder"
        )
    return Check.passed("holder", "signed by the holder's own key")


def _credential_report(
    entry: Mapping[str, Any],
    trust: TrustSource,
    policy: VerificationPolicy,
    status: StatusSource | None,
) -> VerificationReport:
    if ENVELOPED_CREDENTIAL in _values(entry.get("type")):
        data = _data_url(str(entry.get("id", "")))
        if data is None:
            message = "an enveloped credential's id must be a data: URL"
            check = Check.failed("format", SubIndication.FORMAT_FAILURE, message)
            return VerificationReport.from_checks([check], format=None, document=None)
    else:
        data = json.dumps(entry, ensure_ascii=False).encode("utf-8")
    return verify(data, trust, policy, status)


def _data_url(url: str) -> bytes | None:
    header, comma, payload = url.partition(",")
    if not header.startswith("data:") or not comma:
        return None
    if header.endswith(";base64"):
        try:
            return base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            return None
    return unquote_to_bytes(payload)
