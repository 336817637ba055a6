"""Signing and checking signatures: the `Signer` interface (a key in a file or a token) and the
one function every format calls to ask "did key K sign bytes B"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from vc_engine.keys.algorithms import (
    _CURVE_BYTES,
    _HASH_OF_SCHEME,
    KeyAlgorithm,
    KeyMaterialError,
    PrivateKey,
    PublicKey,
    SignatureScheme,
    algorithm_of,
)


class Signer(Protocol):
    """Signs bytes with a key that may live outside this process (file, PKCS#11 token)."""

    @property
    def algorithm(self) -> KeyAlgorithm: ...

    @property
    def public_key(self) -> PublicKey: ...

    def sign(self, data: bytes, scheme: SignatureScheme) -> bytes:
        """Sign `data`; ECDSA signatures are returned as fixed-size r||s (XMLDSig, JOSE)."""
        ...


@dataclass(frozen=True)
class FileSigner:
    """A signer over a private key loaded into memory once."""

    private_key: PrivateKey

    @property
    def algorithm(self) -> KeyAlgorithm:
        return algorithm_of(self.private_key)

    @property
    def public_key(self) -> PublicKey:
        return self.private_key.public_key()

    def sign(self, data: bytes, scheme: SignatureScheme) -> bytes:
        key = self.private_key
        if scheme is SignatureScheme.RS1:
            raise KeyMaterialError("SHA-1 signatures are never produced")
        if isinstance(key, rsa.RSAPrivateKey) and scheme is SignatureScheme.RS256:
            return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        if isinstance(key, ec.EllipticCurvePrivateKey) and scheme in (
            SignatureScheme.ES256,
            SignatureScheme.ES384,
        ):
            der = key.sign(data, ec.ECDSA(_HASH_OF_SCHEME[scheme]))
            return ecdsa_der_to_raw(der, _CURVE_BYTES[key.curve.name])
        if isinstance(key, ed25519.Ed25519PrivateKey) and scheme is SignatureScheme.EDDSA:
            return key.sign(data)
        raise KeyMaterialError(f"a {self.algorithm} key cannot sign with {scheme}")


def ecdsa_der_to_raw(der: bytes, size: int) -> bytes:
    r, s = decode_dss_signature(der)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def verify_signature(
    key: PublicKey, signature: bytes, data: bytes, scheme: SignatureScheme
) -> bool:
    """Did `key` sign `data` under `scheme`? ECDSA signatures are fixed-size r||s.

    A key of the wrong type for the scheme is a plain "no", not an error.
    """
    try:
        if isinstance(key, rsa.RSAPublicKey) and scheme.rsa:
            key.verify(signature, data, padding.PKCS1v15(), _HASH_OF_SCHEME[scheme])
            return True
        if isinstance(key, ec.EllipticCurvePublicKey) and scheme.ecdsa:
            size = _CURVE_BYTES.get(key.curve.name)
            if size is None or len(signature) != 2 * size:
                return False
            r = int.from_bytes(signature[:size], "big")
            s = int.from_bytes(signature[size:], "big")
            key.verify(encode_dss_signature(r, s), data, ec.ECDSA(_HASH_OF_SCHEME[scheme]))
            return True
        if isinstance(key, ed25519.Ed25519PublicKey) and scheme is SignatureScheme.EDDSA:
            key.verify(signature, data)
            return True
    except InvalidSignature:
        return False
    return False
