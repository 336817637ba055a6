"""Differential tests of signed XML's fast path against the general one and against xmlsec1.

The fast path (formats/xml) reads the claims from the verified tree itself when the document
holds no comment or processing instruction, instead of parsing the digested canonical bytes
again, and canonicalizes SignedInfo where it stands when it inherits nothing from its
ancestors, instead of a detached copy. On documents that hypothesis writes, signed by signxml,
by python-xmlsec (with and without a namespace prefix) and by us, under Canonical XML 1.0, 1.1
and exclusive, and then changed in ways that keep or break the digest: the verdict here is
xmlsec1's, the document read is the one the general path reads from the digested bytes, and
SignedInfo's canonical form is the general path's under every method.
"""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from xml_peers import SCHEMES_OF_KEY, Choice, sign_with_signxml, sign_with_xmlsec, xmlsec_accepts

from vc_engine import keys
from vc_engine.formats.xml import algorithms as xml_algorithms
from vc_engine.formats.xml import issue, open_signed
from vc_engine.formats.xml.c14n import canonical_detached, canonical_signed_info
from vc_engine.formats.xml.document import MalformedDocument, from_element
from vc_engine.formats.xml.dsig import verify_enveloped
from vc_engine.formats.xml.safe import UnsafeXml, parse, plain_markup
from vc_engine.model import CheckStatus, Document
from vc_engine.policy import INDIA, VerificationPolicy

from factory import NOW, birth_certificate, canonical_unsigned, make_key

POLICY = VerificationPolicy(at=NOW)
DSIG = "{" + xml_algorithms.DSIG + "}"
KINDS = (keys.KeyAlgorithm.RSA2048, keys.KeyAlgorithm.P256)
C14NS = ("c14n", "c14n11", "exc-c14n", "c14n-comments", "exc-c14n-comments")
SIGNERS = ("us", "signxml", "xmlsec", "xmlsec-prefixed")

KEEPS_DIGEST = ("none", "comment-split", "cdata", "character-reference")
"""Changes after signing that leave the digested canonical form as it was."""
BREAKS = ("pi", "text", "attribute", "signature-value", "xml-lang")
"""Changes after signing that alter what was signed."""

text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r"),
    min_size=2,
    max_size=24,
).filter(lambda s: s == s.strip() and " " not in s)


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, keys.KeyAlgorithm, Choice, str, bool, Document]:
    """A signer, a key, the algorithms, a change after signing, whether the root carried an
    `xml:lang` when a peer signed it (SignedInfo then inherits it under inclusive C14N, and
    the general path canonicalizes it), and the document."""
    kind = draw(st.sampled_from(KINDS))
    c14n = draw(st.sampled_from(C14NS))
    choice = Choice(
        SCHEMES_OF_KEY[kind][0], c14n, "sha256", draw(st.sampled_from((None, "c14n", c14n)))
    )
    document = birth_certificate(
        holder={"name": draw(text), "gender": "F"}, claims={"placeOfBirth": draw(text)}
    )
    change = draw(st.sampled_from(KEEPS_DIGEST + BREAKS))
    signer = draw(st.sampled_from(SIGNERS))
    lang_signed = signer != "us" and draw(st.booleans())
    return signer, kind, choice, change, lang_signed, document


def _signed(
    signer: str, kind: keys.KeyAlgorithm, choice: Choice, lang_signed: bool, document: Document
) -> bytes:
    key = make_key("Kolkata Municipal Corporation", kind)
    if signer == "us":
        return issue(document, key.signing_key, INDIA)
    unsigned = canonical_unsigned(document)
    if lang_signed:
        unsigned = unsigned.replace(b"<Certificate ", b'<Certificate xml:lang="bn" ', 1)
    if signer == "signxml":
        return sign_with_signxml(unsigned, key, choice)
    prefix = "ds" if signer == "xmlsec-prefixed" else None
    return sign_with_xmlsec(unsigned, key, choice, prefix=prefix)


def _changed(data: bytes, change: str, place: str) -> bytes:
    """`data` with one change; the place of birth is the text the changes work on."""
    written = _escape(place)
    tag = b"<placeOfBirth>"
    assert tag + written in data
    first, rest = place[:1], place[1:]
    if change == "none":
        return data
    if change == "comment-split":
        return data.replace(tag + written, tag + _escape(first) + b"<!-- x -->" + _escape(rest))
    if change == "cdata" and "]]>" not in place:
        return data.replace(tag + written, tag + b"<![CDATA[" + place.encode() + b"]]>")
    if change == "character-reference":
        return data.replace(tag + written, tag + f"&#{ord(first)};".encode() + _escape(rest))
    if change == "xml-lang":
        return data.replace(b"<Certificate ", b'<Certificate xml:space="preserve" ', 1)
    if change == "pi":
        return data.replace(tag, b"<?note x?>" + tag)
    if change == "text":
        return data.replace(tag + written, tag + written + b"x")
    if change == "attribute":
        return data.replace(b' gender="F"', b' gender="M"')
    if change == "signature-value":
        root = etree.fromstring(data)
        value = root.find(f"{DSIG}Signature/{DSIG}SignatureValue")
        assert value is not None
        raw = bytearray(base64.b64decode("".join((value.text or "").split())))
        raw[len(raw) // 2] ^= 1
        return data.replace((value.text or "").encode(), base64.b64encode(bytes(raw)), 1)
    return data


def _escape(part: str) -> bytes:
    """`part` as canonical XML writes it in text."""
    element = etree.Element("x")
    element.text = part
    return etree.tostring(element, method="c14n")[len(b"<x>") : -len(b"</x>")]


def _general_path(data: bytes) -> Document | None:
    """What the general path reads: the digested canonical bytes, parsed again."""
    limits = POLICY.limits.xml
    root = parse(data, max_bytes=POLICY.limits.max_document_bytes, limits=limits)
    outcome = verify_enveloped(
        root, algorithms=POLICY.algorithms, max_certificates=limits.max_certificates
    )
    if outcome.signed is None:
        return None
    try:
        signed = parse(
            outcome.signed.signed_bytes, max_bytes=POLICY.limits.max_document_bytes, limits=limits
        )
        return from_element(signed)
    except (UnsafeXml, MalformedDocument):
        return None


@settings(max_examples=150)
@given(case=cases())
def test_the_fast_path_gives_xmlsecs_verdict_and_the_general_paths_document(
    case: tuple[str, keys.KeyAlgorithm, Choice, str, bool, Document],
) -> None:
    signer, kind, choice, change, lang_signed, document = case
    place = str(document.claims["placeOfBirth"])
    data = _changed(_signed(signer, kind, choice, lang_signed, document), change, place)
    key = make_key("Kolkata Municipal Corporation", kind)
    reference = xmlsec_accepts(data, key.certificate.public_bytes(Encoding.PEM))

    outcome = open_signed(data, POLICY, lambda _: None)
    failed = [c for c in outcome.checks if c.status is not CheckStatus.PASSED]
    signature_failed = any(c.name != "signed-content" for c in failed)
    assert (not signature_failed) == reference, (signer, choice, change, failed)
    if change in BREAKS:
        assert signature_failed, change
    assert outcome.document == _general_path(data)
    if reference and not lang_signed:
        assert outcome.document == document
    if change in ("comment-split", "pi"):
        assert not plain_markup(data)


@settings(max_examples=60)
@given(case=cases())
def test_signed_info_in_place_is_the_detached_copy_under_every_method(
    case: tuple[str, keys.KeyAlgorithm, Choice, str, bool, Document],
) -> None:
    signer, kind, choice, change, lang_signed, document = case
    place = str(document.claims["placeOfBirth"])
    data = _changed(_signed(signer, kind, choice, lang_signed, document), change, place)
    signed_info = etree.fromstring(data).find(f"{DSIG}Signature/{DSIG}SignedInfo")
    assert signed_info is not None
    for method in xml_algorithms.CANONICALIZATIONS.values():
        assert canonical_signed_info(signed_info, method) == canonical_detached(
            signed_info, method
        ), (signer, method.name, change)
