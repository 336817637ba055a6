"""The verification pipeline: the one place that composes formats, trust and revocation.

Reads top to bottom as the pipeline in DESIGN.md, one numbered step per stage; each stage is a
function of the room that owns its rule. Every stage adds checks to the report; a stage runs
only when the stages before it did not fail, because judging the trust of a forged signature or
the validity of unsigned claims would only produce misleading reasons.
"""

from __future__ import annotations

import hashlib

from vc_engine.formats import detect_format
from vc_engine.i18n import Message
from vc_engine.i18n import report as said
from vc_engine.model import Check, CheckStatus, SubIndication, VerificationReport
from vc_engine.policy import VerificationPolicy
from vc_engine.revocation.source import StatusSource
from vc_engine.trust.did import registry_resolver
from vc_engine.trust.evaluate import evaluate_trust
from vc_engine.trust.source import TrustSource
from vc_engine.verify.dispatch import opener
from vc_engine.verify.stages import doctype_rules, embedded_certificate, envelope_time, validity
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
    limit = policy.limits.max_document_bytes
    if len(data) > limit:
        return _refused("size", said.SIZE_TOO_LARGE(size=f"{len(data):,}", limit=f"{limit:,}"))

    # 2. Detect the wire format from its first bytes.
    format_name = detect_format(data)
    if format_name is None:
        return _refused("format", said.FORMAT_UNKNOWN())

    # 3. Parse safely and check the signature; the Document comes only from what it covered.
    #    Keys named by did:web come from the registry, never from the network.
    opened = opener(format_name)(data, policy, registry_resolver(trust))
    checks = list(opened.checks)
    warnings = list(opened.warnings)
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
    checks.extend(evaluate_trust(trust, document, opened.facts, document_sha256, policy))

    # 5. A certificate the document carries was valid when the document claims to be signed.
    if not _any_failed(checks):
        checks.extend(embedded_certificate(opened.facts, document, policy, warnings))

    # 6. Status: not revoked or suspended, by the issuer's signed status lists.
    if not _any_failed(checks):
        checks.extend(status_checks(document, trust, status, policy))

    # 7. Validity window, read in the issuer's calendar.
    if not _any_failed(checks):
        checks.append(validity(document, policy))

    # 8. Document-type rules on the signed claims.
    if not _any_failed(checks):
        checks.append(doctype_rules(document))

    return VerificationReport.from_checks(
        checks, format=format_name, document=document, warnings=warnings
    )


def _any_failed(checks: list[Check]) -> bool:
    """A failure settles the verdict; an open question (INDETERMINATE) does not stop the later
    stages, whose failures would still decide it."""
    return any(c.status is CheckStatus.FAILED for c in checks)


def _refused(name: str, message: Message) -> VerificationReport:
    return VerificationReport.from_checks(
        [Check.failed(name, SubIndication.FORMAT_FAILURE, message)], format=None, document=None
    )
