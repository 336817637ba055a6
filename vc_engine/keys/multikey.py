"""Multikey, did:key and JWK: how Data Integrity and JOSE name keys.

Data Integrity names keys as Multikey strings ('z' + base58btc(multicodec varint || key)) and
did:key URLs built from them; VC-JOSE names them as JWKs. These helpers accept only the key kinds
the engine signs with, and only public material unless a name says otherwise.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from vc_engine.keys import base58btc
from vc_engine.keys.algorithms import (
    _CURVE_BYTES,
    KeyMaterialError,
    PrivateKey,
    PublicKey,
    algorithm_of,
)

_MULTICODEC_ED25519_PUB = b"\xed\x01"
_MULTICODEC_P256_PUB = b"\x80\x24"
_MULTICODEC_P384_PUB = b"\x81\x24"
_MULTICODEC_ED25519_PRIV = b"\x80\x26"
_MULTICODEC_P256_PRIV = b"\x86\x26"
_MULTICODEC_P384_PRIV = b"\x87\x26"

_EC_CURVES: dict[str, ec.EllipticCurve] = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1()}
_JWK_CURVE_OF = {"secp256r1": "P-256", "secp384r1": "P-384"}
_PUBLIC_MULTICODEC = {
    _MULTICODEC_P256_PUB: ("P-256", 33),
    _MULTICODEC_P384_PUB: ("P-384", 49),
}
_PRIVATE_MULTICODEC = {
    _MULTICODEC_P256_PRIV: ("P-256", 32),
    _MULTICODEC_P384_PRIV: ("P-384", 48),
}
_JWK_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_DID_KEY = "did:key:"


MAX_MULTIKEY_BYTES = 2 + 49
"""The longest Multikey we read: a multicodec prefix and a compressed P-384 point."""


def _base58btc_decode(text: str) -> bytes:
    if not text.startswith("z"):
        raise KeyMaterialError("a multibase value must be base58btc (start with 'z')")
    try:
        return base58btc.decode(text[1:], max_bytes=MAX_MULTIKEY_BYTES)
    except ValueError as exc:
        raise KeyMaterialError(f"not a Multikey of a key we accept: {exc}") from None


def _base58btc_encode(data: bytes) -> str:
    return "z" + base58btc.encode(data)


def multikey_encode(public_key: PublicKey) -> str:
    """The Multikey `publicKeyMultibase` of an Ed25519, P-256 or P-384 key (EC points
    compressed, as the did:key and Multikey specifications require)."""
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return _base58btc_encode(_MULTICODEC_ED25519_PUB + raw)
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        prefix = {
            "secp256r1": _MULTICODEC_P256_PUB,
            "secp384r1": _MULTICODEC_P384_PUB,
        }.get(public_key.curve.name)
        if prefix is None:
            raise KeyMaterialError(f"no Multikey encoding for curve {public_key.curve.name}")
        point = public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )
        return _base58btc_encode(prefix + point)
    raise KeyMaterialError(f"no Multikey encoding for {type(public_key).__name__}")


def multikey_decode(text: str) -> PublicKey:
    """The public key named by a Multikey string; anything but an Ed25519, P-256 or P-384
    public key of the exact length is refused."""
    data = _base58btc_decode(text)
    prefix, body = data[:2], data[2:]
    if prefix == _MULTICODEC_ED25519_PUB:
        if len(body) != 32:
            raise KeyMaterialError(f"an Ed25519 Multikey holds 32 bytes, not {len(body)}")
        return ed25519.Ed25519PublicKey.from_public_bytes(body)
    if prefix in _PUBLIC_MULTICODEC:
        curve, size = _PUBLIC_MULTICODEC[prefix]
        if len(body) != size or body[0] not in (2, 3):
            raise KeyMaterialError(f"a {curve} Multikey holds a {size}-byte compressed point")
        try:
            return ec.EllipticCurvePublicKey.from_encoded_point(_EC_CURVES[curve], body)
        except ValueError:
            raise KeyMaterialError(f"the {curve} Multikey is not a point on the curve") from None
    if prefix in (_MULTICODEC_ED25519_PRIV, *_PRIVATE_MULTICODEC):
        raise KeyMaterialError("a secret key was given where a public Multikey is expected")
    raise KeyMaterialError("not an Ed25519, P-256 or P-384 public Multikey")


def private_multikey_decode(text: str) -> PrivateKey:
    """The private key in a Multikey `secretKeyMultibase` (test vectors and key import only)."""
    data = _base58btc_decode(text)
    prefix, body = data[:2], data[2:]
    if prefix == _MULTICODEC_ED25519_PRIV:
        if len(body) != 32:
            raise KeyMaterialError("an Ed25519 secret Multikey holds a 32-byte seed")
        return ed25519.Ed25519PrivateKey.from_private_bytes(body)
    if prefix in _PRIVATE_MULTICODEC:
        curve, size = _PRIVATE_MULTICODEC[prefix]
        if len(body) != size:
            raise KeyMaterialError(f"a {curve} secret Multikey holds {size} bytes")
        try:
            return ec.derive_private_key(int.from_bytes(body, "big"), _EC_CURVES[curve])
        except ValueError:
            raise KeyMaterialError(f"the {curve} secret Multikey is out of range") from None
    raise KeyMaterialError("not an Ed25519, P-256 or P-384 secret Multikey")


def did_key(public_key: PublicKey) -> str:
    """The did:key verification method URL (`did:key:<mk>#<mk>`) of a key."""
    multikey = multikey_encode(public_key)
    return f"{_DID_KEY}{multikey}#{multikey}"


@lru_cache(maxsize=1024)
def did_key_public_key(verification_method: str) -> PublicKey:
    """The key a `did:key:<mk>#<mk>` verification method names.

    did:key needs no resolution: the key is in the identifier. The fragment must repeat the key,
    so a URL cannot name one key and carry another.
    """
    if not verification_method.startswith(_DID_KEY):
        raise KeyMaterialError("not a did:key URL")
    did, _, fragment = verification_method[len(_DID_KEY) :].partition("#")
    if fragment != did:
        raise KeyMaterialError("a did:key verification method's fragment must equal its key")
    return multikey_decode(did)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(value: object, member: str) -> bytes:
    if not isinstance(value, str) or "=" in value:
        raise KeyMaterialError(f"JWK member '{member}' must be unpadded base64url text")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise KeyMaterialError(f"JWK member '{member}' is not base64url") from None


def public_jwk(public_key: PublicKey) -> dict[str, str]:
    """The public JWK (RFC 7517/8037) of a key; never carries private members."""
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": _b64url(raw)}
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        crv = _JWK_CURVE_OF.get(public_key.curve.name)
        if crv is None:
            raise KeyMaterialError(f"no JWK for curve {public_key.curve.name}")
        size = _CURVE_BYTES[public_key.curve.name]
        numbers = public_key.public_numbers()
        return {
            "kty": "EC",
            "crv": crv,
            "x": _b64url(numbers.x.to_bytes(size, "big")),
            "y": _b64url(numbers.y.to_bytes(size, "big")),
        }
    if isinstance(public_key, rsa.RSAPublicKey):
        algorithm_of(public_key)
        rsa_numbers = public_key.public_numbers()
        return {
            "kty": "RSA",
            "n": _b64url(rsa_numbers.n.to_bytes((rsa_numbers.n.bit_length() + 7) // 8, "big")),
            "e": _b64url(rsa_numbers.e.to_bytes((rsa_numbers.e.bit_length() + 7) // 8, "big")),
        }
    raise KeyMaterialError(f"no JWK for {type(public_key).__name__}")


def load_public_jwk(jwk: Mapping[str, object]) -> PublicKey:
    """The public key in a JWK: OKP Ed25519, EC P-256/P-384 or RSA of at least 2048 bits.

    A JWK with private members is refused rather than stripped: a private key sent where a
    public one belongs is a leak to report, not to paper over. Symmetric ('oct') keys are refused.
    """
    private = sorted(_JWK_PRIVATE_MEMBERS.intersection(jwk))
    if private:
        raise KeyMaterialError(f"the JWK carries private members {private}; send the public key")
    kty = jwk.get("kty")
    if kty == "OKP":
        if jwk.get("crv") != "Ed25519":
            raise KeyMaterialError(f"unsupported OKP curve {jwk.get('crv')!r}")
        raw = _b64url_decode(jwk.get("x"), "x")
        if len(raw) != 32:
            raise KeyMaterialError("an Ed25519 JWK 'x' holds 32 bytes")
        return ed25519.Ed25519PublicKey.from_public_bytes(raw)
    if kty == "EC":
        crv = jwk.get("crv")
        if not isinstance(crv, str) or crv not in _EC_CURVES:
            raise KeyMaterialError(f"unsupported EC curve {crv!r}")
        curve = _EC_CURVES[crv]
        size = _CURVE_BYTES[curve.name]
        x, y = _b64url_decode(jwk.get("x"), "x"), _b64url_decode(jwk.get("y"), "y")
        if len(x) != size or len(y) != size:
            raise KeyMaterialError(f"{crv} JWK coordinates hold {size} bytes each")
        try:
            return ec.EllipticCurvePublicNumbers(
                int.from_bytes(x, "big"), int.from_bytes(y, "big"), curve
            ).public_key()
        except ValueError:
            raise KeyMaterialError(f"the {crv} JWK is not a point on the curve") from None
    if kty == "RSA":
        n = int.from_bytes(_b64url_decode(jwk.get("n"), "n"), "big")
        e = int.from_bytes(_b64url_decode(jwk.get("e"), "e"), "big")
        try:
            key = rsa.RSAPublicNumbers(e, n).public_key()
        except ValueError:
            raise KeyMaterialError("the RSA JWK is not a valid public key") from None
        algorithm_of(key)
        return key
    if kty == "oct":
        raise KeyMaterialError("symmetric ('oct') JWKs are never accepted")
    raise KeyMaterialError(f"unsupported JWK key type {kty!r}")
