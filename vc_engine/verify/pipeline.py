"""The verification pipeline: the one place that composes formats, trust and revocation.

Reads top to bottom as the pipeline in DESIGN.md, one numbered step per stage; each stage is a
function of the room that owns its rule. Every stage adds checks to the report; a stage runs
only when the stages before it did not fail, because judging the trust of a forged signature or
the validity of unsigned claims would only produce misleading reasons.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence

from vc_engine.doctypes.versions import Catalogue
from vc_engine.formats import (
    IMAGE,
    PDF_PADES,
    QR_CWT,
    VC_DATA_INTEGRITY,
    VC_JWT,
    Rejected,
    detect_format,
)
from vc_engine.i18n import Message
from vc_engine.i18n import report as said
from vc_engine.model import Check, CheckStatus, PolicyName, SubIndication, VerificationReport
from vc_engine.policy import Severity, VerificationPolicy
from vc_engine.revocation.source import StatusSource
from vc_engine.trust.did import registry_resolver
from vc_engine.trust.evaluate import evaluate_trust
from vc_engine.trust.source import TrustSource
from vc_engine.verify.dispatch import is_our_credential, opener
from vc_engine.verify.stages import doctype_rules, embedded_certificate, envelope_time, validity
from vc_engine.verify.status import status_checks


def verify(
    data: bytes,
    trust: TrustSource,
    policy: VerificationPolicy,
    status: StatusSource | None = None,
    catalogue: Catalogue | None = None,
) -> VerificationReport:
    """Is `data` equivalent to the original? Never raises for a bad document.

    `policy.at` is the moment the answer speaks for; nothing below reads the clock. `status`
    holds the issuers' published status lists; a document with status entries and no `status`
    to check them against is INDETERMINATE. `catalogue` holds the document types' versions
    (default: the shipped definitions; `Registry.catalogue()` adds the registry's). The
    report names the policy.
    """
    report = _verify(data, trust, policy, status, catalogue)
    return dataclasses.replace(report, policy=PolicyName(policy.name, policy.sha256))


def _verify(
    data: bytes,
    trust: TrustSource,
    policy: VerificationPolicy,
    status: StatusSource | None,
    catalogue: Catalogue | None,
) -> VerificationReport:
    # 1. Refuse what is too large to be a document before reading any of it.
    limit = policy.limits.max_document_bytes
    if len(data) > limit:
        return _refused("size", said.SIZE_TOO_LARGE(size=f"{len(data):,}", limit=f"{limit:,}"))

    # 2. Detect the wire format from its first bytes.
    format_name = detect_format(data)
    if format_name is None:
        return _refused("format", said.FORMAT_UNKNOWN())
    if format_name == PDF_PADES:
        # A container: its signature, then each original it carries through this pipeline.
        # Imported here: pyHanko and the PDF stack take a second to load, which a command
        # verifying one XML file should not pay.
        from vc_engine.verify.paper import verify_pdf

        return verify_pdf(
            data, trust, policy, lambda inner: _single(inner, trust, policy, status, catalogue)
        )
    return _single(data, trust, policy, status, catalogue, format_name)


def _single(
    data: bytes,
    trust: TrustSource,
    policy: VerificationPolicy,
    status: StatusSource | None,
    catalogue: Catalogue | None,
    format_name: str | None = None,
) -> VerificationReport:
    """Steps 2 to 8 for one document (not a container)."""
    format_name = format_name or detect_format(data)
    if format_name is None or format_name == PDF_PADES:
        return _refused("format", said.FORMAT_UNKNOWN())
    read_from: list[Check] = []
    if format_name == IMAGE:
        # A photo or scan is the QR code it shows: read it, then verify that (the imaging
        # libraries are loaded for images only).
        from vc_engine.formats.qr.image import decode_qr

        try:
            data = decode_qr(data)
        except Rejected as rejected:
            return VerificationReport.from_checks([rejected.check], format=IMAGE, document=None)
        format_name = QR_CWT
        read_from.append(Check.passed("image", "read the QR code from the image"))

    # 3. Parse safely and check the signature; the Document comes only from what it covered.
    #    Keys named by did:web come from the registry, never from the network. A W3C
    #    credential that is not one of our documents takes the generic path.
    if format_name in (VC_DATA_INTEGRITY, VC_JWT) and not is_our_credential(data):
        return _verify_w3c(data, format_name, trust, policy, status)
    opened = opener(format_name)(data, policy, registry_resolver(trust))
    warnings = list(opened.warnings)
    checks = [*read_from, *graded(opened.checks, policy, warnings)]
    if opened.document is None or opened.facts is None:
        return VerificationReport.from_checks(
            checks, format=format_name, document=None, warnings=warnings
        )
    document = opened.document
    envelope = envelope_time(opened, policy)
    if envelope is not None:
        checks.append(envelope)
        return VerificationReport.from_checks(
            checks, format=format_name, document=document, warnings=warnings
        )

    # 4. Trust: the key is registered to the issuer named inside, valid when it signed, not
    #    compromised before that, and the issuer may issue this document type.
    document_sha256 = hashlib.sha256(data).hexdigest()
    trusted = evaluate_trust(trust, document, opened.facts, document_sha256, policy)
    checks.extend(graded(trusted, policy, warnings))

    # 5. A certificate the document carries was valid when the document claims to be signed.
    if not _any_failed(checks):
        checks.extend(embedded_certificate(opened.facts, document, policy, warnings))

    # 6. Status: not revoked or suspended, by the issuer's signed status lists.
    if not _any_failed(checks):
        checks.extend(graded(status_checks(document, trust, status, policy), policy, warnings))

    # 7. Validity window, read in the issuer's calendar.
    if not _any_failed(checks):
        checks.extend(graded([validity(document, policy)], policy, warnings))

    # 8. Document-type rules on the signed claims.
    if not _any_failed(checks):
        checks.extend(
            graded(
                [doctype_rules(document, catalogue, printed=format_name == QR_CWT)],
                policy,
                warnings,
            )
        )

    return VerificationReport.from_checks(
        checks, format=format_name, document=document, warnings=warnings
    )


def _verify_w3c(
    data: bytes,
    format_name: str,
    trust: TrustSource,
    policy: VerificationPolicy,
    status: StatusSource | None,
) -> VerificationReport:
    """Steps 3 to 7 for a W3C credential that is not one of our documents (see
    `verify.credential`): proofs and data-model rules, then issuer, status and validity."""
    # Loaded here: verifying our own signed XML need not load the JSON-LD processor.
    from vc_engine.formats.w3c import open_w3c_data_integrity, open_w3c_jwt
    from vc_engine.verify.credential import credential_checks

    open_w3c = open_w3c_jwt if format_name == VC_JWT else open_w3c_data_integrity
    opened = open_w3c(data, policy, registry_resolver(trust))
    warnings: list[str] = []
    checks = graded(opened.checks, policy, warnings)
    if opened.credential is not None and not _any_failed(checks):
        later = credential_checks(opened, trust, policy, status, warnings)
        checks.extend(graded(later, policy, warnings))
    return VerificationReport.from_checks(
        checks,
        format=format_name,
        document=None,
        warnings=warnings,
        credential=opened.credential if not _any_failed(checks) else None,
    )


def graded(checks: Sequence[Check], policy: VerificationPolicy, warnings: list[str]) -> list[Check]:
    """The checks as the policy grades them: a check that did not pass costs what the policy
    says for its name; FAIL keeps it, WARN passes it with a warning, INFORM passes it with its
    message, IGNORE drops it."""
    kept = []
    for check in checks:
        if check.status is CheckStatus.PASSED:
            kept.append(check)
            continue
        severity = policy.severity(check.name)
        if severity is Severity.FAIL:
            kept.append(check)
        elif severity is Severity.WARN:
            warnings.append(f"{check.name}: {check.message}")
            kept.append(Check.passed(check.name, f"accepted with a warning: {check.message}"))
        elif severity is Severity.INFORM:
            kept.append(Check.passed(check.name, f"noted: {check.message}"))
    return kept


def _any_failed(checks: list[Check]) -> bool:
    """A failure settles the verdict; an open question (INDETERMINATE) does not stop the later
    stages, whose failures would still decide it."""
    return any(c.status is CheckStatus.FAILED for c in checks)


def _refused(name: str, message: Message) -> VerificationReport:
    return VerificationReport.from_checks(
        [Check.failed(name, SubIndication.FORMAT_FAILURE, message)], format=None, document=None
    )
