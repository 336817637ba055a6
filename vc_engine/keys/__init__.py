"""Keys: generation, loading, key ids, Multikey/did:key/JWK, and the `Signer` interface.

Everything that touches raw signing or verification primitives lives in this room, so format
modules ask only "sign these bytes" and "did key K sign bytes B". Private key material is never
logged or put into an exception message.
"""

from vc_engine.keys.algorithms import (
    KeyAlgorithm,
    KeyMaterialError,
    PrivateKey,
    PublicKey,
    SignatureScheme,
    algorithm_of,
    default_scheme,
    key_id,
    spki_der,
)
from vc_engine.keys.material import (
    PASSPHRASE_VARIABLE,
    certificate_public_key,
    generate_private_key,
    load_certificate,
    load_private_key,
    load_private_key_pem,
    load_public_key_pem,
    passphrase_from_environment,
    pem_is_encrypted,
    public_key_pem,
    self_signed_certificate,
    write_private_key,
)
from vc_engine.keys.multikey import (
    MAX_MULTIKEY_BYTES,
    did_key,
    did_key_public_key,
    load_public_jwk,
    multikey_decode,
    multikey_encode,
    private_multikey_decode,
    public_jwk,
)
from vc_engine.keys.signing import FileSigner, Signer, ecdsa_der_to_raw, verify_signature

__all__ = [
    "MAX_MULTIKEY_BYTES",
    "PASSPHRASE_VARIABLE",
    "FileSigner",
    "KeyAlgorithm",
    "KeyMaterialError",
    "PrivateKey",
    "PublicKey",
    "SignatureScheme",
    "Signer",
    "algorithm_of",
    "certificate_public_key",
    "default_scheme",
    "did_key",
    "did_key_public_key",
    "ecdsa_der_to_raw",
    "generate_private_key",
    "key_id",
    "load_certificate",
    "load_private_key",
    "load_private_key_pem",
    "load_public_jwk",
    "load_public_key_pem",
    "multikey_decode",
    "multikey_encode",
    "passphrase_from_environment",
    "pem_is_encrypted",
    "private_multikey_decode",
    "public_jwk",
    "public_key_pem",
    "self_signed_certificate",
    "spki_der",
    "verify_signature",
    "write_private_key",
]
