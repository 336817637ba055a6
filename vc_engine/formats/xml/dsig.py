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
from vc_engine.i18n import Message
from vc_engine.i18n import report as said
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
ECDSA_SHA512 = MORE + "ecdsa-sha512"
RSA_SHA1 = DSIG + "rsa-sha1"
LEGACY_PROFILE = "e-locker-legacy-rsa-sha1"


@dataclass(frozen=True)
class Canonicalization:
    """One Canonical XML method: its policy name, and how lxml produces it."""

    name: str
    exclusive: bool
    with_comments: bool


CANONICALIZATIONS = {
    C14N: Canonicalization("c14n", exclusive=False, with_comments=False),
    C14N + "#WithComments": Canonicalization("c14n-comments", exclusive=False, with_comments=True),
    C14N_11: Canonicalization("c14n11", exclusive=False, with_comments=False),
    C14N_11 + "#WithComments": Canonicalization(
        "c14n11-comments", exclusive=False, with_comments=True
    ),
    EXC_C14N: Canonicalization("exc-c14n", exclusive=True, with_comments=False),
    EXC_C14N + "WithComments": Canonicalization(
        "exc-c14n-comments", exclusive=True, with_comments=True
    ),
}
"""XML Signature 1.1's required canonicalizations, by URI."""

DIGESTS = {SHA256: "sha256", SHA384: "sha384", SHA512: "sha512", SHA1: "sha1"}
"""Reference digest methods by URI, named as `hashlib` and the policy name them."""

SIGNATURES = {
    RSA_SHA256: SignatureScheme.RS256,
    RSA_SHA384: SignatureScheme.RS384,
    RSA_SHA512: SignatureScheme.RS512,
    ECDSA_SHA256: SignatureScheme.ES256,
    ECDSA_SHA384: SignatureScheme.ES384,
    ECDSA_SHA512: SignatureScheme.ES512,
    RSA_SHA1: SignatureScheme.RS1,
}
"""Signature methods by URI, named as the policy names them (JOSE's names)."""

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
    canonical_signed_info = f'<ds:SignedInfo xmlns:ds="{DSIG}">{signed_info_body}</ds:SignedInfo>'
    scheme = SIGNATURES[key.method]
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
    detail = said.SIGNATURE_FORMAT_REFUSED(detail=message)
    return Rejected("signature-format", SubIndication.FORMAT_FAILURE, detail)


def _constraint_failure(message: str) -> Rejected:
    detail = said.CONSTRAINTS_REFUSED(detail=message)
    return Rejected("crypto-constraints", SubIndication.CRYPTO_CONSTRAINTS_FAILURE, detail)


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
        scheme, warnings = _check_algorithms(info, algorithms)
        checks.append(Check.passed("crypto-constraints", _describe(info, scheme, warnings)))
        signature_value = _base64(_only(signature, "SignatureValue").text, "SignatureValue")
        (public_key, signer_key_id), certificate_der = _embedded_key(signature, max_certificates)
        signed_info_c14n = _canonical_signed_info(info)
        if not verify_signature(public_key, signature_value, signed_info_c14n, scheme):
            raise Rejected(
                "signature",
                SubIndication.SIG_CRYPTO_FAILURE,
                said.SIGNATURE_XML_MISMATCH(),
            )
        checks.append(Check.passed("signature", said.SIGNATURE_XML_VALID()))
        signed_bytes = _canonical_without(root, signature, info.reference_c14n.exclusive)
        if hashlib.new(DIGESTS[info.digest_method], signed_bytes).digest() != info.digest_value:
            raise Rejected(
                "digest",
                SubIndication.HASH_FAILURE,
                said.DIGEST_ALTERED(),
            )
        checks.append(
            Check.passed("digest", said.DIGEST_MATCHES(digest=DIGESTS[info.digest_method]))
        )
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
    c14n_method = _canonicalization(c14n.get("Algorithm") or "")
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
    transforms = [t.get("Algorithm") or "" for t in transform_elements]
    if (
        any(t.tag != _tag("Transform") or len(t) for t in transform_elements)
        or transforms[:1] != [ENVELOPED]
        or len(transforms) > 2
    ):
        raise _format_failure(
            "the Reference transforms must be enveloped-signature, then optionally one C14N"
        )
    return _SignedInfo(
        element=signed_info,
        c14n=c14n_method,
        method=method.get("Algorithm") or "",
        digest_method=ref_parts[1].get("Algorithm") or "",
        reference_c14n=_canonicalization(transforms[1]) if len(transforms) == 2 else _C14N_10,
        digest_value=_base64(ref_parts[2].text, "DigestValue"),
    )


_C14N_10 = CANONICALIZATIONS[C14N]


def _canonicalization(uri: str) -> Canonicalization:
    found = CANONICALIZATIONS.get(uri)
    if found is None:
        raise _format_failure(f"unsupported canonicalization {uri[:120]!r}")
    return found


def _check_algorithms(
    info: _SignedInfo, algorithms: Algorithms
) -> tuple[SignatureScheme, tuple[str, ...]]:
    """Refuse every algorithm the policy does not list; the legacy e-locker profile (when the
    policy allows it) comes back with its warning."""
    digest = DIGESTS.get(info.digest_method)
    if digest == "sha1":
        raise _constraint_failure("SHA-1 reference digests are not accepted")
    if digest is None or digest not in algorithms.digests:
        raise _constraint_failure(f"digest algorithm {info.digest_method[:120]!r} is not accepted")
    for c14n in (info.c14n, info.reference_c14n):
        if c14n.name not in algorithms.canonicalizations:
            raise _constraint_failure(f"canonicalization {c14n.name} is not accepted")
    if "hmac" in info.method.lower():
        raise _constraint_failure("HMAC signatures prove nothing about an issuer; not accepted")
    scheme = SIGNATURES.get(info.method)
    if scheme is SignatureScheme.RS1:
        if not algorithms.legacy_elocker_rsa_sha1:
            raise _constraint_failure("RSA-SHA1 signatures are not accepted by this policy")
        return scheme, (
            "signed with the e-locker legacy profile: RSA-SHA1 over SHA-256 digests; "
            "ask the issuer to re-sign with RSA-SHA256",
        )
    if scheme is None or scheme.value not in algorithms.signatures:
        raise _constraint_failure(f"signature algorithm {info.method[:120]!r} is not accepted")
    return scheme, ()


def _describe(info: _SignedInfo, scheme: SignatureScheme, warnings: tuple[str, ...]) -> Message:
    described = said.CONSTRAINTS_XML_LEGACY if warnings else said.CONSTRAINTS_XML
    return described(scheme=scheme.value, digest=DIGESTS[info.digest_method], c14n=info.c14n.name)


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
    declared on Signature, so a detached copy canonicalises as the specification says, once the
    copy carries what inclusive C14N inherits from the omitted ancestors: their `xml:lang` and
    `xml:space` (and with C14N 1.0 their `xml:id`). An inherited `xml:base` would need 1.1's
    URI fix-up; no document we verify has one, so it is refused rather than guessed.
    """
    apex = copy.deepcopy(info.element)
    if not info.c14n.exclusive:
        inherited = ["lang", "space"] + ([] if info.c14n.name.startswith("c14n11") else ["id"])
        for ancestor in info.element.iterancestors():
            if ancestor.get(_XML + "base") is not None:
                raise _format_failure("xml:base above SignedInfo is not supported")
            for name in inherited:
                value = ancestor.get(_XML + name)
                if value is not None and apex.get(_XML + name) is None:
                    apex.set(_XML + name, value)
    return etree.tostring(
        apex,
        method="c14n",
        exclusive=info.c14n.exclusive,
        with_comments=info.c14n.with_comments,
    )


_XML = "{http://www.w3.org/XML/1998/namespace}"


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
