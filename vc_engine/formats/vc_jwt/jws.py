"""The compact JWS underneath vc+jwt: strict base64url parts, a safe JSON header, the accepted
algorithms, and the key the header points at. Every refusal is a `Rejected` carrying its check
(FORMAT_FAILURE, CRYPTO_CONSTRAINTS_FAILURE or NO_CERTIFICATE_CHAIN_FOUND); `vc_jwt` turns them
into the format stage's checks.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from vc_engine.formats import Rejected, Resolver
from vc_engine.formats.safe_json import UnsafeJson, loads_object
from vc_engine.i18n import Message
from vc_engine.i18n import report as said
from vc_engine.keys import (
    KeyMaterialError,
    PublicKey,
    SignatureScheme,
    algorithm_of,
    certificate_public_key,
    default_scheme,
    did_key_public_key,
    key_id,
    load_certificate,
    load_public_jwk,
)
from vc_engine.model import SubIndication
from vc_engine.policy import Algorithms

FORMAT = "vc+jwt"
MEDIA_TYPE = "application/vc+jwt"
ALGORITHMS = {
    s.value: s
    for s in (
        SignatureScheme.EDDSA,
        SignatureScheme.ES256,
        SignatureScheme.ES384,
        SignatureScheme.RS256,
    )
}
"""The JOSE algorithms this module can check; the policy chooses among them."""
_ACCEPTED_TYP = frozenset({FORMAT, MEDIA_TYPE})
_PRIVATE_JWK_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_JWK_CURVES = {"OKP": ("Ed25519",), "EC": ("P-256", "P-384")}
_B64URL = re.compile(rb"[A-Za-z0-9_-]*")


def b64encode(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def json_bytes(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def format_failure(message: str) -> Rejected:
    detail = said.SIGNATURE_FORMAT_REFUSED(detail=message)
    return Rejected("signature-format", SubIndication.FORMAT_FAILURE, detail)


def constraint_failure(message: str) -> Rejected:
    detail = said.CONSTRAINTS_REFUSED(detail=message)
    return Rejected("crypto-constraints", SubIndication.CRYPTO_CONSTRAINTS_FAILURE, detail)


def no_key(message: str) -> Rejected:
    detail = said.KEY_NAMED_REFUSED(detail=message)
    return Rejected("signing-key", SubIndication.NO_CERTIFICATE_CHAIN_FOUND, detail)


def split(
    token: bytes, max_bytes: int, max_header_depth: int
) -> tuple[dict[str, Any], bytes, bytes, bytes]:
    """The header, the signing input, the payload's bytes (read only once signed) and the
    signature; every part is decoded strictly before any cryptography runs."""
    if len(token) > max_bytes:
        raise format_failure(f"the token is {len(token):,} bytes; the limit is {max_bytes:,}")
    token = token.strip(b" \t\r\n")
    if token[:1] == b"{":
        raise format_failure("the JWS JSON serialization is not accepted: send the compact form")
    parts = token.split(b".")
    if len(parts) == 5:
        raise format_failure("an encrypted JWT (JWE) is not a vc+jwt")
    if len(parts) != 3:
        raise format_failure(f"a compact JWS has three dot-separated parts, not {len(parts)}")
    header_part, payload_part, signature_part = parts
    header = json_object(_b64decode(header_part, "header"), "header", max_bytes, max_header_depth)
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
        raise format_failure(f"the {what} is not unpadded base64url")
    unused = {2: 0b1111, 3: 0b11}.get(len(part) % 4)
    if unused is not None and _B64URL_VALUE[part[-1]] & unused:
        raise format_failure(f"the {what} is not canonical base64url (stray trailing bits)")
    return base64.urlsafe_b64decode(part + b"=" * (-len(part) % 4))


def json_object(data: bytes, what: str, max_bytes: int, max_depth: int) -> dict[str, Any]:
    try:
        return loads_object(data, max_bytes=max_bytes, max_depth=max_depth)
    except UnsafeJson as exc:
        raise format_failure(f"the {what} is not acceptable: {exc}") from None


def check_header(header: Mapping[str, Any], algorithms: Algorithms) -> SignatureScheme:
    if "crit" in header:
        raise constraint_failure("the header marks extensions critical; we understand none")
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise format_failure("the header's alg is missing or not a string")
    scheme = ALGORITHMS.get(alg)
    if scheme is None or alg not in algorithms.signatures:
        accepted = sorted(a for a in ALGORITHMS if a in algorithms.signatures)
        raise constraint_failure(
            f"alg {alg[:40]!r} is not accepted; only {', '.join(accepted)} are"
        )
    typ = header.get("typ")
    if not isinstance(typ, str) or typ.lower() not in _ACCEPTED_TYP:
        shown = "missing" if typ is None else repr(typ)[:60]
        raise format_failure(f"typ is {shown}; a vc+jwt must say typ vc+jwt")
    return scheme


def signing_key(
    header: Mapping[str, Any], resolve: Resolver
) -> tuple[PublicKey, bytes | None, Message]:
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
            raise no_key("the header names no key: no kid, jwk or x5c")
        key, source = embedded[0]
        description = said.KEY_EMBEDDED(source=source)
    elif not isinstance(kid, str):
        raise format_failure("kid must be a string")
    elif kid.startswith("did:key:"):
        key = _did_key(kid)
        description = said.KEY_DID_KEY(kid=kid[:80])
    else:
        found = resolve(kid)
        if found is None:
            raise no_key(f"no key is known for kid {kid[:120]!r}")
        key = found
        description = said.KEY_FOR_KID(kid=kid[:120])
    for other, source in embedded:
        if key_id(other) != key_id(key):
            raise format_failure(f"the {source} header and the key named by the header disagree")
    return key, certificate_der, description


def check_key_fits(key: PublicKey, scheme: SignatureScheme) -> None:
    try:
        expected = default_scheme(algorithm_of(key))
    except KeyMaterialError as exc:
        raise constraint_failure(str(exc)) from None
    if expected is not scheme:
        raise constraint_failure(f"alg {scheme.value} does not fit the key, which needs {expected}")


def _jwk_key(jwk: object) -> PublicKey:
    """A public JWK from the header: a key type outside the list is a constraint failure, a
    private member or anything `keys.load_public_jwk` cannot read is malformed."""
    if not isinstance(jwk, dict):
        raise format_failure("the jwk header is not a JSON object")
    private = sorted(_PRIVATE_JWK_MEMBERS & jwk.keys())
    if private:
        raise format_failure(f"the jwk header carries private key members {private}")
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if kty not in ("OKP", "EC", "RSA") or (kty != "RSA" and crv not in _JWK_CURVES[kty]):
        raise constraint_failure(
            f"a jwk of kty {str(kty)[:20]!r}, crv {str(crv)[:20]!r} is not accepted"
        )
    try:
        return load_public_jwk(jwk)
    except KeyMaterialError as exc:
        raise format_failure(f"the jwk header is not a usable public key: {exc}") from None


def _x5c_first(x5c: object) -> bytes:
    if not isinstance(x5c, list) or not x5c or not isinstance(x5c[0], str):
        raise format_failure("x5c must be a non-empty array of base64 certificates")
    try:
        return base64.b64decode(x5c[0], validate=True)
    except (binascii.Error, ValueError):
        raise format_failure("the first x5c certificate is not base64") from None


def _certificate_key(der: bytes) -> PublicKey:
    try:
        return certificate_public_key(load_certificate(der))
    except KeyMaterialError as exc:
        raise format_failure(f"the x5c certificate cannot be used: {exc}") from None


@lru_cache(maxsize=1024)
def _did_key(kid: str) -> PublicKey:
    """Issuers reuse one key for many credentials, so each distinct did:key is decoded once.

    The key is in the identifier and the fragment must repeat it. One we cannot read, including
    a key type outside our list, is malformed: no registry could hold it either.
    """
    # A P-384 did:key URL is 150 characters; the bound keeps base58's quadratic cost small.
    if len(kid) > 256:
        raise format_failure("the did:key kid is longer than any key we accept")
    try:
        return did_key_public_key(kid)
    except KeyMaterialError as exc:
        raise format_failure(f"the did:key kid cannot be used: {exc}") from None
