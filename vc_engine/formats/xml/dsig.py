"""Enveloped XML Signature over a whole document, in one strict profile.

The profile: exactly one `ds:Signature`, a direct child of the root; one `Reference` with
`URI=""` and the transforms enveloped-signature (+ optional C14N 1.0 or exclusive C14N); SHA-256
digests; RSA-SHA256 or ECDSA-P256-SHA256; the signer's X.509 certificate in `KeyInfo`. The
e-locker's legacy combination (RSA-SHA1 over SHA-256 reference digests) is accepted only when the
policy allows it, and named in a warning. Every other SHA-1 use and every HMAC fails.

Verification hands back the canonical bytes the reference digest covered, so the caller reads
claims only from signed content (no wrapping, no text hidden behind comments). Signing writes the
same profile byte by byte; tests check both directions against signxml.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
from dataclasses import dataclass
from functools import lru_cache

from cryptography import x509
from lxml import etree

from vc_engine.formats import Rejected
from vc_engine.keys import (
    KeyAlgorithm,
    KeyMaterialError,
    PublicKey,
    SignatureScheme,
    Signer,
    certificate_public_key,
    key_id,
    load_certificate,
    verify_signature,
)
from vc_engine.model import Check, SignatureFacts, SubIndication

DSIG = "http://www.w3.org/2000/09/xmldsig#"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = DSIG + "enveloped-signature"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
SHA1 = DSIG + "sha1"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
ECDSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
RSA_SHA1 = DSIG + "rsa-sha1"
LEGACY_PROFILE = "e-locker-legacy-rsa-sha1"

_SIGNATURE_METHODS = {RSA_SHA256: SignatureScheme.RS256, ECDSA_SHA256: SignatureScheme.ES256}
_SIGNING_METHOD_FOR = {KeyAlgorithm.RSA2048: RSA_SHA256, KeyAlgorithm.P256: ECDSA_SHA256}
_C14N_METHODS = {C14N: False, EXC_C14N: True}  # URI -> exclusive?
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
    canonical_signed_info = f'<ds:SignedInfo xmlns:ds="{DSIG}">{signed_info_body}</ds:SignedInfo>'
    scheme = _SIGNATURE_METHODS[key.method]
    value = key.signer.sign(canonical_signed_info.encode("ascii"), scheme)
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
    facts: SignatureFacts
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class SignatureOutcome:
    checks: tuple[Check, ...]
    signed: SignedXml | None


def _format_failure(message: str) -> Rejected:
    return Rejected("signature-format", SubIndication.FORMAT_FAILURE, message)


def _constraint_failure(message: str) -> Rejected:
    return Rejected("crypto-constraints", SubIndication.CRYPTO_CONSTRAINTS_FAILURE, message)


def verify_enveloped(
    root: etree._Element, *, allow_legacy: bool, max_certificates: int
) -> SignatureOutcome:
    """Check the one enveloped signature of `root`; never raises for a bad document.

    The signature is detached from `root` on the way: the tree is not reusable afterwards.
    """
    checks: list[Check] = []
    try:
        signature = _the_signature(root)
        info = _read_signed_info(signature)
        warnings = _check_algorithms(info.method, info.digest_method, allow_legacy)
        checks.append(Check.passed("crypto-constraints", _describe(info.method, warnings)))
        signature_value = _base64(_only(signature, "SignatureValue").text, "SignatureValue")
        (public_key, signer_key_id), certificate_der = _embedded_key(signature, max_certificates)
        signed_info_c14n = _canonical_signed_info(info)
        scheme = SignatureScheme.RS1 if info.method == RSA_SHA1 else _SIGNATURE_METHODS[info.method]
        if not verify_signature(public_key, signature_value, signed_info_c14n, scheme):
            raise Rejected(
                "signature",
                SubIndication.SIG_CRYPTO_FAILURE,
                "the signature value does not match SignedInfo under the embedded key",
            )
        checks.append(Check.passed("signature", "the signature over SignedInfo is valid"))
        signed_bytes = _canonical_without(root, signature, info.exclusive_reference)
        if hashlib.sha256(signed_bytes).digest() != info.digest_value:
            raise Rejected(
                "digest",
                SubIndication.HASH_FAILURE,
                "the document does not match the signed digest: it was altered after signing",
            )
        checks.append(Check.passed("digest", "the document matches the signed SHA-256 digest"))
    except Rejected as rejected:
        checks.append(rejected.check)
        return SignatureOutcome(tuple(checks), None)
    facts = SignatureFacts(
        algorithm=scheme.value,
        key_id=signer_key_id,
        certificate_der=certificate_der,
        legacy_profile=LEGACY_PROFILE if warnings else None,
    )
    return SignatureOutcome(tuple(checks), SignedXml(signed_bytes, facts, warnings))


def _the_signature(root: etree._Element) -> etree._Element:
    signatures = list(root.iter(_SIGNATURE))
    if not signatures:
        raise _format_failure("the document carries no XML signature")
    if len(signatures) > 1:
        raise _format_failure(f"the document carries {len(signatures)} signatures; exactly one")
    signature = signatures[0]
    if signature.getparent() is not root:
        raise _format_failure("the signature must be a direct child of the document's root")
    if (
        root.nsmap
        or len(signature.nsmap) != 1
        or any(e.nsmap != signature.nsmap for e in signature.iter(etree.Element))
    ):
        raise _format_failure(
            "namespace declarations outside the profile: only the Signature element may declare "
            "one, the XML Signature namespace"
        )
    return signature


@dataclass(frozen=True)
class _SignedInfo:
    element: etree._Element
    exclusive_c14n: bool
    method: str
    digest_method: str
    exclusive_reference: bool
    digest_value: bytes


def _read_signed_info(signature: etree._Element) -> _SignedInfo:
    children = _element_children(signature)
    tags = [c.tag for c in children]
    if tags[:2] != [_tag("SignedInfo"), _tag("SignatureValue")] or tags[2:] not in (
        [],
        [_tag("KeyInfo")],
    ):
        raise _format_failure("Signature must hold SignedInfo, SignatureValue and KeyInfo only")
    signed_info = children[0]
    parts = _element_children(signed_info)
    if [p.tag for p in parts] != [
        _tag("CanonicalizationMethod"),
        _tag("SignatureMethod"),
        _tag("Reference"),
    ]:
        raise _format_failure(
            "SignedInfo must hold CanonicalizationMethod, SignatureMethod and exactly one Reference"
        )
    c14n, method, reference = parts
    c14n_algorithm = c14n.get("Algorithm") or ""
    if c14n_algorithm not in _C14N_METHODS:
        raise _format_failure(f"unsupported canonicalization {c14n_algorithm!r}")
    if reference.get("URI") != "":
        raise _format_failure('the Reference must cover the whole document (URI="")')
    ref_parts = _element_children(reference)
    if [p.tag for p in ref_parts] != [
        _tag("Transforms"),
        _tag("DigestMethod"),
        _tag("DigestValue"),
    ]:
        raise _format_failure("Reference must hold Transforms, DigestMethod and DigestValue")
    transform_elements = _element_children(ref_parts[0])
    transforms = [t.get("Algorithm") for t in transform_elements]
    if any(t.tag != _tag("Transform") for t in transform_elements) or (
        transforms[:1] != [ENVELOPED] or transforms[1:] not in ([], [C14N], [EXC_C14N])
    ):
        raise _format_failure(
            "the Reference transforms must be enveloped-signature, then optionally C14N"
        )
    return _SignedInfo(
        element=signed_info,
        exclusive_c14n=_C14N_METHODS[c14n_algorithm],
        method=method.get("Algorithm") or "",
        digest_method=ref_parts[1].get("Algorithm") or "",
        exclusive_reference=transforms[1:] == [EXC_C14N],
        digest_value=_base64(ref_parts[2].text, "DigestValue"),
    )


def _check_algorithms(method: str, digest_method: str, allow_legacy: bool) -> tuple[str, ...]:
    """Refuse every algorithm outside the profile; the legacy one comes back as a warning."""
    if digest_method == SHA1:
        raise _constraint_failure("SHA-1 reference digests are not accepted")
    if digest_method != SHA256:
        raise _constraint_failure(f"unsupported digest algorithm {digest_method!r}")
    if "hmac" in method.lower():
        raise _constraint_failure("HMAC signatures prove nothing about an issuer; not accepted")
    if method == RSA_SHA1:
        if not allow_legacy:
            raise _constraint_failure("RSA-SHA1 signatures are not accepted by this policy")
        return (
            "signed with the e-locker legacy profile: RSA-SHA1 over SHA-256 digests; "
            "ask the issuer to re-sign with RSA-SHA256",
        )
    if method not in _SIGNATURE_METHODS:
        raise _constraint_failure(f"unsupported signature algorithm {method!r}")
    return ()


def _describe(method: str, warnings: tuple[str, ...]) -> str:
    name = {RSA_SHA256: "RSA-SHA256", ECDSA_SHA256: "ECDSA-SHA256", RSA_SHA1: "RSA-SHA1"}[method]
    suffix = " (legacy profile)" if warnings else ""
    return f"{name} over SHA-256 digests{suffix}"


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
        "KeyInfo must carry one X509Data with the signer's X509Certificate",
    )
    if key_info is None:
        raise no_chain
    if key_info.text and key_info.text.strip():
        raise _format_failure("KeyInfo may hold only its X509Data")
    children = list(key_info)
    if len(children) != 1 or children[0].tag != _tag("X509Data"):
        if not any(c.tag == _tag("X509Data") for c in children):
            raise no_chain
        raise _format_failure("KeyInfo must hold exactly one X509Data and nothing else")
    x509_data = children[0]
    if len(x509_data) > max_certificates or (x509_data.text and x509_data.text.strip()):
        raise _format_failure(f"X509Data may hold at most {max_certificates} certificates")
    if any(
        c.tag != _tag("X509Certificate") or len(c) or (c.tail and c.tail.strip()) for c in x509_data
    ):
        raise _format_failure("X509Data may hold only X509Certificate elements")
    if not len(x509_data):
        raise no_chain
    der = _base64(x509_data[0].text, "X509Certificate")
    try:
        return _key_of_certificate(der), der
    except KeyMaterialError as exc:
        raise _format_failure(f"the embedded certificate cannot be used: {exc}") from None


@lru_cache(maxsize=4096)
def _key_of_certificate(der: bytes) -> tuple[PublicKey, str]:
    """Certificates repeat across documents; parse each distinct one (and hash its key) once."""
    public_key = certificate_public_key(load_certificate(der))
    return public_key, key_id(public_key)


def _canonical_signed_info(info: _SignedInfo) -> bytes:
    """C14N of SignedInfo as its own apex.

    lxml's in-place C14N of a nested subtree writes spurious `xmlns=""` on default-namespace
    descendants. `_the_signature` has already ensured the only namespace in scope is the one
    declared on Signature, so a detached copy canonicalises exactly as the specification says.
    """
    return etree.tostring(
        copy.deepcopy(info.element),
        method="c14n",
        exclusive=info.exclusive_c14n,
        with_comments=False,
    )


def _canonical_without(root: etree._Element, signature: etree._Element, exclusive: bool) -> bytes:
    """The enveloped-signature transform, then C14N: the bytes the reference digest covers.

    The tail text after the signature is not part of it and stays in the document.
    """
    previous = signature.getprevious()
    tail = signature.tail or ""
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        root.text = (root.text or "") + tail
    root.remove(signature)
    return etree.tostring(
        root.getroottree(), method="c14n", exclusive=exclusive, with_comments=False
    )


def _element_children(parent: etree._Element) -> list[etree._Element]:
    return [c for c in parent if isinstance(c.tag, str)]


def _only(parent: etree._Element, name: str) -> etree._Element:
    found = parent.find(_tag(name))
    if found is None:
        raise _format_failure(f"{name} is missing")
    return found


def _base64(text: str | None, what: str) -> bytes:
    compact = "".join((text or "").split())
    try:
        value = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise _format_failure(f"{what} is not valid base64") from None
    if not value:
        raise _format_failure(f"{what} is empty")
    return value
