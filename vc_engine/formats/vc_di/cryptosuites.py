"""The Data Integrity cryptosuites we speak, and the bytes each one signs.

Every suite signs `hashData = H(canonical proof configuration) || H(canonical document)`:
* eddsa-rdfc-2022, ecdsa-rdfc-2019 and the legacy Ed25519Signature2020 canonicalize with RDFC-1.0;
  the proof configuration is the proof without `proofValue`, given the document's `@context`.
* eddsa-jcs-2022 and ecdsa-jcs-2019 canonicalize with JCS; the proof keeps its own `@context`.
* H is SHA-256, except for P-384 keys, where it is SHA-384 throughout: both hashes, RDFC-1.0's
  blank-node labelling and the ECDSA digest (ES384 over hashData).
Ed25519 signs hashData as is (EdDSA); ECDSA signs it under ES256/ES384, returning r||s.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from vc_engine.formats.vc_di.jcs import jcs
from vc_engine.keys import KeyAlgorithm, SignatureScheme, default_scheme

if TYPE_CHECKING:
    from vc_engine.formats.vc_di.canonical import JsonLdCanonicalizer

DATA_INTEGRITY_PROOF = "DataIntegrityProof"
ED25519_SIGNATURE_2020 = "Ed25519Signature2020"


@dataclass(frozen=True)
class Cryptosuite:
    name: str
    proof_type: str
    transform: Literal["rdfc", "jcs"]
    key_algorithms: frozenset[KeyAlgorithm]
    signs: bool = True
    """False for suites we verify but never produce (Ed25519Signature2020)."""

    def hash_name(self, algorithm: KeyAlgorithm) -> str:
        return "sha384" if algorithm is KeyAlgorithm.P384 else "sha256"

    def scheme(self, algorithm: KeyAlgorithm) -> SignatureScheme:
        return default_scheme(algorithm)

    def signature_length(self, algorithm: KeyAlgorithm) -> int:
        return 96 if algorithm is KeyAlgorithm.P384 else 64

    def hash_data(
        self,
        document: Mapping[str, Any],
        proof_config: Mapping[str, Any],
        algorithm: KeyAlgorithm,
        canonicalizer: JsonLdCanonicalizer,
    ) -> bytes:
        """The bytes the signature covers; raises `CanonicalizationError` for a bad input."""
        if self.transform == "jcs":
            return self.jcs_hash_data(document, proof_config, algorithm, canonicalizer.max_depth)
        name = self.hash_name(algorithm)
        canonical_proof = canonicalizer.nquads(proof_config, hash_name=name).encode()
        canonical_document = canonicalizer.nquads(document, hash_name=name).encode()
        return (
            hashlib.new(name, canonical_proof).digest()
            + hashlib.new(name, canonical_document).digest()
        )

    def jcs_hash_data(
        self,
        document: Mapping[str, Any],
        proof_config: Mapping[str, Any],
        algorithm: KeyAlgorithm,
        max_depth: int,
    ) -> bytes:
        """`hash_data` of a JCS suite, which needs no JSON-LD processor (nor its import)."""
        name = self.hash_name(algorithm)
        canonical_proof, canonical_document = jcs(proof_config, max_depth), jcs(document, max_depth)
        return (
            hashlib.new(name, canonical_proof).digest()
            + hashlib.new(name, canonical_document).digest()
        )


_EDDSA = frozenset({KeyAlgorithm.ED25519})
_ECDSA = frozenset({KeyAlgorithm.P256, KeyAlgorithm.P384})

SUITES: Mapping[str, Cryptosuite] = {
    suite.name: suite
    for suite in (
        Cryptosuite("eddsa-rdfc-2022", DATA_INTEGRITY_PROOF, "rdfc", _EDDSA),
        Cryptosuite("eddsa-jcs-2022", DATA_INTEGRITY_PROOF, "jcs", _EDDSA),
        Cryptosuite("ecdsa-rdfc-2019", DATA_INTEGRITY_PROOF, "rdfc", _ECDSA),
        Cryptosuite("ecdsa-jcs-2019", DATA_INTEGRITY_PROOF, "jcs", _ECDSA),
    )
}
"""DataIntegrityProof cryptosuites by name."""

LEGACY_SUITES: Mapping[str, Cryptosuite] = {
    ED25519_SIGNATURE_2020: Cryptosuite(
        ED25519_SIGNATURE_2020, ED25519_SIGNATURE_2020, "rdfc", _EDDSA, signs=False
    ),
}
"""Older proof types, by proof `type`, that name their suite without a `cryptosuite`."""
