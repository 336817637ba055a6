"""Key material: generating keys, reading and writing PEM, certificates. Private key material is
never logged or put into an exception message."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

from vc_engine.keys.algorithms import (
    KeyAlgorithm,
    KeyMaterialError,
    PrivateKey,
    PublicKey,
    algorithm_of,
)

PASSPHRASE_VARIABLE = "VC_ENGINE_KEY_PASSPHRASE"  # noqa: S105 - a variable name, not a secret
"""Where an encrypted private key's passphrase comes from: never from a command-line flag."""


def passphrase_from_environment() -> bytes | None:
    """The passphrase in `PASSPHRASE_VARIABLE`, if set."""
    text = os.environ.get(PASSPHRASE_VARIABLE)
    return text.encode() if text else None


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
