"""The pipeline's own stages, after the signature and trust: the envelope's times, the embedded
certificate's window, the document's validity window and its document type's rules."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from vc_engine import doctypes
from vc_engine.doctypes.versions import Catalogue
from vc_engine.formats import FormatOutcome
from vc_engine.keys import load_certificate
from vc_engine.model import Check, Document, SignatureFacts, SubIndication
from vc_engine.policy import Severity, VerificationPolicy


def envelope_time(opened: FormatOutcome, policy: VerificationPolicy) -> Check | None:
    """A failed check when the envelope's own times rule the document out, else None."""
    latest = policy.at + policy.clock_skew
    if opened.signed_at is not None and opened.signed_at > latest:
        return Check.failed(
            "envelope-time",
            SubIndication.NOT_YET_VALID,
            f"the signature claims to be made at {opened.signed_at.isoformat()}, in the future",
        )
    if opened.not_before is not None and opened.not_before > latest:
        return Check.failed(
            "envelope-time",
            SubIndication.NOT_YET_VALID,
            f"the envelope is not valid before {opened.not_before.isoformat()}",
        )
    if opened.expires_at is not None and opened.expires_at <= policy.at:
        return Check.failed(
            "envelope-time",
            SubIndication.EXPIRED,
            f"the envelope expired at {opened.expires_at.isoformat()}",
        )
    return None


def embedded_certificate(
    facts: SignatureFacts, document: Document, policy: VerificationPolicy, warnings: list[str]
) -> list[Check]:
    """A certificate the document carries was valid when the document claims to be signed;
    what it costs when not is the policy's `embedded_certificate_window`."""
    severity = policy.embedded_certificate_window
    if facts.certificate_der is None or severity is Severity.IGNORE:
        return []
    not_before, not_after = _certificate_window(facts.certificate_der)
    signed = document.issued_at
    name = "embedded-certificate"
    if not_before <= signed < not_after:
        return [Check.passed(name, f"the embedded certificate was valid at {signed.isoformat()}")]
    code = SubIndication.NOT_YET_VALID if signed < not_before else SubIndication.EXPIRED
    message = (
        f"the embedded certificate is valid from {not_before.isoformat()} until "
        f"{not_after.isoformat()}, not at the signing time {signed.isoformat()}"
    )
    if severity is Severity.FAIL:
        return [Check.failed(name, code, message)]
    if severity is Severity.WARN:
        warnings.append(message)
    return [Check.passed(name, message)]


@lru_cache(maxsize=1024)
def _certificate_window(der: bytes) -> tuple[datetime, datetime]:
    certificate = load_certificate(der)
    return certificate.not_valid_before_utc, certificate.not_valid_after_utc


def validity(document: Document, policy: VerificationPolicy) -> Check:
    """The document's validity window, read in the issuer's calendar."""
    today = policy.civil_date
    if today < document.valid_from:
        return Check.failed(
            "validity",
            SubIndication.NOT_YET_VALID,
            f"valid only from {document.valid_from.isoformat()}; today is {today.isoformat()}",
        )
    if document.valid_until is not None and today > document.valid_until:
        return Check.failed(
            "validity",
            SubIndication.EXPIRED,
            f"expired on {document.valid_until.isoformat()}; today is {today.isoformat()}",
        )
    until = "no expiry" if document.valid_until is None else document.valid_until.isoformat()
    return Check.passed("validity", f"valid today ({today.isoformat()}; {until})")


def doctype_rules(
    document: Document, catalogue: Catalogue | None = None, *, printed: bool = False
) -> Check:
    problems = doctypes.check_document(document, catalogue, printed=printed)
    if problems:
        return Check.failed("document-type", SubIndication.FORMAT_FAILURE, "; ".join(problems))
    return Check.passed("document-type", f"a well-formed {document.doctype} document")
