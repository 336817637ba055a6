"""Enveloped XML Signature over a whole document, in one strict profile.

The profile: exactly one `ds:Signature`, a direct child of the root, the only element that
declares a namespace (the XML Signature one); one `Reference` with `URI=""` and the transforms
enveloped-signature, then optionally one canonicalization; the signer's X.509 certificate in
`KeyInfo`. The algorithms (Canonical XML 1.0/1.1 and exclusive, with or without comments;
SHA-256/384/512; RSA-SHA256/384/512, ECDSA-SHA256/384) are those of algorithms.py that the
policy accepts; the e-locker's legacy RSA-SHA1 form passes with a warning when it allows it.

Verification hands back the canonical bytes the reference digest covered, so the caller reads
claims only from signed content (no wrapping, no text hidden behind comments). Signing writes the
same profile byte by byte; tests check both directions against signxml.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from functools import lru_cache

from cryptography import x509
from lxml import etree

from vc_engine.formats import Rejected
from vc_engine.formats.xml.algorithms import (
    C14N,
    DEFAULT_C14N,
    DSIG,
    ECDSA_SHA256,
    ENVELOPED,
    LEGACY_PROFILE,
    RSA_SHA1,
    RSA_SHA256,
    SHA1,
    SHA256,
    SIGNATURES,
    Canonicalization,
    Chosen,
    canonicalization,
    check_key_fits,
    choose,
    format_failure,
)
from vc_engine.formats.xml.c14n import canonical_signed_info, canonical_without
from vc_engine.i18n import report as said
from vc_engine.keys import (
    KeyAlgorithm,
    KeyMaterialError,
    PublicKey,
    Signer,
    certificate_public_key,
    key_id,
    load_certificate,
    verify_signature,
)
from vc_engine.model import Check, SignatureFacts, SubIndication
from vc_engine.policy import Algorithms

__all__ = [
    "C14N",
    "DSIG",
    "ENVELOPED",
    "LEGACY_PROFILE",
    "RSA_SHA1",
    "RSA_SHA256",
    "SHA1",
    "SHA256",
    "SignatureOutcome",
    "SignedXml",
    "XmlSigningKey",
    "sign_enveloped",
    "verify_enveloped",
]
"""The URIs are re-exported for the tests' forger and vector generator."""

_SIGNING_METHOD_FOR = {KeyAlgorithm.RSA2048: RSA_SHA256, KeyAlgorithm.P256: ECDSA_SHA256}
_SIGNATURE = f"{{{DSIG}}}Signature"


def _tag(name: str) -> str:
    return f"{{{DSIG}}}{name}"


@dataclass(frozen=True)
class XmlSigningKey:
    """A signer with its certificate encoded once, so signing a million documents does not
    re-encode it a million times."""

    signer: Signer
    certificate: x509.Certificate

    def __post_init__(self) -> None:
        if key_id(certificate_public_key(self.certificate)) != key_id(self.signer.public_key):
            raise KeyMaterialError("the certificate does not hold the signer's public key")
        if self.signer.algorithm not in _SIGNING_METHOD_FOR:
            raise KeyMaterialError(
                f"signed XML is signed with RSA-2048 or ECDSA P-256, not {self.signer.algorithm}"
            )

    @property
    def method(self) -> str:
        return _SIGNING_METHOD_FOR[self.signer.algorithm]

    @property
    def certificate_base64(self) -> str:
        return _certificate_base64(self.certificate)


@lru_cache(maxsize=64)
def _certificate_base64(certificate: x509.Certificate) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding

    return base64.b64encode(certificate.public_bytes(Encoding.DER)).decode("ascii")


def sign_enveloped(canonical_document: bytes, key: XmlSigningKey) -> bytes:
    """Append an enveloped signature to a document already in C14N 1.0 form.

    Because the input is canonical and the root declares no namespaces, the canonical form of
    our `SignedInfo` is known in advance and is written directly. The `ds:` prefix (rather than
    a default namespace) keeps the output verifiable by signxml and xmlsec as they are.
    """
    root_end = canonical_document.rindex(b"</")
    digest = base64.b64encode(hashlib.sha256(canonical_document).digest()).decode("ascii")
    signed_info_body = (
        f'<ds:CanonicalizationMethod Algorithm="{C14N}"></ds:CanonicalizationMethod>'
        f'<ds:SignatureMethod Algorithm="{key.method}"></ds:SignatureMethod>'
        f'<ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="{ENVELOPED}">'
        f'</ds:Transform><ds:Transform Algorithm="{C14N}"></ds:Transform></ds:Transforms>'
        f'<ds:DigestMethod Algorithm="{SHA256}"></ds:DigestMethod>'
        f"<ds:DigestValue>{digest}</ds:DigestValue></ds:Reference>"
    )
    signed_info = f'<ds:SignedInfo xmlns:ds="{DSIG}">{signed_info_body}</ds:SignedInfo>'
    value = key.signer.sign(signed_info.encode("ascii"), SIGNATURES[key.method])
    signature = (
        f'<ds:Signature xmlns:ds="{DSIG}"><ds:SignedInfo>{signed_info_body}</ds:SignedInfo>'
        f"<ds:SignatureValue>{base64.b64encode(value).decode('ascii')}</ds:SignatureValue>"
        f"<ds:KeyInfo><ds:X509Data><ds:X509Certificate>{key.certificate_base64}"
        f"</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>"
    )
    return canonical_document[:root_end] + signature.encode("ascii") + canonical_document[root_end:]


@dataclass(frozen=True)
class SignedXml:
    """What the signature covered, as canonical bytes, and the facts about who signed."""

    signed_bytes: bytes
    tree: etree._Element
    """The document those bytes are the canonical form of: the tree that was verified, with
    its signature detached."""
    facts: SignatureFacts
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class SignatureOutcome:
    checks: tuple[Check, ...]
    signed: SignedXml | None


def verify_enveloped(
    root: etree._Element, *, algorithms: Algorithms, max_certificates: int
) -> SignatureOutcome:
    """Check the one enveloped signature of `root`; never raises for a bad document.

    The signature is detached from `root` on the way: the tree is not reusable afterwards.
    """
    checks: list[Check] = []
    try:
        signature = _the_signature(root)
        info = _read_signed_info(signature)
        chosen = choose(
            signature_method=info.method,
            digest_method=info.digest_method,
            c14n=info.c14n,
            reference_c14n=info.reference_c14n,
            algorithms=algorithms,
        )
        signature_value = _base64(_only(signature, "SignatureValue").text, "SignatureValue")
        (public_key, signer_key_id), certificate_der = _embedded_key(signature, max_certificates)
        check_key_fits(public_key, chosen.scheme)
        checks.append(_constraints_passed(chosen))
        signed_info_c14n = canonical_signed_info(info.element, info.c14n)
        if not verify_signature(public_key, signature_value, signed_info_c14n, chosen.scheme):
            raise Rejected(
                "signature",
                SubIndication.SIG_CRYPTO_FAILURE,
                said.SIGNATURE_XML_MISMATCH(),
            )
        checks.append(_SIGNATURE_VALID)
        signed_bytes = canonical_without(root, signature, info.reference_c14n)
        if hashlib.new(chosen.digest, signed_bytes).digest() != info.digest_value:
            raise Rejected(
                "digest",
                SubIndication.HASH_FAILURE,
                said.DIGEST_ALTERED(),
            )
        checks.append(_digest_passed(chosen.digest))
    except Rejected as rejected:
        checks.append(rejected.check)
        return SignatureOutcome(tuple(checks), None)
    facts = SignatureFacts(
        algorithm=chosen.scheme.value,
        key_id=signer_key_id,
        certificate_der=certificate_der,
        legacy_profile=LEGACY_PROFILE if chosen.warnings else None,
    )
    return SignatureOutcome(tuple(checks), SignedXml(signed_bytes, root, facts, chosen.warnings))


_SIGNATURE_VALID = Check.passed("signature", said.SIGNATURE_XML_VALID())


@lru_cache(maxsize=64)
def _constraints_passed(chosen: Chosen) -> Check:
    """The passed checks depend only on the algorithms: made once per combination."""
    return Check.passed("crypto-constraints", chosen.describe())


@lru_cache(maxsize=8)
def _digest_passed(digest: str) -> Check:
    return Check.passed("digest", said.DIGEST_MATCHES(digest=digest))


def _the_signature(root: etree._Element) -> etree._Element:
    signatures = list(root.iter(_SIGNATURE))
    if not signatures:
        raise format_failure("the document carries no XML signature")
    if len(signatures) > 1:
        raise format_failure(f"the document carries {len(signatures)} signatures; exactly one")
    signature = signatures[0]
    if signature.getparent() is not root:
        raise format_failure("the signature must be a direct child of the document's root")
    if (
        root.nsmap
        or len(signature.nsmap) != 1
        or any(e.nsmap != signature.nsmap for e in signature.iter(etree.Element))
    ):
        raise format_failure(
            "namespace declarations outside the profile: only the Signature element may declare "
            "one, the XML Signature namespace"
        )
    return signature


@dataclass(frozen=True)
class _SignedInfo:
    element: etree._Element
    c14n: Canonicalization
    method: str
    digest_method: str
    reference_c14n: Canonicalization
    """The Reference's canonicalization: its C14N transform, or inclusive C14N 1.0 (the
    default for a node-set). With URI="" comments are never part of it, whatever it says."""
    digest_value: bytes


def _read_signed_info(signature: etree._Element) -> _SignedInfo:
    children = _element_children(signature)
    tags = [c.tag for c in children]
    if tags[:2] != [_tag("SignedInfo"), _tag("SignatureValue")] or tags[2:] not in (
        [],
        [_tag("KeyInfo")],
    ):
        raise format_failure("Signature must hold SignedInfo, SignatureValue and KeyInfo only")
    signed_info = children[0]
    parts = _element_children(signed_info)
    if [p.tag for p in parts] != [
        _tag("CanonicalizationMethod"),
        _tag("SignatureMethod"),
        _tag("Reference"),
    ]:
        raise format_failure(
            "SignedInfo must hold CanonicalizationMethod, SignatureMethod and exactly one Reference"
        )
    c14n, method, reference = parts
    c14n_method = canonicalization(c14n.get("Algorithm") or "")
    if reference.get("URI") != "":
        raise format_failure('the Reference must cover the whole document (URI="")')
    ref_parts = _element_children(reference)
    if [p.tag for p in ref_parts] != [
        _tag("Transforms"),
        _tag("DigestMethod"),
        _tag("DigestValue"),
    ]:
        raise format_failure("Reference must hold Transforms, DigestMethod and DigestValue")
    transform_elements = _element_children(ref_parts[0])
    transforms = [t.get("Algorithm") or "" for t in transform_elements]
    if (
        any(t.tag != _tag("Transform") or len(t) for t in transform_elements)
        or transforms[:1] != [ENVELOPED]
        or len(transforms) > 2
    ):
        raise format_failure(
            "the Reference transforms must be enveloped-signature, then optionally one C14N"
        )
    return _SignedInfo(
        element=signed_info,
        c14n=c14n_method,
        method=method.get("Algorithm") or "",
        digest_method=ref_parts[1].get("Algorithm") or "",
        reference_c14n=canonicalization(transforms[1]) if len(transforms) == 2 else DEFAULT_C14N,
        digest_value=_base64(ref_parts[2].text, "DigestValue"),
    )


def _embedded_key(
    signature: etree._Element, max_certificates: int
) -> tuple[tuple[PublicKey, str], bytes]:
    """The signer's key from KeyInfo, which must hold exactly one X509Data of one to
    `max_certificates` X509Certificate elements and nothing else; the first certificate is the
    signer's (the others may carry its chain)."""
    key_info = signature.find(_tag("KeyInfo"))
    no_chain = Rejected(
        "signature-format",
        SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
        said.SIGNATURE_NO_CERTIFICATE(),
    )
    if key_info is None:
        raise no_chain
    if key_info.text and key_info.text.strip():
        raise format_failure("KeyInfo may hold only its X509Data")
    children = list(key_info)
    if len(children) != 1 or children[0].tag != _tag("X509Data"):
        if not any(c.tag == _tag("X509Data") for c in children):
            raise no_chain
        raise format_failure("KeyInfo must hold exactly one X509Data and nothing else")
    x509_data = children[0]
    if len(x509_data) > max_certificates or (x509_data.text and x509_data.text.strip()):
        raise format_failure(f"X509Data may hold at most {max_certificates} certificates")
    if any(
        c.tag != _tag("X509Certificate") or len(c) or (c.tail and c.tail.strip()) for c in x509_data
    ):
        raise format_failure("X509Data may hold only X509Certificate elements")
    if not len(x509_data):
        raise no_chain
    der = _base64(x509_data[0].text, "X509Certificate")
    try:
        return _key_of_certificate(der), der
    except KeyMaterialError as exc:
        raise format_failure(f"the embedded certificate cannot be used: {exc}") from None


@lru_cache(maxsize=4096)
def _key_of_certificate(der: bytes) -> tuple[PublicKey, str]:
    """Certificates repeat across documents; parse each distinct one (and hash its key) once."""
    public_key = certificate_public_key(load_certificate(der))
    return public_key, key_id(public_key)


def _element_children(parent: etree._Element) -> list[etree._Element]:
    return [c for c in parent if isinstance(c.tag, str)]


def _only(parent: etree._Element, name: str) -> etree._Element:
    found = parent.find(_tag(name))
    if found is None:
        raise format_failure(f"{name} is missing")
    return found


def _base64(text: str | None, what: str) -> bytes:
    compact = "".join((text or "").split())
    try:
        value = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise format_failure(f"{what} is not valid base64") from None
    if not value:
        raise format_failure(f"{what} is empty")
    return value
