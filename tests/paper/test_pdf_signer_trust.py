"""Who signed the PDF is judged like any rendition's signer: a key registered to the issuer, or
a certificate that chains to a registered anchor for an issuer trusted by its certificates'
subject (tests/pki.py: a PDF signed with a licensed CA's signing certificate, as departments
sign PDFs with a DSC, beside the originals signed with the issuer's registered key); a signer
trusted neither way fails on the PDF's own trust checks (`pdf-...`), with its sub-indication."""

from __future__ import annotations

from datetime import timedelta

import pytest
from paper_support import ISSUER_ID, ISSUER_NAME, KEY, POLICY, document, issuer, trust

from vc_engine import keys
from vc_engine.formats import QR_CWT, VC_DATA_INTEGRITY, pdf
from vc_engine.issuance.block import sign
from vc_engine.issuance.issuer import renditions
from vc_engine.issuance.paper import printed_page
from vc_engine.model import CheckStatus, Indication, SubIndication, VerificationReport
from vc_engine.policy import INDIA
from vc_engine.trust.anchors import CertificateSubject
from vc_engine.trust.source import TrustSnapshot
from vc_engine.verify import verify

from factory import NOW
from pki import Party, anchor_set, pki

EPOCH = NOW - timedelta(days=365)


def signed_pdf(signer: keys.Signer, certificate: object) -> bytes:
    """The PDF of the paper test document: its credential and QR code signed with the issuer's
    registered key, the PDF itself by `signer` with `certificate`."""
    registered = issuer()
    chosen = renditions(("vc-di", "qr"), registered)
    (item,) = sign([(0, document())], registered, chosen, None)
    outputs = {r.format: o for r, o in zip(chosen, item.outputs, strict=True)}
    credential = pdf.Attachment(
        f"{item.document.id}.vc.json", "application/vc+ld+json", outputs[VC_DATA_INTEGRITY], "VC"
    )
    return pdf.issue(
        printed_page(item.document, outputs[QR_CWT].decode("ascii"), INDIA),
        (credential,),
        signer,
        certificate,  # type: ignore[arg-type]
        signer_name=ISSUER_NAME,
        created=item.document.issued_at,
    )


def by_party(party: Party) -> bytes:
    return signed_pdf(keys.FileSigner(party.key), party.certificate)


def chain_trusted() -> TrustSnapshot:
    """The paper issuer's registered key, and the issuer also trusted by its certificates'
    subject (the organisation in tests/pki.py's signing certificates) under the test PKI."""
    book = trust().snapshot()
    return TrustSnapshot(
        issuers=[book.issuer(ISSUER_ID)],  # type: ignore[list-item]
        keys=[book.key(keys.key_id(KEY.public_key()))],  # type: ignore[list-item]
        authorisations=book.authorisations(ISSUER_ID),
        issuance=lambda document_id: None,
        subjects=[
            CertificateSubject(ISSUER_ID, "Kolkata Municipal Corporation", None, None, EPOCH)
        ],
        anchors=anchor_set(),
    )


def pdf_checks(report: VerificationReport) -> dict[str, CheckStatus]:
    return {c.name: c.status for c in report.checks if c.name.startswith("pdf-")}


def deciding(report: VerificationReport) -> tuple[str, SubIndication | None]:
    check = next(c for c in report.checks if c.status is not CheckStatus.PASSED)
    return check.name, check.code


def test_a_pdf_signed_by_a_key_registered_to_the_issuer_passes() -> None:
    report = verify(signed_pdf(issuer().signer, issuer().certificate), trust().snapshot(), POLICY)
    assert report.indication is Indication.PASSED, report.checks
    assert pdf_checks(report)["pdf-signing-key"] is CheckStatus.PASSED


def test_a_pdf_signed_with_a_chain_trusted_certificate_passes() -> None:
    report = verify(by_party(pki().good), chain_trusted(), POLICY)
    assert report.indication is Indication.PASSED, report.checks
    checks = pdf_checks(report)
    assert "pdf-signing-key" not in checks  # no key of it is registered: the chain decided
    assert checks["pdf-certificate-path"] is CheckStatus.PASSED
    assert checks["pdf-certificate-subject"] is CheckStatus.PASSED


@pytest.mark.parametrize(
    ("signer", "expected"),
    [
        ("stranger", ("pdf-certificate-path", SubIndication.NO_CERTIFICATE_CHAIN_FOUND)),
        ("revoked", ("pdf-certificate-revocation", SubIndication.REVOKED)),
    ],
)
def test_a_pdf_signed_with_a_certificate_the_anchors_do_not_vouch_for_fails(
    signer: str, expected: tuple[str, SubIndication]
) -> None:
    report = verify(by_party(getattr(pki(), signer)), chain_trusted(), POLICY)
    assert report.indication is Indication.FAILED
    assert deciding(report) == expected


def test_a_pdf_signed_by_an_unregistered_key_fails() -> None:
    stranger = keys.generate_private_key(keys.KeyAlgorithm.P256)
    certificate = keys.self_signed_certificate(
        stranger, ISSUER_NAME, NOW - timedelta(days=30), NOW + timedelta(days=30)
    )
    report = verify(signed_pdf(keys.FileSigner(stranger), certificate), trust().snapshot(), POLICY)
    assert report.indication is Indication.FAILED
    # As for signed XML with a forged key: the registry knows no key for the certificate.
    assert deciding(report) == ("pdf-signing-key", SubIndication.NO_CERTIFICATE_CHAIN_FOUND)
