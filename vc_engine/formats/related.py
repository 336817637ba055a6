"""The digests that bind a related resource into a credential (VC Data Model 2.0 §5.3,
"Integrity of Related Resources"): `digestMultibase` is a multibase-encoded multihash (VC Data
Integrity, "Resource Integrity").

We write SHA-256 with the multibase header 'u' (base64url, no padding), as the VC Data Model's
examples do: 'u' + base64url(0x12 0x20 || sha256(bytes)). We read the other hashes Data Integrity
names (SHA-384, SHA-512, SHA3-256, SHA3-384) and the 'z' header (base58btc) too, since another
issuer's credential may use them, and a bare SHA-2 digest of 32, 48 or 64 bytes with no multihash
header (the W3C data-model test suite writes its digests that way). Anything else is
unreadable, never silently "no match". This is the one reader of digestMultibase: bound PDFs
(`verify.related`) and the related resources the engine holds (`formats.related_resources`)
both go through it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from vc_engine.keys import base58btc

PDF_MEDIA_TYPE = "application/pdf"

_HASHES = {0x12: "sha256", 0x20: "sha384", 0x13: "sha512", 0x16: "sha3_256", 0x15: "sha3_384"}
"""Multihash code -> hashlib name; every code is below 0x80, so its varint is one byte."""
_BARE = {32: "sha256", 48: "sha384", 64: "sha512"}
"""Length of a digest given without a multihash header -> the SHA-2 hash of that length."""
_SHA256 = 0x12
_MAX_DIGEST_BYTES = 2 + 64


class UnreadableDigest(ValueError):
    """A digestMultibase that is not a multibase multihash of a hash we know."""


def digest_multibase(data: bytes) -> str:
    """The `digestMultibase` of `data`: SHA-256, multihash, base64url without padding."""
    digest = hashlib.sha256(data).digest()
    encoded = base64.urlsafe_b64encode(bytes([_SHA256, len(digest)]) + digest)
    return "u" + encoded.decode("ascii").rstrip("=")


def check_digest(value: str) -> str:
    """`value` itself when it is a digestMultibase we can compare with; `UnreadableDigest`
    otherwise (read strictly when a credential is opened, so a verdict never hides it)."""
    _decode(value)
    return value


def digest_matches(value: str, data: bytes) -> bool:
    """Whether `data` hashes to the digest `value` names, with the hash `value` names."""
    algorithm, expected = _decode(value)
    return hmac.compare_digest(hashlib.new(algorithm, data).digest(), expected)


def _decode(value: str) -> tuple[str, bytes]:
    raw = _multibase(value)
    algorithm = _HASHES.get(raw[0]) if len(raw) > 2 else None
    if algorithm is not None and raw[1] == hashlib.new(algorithm).digest_size == len(raw) - 2:
        return algorithm, raw[2:]
    bare = _BARE.get(len(raw))
    if bare is None:
        raise UnreadableDigest(
            "the digestMultibase is neither a SHA-2 or SHA-3 multihash nor a bare SHA-2 digest"
        )
    return bare, raw


def _multibase(value: str) -> bytes:
    header, text = value[:1], value[1:]
    if len(text) > base58btc.max_length(_MAX_DIGEST_BYTES):
        raise UnreadableDigest("the digestMultibase is longer than any digest")
    if header == "z":
        try:
            return base58btc.decode(text, max_bytes=_MAX_DIGEST_BYTES)
        except ValueError as error:
            raise UnreadableDigest(f"the digestMultibase is not base58btc ({error})") from None
    if header != "u":
        raise UnreadableDigest(
            f"a digestMultibase starts with 'u' (base64url) or 'z' (base58btc), not {header!r}"
        )
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raw = None
    if raw is None or base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=") != text:
        raise UnreadableDigest("the digestMultibase is not base64url without padding")
    return raw
