"""VC-JOSE: a Verifiable Credential secured as a compact JWS (`application/vc+jwt`).

The profile (W3C "Securing Verifiable Credentials using JOSE and COSE"): the payload is the VC 2.0
credential object itself, plus the JWT registered claims `iat`, `exp`, `nbf`, `iss` and `jti`. The
protected header names `alg` (EdDSA, ES256, ES384 or RS256 only), `typ` `vc+jwt` and a key hint.

Why a small JWS reader of our own instead of a JOSE library: nothing here ever chooses an
algorithm from anything but the fixed allow-list, there is no HMAC code path to confuse (the
"HS256 keyed with the public key" attack has nothing to reach), the signature is checked by
`keys.verify_signature` like every other format, and with all its extra checks it still opens a
token faster than jwcrypto only verifies one (bench/jwt_bench.py). Tests check it against
jwcrypto in both directions.

What is refused, and how: anything that is not exactly three strict base64url parts (JWE, the JSON
serialization, padding, non-canonical trailing bits) and any header or payload that is not a safe
JSON object is FORMAT_FAILURE; `alg` outside the list, `none`, a `crit` header (we understand no
extension) or a key that does not fit `alg` is CRYPTO_CONSTRAINTS_FAILURE; a `kid` nobody knows,
or no key hint at all, is NO_CERTIFICATE_CHAIN_FOUND, while a malformed did:key, jwk or x5c, or
one that names another key than `kid`, is FORMAT_FAILURE; a bad signature is SIG_CRYPTO_FAILURE.
A signed payload must still be a VC 2.0 credential (its first @context the v2 one, its type
VerifiableCredential) whose `iss` and `jti`, when present, repeat its issuer and id.

`typ` must be `vc+jwt` (or its full media type `application/vc+jwt`, compared case-insensitively
as RFC 7515 says). The draft name `vc+ld+jwt` is refused: it belongs to drafts whose rules
differed, and explicit typing (RFC 8725) only helps if the value is exact.

The key is found from `kid` first, which is a hint, never trust: a `did:key` URL is decoded here;
any other `kid` goes to the caller's `resolve` (the registry's keys, e.g. for `did:web`). A `jwk`
or `x5c` header is used only when there is no `kid`, and must agree with it when both are present.
Whichever key verified, its key id goes into the facts and the trust stage decides whether it is
registered, so an embedded key proves nothing by itself. Times are reported, never judged here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from vc_engine.formats import VC_JWT, FormatOutcome, Rejected, Resolver
from vc_engine.formats.vc_json import MalformedCredential, from_credential, to_credential
from vc_engine.formats.vc_jwt.jws import (
    FORMAT,
    MEDIA_TYPE,
    b64encode,
    check_header,
    check_key_fits,
    format_failure,
    json_bytes,
    json_object,
    signing_key,
    split,
)
from vc_engine.i18n import report as said
from vc_engine.keys import Signer, default_scheme, key_id, verify_signature
from vc_engine.model import (
    Check,
    Document,
    InstantError,
    SignatureFacts,
    SubIndication,
    bounded_instant,
)
from vc_engine.policy import DEFAULT_LIMITS, Algorithms, Limits, VerificationPolicy

__all__ = [
    "FORMAT",
    "MEDIA_TYPE",
    "JwtOutcome",
    "issue",
    "open_credential",
    "open_signed",
    "sign_credential",
]

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
_JWT_CLAIMS = frozenset({"iat", "exp", "nbf", "iss", "jti"})
"""Registered claims read into typed fields; what remains of the payload is the credential."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ACCEPTED = Algorithms()


@dataclass(frozen=True)
class JwtOutcome:
    """The format stage's answer for one vc+jwt.

    `credential` and `facts` are set only when every check passed; `credential` is the signed
    payload without the JWT claims read into `issued_at`, `expires_at` and `not_before`.
    """

    checks: tuple[Check, ...]
    credential: dict[str, Any] | None
    facts: SignatureFacts | None
    issued_at: datetime | None
    expires_at: datetime | None
    not_before: datetime | None


# --- signing --------------------------------------------------------------------------------


def sign_credential(
    credential: dict[str, Any],
    signer: Signer,
    *,
    kid: str,
    issued_at: datetime,
    expires_at: datetime | None,
) -> bytes:
    """Secure `credential` as a compact JWS signed by `signer`, whose key never leaves it.

    Raises ValueError for misuse: a credential this module would refuse to open, one that
    already carries a JWT claim name, naive datetimes, or an expiry not after issuance.
    """
    problem = _credential_problem(credential)
    if problem is not None:
        raise ValueError(problem)
    clash = sorted(_JWT_CLAIMS & credential.keys())
    if clash:
        raise ValueError(f"the credential already has JWT claim members {clash}")
    claims = dict(credential)
    claims["iat"] = _numeric_date(issued_at)
    if expires_at is not None:
        if expires_at <= issued_at:
            raise ValueError("expires_at must be later than issued_at")
        claims["exp"] = _numeric_date(expires_at)
    issuer = _issuer_id(credential)
    if issuer is not None:
        claims["iss"] = issuer
    if isinstance(credential.get("id"), str):
        claims["jti"] = credential["id"]
    scheme = default_scheme(signer.algorithm)
    header = {"alg": scheme.value, "typ": FORMAT, "kid": kid}
    signing_input = b64encode(json_bytes(header)) + b"." + b64encode(json_bytes(claims))
    return signing_input + b"." + b64encode(signer.sign(signing_input, scheme))


def _numeric_date(moment: datetime) -> int:
    """Whole seconds, rounded down: what every JWT library reads as NumericDate."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are refused: give a timezone")
    return math.floor(moment.timestamp())


def open_credential(
    token: bytes,
    *,
    resolve: Resolver,
    algorithms: Algorithms = ACCEPTED,
    limits: Limits = DEFAULT_LIMITS,
    max_bytes: int | None = None,
) -> JwtOutcome:
    """Check one vc+jwt and hand back what its signature covered; never raises for bad input.

    `resolve` maps a `kid` that is not a did:key URL to a key, or None when unknown; an
    exception it raises is an infrastructure fault and propagates. `max_bytes` defaults to
    the limits' document size (a status list passes its own).
    """
    if max_bytes is None:
        max_bytes = limits.max_document_bytes
    checks: list[Check] = []
    try:
        # 1. Three strict base64url parts, and a header that is a safe JSON object.
        header, signing_input, payload_bytes, signature = split(
            token, max_bytes, limits.max_jose_header_depth
        )
        # 2. Algorithm, critical extensions and type, before any key is looked at.
        scheme = check_header(header, algorithms)
        checks.append(Check.passed("crypto-constraints", said.CONSTRAINTS_JWT(scheme=scheme.value)))
        # 3. The key from the header's hint, and whether it fits the algorithm.
        key, certificate_der, source = signing_key(header, resolve)
        check_key_fits(key, scheme)
        checks.append(Check.passed("signing-key", source))
        # 4. The signature over header and payload exactly as they were sent.
        if not verify_signature(key, signature, signing_input, scheme):
            raise Rejected(
                "signature",
                SubIndication.SIG_CRYPTO_FAILURE,
                said.SIGNATURE_JWT_MISMATCH(),
            )
        checks.append(Check.passed("signature", said.SIGNATURE_JWT_VALID(scheme=scheme.value)))
        # 5. The signed payload: a VC 2.0 credential with well-formed JWT claims.
        payload = json_object(payload_bytes, "payload", max_bytes, limits.max_json_depth)
        issued_at, expires_at, not_before = (_time(payload, c) for c in ("iat", "exp", "nbf"))
        credential = _credential_of(payload)
        checks.append(Check.passed("credential-format", said.CREDENTIAL_VC2()))
    except Rejected as rejected:
        checks.append(rejected.check)
        return JwtOutcome(tuple(checks), None, None, None, None, None)
    facts = SignatureFacts(
        algorithm=scheme.value, key_id=key_id(key), certificate_der=certificate_der
    )
    return JwtOutcome(tuple(checks), credential, facts, issued_at, expires_at, not_before)


# --- the credential ---------------------------------------------------------------------------


def _time(payload: Mapping[str, Any], claim: str) -> datetime | None:
    value = payload.get(claim)
    if value is None and claim not in payload:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise format_failure(f"{claim} must be a NumericDate (seconds since 1970)")
    try:
        return bounded_instant(_EPOCH + timedelta(seconds=value), claim)
    except (OverflowError, InstantError):
        raise format_failure(f"{claim} is outside the range of dates") from None


def _credential_of(payload: dict[str, Any]) -> dict[str, Any]:
    problem = _credential_problem(payload)
    if problem is not None:
        raise format_failure(problem)
    issuer = _issuer_id(payload)
    if "iss" in payload and payload["iss"] != issuer:
        raise format_failure("iss differs from the credential's issuer")
    if "jti" in payload and payload["jti"] != payload.get("id"):
        raise format_failure("jti differs from the credential's id")
    return {name: value for name, value in payload.items() if name not in _JWT_CLAIMS}


def _credential_problem(credential: Mapping[str, Any]) -> str | None:
    """Why this is not a VC 2.0 credential, or None. Deeper rules belong to the JSON-LD stage."""
    context = credential.get("@context")
    if not isinstance(context, list) or not context or context[0] != VC_V2_CONTEXT:
        return f"@context must be a list starting with {VC_V2_CONTEXT}"
    types = credential.get("type")
    if types != "VerifiableCredential" and not (
        isinstance(types, list) and "VerifiableCredential" in types
    ):
        return "type must include VerifiableCredential"
    return None


def _issuer_id(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


# --- documents ------------------------------------------------------------------------------


def issue(
    document: Document,
    signer: Signer,
    *,
    kid: str,
    civil_timezone: tzinfo,
    type_context: str | None = None,
) -> bytes:
    """The vc+jwt rendition of `document`; its validity is the credential's own validUntil."""
    credential = to_credential(document, civil_timezone, type_context)
    return sign_credential(
        credential, signer, kid=kid, issued_at=document.issued_at, expires_at=None
    )


def open_signed(data: bytes, policy: VerificationPolicy, resolve: Resolver) -> FormatOutcome:
    """Check the JWS and read back the signed Document; failures are checks."""
    outcome = open_credential(
        data, resolve=resolve, algorithms=policy.algorithms, limits=policy.limits
    )
    checks = list(outcome.checks)
    if outcome.credential is None or outcome.facts is None:
        return FormatOutcome(VC_JWT, tuple(checks), None, None)
    try:
        document = from_credential(outcome.credential)
    except MalformedCredential as exc:
        refused = said.SIGNED_CONTENT_REFUSED(detail=exc)
        checks.append(Check.failed("signed-content", SubIndication.FORMAT_FAILURE, refused))
        return FormatOutcome(VC_JWT, tuple(checks), None, None)
    checks.append(Check.passed("signed-content", said.SIGNED_CONTENT_CREDENTIAL()))
    return FormatOutcome(
        VC_JWT,
        tuple(checks),
        document,
        outcome.facts,
        signed_at=outcome.issued_at,
        expires_at=outcome.expires_at,
        not_before=outcome.not_before,
    )
