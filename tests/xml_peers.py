"""The two other XML Signature libraries, as signers and as verifiers: signxml (pure Python over
lxml) and python-xmlsec (the bindings to xmlsec1, the C reference implementation). The
differential tests and the interop vectors' generator sign and check documents through these.

Each algorithm is named the way our policy names it, so one hypothesis strategy drives all.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import signxml
import xmlsec
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from lxml import etree
from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureMethod

from vc_engine import keys

from factory import DSIG, IssuerKey

C14N_NAMES = (
    "c14n",
    "c14n-comments",
    "c14n11",
    "c14n11-comments",
    "exc-c14n",
    "exc-c14n-comments",
)
DIGEST_NAMES = ("sha256", "sha384", "sha512")
SCHEMES_OF_KEY = {
    keys.KeyAlgorithm.RSA2048: ("RS256", "RS384", "RS512"),
    keys.KeyAlgorithm.P256: ("ES256",),
    keys.KeyAlgorithm.P384: ("ES384",),
}
"""The signature schemes XML Signature 1.1 pairs with each kind of key we accept."""

_XMLSEC_C14N = {
    "c14n": xmlsec.Transform.C14N,
    "c14n-comments": xmlsec.Transform.C14N_COMMENTS,
    "c14n11": xmlsec.Transform.C14N11,
    "c14n11-comments": xmlsec.Transform.C14N11_COMMENTS,
    "exc-c14n": xmlsec.Transform.EXCL_C14N,
    "exc-c14n-comments": xmlsec.Transform.EXCL_C14N_COMMENTS,
}
_XMLSEC_DIGEST = {
    "sha256": xmlsec.Transform.SHA256,
    "sha384": xmlsec.Transform.SHA384,
    "sha512": xmlsec.Transform.SHA512,
    "sha1": xmlsec.Transform.SHA1,
}
_XMLSEC_SIGNATURE = {
    "RS256": xmlsec.Transform.RSA_SHA256,
    "RS384": xmlsec.Transform.RSA_SHA384,
    "RS512": xmlsec.Transform.RSA_SHA512,
    "ES256": xmlsec.Transform.ECDSA_SHA256,
    "ES384": xmlsec.Transform.ECDSA_SHA384,
    "RS1": xmlsec.Transform.RSA_SHA1,
}
_SIGNXML_C14N = {
    "c14n": CanonicalizationMethod.CANONICAL_XML_1_0,
    "c14n-comments": CanonicalizationMethod.CANONICAL_XML_1_0_WITH_COMMENTS,
    "c14n11": CanonicalizationMethod.CANONICAL_XML_1_1,
    "c14n11-comments": CanonicalizationMethod.CANONICAL_XML_1_1_WITH_COMMENTS,
    "exc-c14n": CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    "exc-c14n-comments": CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0_WITH_COMMENTS,
}
_SIGNXML_DIGEST = {
    "sha256": DigestAlgorithm.SHA256,
    "sha384": DigestAlgorithm.SHA384,
    "sha512": DigestAlgorithm.SHA512,
}
_SIGNXML_SIGNATURE = {
    "RS256": SignatureMethod.RSA_SHA256,
    "RS384": SignatureMethod.RSA_SHA384,
    "RS512": SignatureMethod.RSA_SHA512,
    "ES256": SignatureMethod.ECDSA_SHA256,
    "ES384": SignatureMethod.ECDSA_SHA384,
}


@dataclass(frozen=True)
class Choice:
    """One combination of algorithms for a peer to sign with."""

    scheme: str
    c14n: str
    digest: str
    reference_c14n: str | None
    """The Reference's canonicalization transform after enveloped-signature; None for none
    (signxml always writes one, the same as SignedInfo's)."""


SIGNED_INFO_COMMENT = " a note in SignedInfo "


def sign_with_xmlsec(
    unsigned: bytes,
    key: IssuerKey,
    choice: Choice,
    *,
    signed_info_comment: bool = False,
    signature_attributes: dict[str, str] | None = None,
    inclusive_prefixes: str | None = None,
    prefix: str | None = None,
) -> bytes:
    """An enveloped signature by xmlsec1, from a template as its documentation builds one;
    optionally with a comment inside SignedInfo (signed only under a #WithComments method) and
    attributes on the Signature element (`xml:` ones are inherited by SignedInfo), and an
    exclusive canonicalization transform's InclusiveNamespaces PrefixList; the XML Signature
    namespace is the default one unless a `prefix` is named."""
    root = etree.fromstring(unsigned)
    signature = xmlsec.template.create(
        root, _XMLSEC_C14N[choice.c14n], _XMLSEC_SIGNATURE[choice.scheme], ns=prefix
    )
    for name, value in (signature_attributes or {}).items():
        signature.set(name, value)
    root.append(signature)
    reference = xmlsec.template.add_reference(signature, _XMLSEC_DIGEST[choice.digest], uri="")
    if signed_info_comment:
        reference.addprevious(etree.Comment(SIGNED_INFO_COMMENT))
    xmlsec.template.add_transform(reference, xmlsec.Transform.ENVELOPED)
    if choice.reference_c14n is not None:
        transform = xmlsec.template.add_transform(reference, _XMLSEC_C14N[choice.reference_c14n])
        if inclusive_prefixes is not None:
            xmlsec.template.transform_add_c14n_inclusive_namespaces(transform, inclusive_prefixes)
    xmlsec.template.add_x509_data(xmlsec.template.ensure_key_info(signature))
    private_pem = key.private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    signing_key = xmlsec.Key.from_memory(private_pem, xmlsec.KeyFormat.PEM)
    signing_key.load_cert_from_memory(
        key.certificate.public_bytes(Encoding.PEM), xmlsec.KeyFormat.PEM
    )
    context = xmlsec.SignatureContext()
    context.key = signing_key
    context.sign(signature)
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True)


def sign_with_signxml(unsigned: bytes, key: IssuerKey, choice: Choice | None = None) -> bytes:
    """An enveloped signature by signxml; with no choice, its defaults (C14N 1.1, SHA-256 and
    RSA-SHA256), except that an EC key needs an ECDSA method named."""
    if choice is None:
        private_key = key.private_key
        if not isinstance(private_key, ec.EllipticCurvePrivateKey):
            signer = signxml.XMLSigner()
        else:
            scheme = "ES256" if private_key.curve.name == "secp256r1" else "ES384"
            signer = signxml.XMLSigner(signature_algorithm=_SIGNXML_SIGNATURE[scheme])
    else:
        signer = signxml.XMLSigner(
            signature_algorithm=_SIGNXML_SIGNATURE[choice.scheme],
            digest_algorithm=_SIGNXML_DIGEST[choice.digest],
            c14n_algorithm=_SIGNXML_C14N[choice.c14n],
        )
    signed = signer.sign(
        etree.fromstring(unsigned),
        key=key.private_key,
        cert=key.certificate.public_bytes(Encoding.PEM).decode(),
    )
    return etree.tostring(signed, encoding="UTF-8", xml_declaration=True)


def embedded_certificate_pem(data: bytes) -> bytes:
    """The first X509Certificate a signed document carries, as PEM."""
    found = etree.fromstring(data).find(f".//{{{DSIG}}}X509Certificate")
    assert found is not None and found.text
    der = base64.b64decode("".join(found.text.split()))
    return x509.load_der_x509_certificate(der).public_bytes(Encoding.PEM)


def xmlsec_accepts(data: bytes, certificate_pem: bytes) -> bool:
    """Does xmlsec1 find the one signature valid under the certificate's key?"""
    root = etree.fromstring(data)
    node = xmlsec.tree.find_node(root, xmlsec.constants.NodeSignature)
    if node is None:
        return False
    context = xmlsec.SignatureContext()
    context.key = xmlsec.Key.from_memory(certificate_pem, xmlsec.KeyFormat.CERT_PEM)
    try:
        context.verify(node)
    except xmlsec.Error:
        return False
    return True


def signxml_accepts(data: bytes, certificate_pem: bytes) -> bool:
    try:
        signxml.XMLVerifier().verify(data, x509_cert=certificate_pem.decode())
    except (signxml.exceptions.InvalidInput, signxml.exceptions.InvalidSignature):
        return False
    return True
