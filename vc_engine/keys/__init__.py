"""Keys: generation, loading, key ids, and the `Signer` interface.

Everything that touches raw signing or verification primitives lives here, so format modules ask
only "sign these bytes" and "did key K sign bytes B". Private key material is never logged or
put into an exception message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.x509.oid import NameOID

from vc_engine.errors import BadInput
from vc_engine.keys import base58btc

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
    RS1 = "RS1"  # RSA PKCS#1 v1.5 with SHA-1: only for the e-locker legacy profile
    ES256 = "ES256"
    ES384 = "ES384"
    EDDSA = "EdDSA"


_HASH_OF_SCHEME: dict[SignatureScheme, hashes.HashAlgorithm] = {
    SignatureScheme.RS256: hashes.SHA256(),
    SignatureScheme.RS1: hashes.SHA1(),  # noqa: S303 - legacy profile, verify only
    SignatureScheme.ES256: hashes.SHA256(),
    SignatureScheme.ES384: hashes.SHA384(),
}

_CURVE_BYTES = {"secp256r1": 32, "secp384r1": 48}


def generate_private_key(algorithm: KeyAlgorithm) -> PrivateKey:
    match algorithm:
        case KeyAlgorithm.RSA2048:
            return rsa.generate_private_key(public_exponent=65537, key_size=2048)
        case KeyAlgorithm.P256:
            return ec.generate_private_key(ec.SECP256R1())
        case KeyAlgorithm.P384:
            return ec.generate_private_key(ec.SECP384R1())
        case KeyAlgorithm.ED25519:
            return ed25519.Ed25519PrivateKey.generate()


def algorithm_of(key: PublicKey | PrivateKey) -> KeyAlgorithm:
    """The registry's name for a key's type; refuses kinds we do not sign or verify with."""
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        if key.key_size < 2048:
            raise KeyMaterialError(
                f"RSA keys must have at least 2048 bits, this one has {key.key_size}"
            )
        return KeyAlgorithm.RSA2048
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        if key.curve.name == "secp256r1":
            return KeyAlgorithm.P256
        if key.curve.name == "secp384r1":
            return KeyAlgorithm.P384
        raise KeyMaterialError(f"unsupported elliptic curve {key.curve.name}")
    if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        return KeyAlgorithm.ED25519
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


def public_key_pem(key: PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def load_public_key_pem(data: bytes) -> PublicKey:
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise KeyMaterialError(f"not a PEM public key: {exc}") from None
    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey):
        raise KeyMaterialError(f"unsupported public key type {type(key).__name__}")
    algorithm_of(key)
    return key


def load_certificate(data: bytes) -> x509.Certificate:
    """Load a PEM or DER X.509 certificate."""
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except (ValueError, x509.InvalidVersion) as exc:
        raise KeyMaterialError(f"not an X.509 certificate: {exc}") from None


def certificate_public_key(cert: x509.Certificate) -> PublicKey:
    try:
        key = cert.public_key()
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise KeyMaterialError(f"certificate key cannot be read: {exc}") from None
    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey):
        raise KeyMaterialError(f"unsupported certificate key type {type(key).__name__}")
    algorithm_of(key)
    return key


def load_private_key(path: Path, passphrase: bytes | None = None) -> PrivateKey:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KeyMaterialError(f"private key file {path} does not exist") from None
    return load_private_key_pem(data, passphrase, name=str(path))


def load_private_key_pem(
    data: bytes, passphrase: bytes | None = None, *, name: str = "the key"
) -> PrivateKey:
    """A PEM private key (PKCS#8 or traditional, optionally passphrase-encrypted)."""
    try:
        key = serialization.load_pem_private_key(data, password=passphrase)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        # The library's message may quote key material; say only what went wrong.
        raise KeyMaterialError(
            f"{name} is not a readable PEM private key (wrong passphrase?)"
        ) from None
    if not isinstance(
        key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
    ):
        raise KeyMaterialError(f"{name} holds an unsupported key type")
    algorithm_of(key)
    return key


def pem_is_encrypted(data: bytes) -> bool:
    """Does this PEM private key need a passphrase? (PKCS#8 or traditional OpenSSL form.)"""
    return b"ENCRYPTED PRIVATE KEY" in data or b"Proc-Type: 4,ENCRYPTED" in data


def write_private_key(path: Path, key: PrivateKey, passphrase: bytes | None = None) -> None:
    """Write a PKCS#8 PEM readable by its owner only (mode 0600 from the first byte)."""
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    os.chmod(path, 0o600)


def self_signed_certificate(
    key: PrivateKey, common_name: str, valid_from: datetime, valid_until: datetime
) -> x509.Certificate:
    """A self-signed certificate carrying the issuer's key into signed XML.

    The certificate is a container, not a trust anchor: verification trusts the registry only.
    """
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_until)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    digest = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(key, digest)


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
        if isinstance(key, rsa.RSAPublicKey) and scheme in (
            SignatureScheme.RS256,
            SignatureScheme.RS1,
        ):
            key.verify(signature, data, padding.PKCS1v15(), _HASH_OF_SCHEME[scheme])
            return True
        if isinstance(key, ec.EllipticCurvePublicKey) and scheme in (
            SignatureScheme.ES256,
            SignatureScheme.ES384,
        ):
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


# --- Multikey, did:key and JWK -------------------------------------------------------------
#
# Data Integrity names keys as Multikey strings ('z' + base58btc(multicodec varint || key)) and
# did:key URLs built from them; VC-JOSE names them as JWKs. These helpers accept only the key
# kinds the engine signs with, and only public material unless a name says otherwise.

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
