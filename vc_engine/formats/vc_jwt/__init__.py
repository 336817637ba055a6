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

import base64
import binascii
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any

from vc_engine.formats import VC_JWT, FormatOutcome, Rejected
from vc_engine.formats.safe_json import UnsafeJson, loads_object
from vc_engine.formats.vc_json import MalformedCredential, from_credential, to_credential
from vc_engine.keys import (
    KeyMaterialError,
    PublicKey,
    SignatureScheme,
    Signer,
    algorithm_of,
    certificate_public_key,
    default_scheme,
    did_key_public_key,
    key_id,
    load_certificate,
    load_public_jwk,
    verify_signature,
)
from vc_engine.model import (
    Check,
    Document,
    InstantError,
    SignatureFacts,
    SubIndication,
    bounded_instant,
)

FORMAT = "vc+jwt"
MEDIA_TYPE = "application/vc+jwt"
VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"

_ALGORITHMS = {
    s.value: s
    for s in (
        SignatureScheme.EDDSA,
        SignatureScheme.ES256,
        SignatureScheme.ES384,
        SignatureScheme.RS256,
    )
}
_ACCEPTED_TYP = frozenset({FORMAT, MEDIA_TYPE})
_JWT_CLAIMS = frozenset({"iat", "exp", "nbf", "iss", "jti"})
"""Registered claims read into typed fields; what remains of the payload is the credential."""
_PRIVATE_JWK_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_JWK_CURVES = {"OKP": ("Ed25519",), "EC": ("P-256", "P-384")}
_HEADER_MAX_DEPTH = 8
_PAYLOAD_MAX_DEPTH = 64
_B64URL = re.compile(rb"[A-Za-z0-9_-]*")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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
    signing_input = _b64encode(_json_bytes(header)) + b"." + _b64encode(_json_bytes(claims))
    return signing_input + b"." + _b64encode(signer.sign(signing_input, scheme))


def _numeric_date(moment: datetime) -> int:
    """Whole seconds, rounded down: what every JWT library reads as NumericDate."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are refused: give a timezone")
    return math.floor(moment.timestamp())


def _json_bytes(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def _b64encode(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


# --- opening --------------------------------------------------------------------------------


def _format_failure(message: str) -> Rejected:
    return Rejected("signature-format", SubIndication.FORMAT_FAILURE, message)


def _constraint_failure(message: str) -> Rejected:
    return Rejected("crypto-constraints", SubIndication.CRYPTO_CONSTRAINTS_FAILURE, message)


def _no_key(message: str) -> Rejected:
    return Rejected("signing-key", SubIndication.NO_CERTIFICATE_CHAIN_FOUND, message)


def open_credential(
    token: bytes,
    *,
    max_bytes: int,
    resolve: Callable[[str], PublicKey | None],
) -> JwtOutcome:
    """Check one vc+jwt and hand back what its signature covered; never raises for bad input.

    `resolve` maps a `kid` that is not a did:key URL to a key, or None when unknown; an
    exception it raises is an infrastructure fault and propagates.
    """
    checks: list[Check] = []
    try:
        # 1. Three strict base64url parts, and a header that is a safe JSON object.
        header, signing_input, payload_bytes, signature = _split(token, max_bytes)
        # 2. Algorithm, critical extensions and type, before any key is looked at.
        scheme = _check_header(header)
        checks.append(Check.passed("crypto-constraints", f"{scheme.value}, typ vc+jwt"))
        # 3. The key from the header's hint, and whether it fits the algorithm.
        key, certificate_der, source = _signing_key(header, resolve)
        _check_key_fits(key, scheme)
        checks.append(Check.passed("signing-key", source))
        # 4. The signature over header and payload exactly as they were sent.
        if not verify_signature(key, signature, signing_input, scheme):
            raise Rejected(
                "signature",
                SubIndication.SIG_CRYPTO_FAILURE,
                "the signature does not match the header and payload under the named key",
            )
        checks.append(Check.passed("signature", f"the {scheme.value} signature is valid"))
        # 5. The signed payload: a VC 2.0 credential with well-formed JWT claims.
        payload = _json_object(payload_bytes, "payload", max_bytes, _PAYLOAD_MAX_DEPTH)
        issued_at, expires_at, not_before = (_time(payload, c) for c in ("iat", "exp", "nbf"))
        credential = _credential_of(payload)
        checks.append(Check.passed("credential-format", "the payload is a VC 2.0 credential"))
    except Rejected as rejected:
        checks.append(rejected.check)
        return JwtOutcome(tuple(checks), None, None, None, None, None)
    facts = SignatureFacts(
        algorithm=scheme.value, key_id=key_id(key), certificate_der=certificate_der
    )
    return JwtOutcome(tuple(checks), credential, facts, issued_at, expires_at, not_before)


def _split(token: bytes, max_bytes: int) -> tuple[dict[str, Any], bytes, bytes, bytes]:
    """The header, the signing input, the payload's bytes (read only once signed) and the
    signature; every part is decoded strictly before any cryptography runs."""
    if len(token) > max_bytes:
        raise _format_failure(f"the token is {len(token):,} bytes; the limit is {max_bytes:,}")
    token = token.strip(b" \t\r\n")
    if token[:1] == b"{":
        raise _format_failure("the JWS JSON serialization is not accepted: send the compact form")
    parts = token.split(b".")
    if len(parts) == 5:
        raise _format_failure("an encrypted JWT (JWE) is not a vc+jwt")
    if len(parts) != 3:
        raise _format_failure(f"a compact JWS has three dot-separated parts, not {len(parts)}")
    header_part, payload_part, signature_part = parts
    header = _json_object(_b64decode(header_part, "header"), "header", max_bytes, _HEADER_MAX_DEPTH)
    payload = _b64decode(payload_part, "payload")
    signature = _b64decode(signature_part, "signature")
    return header, token[: len(header_part) + 1 + len(payload_part)], payload, signature


_B64URL_VALUE = {
    c: i for i, c in enumerate(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
}


def _b64decode(part: bytes, what: str) -> bytes:
    """Unpadded base64url with zero trailing bits: one spelling per value, so no byte of a token
    can change without changing what is checked."""
    if _B64URL.fullmatch(part) is None or len(part) % 4 == 1:
        raise _format_failure(f"the {what} is not unpadded base64url")
    unused = {2: 0b1111, 3: 0b11}.get(len(part) % 4)
    if unused is not None and _B64URL_VALUE[part[-1]] & unused:
        raise _format_failure(f"the {what} is not canonical base64url (stray trailing bits)")
    return base64.urlsafe_b64decode(part + b"=" * (-len(part) % 4))


def _json_object(data: bytes, what: str, max_bytes: int, max_depth: int) -> dict[str, Any]:
    try:
        return loads_object(data, max_bytes=max_bytes, max_depth=max_depth)
    except UnsafeJson as exc:
        raise _format_failure(f"the {what} is not acceptable: {exc}") from None


def _check_header(header: Mapping[str, Any]) -> SignatureScheme:
    if "crit" in header:
        raise _constraint_failure("the header marks extensions critical; we understand none")
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise _format_failure("the header's alg is missing or not a string")
    scheme = _ALGORITHMS.get(alg)
    if scheme is None:
        raise _constraint_failure(
            f"alg {alg[:40]!r} is not accepted; only {', '.join(_ALGORITHMS)} are"
        )
    typ = header.get("typ")
    if not isinstance(typ, str) or typ.lower() not in _ACCEPTED_TYP:
        shown = "missing" if typ is None else repr(typ)[:60]
        raise _format_failure(f"typ is {shown}; a vc+jwt must say typ vc+jwt")
    return scheme


def _signing_key(
    header: Mapping[str, Any], resolve: Callable[[str], PublicKey | None]
) -> tuple[PublicKey, bytes | None, str]:
    """The key the header points at, the x5c certificate if one was given, and how it was found."""
    embedded: list[tuple[PublicKey, str]] = []
    certificate_der: bytes | None = None
    if "jwk" in header:
        embedded.append((_jwk_key(header["jwk"]), "jwk"))
    if "x5c" in header:
        certificate_der = _x5c_first(header["x5c"])
        embedded.append((_certificate_key(certificate_der), "x5c"))
    kid = header.get("kid")
    if kid is None:
        if not embedded:
            raise _no_key("the header names no key: no kid, jwk or x5c")
        key, source = embedded[0]
        description = f"the key embedded as {source} (a hint: the registry decides)"
    elif not isinstance(kid, str):
        raise _format_failure("kid must be a string")
    elif kid.startswith("did:key:"):
        key = _did_key(kid)
        description = f"the did:key in kid {kid[:80]}"
    else:
        found = resolve(kid)
        if found is None:
            raise _no_key(f"no key is known for kid {kid[:120]!r}")
        key = found
        description = f"the key registered for kid {kid[:120]}"
    for other, source in embedded:
        if key_id(other) != key_id(key):
            raise _format_failure(f"the {source} header and the key named by the header disagree")
    return key, certificate_der, description


def _check_key_fits(key: PublicKey, scheme: SignatureScheme) -> None:
    try:
        expected = default_scheme(algorithm_of(key))
    except KeyMaterialError as exc:
        raise _constraint_failure(str(exc)) from None
    if expected is not scheme:
        raise _constraint_failure(
            f"alg {scheme.value} does not fit the key, which needs {expected}"
        )


def _jwk_key(jwk: object) -> PublicKey:
    """A public JWK from the header: a key type outside the list is a constraint failure, a
    private member or anything `keys.load_public_jwk` cannot read is malformed."""
    if not isinstance(jwk, dict):
        raise _format_failure("the jwk header is not a JSON object")
    private = sorted(_PRIVATE_JWK_MEMBERS & jwk.keys())
    if private:
        raise _format_failure(f"the jwk header carries private key members {private}")
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if kty not in ("OKP", "EC", "RSA") or (kty != "RSA" and crv not in _JWK_CURVES[kty]):
        raise _constraint_failure(
            f"a jwk of kty {str(kty)[:20]!r}, crv {str(crv)[:20]!r} is not accepted"
        )
    try:
        return load_public_jwk(jwk)
    except KeyMaterialError as exc:
        raise _format_failure(f"the jwk header is not a usable public key: {exc}") from None


def _x5c_first(x5c: object) -> bytes:
    if not isinstance(x5c, list) or not x5c or not isinstance(x5c[0], str):
        raise _format_failure("x5c must be a non-empty array of base64 certificates")
    try:
        return base64.b64decode(x5c[0], validate=True)
    except (binascii.Error, ValueError):
        raise _format_failure("the first x5c certificate is not base64") from None


def _certificate_key(der: bytes) -> PublicKey:
    try:
        return certificate_public_key(load_certificate(der))
    except KeyMaterialError as exc:
        raise _format_failure(f"the x5c certificate cannot be used: {exc}") from None


@lru_cache(maxsize=1024)
def _did_key(kid: str) -> PublicKey:
    """Issuers reuse one key for many credentials, so each distinct did:key is decoded once.

    The key is in the identifier and the fragment must repeat it. One we cannot read, including
    a key type outside our list, is malformed: no registry could hold it either.
    """
    # A P-384 did:key URL is 150 characters; the bound keeps base58's quadratic cost small.
    if len(kid) > 256:
        raise _format_failure("the did:key kid is longer than any key we accept")
    try:
        return did_key_public_key(kid)
    except KeyMaterialError as exc:
        raise _format_failure(f"the did:key kid cannot be used: {exc}") from None


# --- the credential ---------------------------------------------------------------------------


def _time(payload: Mapping[str, Any], claim: str) -> datetime | None:
    value = payload.get(claim)
    if value is None and claim not in payload:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _format_failure(f"{claim} must be a NumericDate (seconds since 1970)")
    try:
        return bounded_instant(_EPOCH + timedelta(seconds=value), claim)
    except (OverflowError, InstantError):
        raise _format_failure(f"{claim} is outside the range of dates") from None


def _credential_of(payload: dict[str, Any]) -> dict[str, Any]:
    problem = _credential_problem(payload)
    if problem is not None:
        raise _format_failure(problem)
    issuer = _issuer_id(payload)
    if "iss" in payload and payload["iss"] != issuer:
        raise _format_failure("iss differs from the credential's issuer")
    if "jti" in payload and payload["jti"] != payload.get("id"):
        raise _format_failure("jti differs from the credential's id")
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


def issue(document: Document, signer: Signer, *, kid: str, civil_timezone: tzinfo) -> bytes:
    """The vc+jwt rendition of `document`; its validity is the credential's own validUntil."""
    credential = to_credential(document, civil_timezone)
    return sign_credential(
        credential, signer, kid=kid, issued_at=document.issued_at, expires_at=None
    )


def open_signed(
    data: bytes, *, max_bytes: int, resolve: Callable[[str], PublicKey | None]
) -> FormatOutcome:
    """Check the JWS and read back the signed Document; failures are checks."""
    outcome = open_credential(data, max_bytes=max_bytes, resolve=resolve)
    checks = list(outcome.checks)
    if outcome.credential is None or outcome.facts is None:
        return FormatOutcome(VC_JWT, tuple(checks), None, None)
    try:
        document = from_credential(outcome.credential)
    except MalformedCredential as exc:
        checks.append(Check.failed("signed-content", SubIndication.FORMAT_FAILURE, str(exc)))
        return FormatOutcome(VC_JWT, tuple(checks), None, None)
    checks.append(Check.passed("signed-content", "the signed credential has the engine's shape"))
    return FormatOutcome(
        VC_JWT,
        tuple(checks),
        document,
        outcome.facts,
        signed_at=outcome.issued_at,
        expires_at=outcome.expires_at,
        not_before=outcome.not_before,
    )
