"""Differential tests of the signed-XML verifier against signxml and python-xmlsec (xmlsec1).

Documents signed by each library, with any combination of the XML Signature 1.1 algorithms
(hypothesis picks the combination and the content), must verify here exactly when xmlsec1, the
reference implementation, verifies them; documents we sign must verify in both; and a change to
anything signed must be refused by all three. Full-pipeline tests show that signxml's defaults
and xmlsec's three canonicalizations pass once the key is registered.

One known disagreement is pinned rather than hidden: signxml, signing with a #WithComments
canonicalization, digests the document's comments, although a same-document reference
(URI="") selects the document without them (XML Signature 1.1, 4.4.3.3). xmlsec1 and this
verifier both refuse such a document when it holds a comment.
"""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from xml_peers import (
    C14N_NAMES,
    DIGEST_NAMES,
    SCHEMES_OF_KEY,
    SIGNED_INFO_COMMENT,
    Choice,
    sign_with_signxml,
    sign_with_xmlsec,
    signxml_accepts,
    xmlsec_accepts,
)

from vc_engine import keys
from vc_engine.formats import xml as signed_xml
from vc_engine.formats.xml import algorithms as xml_algorithms
from vc_engine.formats.xml import open_signed
from vc_engine.model import CheckStatus, Document, Indication, SubIndication
from vc_engine.policy import INDIA, Algorithms, VerificationPolicy
from vc_engine.verify import verify

from factory import (
    NOW,
    IssuerKey,
    birth_certificate,
    canonical_unsigned,
    make_key,
    valid_birth_certificate,
)
from trust_book import TrustBook

ISSUER = "Kolkata Municipal Corporation"
KEY_KINDS = (keys.KeyAlgorithm.RSA2048, keys.KeyAlgorithm.P256, keys.KeyAlgorithm.P384)
DSIG = "{" + xml_algorithms.DSIG + "}"


def key_of(kind: keys.KeyAlgorithm) -> IssuerKey:
    return make_key(ISSUER, kind)


def pem(key: IssuerKey) -> bytes:
    return key.certificate.public_bytes(Encoding.PEM)


def opened(data: bytes) -> tuple[SubIndication | None, Document | None]:
    """The format stage under the default policy: the first failure's code, and the document."""
    outcome = open_signed(data, VerificationPolicy(at=NOW), lambda _: None)
    failed = [c for c in outcome.checks if c.status is not CheckStatus.PASSED]
    return (failed[0].code if failed else None), outcome.document


def with_comment(unsigned: bytes) -> bytes:
    """The unsigned document with a comment in its content: never part of what is digested."""
    return unsigned.replace(b"<placeOfBirth>", b"<!-- checked at the counter --><placeOfBirth>")


claim_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30
).filter(lambda s: s == s.strip() and "\r" not in s)


@st.composite
def signed_by_a_peer(draw: st.DrawFn) -> tuple[str, keys.KeyAlgorithm, Choice, bool, Document]:
    kind = draw(st.sampled_from(KEY_KINDS))
    choice = Choice(
        scheme=draw(st.sampled_from(SCHEMES_OF_KEY[kind])),
        c14n=draw(st.sampled_from(C14N_NAMES)),
        digest=draw(st.sampled_from(DIGEST_NAMES)),
        reference_c14n=draw(st.sampled_from((None, *C14N_NAMES))),
    )
    document = birth_certificate(
        holder={"name": draw(claim_text), "gender": "F"},
        claims={"placeOfBirth": draw(claim_text)},
    )
    return draw(st.sampled_from(("xmlsec", "signxml"))), kind, choice, draw(st.booleans()), document


def peer_signed(
    signer: str, kind: keys.KeyAlgorithm, choice: Choice, comment: bool, document: Document
) -> bytes:
    unsigned = canonical_unsigned(document)
    if comment:
        unsigned = with_comment(unsigned)
    if signer == "xmlsec":
        return sign_with_xmlsec(unsigned, key_of(kind), choice)
    return sign_with_signxml(unsigned, key_of(kind), choice)


@settings(max_examples=80)
@given(case=signed_by_a_peer())
def test_a_peer_signed_document_gets_xmlsecs_verdict_here(
    case: tuple[str, keys.KeyAlgorithm, Choice, bool, Document],
) -> None:
    signer, kind, choice, comment, document = case
    data = peer_signed(signer, kind, choice, comment, document)
    failure, opened_document = opened(data)
    assert (failure is None) == xmlsec_accepts(data, pem(key_of(kind))), (failure, choice)
    signxml_digests_comments = signer == "signxml" and comment and choice.c14n.endswith("-comments")
    if signxml_digests_comments:
        assert failure is SubIndication.HASH_FAILURE
    else:
        assert failure is None, choice
        assert opened_document == document


@pytest.mark.parametrize("comment_signed", [True, False], ids=["with-comments", "without"])
def test_a_comment_inside_signed_info_is_signed_only_with_comments(comment_signed: bool) -> None:
    """SignedInfo's own comments belong to it under a #WithComments method: xmlsec signs them,
    and removing one then breaks the signature here and there; without comments it does not."""
    c14n = "c14n11-comments" if comment_signed else "c14n11"
    key = key_of(keys.KeyAlgorithm.RSA2048)
    root = etree.fromstring(canonical_unsigned(birth_certificate()))
    data = sign_with_xmlsec(
        etree.tostring(root), key, Choice("RS256", c14n, "sha256", None), signed_info_comment=True
    )
    assert opened(data)[0] is None and xmlsec_accepts(data, pem(key))
    without = data.replace(f"<!--{SIGNED_INFO_COMMENT}-->".encode(), b"")
    assert without != data
    assert (opened(without)[0] is None) is not comment_signed
    assert xmlsec_accepts(without, pem(key)) is not comment_signed


@settings(max_examples=25)
@given(
    kind=st.sampled_from((keys.KeyAlgorithm.RSA2048, keys.KeyAlgorithm.P256)),
    place=claim_text,
    name=claim_text,
)
def test_documents_we_sign_verify_in_xmlsec_and_signxml(
    kind: keys.KeyAlgorithm, place: str, name: str
) -> None:
    key = key_of(kind)
    document = birth_certificate(
        holder={"name": name, "gender": "F"}, claims={"placeOfBirth": place}
    )
    data = signed_xml.issue(document, key.signing_key, INDIA)
    assert opened(data) == (None, document)
    assert xmlsec_accepts(data, pem(key))
    assert signxml_accepts(data, pem(key))


# Mutations of what is signed: every one must be refused by all three verifiers.


def _mutate(data: bytes, mutation: str, choice_c14n: str) -> bytes:
    root = etree.fromstring(data)
    signature = root.find(DSIG + "Signature")
    assert signature is not None
    signed_info = signature.find(DSIG + "SignedInfo")
    assert signed_info is not None
    if mutation == "attribute":
        person = root.find("IssuedTo/Person")
        assert person is not None
        person.set("name", person.get("name", "") + "x")
    elif mutation == "text":
        place = root.find("CertificateData/placeOfBirth")
        assert place is not None
        place.text = (place.text or "") + "x"
    elif mutation == "element-added":
        data_element = root.find("CertificateData")
        assert data_element is not None
        etree.SubElement(data_element, "bloodGroup").text = "O+"
    elif mutation == "element-removed":
        removed = root.find("CertificateData/placeOfBirth")
        assert removed is not None
        removed.getparent().remove(removed)  # type: ignore[union-attr]
    elif mutation == "canonicalization":
        method = signed_info.find(DSIG + "CanonicalizationMethod")
        assert method is not None
        other = next(
            u for u, c in xml_algorithms.CANONICALIZATIONS.items() if c.name != choice_c14n
        )
        method.set("Algorithm", other)
    elif mutation == "digest-method":
        method = signed_info.find(f"{DSIG}Reference/{DSIG}DigestMethod")
        assert method is not None
        swap = {xml_algorithms.SHA256: xml_algorithms.SHA384}
        method.set("Algorithm", swap.get(method.get("Algorithm", ""), xml_algorithms.SHA256))
    elif mutation in ("digest-value", "signature-value"):
        path = f"{DSIG}Reference/{DSIG}DigestValue" if mutation == "digest-value" else None
        value = signed_info.find(path) if path else signature.find(DSIG + "SignatureValue")
        assert value is not None
        raw = bytearray(base64.b64decode("".join((value.text or "").split())))
        raw[len(raw) // 2] ^= 1
        value.text = base64.b64encode(bytes(raw)).decode()
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True)


MUTATIONS = (
    "attribute",
    "text",
    "element-added",
    "element-removed",
    "canonicalization",
    "digest-method",
    "digest-value",
    "signature-value",
)


@settings(max_examples=80)
@given(case=signed_by_a_peer(), by_us=st.booleans(), mutation=st.sampled_from(MUTATIONS))
def test_a_change_to_anything_signed_is_refused_here_in_xmlsec_and_in_signxml(
    case: tuple[str, keys.KeyAlgorithm, Choice, bool, Document], by_us: bool, mutation: str
) -> None:
    signer, kind, choice, _, document = case
    if by_us and kind is not keys.KeyAlgorithm.P384:
        data, c14n = signed_xml.issue(document, key_of(kind).signing_key, INDIA), "c14n"
    else:
        data, c14n = peer_signed(signer, kind, choice, False, document), choice.c14n
    assert opened(data)[0] is None
    mutated = _mutate(data, mutation, c14n)
    assert opened(mutated)[0] is not None, mutation
    assert not xmlsec_accepts(mutated, pem(key_of(kind))), mutation
    assert not signxml_accepts(mutated, pem(key_of(kind))), mutation


# The pipeline: signxml's defaults and xmlsec's canonicalizations pass with the key registered.


def _registered(key: IssuerKey) -> TrustBook:
    book = TrustBook()
    since = NOW - timedelta(days=365)
    book.add_issuer("in.gov.wb.kmc", ISSUER, at=since)
    book.authorise("in.gov.wb.kmc", "BTHCER", valid_from=since)
    book.add_key(
        "in.gov.wb.kmc", key.private_key.public_key(), valid_from=since, valid_until=None, at=since
    )
    return book


def _pipeline(data: bytes, book: TrustBook) -> tuple[Indication, SubIndication | None]:
    report = verify(data, book.snapshot(), VerificationPolicy(at=NOW))
    return report.indication, report.sub_indication


@pytest.mark.parametrize("kind", KEY_KINDS, ids=[k.value for k in KEY_KINDS])
def test_signxml_defaults_pass_when_the_key_is_registered(kind: keys.KeyAlgorithm) -> None:
    key = key_of(kind)
    data = sign_with_signxml(canonical_unsigned(valid_birth_certificate()), key)
    assert b"xml-c14n11" in data
    assert _pipeline(data, _registered(key)) == (Indication.PASSED, None)
    stranger = make_key("someone else", kind)
    assert _pipeline(data, _registered(stranger))[0] is not Indication.PASSED


@pytest.mark.parametrize("c14n", ["c14n", "c14n11", "exc-c14n"])
@pytest.mark.parametrize("kind", KEY_KINDS, ids=[k.value for k in KEY_KINDS])
def test_xmlsec_signed_documents_pass_when_the_key_is_registered(
    kind: keys.KeyAlgorithm, c14n: str
) -> None:
    key = key_of(kind)
    choice = Choice(SCHEMES_OF_KEY[kind][-1], c14n, "sha256", c14n)
    data = sign_with_xmlsec(canonical_unsigned(valid_birth_certificate()), key, choice)
    assert _pipeline(data, _registered(key)) == (Indication.PASSED, None)


# What the policy may narrow, and what no policy widens.


def test_a_policy_narrows_the_accepted_algorithms() -> None:
    key = key_of(keys.KeyAlgorithm.RSA2048)
    data = sign_with_signxml(canonical_unsigned(birth_certificate()), key)
    narrow = Algorithms(canonicalizations=frozenset({"c14n", "exc-c14n"}))
    outcome = open_signed(data, VerificationPolicy(at=NOW, algorithms=narrow), lambda _: None)
    failed = [c for c in outcome.checks if c.status is not CheckStatus.PASSED]
    assert failed and failed[0].code is SubIndication.CRYPTO_CONSTRAINTS_FAILURE
    assert "c14n11" in failed[0].message


def test_ecdsa_sha256_on_a_p384_key_is_refused() -> None:
    key = key_of(keys.KeyAlgorithm.P384)
    data = sign_with_xmlsec(
        canonical_unsigned(birth_certificate()), key, Choice("ES256", "c14n", "sha256", None)
    )
    failure, _ = opened(data)
    assert failure is SubIndication.CRYPTO_CONSTRAINTS_FAILURE
