"""Issued paper for the PDF, QR and image tests: a P-256 issuer with a certificate, its
documents in every rendition (signed once per test session: a PDF costs a fraction of a
second), and the in-memory trust registry that vouches for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from vc_engine import doctypes, keys
from vc_engine.issuance.block import sign
from vc_engine.issuance.issuer import Issuer, renditions
from vc_engine.model import Document
from vc_engine.policy import INDIA, VerificationPolicy

from factory import NOW, fixture_document
from trust_book import TrustBook

ISSUER_ID = "in.gov.wb.kmc"
ISSUER_NAME = "Kolkata Municipal Corporation"
POLICY = VerificationPolicy(at=NOW)
KEY = keys.generate_private_key(keys.KeyAlgorithm.P256)
CERTIFICATE = keys.self_signed_certificate(
    KEY, ISSUER_NAME, NOW - timedelta(days=365), NOW + timedelta(days=365)
)
FORMATS = ("xml", "vc-di", "qr", "pdf")


def issuer(**changes: object) -> Issuer:
    values: dict[str, object] = {
        "id": ISSUER_ID,
        "name": ISSUER_NAME,
        "signer": keys.FileSigner(KEY),
        "certificate": CERTIFICATE,
        "civil_timezone": INDIA,
    }
    values.update(changes)
    return Issuer(**values)  # type: ignore[arg-type]


def trust() -> TrustBook:
    book = TrustBook()
    since = NOW - timedelta(days=30)
    book.add_issuer(ISSUER_ID, ISSUER_NAME, at=since)
    for doctype in doctypes.DOCTYPES:
        book.authorise(ISSUER_ID, doctype, valid_from=since)
    book.add_key(ISSUER_ID, KEY.public_key(), valid_from=since, valid_until=None, at=since)
    return book


def document(doctype: str = "BTHCER") -> Document:
    return fixture_document(doctype, ISSUER_ID, ISSUER_NAME)


@dataclass(frozen=True)
class Paper:
    document: Document
    outputs: dict[str, bytes]
    """By format name: xml-dsig, vc-di, qr-cwt, pdf-pades."""


@cache
def issued(doctype: str = "BTHCER") -> Paper:
    signer = issuer()
    chosen = renditions(FORMATS, signer)
    (item,) = sign([(0, document(doctype))], signer, chosen, None)
    return Paper(item.document, {r.format: o for r, o in zip(chosen, item.outputs, strict=True)})
