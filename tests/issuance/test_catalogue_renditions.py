"""Every document type of the catalogue, shipped as a definition file, issues from its fixture
records and verifies in every rendition (signed XML, Data Integrity, vc+jwt, the signed PDF and
the QR code), each rendition reading back to the same document and claims digest (the QR code's
being the digest of the printable claims)."""

from __future__ import annotations

import json
from datetime import timedelta
from itertools import islice
from pathlib import Path

import pytest

from vc_engine import doctypes, keys
from vc_engine.inputs import records
from vc_engine.issuance.block import Plan
from vc_engine.issuance.directory import issue_records
from vc_engine.issuance.issuer import Issuer, renditions
from vc_engine.model import Document, Indication
from vc_engine.policy import INDIA, VerificationPolicy
from vc_engine.store import Registry
from vc_engine.verify import verify

from factory import NOW
from paths import FIXTURES

ISSUER = "in.gov.test.catalogue"
FORMATS = ("xml", "vc-di", "vc-jwt", "qr", "pdf")
ROWS = 4
BENGALI, DEVANAGARI = range(0x0980, 0x0A00), range(0x0900, 0x0980)


@pytest.mark.parametrize("code", sorted(doctypes.DOCTYPES))
def test_every_type_issues_and_verifies_in_every_rendition(
    code: str, registry: Registry, tmp_path: Path
) -> None:
    private_key = keys.generate_private_key(keys.KeyAlgorithm.P256)
    certificate = keys.self_signed_certificate(
        private_key, "Catalogue issuer", NOW - timedelta(days=1), NOW + timedelta(days=365)
    )
    registry.add_issuer(ISSUER, "Catalogue issuer", at=NOW - timedelta(days=1))
    registry.authorise(ISSUER, code, valid_from=NOW - timedelta(days=1), valid_until=None)
    registry.add_key(
        ISSUER, private_key.public_key(), certificate=certificate, valid_from=None,
        valid_until=None, at=NOW - timedelta(days=1),
    )  # fmt: skip
    issuer = Issuer(ISSUER, "Catalogue issuer", keys.FileSigner(private_key), certificate, INDIA)
    doctype = doctypes.get_doctype(code)
    summary = issue_records(
        islice(records.read_records(FIXTURES / f"{code}.csv"), ROWS),
        Plan(issuer, doctype, renditions(FORMATS, issuer), registry, None),
        tmp_path,
        lambda: NOW,
    )
    assert not summary.rejected and len(summary.issued) == ROWS * len(FORMATS)
    snapshot, policy = registry.snapshot(), VerificationPolicy(at=NOW + timedelta(minutes=1))
    read: dict[str, set[str]] = {}
    printed: dict[str, str] = {}
    originals: dict[str, Document] = {}
    formats: dict[str, set[str]] = {}
    for path in summary.issued:
        report = verify(path.read_bytes(), snapshot, policy)
        assert report.indication is Indication.PASSED, (path.name, report.to_json())
        assert report.document is not None and report.document.doctype == code
        local = report.document.holder["nameLocal"]
        assert all(ord(c) in BENGALI or ord(c) in DEVANAGARI for c in local if c.isalpha())
        formats.setdefault(report.document.id, set()).add(str(report.format))
        if report.format == "qr-cwt":
            printed[report.document.id] = report.document.claims_digest
            continue
        read.setdefault(report.document.id, set()).add(report.document.claims_digest)
        originals[report.document.id] = report.document
        if path.name.endswith(".vc.json"):
            contexts = json.loads(path.read_bytes())["@context"]
            own = doctypes.credential_context(doctype)
            assert contexts[2:] == ([own] if own else [])
    assert len(read) == ROWS and all(len(digests) == 1 for digests in read.values())
    assert all(len(found) == len(FORMATS) for found in formats.values()), formats
    assert printed.keys() == originals.keys()
    for document_id, original in originals.items():
        expected = doctypes.printable_document(original, doctype).claims_digest
        assert printed[document_id] == expected, document_id
