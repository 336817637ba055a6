"""VC 2.0 credentials secured with a Data Integrity proof (JSON-LD).

Issue: Document -> credential (vc_json) -> proof (data_integrity). Verify: strict JSON ->
proof checked over the pinned contexts -> the credential the proof covered -> Document.
"""

from __future__ import annotations

import json
from datetime import tzinfo

from vc_engine.formats import VC_DATA_INTEGRITY, FormatOutcome, Resolver
from vc_engine.formats.safe_json import UnsafeJson, loads_object
from vc_engine.formats.vc_di.contexts import ContextLoader, rules_loader
from vc_engine.formats.vc_di.proofs import add_proof, verify_proof
from vc_engine.formats.vc_json import MalformedCredential, from_credential, to_credential
from vc_engine.i18n import report as said
from vc_engine.keys import KeyAlgorithm, Signer
from vc_engine.model import Check, Document, SubIndication
from vc_engine.policy import VerificationPolicy

FORMAT = VC_DATA_INTEGRITY
MEDIA_TYPE = "application/vc+ld+json"
DEFAULT_CRYPTOSUITE = {
    KeyAlgorithm.ED25519: "eddsa-rdfc-2022",
    KeyAlgorithm.P256: "ecdsa-rdfc-2019",
    KeyAlgorithm.P384: "ecdsa-rdfc-2019",
}


def issue(
    document: Document,
    signer: Signer,
    *,
    verification_method: str,
    civil_timezone: tzinfo,
    cryptosuite: str | None = None,
    type_context: str | None = None,
    contexts: ContextLoader | None = None,
) -> bytes:
    """The credential of `document` with one proof. `type_context` is the URL of its type's
    own context, and `contexts` the pinned contexts that hold it when the package does not (a
    type added to the registry); by default the package's contexts."""
    suite = cryptosuite or DEFAULT_CRYPTOSUITE.get(signer.algorithm)
    if suite is None:
        raise ValueError(
            f"Data Integrity proofs need an Ed25519 or ECDSA key, not {signer.algorithm}"
        )
    secured = add_proof(
        to_credential(document, civil_timezone, type_context),
        cryptosuite=suite,
        signer=signer,
        verification_method=verification_method,
        created=document.issued_at,
        contexts=contexts,
    )
    return json.dumps(secured, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def open_signed(data: bytes, policy: VerificationPolicy, resolve: Resolver) -> FormatOutcome:
    """Parse, check the one proof and read back the signed Document; failures are checks."""
    limits = policy.limits
    try:
        secured = loads_object(
            data, max_bytes=limits.max_document_bytes, max_depth=limits.max_json_depth
        )
    except UnsafeJson as exc:
        refused = said.PARSE_REFUSED(detail=exc)
        return _failed([Check.failed("parse", SubIndication.FORMAT_FAILURE, refused)])
    checks = [Check.passed("parse", said.PARSE_JSON())]
    outcome = verify_proof(
        secured,
        resolve=resolve,
        contexts=rules_loader(policy.contexts),
        algorithms=policy.algorithms,
        limits=policy.limits,
    )
    checks.extend(outcome.checks)
    if outcome.unsecured is None or outcome.facts is None:
        return _failed(checks)
    try:
        document = from_credential(outcome.unsecured)
    except MalformedCredential as exc:
        refused = said.SIGNED_CONTENT_REFUSED(detail=exc)
        checks.append(Check.failed("signed-content", SubIndication.FORMAT_FAILURE, refused))
        return _failed(checks)
    checks.append(Check.passed("signed-content", said.SIGNED_CONTENT_CREDENTIAL()))
    return FormatOutcome(FORMAT, tuple(checks), document, outcome.facts, signed_at=outcome.created)


def _failed(checks: list[Check]) -> FormatOutcome:
    return FormatOutcome(FORMAT, tuple(checks), None, None)
