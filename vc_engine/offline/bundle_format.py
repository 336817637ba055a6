"""The signed container of an offline trust bundle: framing and the root's signature.

A bundle file is three parts, back to back:

    BASE64URL(protected) ".." BASE64URL(signature) LF     one line: a detached JWS
    payload                                              `len` bytes of UTF-8 JSON
    sections                                             the issuance register, compressed

The first line is a JWS in compact serialization with a detached, unencoded payload (RFC 7515
appendix F, RFC 7797): the protected header is
`{"alg": "EdDSA"|"ES256", "b64": false, "crit": ["b64"], "kid": <root key id>, "len": <payload
bytes>, "typ": "vc-engine-trust-bundle+json"}`, and the signature is over
`ASCII(BASE64URL(protected)) || "." || payload`, i.e. over the exact payload bytes, never over a
re-serialization of them. The payload names every section with its length and SHA-256, so the
signature covers the sections too; nothing else may follow them.

What `unseal` verifies, in order, and how it refuses (a `BundleRefused` with a `Refusal` code):
the header line is there and well formed (MALFORMED / TRUNCATED); it is signed by the given
root's key, with an algorithm that fits it (WRONG_ROOT); the payload is all there (TRUNCATED);
the signature verifies (BAD_SIGNATURE). Base64url is read in its canonical form only, so no two
spellings of one header or signature exist. What it does not judge: the payload's content and
its times, which `bundle.open_bundle` checks once the bytes are known to be the root's.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cryptography import x509

from vc_engine import keys
from vc_engine.errors import Refused

BUNDLE_TYPE = "vc-engine-trust-bundle+json"
MAX_HEADER_LINE = 4096
"""A longer first line is not a bundle header (the real one is a few hundred bytes)."""

_SCHEME_OF_ROOT = {
    keys.KeyAlgorithm.ED25519: keys.SignatureScheme.EDDSA,
    keys.KeyAlgorithm.P256: keys.SignatureScheme.ES256,
}
_BASE64URL = re.compile(rb"[A-Za-z0-9_-]+")


class Refusal(StrEnum):
    """Why a bundle is refused."""

    MALFORMED = "MALFORMED"
    """Not a bundle: the frame, the header or the payload cannot be read."""
    TRUNCATED = "TRUNCATED"
    """Bytes are missing from the end."""
    WRONG_ROOT = "WRONG_ROOT"
    """Signed by another key than the root's, or the root certificate does not fit."""
    BAD_SIGNATURE = "BAD_SIGNATURE"
    """The signature does not verify: the header or the payload was changed."""
    TAMPERED = "TAMPERED"
    """A section does not match the digest the signed payload gives for it, or bytes were added."""
    UNSUPPORTED = "UNSUPPORTED"
    """A bundle type or version this engine does not read."""
    EXPIRED = "EXPIRED"
    """Past its nextUpdate: a newer bundle must be fetched (or the risk accepted explicitly)."""
    NOT_YET_VALID = "NOT_YET_VALID"
    """Created after the moment of verification: the verifier's clock or the bundle is wrong."""
    ROLLBACK = "ROLLBACK"
    """Older than a bundle of the same root already seen here: it could hide revocations made
    since (INDETERMINATE: a newer bundle must be fetched, or the risk accepted explicitly)."""


class BundleRefused(Refused):
    """The bundle is not accepted; `code` says why, the message says what was found."""

    def __init__(self, code: Refusal, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.reason = message


@dataclass(frozen=True, slots=True)
class Sealed:
    """A bundle whose payload the root signed; `body` is everything after the payload."""

    header: dict[str, Any]
    payload: bytes
    body: memoryview


def root_scheme(algorithm: keys.KeyAlgorithm) -> keys.SignatureScheme:
    scheme = _SCHEME_OF_ROOT.get(algorithm)
    if scheme is None:
        raise keys.KeyMaterialError(f"a registry root key is Ed25519 or P-256, not {algorithm}")
    return scheme


def header_line(payload: bytes, signer: keys.Signer) -> bytes:
    """The signed first line for `payload`."""
    scheme = root_scheme(signer.algorithm)
    protected = {
        "alg": scheme.value,
        "b64": False,
        "crit": ["b64"],
        "kid": keys.key_id(signer.public_key),
        "len": len(payload),
        "typ": BUNDLE_TYPE,
    }
    encoded = _b64(json.dumps(protected, sort_keys=True, separators=(",", ":")).encode())
    signature = signer.sign(encoded + b"." + payload, scheme)
    return encoded + b".." + _b64(signature) + b"\n"


def unseal(data: bytes | memoryview, root: x509.Certificate) -> Sealed:
    """The payload of `data` after checking the frame and the root's signature (module doc)."""
    view = memoryview(data)
    root_key = keys.certificate_public_key(root)
    root_kid = keys.key_id(root_key)

    # 1. The header line: a detached JWS, bounded.
    end = bytes(view[:MAX_HEADER_LINE]).find(b"\n")
    if end < 0:
        if len(view) < MAX_HEADER_LINE:
            raise BundleRefused(Refusal.TRUNCATED, "the file ends inside the bundle header")
        raise BundleRefused(Refusal.MALFORMED, "not a trust bundle: no header line")
    parts = bytes(view[:end]).split(b".")
    if len(parts) != 3 or parts[1] != b"":
        raise BundleRefused(Refusal.MALFORMED, "the header is not a detached JWS (a..c)")
    encoded_header, signature = parts[0], _unb64(parts[2], "signature")
    header = _protected_header(_unb64(encoded_header, "protected header"))

    # 2. It names the root's key, with the root's algorithm.
    if header["kid"] != root_kid:
        raise BundleRefused(
            Refusal.WRONG_ROOT,
            f"the bundle is signed by key {header['kid']}, not by the root's key {root_kid}",
        )
    try:
        scheme = root_scheme(keys.algorithm_of(root_key))
    except keys.KeyMaterialError as exc:
        raise BundleRefused(Refusal.WRONG_ROOT, str(exc)) from None
    if header["alg"] != scheme.value:
        raise BundleRefused(
            Refusal.WRONG_ROOT, f"the bundle says alg {header['alg']}; the root signs {scheme}"
        )

    # 3. The payload is all there.
    start = end + 1
    length = header["len"]
    if len(view) < start + length:
        raise BundleRefused(
            Refusal.TRUNCATED,
            f"the payload is {length:,} bytes; only {len(view) - start:,} follow the header",
        )
    payload = bytes(view[start : start + length])

    # 4. The root signed exactly these header and payload bytes.
    if not keys.verify_signature(root_key, signature, encoded_header + b"." + payload, scheme):
        raise BundleRefused(
            Refusal.BAD_SIGNATURE,
            "the root's signature does not verify: the bundle was altered after signing",
        )
    return Sealed(header, payload, view[start + length :])


def _protected_header(raw: bytes) -> dict[str, Any]:
    try:
        header = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BundleRefused(Refusal.MALFORMED, "the protected header is not JSON") from None
    if not isinstance(header, dict):
        raise BundleRefused(Refusal.MALFORMED, "the protected header is not a JSON object")
    if header.get("typ") != BUNDLE_TYPE:
        raise BundleRefused(Refusal.UNSUPPORTED, f"typ {header.get('typ')!r} is not {BUNDLE_TYPE}")
    if header.get("b64") is not False or header.get("crit") != ["b64"]:
        raise BundleRefused(Refusal.MALFORMED, "the header must declare b64: false, crit [b64]")
    length = header.get("len")
    if type(length) is not int or length < 2:
        raise BundleRefused(Refusal.MALFORMED, "the header's payload length is not a count")
    if not isinstance(header.get("kid"), str) or not isinstance(header.get("alg"), str):
        raise BundleRefused(Refusal.MALFORMED, "the header must name kid and alg")
    return header


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _unb64(text: bytes, what: str) -> bytes:
    """Canonical unpadded base64url only: one spelling per value, so a flipped trailing bit is
    a refusal, not a silently equal header."""
    if not _BASE64URL.fullmatch(text) or len(text) % 4 == 1:
        raise BundleRefused(Refusal.MALFORMED, f"the {what} is not base64url")
    try:
        raw = base64.urlsafe_b64decode(text + b"=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise BundleRefused(Refusal.MALFORMED, f"the {what} is not base64url") from None
    if _b64(raw) != text:
        raise BundleRefused(Refusal.MALFORMED, f"the {what} is not canonical base64url")
    return raw
