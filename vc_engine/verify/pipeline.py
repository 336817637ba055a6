"""The verification pipeline: the one place that composes formats, trust and document rules.

Reads top to bottom as the pipeline in DESIGN.md. Every stage adds checks to the report; a stage
runs only when the stages before it passed, because judging the trust of a forged signature or the
validity of unsigned claims would only produce misleading reasons.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import lru_cache

from vc_engine import doctypes
from vc_engine.formats import (
    SIGNED_XML,
    VC_DATA_INTEGRITY,
    VC_JWT,
    FormatOutcome,
    detect_format,
    vc_di,
    vc_jwt,
)
from vc_engine.formats import xml as signed_xml
from vc_engine.keys import load_certificate
from vc_engine.model import (
    Check,
    CheckStatus,
    Document,
    SignatureFacts,
    SubIndication,
    VerificationReport,
)
from vc_engine.policy import Severity, VerificationPolicy
from vc_engine.revocation.source import StatusSource
from vc_engine.trust.did import registry_resolver
from vc_engine.trust.evaluate import evaluate_trust
from vc_engine.trust.source import TrustSource
from vc_engine.verify.status import status_checks


def verify(
    data: bytes,
    trust: TrustSource,
    policy: VerificationPolicy,
    status: StatusSource | None = None,
) -> VerificationReport:
    """Is `data` equivalent to the original? Never raises for a bad document.

    `policy.at` is the moment the answer speaks for; nothing below reads the clock. `status`
    holds the issuers' published status lists; a document with status entries and no `status`
    to check them against is INDETERMINATE.
    """
    # 1. Refuse what is too large to be a document before reading any of it.
    if len(data) > policy.max_document_bytes:
        return _refused(
            "size",
            f"the document is {len(data):,} bytes; the limit is {policy.max_document_bytes:,}",
        )

    # 2. Detect the wire format from its first bytes.
    format_name = detect_format(data)
    if format_name is None:
        return _refused("format", "not a document in any format this engine reads")

    # 3. Parse safely and check the signature; the Document comes only from what it covered.
    #    Keys named by did:web come from the registry, never from the network.
    opened = _open(format_name, data, trust, policy)
    checks = list(opened.checks)
    if opened.document is None or opened.facts is None:
        return VerificationReport.from_checks(
            checks, format=format_name, document=None, warnings=opened.warnings
        )
    document = opened.document
    envelope = _envelope_time(opened, policy)
    if envelope is not None:
        checks.append(envelope)
        return VerificationReport.from_checks(
            checks, format=format_name, document=document, warnings=opened.warnings
        )

    # 4. Trust: the key is registered to the issuer named inside, valid when it signed, not
    #    compromised before that, and the issuer may issue this document type.
    document_sha256 = hashlib.sha256(data).hexdigest()
    checks.extend(evaluate_trust(trust, document, opened.facts, document_sha256, policy))
    warnings = list(opened.warnings)

    # 5. A certificate the document carries was valid when the document claims to be signed.
    if not _any_failed(checks):
        checks.extend(_embedded_certificate(opened.facts, document, policy, warnings))

    # 6. Status: not revoked or suspended, by the issuer's signed status lists.
    if not _any_failed(checks):
        checks.extend(status_checks(document, trust, status, policy))

    # 7. Validity window, read in the issuer's calendar.
    if not _any_failed(checks):
        checks.append(_validity(document, policy))

    # 8. Document-type rules on the signed claims.
    if not _any_failed(checks):
        checks.append(_doctype_rules(document))

    return VerificationReport.from_checks(
        checks, format=format_name, document=document, warnings=warnings
    )


def _open(
    format_name: str, data: bytes, trust: TrustSource, policy: VerificationPolicy
) -> FormatOutcome:
    limit = policy.max_document_bytes
    if format_name == SIGNED_XML:
        return signed_xml.open_signed(
            data, max_bytes=limit, allow_legacy=policy.allow_legacy_rsa_sha1, limits=policy.xml
        )
    if format_name == VC_DATA_INTEGRITY:
        return vc_di.open_signed(data, max_bytes=limit, resolve=registry_resolver(trust))
    if format_name == VC_JWT:
        return vc_jwt.open_signed(data, max_bytes=limit, resolve=registry_resolver(trust))
    raise AssertionError(f"detect_format returned unknown format {format_name!r}")


def _envelope_time(opened: FormatOutcome, policy: VerificationPolicy) -> Check | None:
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


def _embedded_certificate(
    facts: SignatureFacts, document: Document, policy: VerificationPolicy, warnings: list[str]
) -> list[Check]:
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


def _validity(document: Document, policy: VerificationPolicy) -> Check:
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


def _doctype_rules(document: Document) -> Check:
    problems = doctypes.check_document(document)
    if problems:
        return Check.failed("document-type", SubIndication.FORMAT_FAILURE, "; ".join(problems))
    return Check.passed("document-type", f"a well-formed {document.doctype} document")


def _any_failed(checks: list[Check]) -> bool:
    """A failure settles the verdict; an open question (INDETERMINATE) does not stop the later
    stages, whose failures would still decide it."""
    return any(c.status is CheckStatus.FAILED for c in checks)


def _refused(name: str, message: str) -> VerificationReport:
    return VerificationReport.from_checks(
        [Check.failed(name, SubIndication.FORMAT_FAILURE, message)], format=None, document=None
    )
