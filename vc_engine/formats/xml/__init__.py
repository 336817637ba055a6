"""Signed XML: the e-locker's issued-document schema under an enveloped XML Signature.

Issue: Document -> `Certificate` element -> C14N -> enveloped signature (xmldsig.py).
Verify: hardened parse -> the one signature -> the canonical bytes it covered -> Document. The
claims come from what the digest covered: the verified tree without its signature when the
document holds no comment or processing instruction (it then is its canonical form, parsed),
else those canonical bytes parsed again.
"""

from __future__ import annotations

from datetime import tzinfo

from lxml import etree

from vc_engine.formats import SIGNED_XML, FormatOutcome, Resolver
from vc_engine.formats.xml.document import MalformedDocument, from_element, to_element
from vc_engine.formats.xml.dsig import SignedXml, XmlSigningKey, sign_enveloped, verify_enveloped
from vc_engine.formats.xml.safe import UnsafeXml, check_size, parse, plain_markup
from vc_engine.i18n import report as said
from vc_engine.model import Check, Document, SubIndication
from vc_engine.policy import VerificationPolicy, XmlLimits

FORMAT = SIGNED_XML
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_PARSED = Check.passed("parse", said.PARSE_XML())
_SIGNED_CONTENT = Check.passed("signed-content", said.SIGNED_CONTENT_XML())
"""The checks every valid document passes, made once (a Check is immutable)."""


def issue(document: Document, key: XmlSigningKey, civil_timezone: tzinfo) -> bytes:
    """The signed XML rendition of `document`, as the bytes to store and hand out."""
    issue_date = document.issued_at.astimezone(civil_timezone).date()
    canonical = etree.tostring(to_element(document, issue_date), method="c14n", with_comments=False)
    return _DECLARATION + sign_enveloped(canonical, key) + b"\n"


def open_signed(data: bytes, policy: VerificationPolicy, resolve: Resolver) -> FormatOutcome:
    """Parse, check the signature and read back the signed Document; failures are checks.

    Signed XML carries its key in its certificate, so `resolve` is not asked."""
    max_bytes, limits = policy.limits.max_document_bytes, policy.limits.xml
    try:
        root = parse(data, max_bytes=max_bytes, limits=limits)
    except UnsafeXml as exc:
        refused = said.PARSE_REFUSED(detail=exc)
        return _failed(Check.failed("parse", SubIndication.FORMAT_FAILURE, refused))
    checks = [_PARSED]
    outcome = verify_enveloped(
        root, algorithms=policy.algorithms, max_certificates=limits.max_certificates
    )
    checks.extend(outcome.checks)
    if outcome.signed is None:
        return FormatOutcome(FORMAT, tuple(checks), None, None)
    try:
        document = from_element(_signed_tree(data, outcome.signed, max_bytes, limits))
    except (UnsafeXml, MalformedDocument) as exc:
        refused = said.SIGNED_CONTENT_REFUSED(detail=exc)
        checks.append(Check.failed("signed-content", SubIndication.FORMAT_FAILURE, refused))
        return FormatOutcome(FORMAT, tuple(checks), None, None)
    checks.append(_SIGNED_CONTENT)
    return FormatOutcome(
        FORMAT, tuple(checks), document, outcome.signed.facts, outcome.signed.warnings
    )


def _signed_tree(
    data: bytes, signed: SignedXml, max_bytes: int, limits: XmlLimits
) -> etree._Element:
    """The signed content as a tree: the verified tree itself when the document has no comment
    or processing instruction (its canonical form then holds the same elements, attributes and
    text, and the one parse is all), else the canonical bytes parsed again, so that text a
    comment splits is read as the digest covered it."""
    if plain_markup(data):
        check_size(signed.signed_bytes, max_bytes)
        return signed.tree
    return parse(signed.signed_bytes, max_bytes=max_bytes, limits=limits)


def _failed(check: Check) -> FormatOutcome:
    return FormatOutcome(FORMAT, (check,), None, None)
