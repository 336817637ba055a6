"""The QR rendition: Base45 against RFC 9285, the COSE_Sign1/CWT payload through the whole
pipeline (same id and claims digest as the original's printable claims), its size limit, and
hostile QR texts, which are reports, never exceptions."""

from __future__ import annotations

import json
import zlib
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import cbor2
import pytest
import segno
from hypothesis import given, settings
from hypothesis import strategies as st

from vc_engine import doctypes, keys
from vc_engine.formats import QR_CWT, detect_format, qr
from vc_engine.formats.qr import base45
from vc_engine.formats.qr.cwt import CLAIM, PREFIX
from vc_engine.model import Indication, StatusReference, SubIndication
from vc_engine.policy import VerificationPolicy
from vc_engine.verify import verify

from factory import NOW, fixture_document
from trust_book import TrustBook

VECTORS = json.loads((Path(__file__).parent.parent / "vectors/base45/rfc9285.json").read_text())
ISSUER = "in.gov.wb.kmc"
P256 = keys.generate_private_key(keys.KeyAlgorithm.P256)
ED25519 = keys.generate_private_key(keys.KeyAlgorithm.ED25519)
POLICY = VerificationPolicy(at=NOW)


def trust(*private_keys: keys.PrivateKey) -> TrustBook:
    book = TrustBook()
    since = NOW - timedelta(days=30)
    book.add_issuer(ISSUER, "Kolkata Municipal Corporation", at=since)
    for doctype in doctypes.DOCTYPES:
        book.authorise(ISSUER, doctype, valid_from=since)
    for key in private_keys:
        book.add_key(ISSUER, key.public_key(), valid_from=since, valid_until=None, at=since)
    return book


def document(doctype: str = "BTHCER"):  # type: ignore[no-untyped-def]
    return fixture_document(doctype, ISSUER, "Kolkata Municipal Corporation")


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=lambda v: v["base45"])
def test_base45_matches_rfc_9285(vector: dict[str, str]) -> None:
    assert base45.encode(vector["bytes"].encode()) == vector["base45"]
    assert base45.decode(vector["base45"]) == vector["bytes"].encode()


@pytest.mark.parametrize("text", VECTORS["invalid"])
def test_base45_refuses_what_is_not_base45(text: str) -> None:
    with pytest.raises(base45.Base45Error):
        base45.decode(text)


@given(st.binary(max_size=300))
def test_base45_round_trips(data: bytes) -> None:
    assert base45.decode(base45.encode(data)) == data


@pytest.mark.parametrize("key", [P256, ED25519], ids=["ES256", "EdDSA"])
@pytest.mark.parametrize("doctype", sorted(doctypes.DOCTYPES))
def test_a_qr_code_verifies_to_the_printable_claims_of_its_original(
    key: keys.PrivateKey, doctype: str
) -> None:
    original = document(doctype)
    text = qr.issue(doctypes.printable_document(original), keys.FileSigner(key))
    assert text.startswith(PREFIX.encode()) and detect_format(text) == QR_CWT
    report = verify(text, trust(key).snapshot(), POLICY)
    assert report.indication is Indication.PASSED, report.checks
    assert report.format == QR_CWT
    assert report.document is not None
    assert report.document.id == original.id
    printable = doctypes.printable_document(original)
    assert report.document.claims_digest == printable.claims_digest
    carried = next(c for c in report.checks if c.name == "qr-claims")
    assert "name" in carried.message


@pytest.mark.parametrize("doctype", sorted(doctypes.DOCTYPES))
def test_the_qr_code_fits_version_25_at_level_q(doctype: str) -> None:
    lists = "https://status.kmc.wb.gov.in/v1/status-lists/in.gov.wb.kmc"
    entries = tuple(
        StatusReference(purpose, f"{lists}-{purpose}-12", 131_071)
        for purpose in ("revocation", "suspension")
    )
    original = replace(document(doctype), status=entries)
    text = qr.issue(doctypes.printable_document(original), keys.FileSigner(P256))
    symbol = segno.make_qr(text.decode("ascii"), error="q", boost_error=False)
    assert symbol.error == "Q"
    assert symbol.version <= 25, (doctype, symbol.version, len(text))


def test_non_printable_fields_stay_off_the_qr_code(monkeypatch: pytest.MonkeyPatch) -> None:
    doctype = doctypes.get_doctype("BTHCER")
    hidden = tuple(
        replace(f, printable=False) if f.name == "motherName" else f for f in doctype.holder_fields
    )
    changed = replace(doctype, holder_fields=hidden)
    monkeypatch.setattr(doctypes.printing, "get_doctype", lambda code: changed)
    printable = doctypes.printable_document(document())
    assert "motherName" not in printable.holder and "name" in printable.holder


def test_a_changed_byte_fails_the_signature() -> None:
    text = qr.issue(doctypes.printable_document(document()), keys.FileSigner(P256))
    message = cbor2.loads(zlib.decompress(base45.decode(text.decode()[len(PREFIX) :])))
    protected, unprotected, payload, signature = message.value
    claims = cbor2.loads(payload)
    claims[CLAIM]["h"]["name"] = "Someone Else"
    forged = cbor2.dumps(
        cbor2.CBORTag(18, [protected, unprotected, cbor2.dumps(claims), signature])
    )
    report = verify(
        (PREFIX + base45.encode(zlib.compress(forged))).encode(), trust(P256).snapshot(), POLICY
    )
    assert report.indication is Indication.FAILED
    assert report.sub_indication is SubIndication.SIG_CRYPTO_FAILURE


def test_an_unregistered_key_is_not_trusted() -> None:
    text = qr.issue(doctypes.printable_document(document()), keys.FileSigner(ED25519))
    report = verify(text, trust(P256).snapshot(), POLICY)
    assert report.indication is Indication.FAILED
    assert report.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND


def test_an_expired_licence_fails_its_validity() -> None:
    licence = replace(document("DRVLC"), valid_until=NOW.date() - timedelta(days=1))
    text = qr.issue(doctypes.printable_document(licence), keys.FileSigner(P256))
    report = verify(text, trust(P256).snapshot(), POLICY)
    assert report.sub_indication is SubIndication.EXPIRED


def _wrapped(message: object) -> bytes:
    return (PREFIX + base45.encode(zlib.compress(cbor2.dumps(message)))).encode()


@pytest.mark.parametrize(
    "text",
    [
        b"VC1:",
        b"VC1:!!!",
        b"VC1:" + base45.encode(b"not zlib").encode(),
        b"VC1:" + base45.encode(zlib.compress(b"\x00" * 200_000)).encode(),
        _wrapped([1, 2, 3]),
        _wrapped(cbor2.CBORTag(18, [b"", {}, b"", b""])),
        _wrapped(cbor2.CBORTag(18, [cbor2.dumps({1: -7, 4: b"x" * 32}), {}, b"\xa0", b""])),
        _wrapped(cbor2.CBORTag(18, [cbor2.dumps({1: -257}), {}, b"\xa0", b""])),
        _wrapped(cbor2.CBORTag(18, [cbor2.dumps({1: -7, 2: [99]}), {}, b"\xa0", b""])),
        b"VC1:" + b"A" * 5000,
    ],
)
def test_hostile_qr_texts_are_failed_reports(text: bytes) -> None:
    report = verify(text, trust(P256).snapshot(), POLICY)
    assert report.indication is Indication.FAILED
    assert report.sub_indication in (
        SubIndication.FORMAT_FAILURE,
        SubIndication.CRYPTO_CONSTRAINTS_FAILURE,
        SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
    )


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_any_compressed_payload_is_a_report(payload: bytes) -> None:
    text = (PREFIX + base45.encode(zlib.compress(payload))).encode()
    report = verify(text, trust(P256).snapshot(), POLICY)
    assert report.indication is Indication.FAILED
