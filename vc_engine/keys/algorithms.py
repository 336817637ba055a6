"""Key types, signature schemes and key ids: the names every other part of the engine uses for
keys, and the one place that says which kinds of key are accepted at all."""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import cast

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from vc_engine.errors import BadInput

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey


class KeyMaterialError(BadInput):
    """A key or certificate could not be loaded or is of a kind we do not accept."""


class KeyAlgorithm(StrEnum):
    RSA2048 = "rsa2048"
    P256 = "p256"
    P384 = "p384"
    ED25519 = "ed25519"


class SignatureScheme(StrEnum):
    """A key type together with the hash it signs with; names follow JOSE where one exists."""

    RS256 = "RS256"
    RS384 = "RS384"
    RS512 = "RS512"
    RS1 = "RS1"  # RSA PKCS#1 v1.5 with SHA-1: only for the e-locker legacy profile
    ES256 = "ES256"
    ES384 = "ES384"
    ES512 = "ES512"
    EDDSA = "EdDSA"

    @property
    def rsa(self) -> bool:
        return self.value.startswith("RS")

    @property
    def ecdsa(self) -> bool:
        return self.value.startswith("ES")


_HASH_OF_SCHEME: dict[SignatureScheme, hashes.HashAlgorithm] = {
    SignatureScheme.RS256: hashes.SHA256(),
    SignatureScheme.RS384: hashes.SHA384(),
    SignatureScheme.RS512: hashes.SHA512(),
    SignatureScheme.RS1: hashes.SHA1(),  # noqa: S303 - legacy profile, verify only
    SignatureScheme.ES256: hashes.SHA256(),
    SignatureScheme.ES384: hashes.SHA384(),
    SignatureScheme.ES512: hashes.SHA512(),
}

_CURVE_BYTES = {"secp256r1": 32, "secp384r1": 48}


_FAMILY_OF_TYPE: dict[type, str] = {}
"""Key family ("rsa", "ec", "ed25519") by the key object's exact type, learnt the first time a
type is seen: the abstract classes' instance checks cost more than the rest of the answer."""


def _family(key: PublicKey | PrivateKey) -> str | None:
    kind = type(key)
    family = _FAMILY_OF_TYPE.get(kind)
    if family is None:
        if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
            family = "rsa"
        elif isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
            family = "ec"
        elif isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
            family = "ed25519"
        else:
            return None
        _FAMILY_OF_TYPE[kind] = family
    return family


def algorithm_of(key: PublicKey | PrivateKey) -> KeyAlgorithm:
    """The registry's name for a key's type; refuses kinds we do not sign or verify with."""
    family = _family(key)
    if family == "ed25519":
        return KeyAlgorithm.ED25519
    if family == "rsa":
        size = cast(rsa.RSAPublicKey, key).key_size
        if size < 2048:
            raise KeyMaterialError(f"RSA keys must have at least 2048 bits, this one has {size}")
        return KeyAlgorithm.RSA2048
    if family == "ec":
        curve = cast(ec.EllipticCurvePublicKey, key).curve.name
        if curve == "secp256r1":
            return KeyAlgorithm.P256
        if curve == "secp384r1":
            return KeyAlgorithm.P384
        raise KeyMaterialError(f"unsupported elliptic curve {curve}")
    raise KeyMaterialError(f"unsupported key type {type(key).__name__}")


def default_scheme(algorithm: KeyAlgorithm) -> SignatureScheme:
    return {
        KeyAlgorithm.RSA2048: SignatureScheme.RS256,
        KeyAlgorithm.P256: SignatureScheme.ES256,
        KeyAlgorithm.P384: SignatureScheme.ES384,
        KeyAlgorithm.ED25519: SignatureScheme.EDDSA,
    }[algorithm]


def spki_der(key: PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_id(key: PublicKey) -> str:
    """The registry's key id: lowercase hex SHA-256 of the DER SubjectPublicKeyInfo."""
    return hashlib.sha256(spki_der(key)).hexdigest()
