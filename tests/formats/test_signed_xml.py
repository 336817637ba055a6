"""The signed-XML format on its own: round trips, the strict profile, and every hostile input.

No registry here: these tests pin what the format stage says about signatures and structure.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import signxml
from cryptography.hazmat.primitives import hashes
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from lxml import etree

from vc_engine import keys
from vc_engine.formats import FormatOutcome
from vc_engine.formats import xml as signed_xml
from vc_engine.formats.xml import dsig as xmldsig
from vc_engine.formats.xml import open_signed
from vc_engine.model import CheckStatus, SubIndication
from vc_engine.policy import INDIA, Algorithms, VerificationPolicy

from factory import (
    NOW,
    birth_certificate,
    canonical_unsigned,
    forge,
    make_key,
    rsa_signing,
)


def opened(data: bytes, *, allow_legacy: bool = True) -> FormatOutcome:
    """The format stage alone: parse, the signature, the signed content (no registry)."""
    policy = VerificationPolicy(at=NOW, algorithms=Algorithms(legacy_elocker_rsa_sha1=allow_legacy))
    return open_signed(data, policy, lambda _: None)


RSA = make_key("Kolkata Municipal Corporation")
P256 = make_key("Kolkata Municipal Corporation", keys.KeyAlgorithm.P256)
ATTACKER = make_key("Kolkata Municipal Corporation (forged)")


def issued(key=RSA, **changes: object) -> bytes:
    return signed_xml.issue(birth_certificate(**changes), key.signing_key, INDIA)


def failure(data: bytes, *, allow_legacy: bool = True) -> SubIndication | None:
    """The code of the first check that did not pass; None when the format stage passed."""
    outcome = opened(data, allow_legacy=allow_legacy)
    failed = [c for c in outcome.checks if c.status is not CheckStatus.PASSED]
    assert (outcome.document is None) == bool(failed)
    return failed[0].code if failed else None


@pytest.mark.parametrize("key", [RSA, P256], ids=["rsa-sha256", "ecdsa-p256-sha256"])
def test_issued_document_opens_to_the_same_document(key) -> None:
    document = birth_certificate()
    outcome = opened(signed_xml.issue(document, key.signing_key, INDIA), allow_legacy=False)
    assert outcome.document == document
    assert outcome.facts is not None and outcome.facts.key_id == key.key_id
    assert outcome.warnings == ()


@pytest.mark.parametrize("key", [RSA, P256], ids=["rsa-sha256", "ecdsa-p256-sha256"])
def test_signxml_verifies_what_we_sign(key) -> None:
    data = issued(key)
    result = signxml.XMLVerifier().verify(data, x509_cert=key.certificate)
    signed = etree.fromstring(result.signed_data)
    assert signed.get("number") == "in.gov.wb.kmc-BTHCER-2026000123"


def test_we_verify_what_signxml_signs() -> None:
    root = etree.fromstring(canonical_unsigned(birth_certificate()))
    signer = signxml.XMLSigner(
        method=signxml.methods.enveloped,
        signature_algorithm="rsa-sha256",
        digest_algorithm="sha256",
        c14n_algorithm=xmldsig.C14N,
    )
    from cryptography.hazmat.primitives.serialization import Encoding

    signed = signer.sign(
        root, key=RSA.private_key, cert=RSA.certificate.public_bytes(Encoding.PEM).decode()
    )
    outcome = opened(etree.tostring(signed), allow_legacy=False)
    assert outcome.document == birth_certificate()


def test_default_namespace_signature_as_the_e_locker_writes_it() -> None:
    data = forge(
        canonical_unsigned(birth_certificate()),
        method=xmldsig.RSA_SHA256,
        digest=xmldsig.SHA256,
        sign=rsa_signing(RSA, hashes.SHA256()),
        certificate_der=RSA.certificate_der,
        prefix="",
    )
    assert failure(data) is None


claim_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40
).filter(lambda s: s == s.strip() and "\r" not in s)


@settings(max_examples=40, deadline=None)
@given(place=claim_text, name=claim_text)
def test_any_text_round_trips_and_signxml_agrees(place: str, name: str) -> None:
    document = birth_certificate(
        holder={"name": name, "gender": "F"}, claims={"placeOfBirth": place}
    )
    data = signed_xml.issue(document, RSA.signing_key, INDIA)
    assert opened(data, allow_legacy=False).document == document
    signxml.XMLVerifier().verify(data, x509_cert=RSA.certificate)


@settings(max_examples=60, deadline=None)
@given(position=st.integers(min_value=0), replacement=st.sampled_from(b"AZaz09"))
def test_any_changed_byte_in_signed_content_fails_here_and_in_signxml(
    position: int, replacement: int
) -> None:
    data = issued()
    content_end = data.index(b"<ds:Signature")
    content_start = data.index(b"<Certificate")
    index = content_start + position % (content_end - content_start)
    # Not a change, or one that breaks well-formedness (tested elsewhere).
    assume(data[index] != replacement and data[index] not in b'<>/="\n ')
    mutated = data[:index] + bytes([replacement]) + data[index + 1 :]
    ours = failure(mutated)
    try:
        signxml.XMLVerifier().verify(mutated, x509_cert=RSA.certificate)
        theirs_accept = True
    except (
        signxml.exceptions.InvalidSignature,
        signxml.exceptions.InvalidInput,
        etree.XMLSyntaxError,
    ):
        theirs_accept = False
    assert ours is not None
    assert not theirs_accept


# Hostile and broken inputs: the attack documents and their outcomes are data
# (tests/vectors/xmldsig/, test_xmldsig_vectors.py); here, what a table cannot say.


def test_external_entity_is_refused_and_the_file_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE Certificate [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<Certificate>&x;</Certificate>"
    ).encode()
    outcome = opened(data, allow_legacy=True)
    assert outcome.checks[0].code is SubIndication.FORMAT_FAILURE
    assert "TOP-SECRET" not in repr(outcome)


def test_entity_expansion_bomb_is_refused_without_expanding() -> None:
    entities = "".join(f'<!ENTITY e{i} "{("&e" + str(i - 1) + ";") * 10}">' for i in range(1, 12))
    data = f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e0 "lol">{entities}]><d>&e11;</d>'.encode()
    result: list[SubIndication | None] = []
    worker = threading.Thread(target=lambda: result.append(failure(data)), daemon=True)
    worker.start()
    worker.join(timeout=30)  # a hang detector, not a speed test
    assert result == [SubIndication.FORMAT_FAILURE]


def test_comment_inside_signed_text_shows_the_whole_text() -> None:
    """Comments are outside the signed content; a reader of the original tree would see only
    'Kol'. Claims come from the signed content, so they read 'Kolkata'."""
    data = issued().replace(b">Kolkata<", b">Kol<!-- injected -->kata<")
    outcome = opened(data, allow_legacy=False)
    assert outcome.document is not None
    assert outcome.document.claims["placeOfBirth"] == "Kolkata"


def legacy_document() -> bytes:
    return forge(
        canonical_unsigned(birth_certificate()),
        method=xmldsig.RSA_SHA1,
        digest=xmldsig.SHA256,
        sign=rsa_signing(RSA, hashes.SHA1()),
        certificate_der=RSA.certificate_der,
        prefix="",
    )


def test_legacy_profile_passes_with_a_warning() -> None:
    outcome = opened(legacy_document(), allow_legacy=True)
    assert outcome.document == birth_certificate()
    assert outcome.facts is not None and outcome.facts.legacy_profile == xmldsig.LEGACY_PROFILE
    assert any("legacy" in w for w in outcome.warnings)


def test_fifty_megabytes_is_refused_before_parsing() -> None:
    data = b"<Certificate>" + b" " * (50 * 1024 * 1024) + b"</Certificate>"
    outcome = opened(data, allow_legacy=True)
    assert outcome.checks[0].code is SubIndication.FORMAT_FAILURE
    assert "limit" in outcome.checks[0].message


def test_issued_at_survives_as_an_aware_utc_instant() -> None:
    outcome = opened(issued(), allow_legacy=False)
    assert outcome.document is not None
    assert outcome.document.issued_at == NOW - __import__("datetime").timedelta(days=1)
    assert outcome.document.issued_at.utcoffset() is not None
