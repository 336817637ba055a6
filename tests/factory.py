"""Declared test material: keys, certificates and documents at fixed dates, and a forger that
writes XML signatures with any algorithm (what an attacker or an old issuer would send)."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from vc_engine import doctypes, keys
from vc_engine.formats.xml import dsig as xmldsig
from vc_engine.formats.xml.document import to_element
from vc_engine.inputs import records
from vc_engine.model import Document

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
DSIG = xmldsig.DSIG


@dataclass(frozen=True)
class IssuerKey:
    private_key: keys.PrivateKey
    certificate: x509.Certificate

    @property
    def signing_key(self) -> xmldsig.XmlSigningKey:
        return xmldsig.XmlSigningKey(keys.FileSigner(self.private_key), self.certificate)

    @property
    def key_id(self) -> str:
        return keys.key_id(self.private_key.public_key())

    @property
    def certificate_der(self) -> bytes:
        return self.certificate.public_bytes(Encoding.DER)


@cache
def make_key(name: str, algorithm: keys.KeyAlgorithm = keys.KeyAlgorithm.RSA2048) -> IssuerKey:
    """One key per (name, algorithm) per test session: RSA generation is slow."""
    private_key = keys.generate_private_key(algorithm)
    certificate = keys.self_signed_certificate(
        private_key, name, NOW - timedelta(days=365), NOW + timedelta(days=365)
    )
    return IssuerKey(private_key, certificate)


def birth_certificate(**changes: object) -> Document:
    values: dict[str, object] = {
        "id": "in.gov.wb.kmc-BTHCER-2026000123",
        "doctype": "BTHCER",
        "issuer_id": "in.gov.wb.kmc",
        "issuer_name": "Kolkata Municipal Corporation",
        "issued_at": NOW - timedelta(days=1),
        "valid_from": date(2026, 11, 22),
        "valid_until": None,
        "holder": {"name": "Ananya Das", "nameLocal": "অনন্যা দাস", "gender": "F"},
        "claims": {
            "placeOfBirth": "Kolkata",
            "dateOfBirth": "2026-11-01",
            "subjects": ({"code": "BEN", "marks": "88"},),
        },
    }
    values.update(changes)
    return Document(**values)  # type: ignore[arg-type]


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "records"


@cache
def fixture_document(doctype: str, issuer_id: str, issuer_name: str) -> Document:
    """The first fixture record of a document type, as its issuer would issue it a day ago."""
    _, record = next(records.read_records(FIXTURES / f"{doctype}.csv"))
    assert isinstance(record, dict)
    return doctypes.record_to_document(
        record,
        doctypes.get_doctype(doctype),
        issuer_id=issuer_id,
        issuer_name=issuer_name,
        issued_at=NOW - timedelta(days=1),
    )


def valid_birth_certificate(**changes: object) -> Document:
    """A birth certificate that also satisfies the BTHCER document-type rules."""
    document = fixture_document("BTHCER", "in.gov.wb.kmc", "Kolkata Municipal Corporation")
    return dataclasses.replace(document, **changes)  # type: ignore[arg-type]


def canonical_unsigned(document: Document) -> bytes:
    return etree.tostring(
        to_element(document, document.issued_at.date()), method="c14n", with_comments=False
    )


Signing = Callable[[bytes], bytes]


def forge(
    document_c14n: bytes,
    *,
    method: str,
    digest: str,
    sign: Signing,
    certificate_der: bytes | None,
    prefix: str = "ds:",
) -> bytes:
    """An enveloped signature with any algorithms, in default-namespace or prefixed form."""
    digest_function = hashlib.sha1 if digest == xmldsig.SHA1 else hashlib.sha256
    digest_value = base64.b64encode(digest_function(document_c14n).digest()).decode()
    p = prefix
    body = (
        f'<{p}CanonicalizationMethod Algorithm="{xmldsig.C14N}"></{p}CanonicalizationMethod>'
        f'<{p}SignatureMethod Algorithm="{method}"></{p}SignatureMethod>'
        f'<{p}Reference URI=""><{p}Transforms><{p}Transform Algorithm="{xmldsig.ENVELOPED}">'
        f"</{p}Transform></{p}Transforms>"
        f'<{p}DigestMethod Algorithm="{digest}"></{p}DigestMethod>'
        f"<{p}DigestValue>{digest_value}</{p}DigestValue></{p}Reference>"
    )
    declaration = f'xmlns:ds="{DSIG}"' if prefix == "ds:" else f'xmlns="{DSIG}"'
    signed_info = f"<{p}SignedInfo {declaration}>{body}</{p}SignedInfo>"
    value = base64.b64encode(sign(signed_info.encode())).decode()
    key_info = (
        ""
        if certificate_der is None
        else f"<{p}KeyInfo><{p}X509Data><{p}X509Certificate>"
        f"{base64.b64encode(certificate_der).decode()}</{p}X509Certificate></{p}X509Data>"
        f"</{p}KeyInfo>"
    )
    signature = (
        f"<{p}Signature {declaration}><{p}SignedInfo>{body}</{p}SignedInfo>"
        f"<{p}SignatureValue>{value}</{p}SignatureValue>{key_info}</{p}Signature>"
    )
    end = document_c14n.rindex(b"</")
    return document_c14n[:end] + signature.encode() + document_c14n[end:]


def rsa_signing(key: IssuerKey, hash_algorithm: hashes.HashAlgorithm) -> Signing:
    private_key = key.private_key
    assert isinstance(private_key, rsa.RSAPrivateKey)
    return lambda data: private_key.sign(data, padding.PKCS1v15(), hash_algorithm)


def hmac_signing(secret: bytes) -> Signing:
    return lambda data: hmac.new(secret, data, hashlib.sha256).digest()
