"""The pipeline's own stages, after the signature and trust: the envelope's times, the embedded
certificate's window, the document's validity window and its document type's rules."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from vc_engine import doctypes
from vc_engine.doctypes.versions import Catalogue
from vc_engine.formats import FormatOutcome
from vc_engine.i18n import report as said
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
            said.ENVELOPE_SIGNED_IN_FUTURE(at=opened.signed_at.isoformat()),
        )
    if opened.not_before is not None and opened.not_before > latest:
        return Check.failed(
            "envelope-time",
            SubIndication.NOT_YET_VALID,
            said.ENVELOPE_NOT_BEFORE(at=opened.not_before.isoformat()),
        )
    if opened.expires_at is not None and opened.expires_at <= policy.at:
        return Check.failed(
            "envelope-time",
            SubIndication.EXPIRED,
            said.ENVELOPE_EXPIRED(at=opened.expires_at.isoformat()),
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
        return [Check.passed(name, said.CERTIFICATE_VALID(signed=signed.isoformat()))]
    code = SubIndication.NOT_YET_VALID if signed < not_before else SubIndication.EXPIRED
    message = said.CERTIFICATE_OUTSIDE(
        not_before=not_before.isoformat(),
        not_after=not_after.isoformat(),
        signed=signed.isoformat(),
    )
    if severity is Severity.FAIL:
        return [Check.failed(name, code, message)]
    if severity is Severity.WARN:
        warnings.append(message.text)
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
            said.NOT_YET_VALID(valid_from=document.valid_from.isoformat(), today=today.isoformat()),
        )
    if document.valid_until is not None and today > document.valid_until:
        return Check.failed(
            "validity",
            SubIndication.EXPIRED,
            said.EXPIRED(valid_until=document.valid_until.isoformat(), today=today.isoformat()),
        )
    if document.valid_until is None:
        return Check.passed("validity", said.VALID_FOREVER(today=today.isoformat()))
    return Check.passed(
        "validity",
        said.VALID_UNTIL(today=today.isoformat(), valid_until=document.valid_until.isoformat()),
    )


def doctype_rules(
    document: Document, catalogue: Catalogue | None = None, *, printed: bool = False
) -> Check:
    problems = doctypes.check_document(document, catalogue, printed=printed)
    if problems:
        refused = said.DOCTYPE_REFUSED(detail="; ".join(problems))
        return Check.failed("document-type", SubIndication.FORMAT_FAILURE, refused)
    return Check.passed("document-type", said.DOCTYPE_VALID(doctype=document.doctype))
