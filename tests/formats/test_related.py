"""digestMultibase for related resources (VC DM 2.0 §5.3): what we write is the multibase 'u'
(base64url, no padding) of the SHA-256 multihash; what we read also takes base58btc and the
other Data Integrity hashes; anything else is unreadable, never a silent mismatch. And a
credential of ours carries its bound PDF through issuance and back, read strictly."""

from __future__ import annotations

import base64
import hashlib

import pytest

from vc_engine.formats.related import (
    UnreadableDigest,
    check_digest,
    digest_matches,
    digest_multibase,
)
from vc_engine.formats.vc_json import MalformedCredential, from_credential, to_credential
from vc_engine.issuance.attached import bind_pdf
from vc_engine.keys import base58btc
from vc_engine.policy import INDIA

from factory import valid_birth_certificate

DATA = b"%PDF-1.7\n%%EOF\n"


def multihash(code: int, digest: bytes) -> bytes:
    return bytes([code, len(digest)]) + digest


def u(raw: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_written_as_base64url_sha256_multihash() -> None:
    assert digest_multibase(DATA) == u(multihash(0x12, hashlib.sha256(DATA).digest()))


@pytest.mark.parametrize(
    "value",
    [
        u(multihash(0x12, hashlib.sha256(DATA).digest())),
        "z" + base58btc.encode(multihash(0x12, hashlib.sha256(DATA).digest())),
        u(multihash(0x20, hashlib.sha384(DATA).digest())),
        u(multihash(0x16, hashlib.sha3_256(DATA).digest())),
        u(multihash(0x15, hashlib.sha3_384(DATA).digest())),
        u(multihash(0x13, hashlib.sha512(DATA).digest())),
        u(hashlib.sha256(DATA).digest()),  # bare, as the W3C data-model suite writes them
        u(hashlib.sha512(DATA).digest()),
    ],
    ids=[
        "sha256-base64url",
        "sha256-base58btc",
        "sha384",
        "sha3-256",
        "sha3-384",
        "sha512",
        "bare-sha256",
        "bare-sha512",
    ],
)
def test_read_in_every_form_data_integrity_names(value: str) -> None:
    assert digest_matches(value, DATA)
    assert not digest_matches(value, DATA + b" ")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "f" + hashlib.sha256(DATA).hexdigest(),  # base16: a header we do not read
        u(multihash(0x11, hashlib.sha1(DATA).digest())),  # SHA-1
        u(multihash(0x12, hashlib.sha256(DATA).digest()[:31])),  # truncated
        u(multihash(0x12, hashlib.sha256(DATA).digest())) + "A",  # trailing garbage
        u(multihash(0x12, hashlib.sha256(DATA).digest())) + "==",  # padded
        "u" + "A" * 5000,  # longer than any digest
        "z0OIl",  # not base58btc
    ],
    ids=["empty", "base16", "sha1", "truncated", "trailing", "padded", "huge", "bad-base58"],
)
def test_anything_else_is_unreadable(value: str) -> None:
    with pytest.raises(UnreadableDigest):
        check_digest(value)


def test_a_bound_pdf_survives_the_credential_and_back() -> None:
    document = bind_pdf(valid_birth_certificate(), DATA)
    credential = to_credential(document, INDIA)
    assert credential["relatedResource"] == [
        {
            "id": f"urn:elocker:{document.id}:pdf",
            "mediaType": "application/pdf",
            "digestMultibase": digest_multibase(DATA),
        }
    ]
    assert from_credential(credential).related == document.related
    assert from_credential(to_credential(valid_birth_certificate(), INDIA)).related == ()


@pytest.mark.parametrize(
    "entries",
    [
        [],
        {"id": "urn:x", "mediaType": "application/pdf", "digestMultibase": "u"},
        [{"id": "urn:x", "mediaType": "application/pdf"}],
        [{"id": "urn:x", "mediaType": "application/pdf", "digestSRI": "sha256-x", "x": 1}],
        [{"id": "urn:x", "mediaType": "application/pdf", "digestMultibase": "f00"}],
    ],
    ids=["empty", "not-a-list", "no-digest", "other-members", "unreadable-digest"],
)
def test_a_malformed_binding_is_refused(entries: object) -> None:
    credential = to_credential(valid_birth_certificate(), INDIA)
    credential["relatedResource"] = entries
    with pytest.raises(MalformedCredential):
        from_credential(credential)
