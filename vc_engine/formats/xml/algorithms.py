"""The XML Signature algorithms this verifier can check, by URI, and the policy's say over them.

XML Signature 1.1 makes these REQUIRED or RECOMMENDED, and they are what the verifier can check:
Canonical XML 1.0 and 1.1 and exclusive XML canonicalization, each with and without comments;
SHA-256, SHA-384 and SHA-512 digests; RSA PKCS#1 v1.5 with SHA-256, SHA-384 or SHA-512 and
ECDSA with SHA-256 on P-256 or SHA-384 on P-384. Which of them a document may use is the
policy's choice (`policy.Algorithms`, named the way the policy names them); what no policy can
choose is written here: SHA-1 reference digests and HMAC signatures are always refused, and
RSA-SHA1 is accepted only in the e-locker's legacy form (RSA-SHA1 over SHA-256 reference
digests), when the policy allows it, with a warning.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec

from vc_engine.formats import Rejected
from vc_engine.keys import PublicKey, SignatureScheme
from vc_engine.model import SubIndication
from vc_engine.policy import Algorithms

DSIG = "http://www.w3.org/2000/09/xmldsig#"
MORE = "http://www.w3.org/2001/04/xmldsig-more#"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
C14N_11 = "http://www.w3.org/2006/12/xml-c14n11"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = DSIG + "enveloped-signature"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
SHA384 = MORE + "sha384"
SHA512 = "http://www.w3.org/2001/04/xmlenc#sha512"
SHA1 = DSIG + "sha1"
RSA_SHA256 = MORE + "rsa-sha256"
RSA_SHA384 = MORE + "rsa-sha384"
RSA_SHA512 = MORE + "rsa-sha512"
ECDSA_SHA256 = MORE + "ecdsa-sha256"
ECDSA_SHA384 = MORE + "ecdsa-sha384"
RSA_SHA1 = DSIG + "rsa-sha1"
LEGACY_PROFILE = "e-locker-legacy-rsa-sha1"


@dataclass(frozen=True)
class Canonicalization:
    """One Canonical XML method: its policy name, and how it is produced.

    Canonical XML 1.1 differs from 1.0 only in the `xml:` attributes a document subset inherits
    from the ancestors it leaves out, so `version_11` is all the canonicalizer needs to know."""

    name: str
    exclusive: bool
    with_comments: bool
    version_11: bool = False


CANONICALIZATIONS = {
    C14N: Canonicalization("c14n", exclusive=False, with_comments=False),
    C14N + "#WithComments": Canonicalization("c14n-comments", exclusive=False, with_comments=True),
    C14N_11: Canonicalization("c14n11", exclusive=False, with_comments=False, version_11=True),
    C14N_11 + "#WithComments": Canonicalization(
        "c14n11-comments", exclusive=False, with_comments=True, version_11=True
    ),
    EXC_C14N: Canonicalization("exc-c14n", exclusive=True, with_comments=False),
    EXC_C14N + "WithComments": Canonicalization(
        "exc-c14n-comments", exclusive=True, with_comments=True
    ),
}
"""XML Signature 1.1's required canonicalizations, by URI."""

DEFAULT_C14N = CANONICALIZATIONS[C14N]
"""What a Reference's node-set becomes octets by when no canonicalization transform is named."""

DIGESTS = {SHA256: "sha256", SHA384: "sha384", SHA512: "sha512", SHA1: "sha1"}
"""Reference digest methods by URI, named as `hashlib` and the policy name them."""

SIGNATURES = {
    RSA_SHA256: SignatureScheme.RS256,
    RSA_SHA384: SignatureScheme.RS384,
    RSA_SHA512: SignatureScheme.RS512,
    ECDSA_SHA256: SignatureScheme.ES256,
    ECDSA_SHA384: SignatureScheme.ES384,
    RSA_SHA1: SignatureScheme.RS1,
}
"""Signature methods by URI, named as the policy names them (JOSE's names)."""

_CURVE_OF_SCHEME = {SignatureScheme.ES256: "secp256r1", SignatureScheme.ES384: "secp384r1"}
_CURVE_NAMES = {"secp256r1": "P-256", "secp384r1": "P-384"}
_LEGACY_WARNING = (
    "signed with the e-locker legacy profile: RSA-SHA1 over SHA-256 digests; "
    "ask the issuer to re-sign with RSA-SHA256"
)


def constraint_failure(message: str) -> Rejected:
    return Rejected("crypto-constraints", SubIndication.CRYPTO_CONSTRAINTS_FAILURE, message)


def format_failure(message: str) -> Rejected:
    return Rejected("signature-format", SubIndication.FORMAT_FAILURE, message)


def canonicalization(uri: str) -> Canonicalization:
    """The canonicalization a URI names; an unknown one is a format failure."""
    found = CANONICALIZATIONS.get(uri)
    if found is None:
        raise format_failure(f"unsupported canonicalization {uri[:120]!r}")
    return found


@dataclass(frozen=True)
class Chosen:
    """The algorithms one signature uses, each accepted by the policy."""

    scheme: SignatureScheme
    digest: str
    """As `hashlib` names it."""
    c14n: Canonicalization
    """Of SignedInfo."""
    reference_c14n: Canonicalization
    warnings: tuple[str, ...]

    def describe(self) -> str:
        suffix = " (legacy profile)" if self.warnings else ""
        return f"{self.scheme.value} over {self.digest} digests, {self.c14n.name}{suffix}"


def choose(
    *,
    signature_method: str,
    digest_method: str,
    c14n: Canonicalization,
    reference_c14n: Canonicalization,
    algorithms: Algorithms,
) -> Chosen:
    """Refuse every algorithm the policy does not list; the legacy e-locker profile (when the
    policy allows it) comes back with its warning."""
    digest = DIGESTS.get(digest_method)
    if digest == "sha1":
        raise constraint_failure("SHA-1 reference digests are not accepted")
    if digest is None or digest not in algorithms.digests:
        raise constraint_failure(f"digest algorithm {digest_method[:120]!r} is not accepted")
    for method in (c14n, reference_c14n):
        if method.name not in algorithms.canonicalizations:
            raise constraint_failure(f"canonicalization {method.name} is not accepted")
    if "hmac" in signature_method.lower():
        raise constraint_failure("HMAC signatures prove nothing about an issuer; not accepted")
    scheme = SIGNATURES.get(signature_method)
    if scheme is SignatureScheme.RS1:
        if not algorithms.legacy_elocker_rsa_sha1:
            raise constraint_failure("RSA-SHA1 signatures are not accepted by this policy")
        if digest != "sha256":
            raise constraint_failure(
                "RSA-SHA1 is accepted only in the e-locker legacy profile, over SHA-256 digests"
            )
        return Chosen(scheme, digest, c14n, reference_c14n, (_LEGACY_WARNING,))
    if scheme is None or scheme.value not in algorithms.signatures:
        raise constraint_failure(f"signature algorithm {signature_method[:120]!r} is not accepted")
    return Chosen(scheme, digest, c14n, reference_c14n, ())


def check_key_fits(key: PublicKey, scheme: SignatureScheme) -> None:
    """ECDSA-SHA256 is signed on P-256 and ECDSA-SHA384 on P-384 (the pairs XML Signature 1.1
    and the registry's key types know); any other curve is refused before verifying. A key of
    another type is left to the signature check, which says no."""
    curve = _CURVE_OF_SCHEME.get(scheme)
    if curve is not None and isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name != curve:
        shown = _CURVE_NAMES.get(key.curve.name, key.curve.name)
        raise constraint_failure(
            f"{scheme.value} is signed on {_CURVE_NAMES[curve]}; the embedded key is {shown}"
        )
