"""Is this PDF the one the issuer bound into the credential? (`vc-engine verify CREDENTIAL
--pdf FILE`, and POST /v1/verify with a `pdf` part beside the credential.)

An issuer binds its own PDF of a document into the W3C credential as a VC 2.0 `relatedResource`
with a `digestMultibase` (`issuance.attached`). The answer is one more check on the credential's
report, `bound-pdf`:

* PASSED when the credential itself verified and one of its application/pdf resources has the
  PDF's digest;
* FAILED (HASH_FAILURE) when the credential verified but binds another PDF, and FAILED
  (NOT_TRUSTED: nothing the issuer signed vouches for the file) when it binds none;
* INDETERMINATE when the credential did not verify: the report is already FAILED (or
  INDETERMINATE) by its own checks, and what an unverified credential binds proves nothing.

Only what the signature covered is read: our documents' `related` (the credential as signed,
read back strictly), or the signed credential of any other W3C issuer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from vc_engine.formats.related import PDF_MEDIA_TYPE, UnreadableDigest, digest_matches
from vc_engine.i18n import report as said
from vc_engine.model import Check, RelatedResource, SubIndication, VerificationReport

NAME = "bound-pdf"


def check_bound_pdf(report: VerificationReport, pdf: bytes) -> VerificationReport:
    """`report` (a credential's) with the `bound-pdf` check added and its verdict re-derived."""
    checks = [*report.checks, _bound(report, pdf)]
    again = VerificationReport.from_checks(
        checks,
        format=report.format,
        document=report.document,
        warnings=report.warnings,
        credential=report.credential,
    )
    return dataclasses.replace(again, policy=report.policy)


def _bound(report: VerificationReport, pdf: bytes) -> Check:
    if not report.verified:
        code = report.sub_indication or SubIndication.TRY_LATER
        return Check.indeterminate(NAME, code, said.BOUND_PDF_UNKNOWN())
    pdfs = [r for r in _resources(report) if r.media_type == PDF_MEDIA_TYPE]
    if not pdfs:
        return Check.failed(NAME, SubIndication.NOT_TRUSTED, said.BOUND_PDF_NONE())
    for resource in pdfs:
        try:
            if digest_matches(resource.digest_multibase, pdf):
                return Check.passed(NAME, said.BOUND_PDF_MATCHES(resource=resource.id))
        except UnreadableDigest as error:
            return Check.failed(
                NAME,
                SubIndication.FORMAT_FAILURE,
                said.BOUND_PDF_UNREADABLE(resource=resource.id, detail=str(error)),
            )
    shown = ", ".join(r.id for r in pdfs)
    return Check.failed(NAME, SubIndication.HASH_FAILURE, said.BOUND_PDF_DIFFERS(resource=shown))


def _resources(report: VerificationReport) -> Sequence[RelatedResource]:
    if report.document is not None:
        return report.document.related
    if report.credential is None:
        return ()
    return tuple(_of_credential(report.credential.get("relatedResource")))


def _of_credential(entries: object) -> list[RelatedResource]:
    """Another issuer's relatedResource entries (the data-model rules already required each to
    be an object with an id and a digest); those without a digestMultibase are not ours to
    compare (a digestSRI names its own hash)."""
    values = entries if isinstance(entries, list) else [entries] if entries else []
    found = []
    for entry in values:
        if not isinstance(entry, Mapping):
            continue
        fields: Mapping[str, Any] = entry
        media, digest, identifier = (fields.get(k) for k in ("mediaType", "digestMultibase", "id"))
        if isinstance(media, str) and isinstance(digest, str) and isinstance(identifier, str):
            found.append(RelatedResource(identifier, media, digest))
    return found
