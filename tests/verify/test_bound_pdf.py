"""`check_bound_pdf` on another issuer's W3C credential (not one of our documents): the PDF it
binds is read from what its proof covered, and compared like ours (our own credentials are
tested end to end in tests/cli/test_cli_paper.py and tests/api_service)."""

from __future__ import annotations

import json
from typing import Any

from vc_engine import keys
from vc_engine.formats.related import digest_multibase
from vc_engine.formats.vc_di.proofs import add_proof
from vc_engine.formats.w3c import policy_loader
from vc_engine.model import CheckStatus, Indication, SubIndication
from vc_engine.policy_files import load_policy
from vc_engine.trust.source import TrustSnapshot
from vc_engine.verify import verify
from vc_engine.verify.related import check_bound_pdf

from factory import NOW

CONFORMANCE = load_policy("conformance").at(NOW)
EMPTY = TrustSnapshot(issuers=(), keys=(), authorisations=(), issuance=lambda _: None)
SIGNER = keys.FileSigner(keys.generate_private_key(keys.KeyAlgorithm.ED25519))
DIPLOMA = b"%PDF-1.7\n% a diploma\n%%EOF\n"


def signed(related: list[dict[str, str]]) -> bytes:
    multikey = keys.multikey_encode(SIGNER.public_key)
    credential: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "type": ["VerifiableCredential"],
        "issuer": "https://university.example/issuers/565049",
        "validFrom": "2010-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:ebfeb1f712ebc6f1c276e12ec21"},
        "relatedResource": related,
    }
    secured = add_proof(
        credential,
        cryptosuite="eddsa-rdfc-2022",
        signer=SIGNER,
        verification_method=f"did:key:{multikey}#{multikey}",
        created=NOW,
        contexts=policy_loader(CONFORMANCE),
    )
    return json.dumps(secured).encode()


def bound(pdf: bytes, related: list[dict[str, str]]) -> tuple[Indication, CheckStatus]:
    report = verify(signed(related), EMPTY, CONFORMANCE)
    assert report.verified and report.document is None, report.checks
    checked = check_bound_pdf(report, pdf)
    assert checked.policy == report.policy
    return checked.indication, next(c for c in checked.checks if c.name == "bound-pdf").status


PDF_ENTRY = {
    "id": "https://university.example/diploma.pdf",
    "mediaType": "application/pdf",
    "digestMultibase": digest_multibase(DIPLOMA),
}


def test_another_issuers_bound_pdf_is_recognised() -> None:
    assert bound(DIPLOMA, [PDF_ENTRY]) == (Indication.PASSED, CheckStatus.PASSED)
    assert bound(DIPLOMA + b"x", [PDF_ENTRY]) == (Indication.FAILED, CheckStatus.FAILED)


def test_a_resource_of_another_media_type_binds_no_pdf() -> None:
    image = {**PDF_ENTRY, "mediaType": "image/png"}
    report = check_bound_pdf(verify(signed([image]), EMPTY, CONFORMANCE), DIPLOMA)
    assert (report.indication, report.sub_indication) == (
        Indication.FAILED,
        SubIndication.NOT_TRUSTED,
    )
