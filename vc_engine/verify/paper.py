"""Verifying a signed PDF: its own PAdES signature, made by a key registered to the issuer of
the originals it carries; every embedded original verified fully on its own; and the QR code
on its page verified and matched to them (same document id, same claims digest over the
printable claims).

A PDF is a container, so its verdict is composed from the verdicts of what it contains: the
first failure anywhere decides, as in every report. `verify_one` is the pipeline's own entry
point for a single document, passed in so that this module and the pipeline stay acyclic.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from vc_engine import doctypes
from vc_engine.doctypes.versions import SHIPPED_CATALOGUE, Catalogue
from vc_engine.formats import PDF_PADES, QR_CWT, Rejected, detect_format, pdf
from vc_engine.i18n import report as said
from vc_engine.model import Check, CheckStatus, Document, SubIndication, VerificationReport
from vc_engine.policy import VerificationPolicy
from vc_engine.trust.evaluate import evaluate_trust
from vc_engine.trust.source import TrustSource

VerifyOne = Callable[[bytes], VerificationReport]
"""The pipeline for one embedded document, with the caller's trust, status and policy."""

_ORIGINAL_FORMATS = frozenset({"xml-dsig", "vc-di", "vc-jwt"})


def verify_pdf(
    data: bytes,
    trust: TrustSource,
    policy: VerificationPolicy,
    verify_one: VerifyOne,
    catalogue: Catalogue | None = None,
) -> VerificationReport:
    """The PDF's verdict; `catalogue` holds the type versions whose printable fields the QR
    code carries (default: the shipped definitions)."""
    try:
        opened = pdf.open_pdf(data)
    except Rejected as rejected:
        return _report([rejected.check], None)
    checks = list(opened.checks)
    originals = _originals(opened.attachments, verify_one, checks)
    if not originals:
        checks.append(
            Check.failed(
                "pdf-originals",
                SubIndication.FORMAT_FAILURE,
                said.PDF_NO_ORIGINALS(),
            )
        )
        return _report(checks, None)
    # The originals are one document; a credential's reading of it may also carry the files
    # its issuer bound (relatedResource), which signed XML has no place for: report that one.
    document = max(originals, key=lambda original: len(original.related))
    if _failed(checks):
        return _report(checks, document)
    for check in evaluate_trust(
        trust, document, opened.facts, hashlib.sha256(data).hexdigest(), policy
    ):
        checks.append(_renamed(check, "pdf-"))
    if not _failed(checks):
        checks.append(_qr(opened.qr_text, document, verify_one, catalogue or SHIPPED_CATALOGUE))
    return _report(checks, document)


def _originals(
    attachments: tuple[tuple[str, bytes], ...], verify_one: VerifyOne, checks: list[Check]
) -> list[Document]:
    """Each embedded original verified by the whole pipeline; they must be one document."""
    documents: list[Document] = []
    for name, content in attachments:
        if detect_format(content) not in _ORIGINAL_FORMATS:
            checks.append(
                Check.failed(
                    f"original {name}",
                    SubIndication.FORMAT_FAILURE,
                    said.PDF_NOT_AN_ORIGINAL(),
                )
            )
            continue
        report = verify_one(content)
        checks.append(_summary(f"original {name}", report))
        if report.document is None:
            continue
        if documents and not _same(documents[0], report.document, printable=None):
            checks.append(
                Check.failed(
                    f"original {name}",
                    SubIndication.FORMAT_FAILURE,
                    said.PDF_ORIGINALS_DIFFER(document=report.document.id, other=documents[0].id),
                )
            )
        documents.append(report.document)
    return documents


def _qr(
    text: bytes | None, document: Document, verify_one: VerifyOne, catalogue: Catalogue
) -> Check:
    if text is None:
        return Check.failed("qr-match", SubIndication.FORMAT_FAILURE, said.QR_NONE_ON_PAGE())
    report = verify_one(text)
    if not report.verified or report.format != QR_CWT or report.document is None:
        summary = _summary("qr-match", report)
        return Check.failed(
            "qr-match",
            report.sub_indication or SubIndication.FORMAT_FAILURE,
            said.QR_PAGE_DOES_NOT_VERIFY(detail=summary.message),
        )
    if not _same(document, report.document, printable=catalogue):
        return Check.failed(
            "qr-match",
            SubIndication.FORMAT_FAILURE,
            said.QR_PAGE_DIFFERS(document=report.document.id),
        )
    carried = ", ".join([*report.document.holder, *report.document.claims])
    return Check.passed("qr-match", said.QR_PAGE_MATCHES(claims=carried))


def _same(original: Document, other: Document, *, printable: Catalogue | None) -> bool:
    """Same id and claims; with a catalogue, `other` holds the printable claims of `original`
    under the type version it was issued under."""
    if printable is not None:
        try:
            doctype = printable.in_force(original.doctype, original.issued_at)
        except doctypes.UnknownDocTypeError:
            return False
        expected = doctypes.printable_document(original, doctype).claims_digest
    else:
        expected = original.claims_digest
    return other.id == original.id and other.claims_digest == expected


def _summary(name: str, report: VerificationReport) -> Check:
    """One check standing for a whole embedded report: its verdict and first reason."""
    if report.verified:
        return Check.passed(
            name, said.PDF_ORIGINAL_VERIFIES(format=report.format, count=len(report.checks))
        )
    reason = next((c for c in report.checks if c.status is not CheckStatus.PASSED), None)
    message = (
        said.PDF_REFUSED(detail="")
        if reason is None
        else said.PDF_ORIGINAL_FAILS(check=reason.name, detail=reason.message)
    )
    code = report.sub_indication or SubIndication.FORMAT_FAILURE
    if report.indication.value == "INDETERMINATE":
        return Check.indeterminate(name, code, message)
    return Check.failed(name, code, message)


def _renamed(check: Check, prefix: str) -> Check:
    return Check(prefix + check.name, check.status, check.code, check.said)


def _failed(checks: list[Check]) -> bool:
    return any(c.status is CheckStatus.FAILED for c in checks)


def _report(checks: list[Check], document: Document | None) -> VerificationReport:
    return VerificationReport.from_checks(checks, format=PDF_PADES, document=document)
