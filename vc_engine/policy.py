"""What a verifier accepts: the time it verifies at and the constraints it holds documents to.

A frozen value, built once at the entry point and passed down, so nothing below reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo

from vc_engine.model import bounded_instant

INDIA = ZoneInfo("Asia/Kolkata")


class Severity(StrEnum):
    """What a check that does not hold costs the verdict (after EU DSS's constraint levels)."""

    FAIL = "FAIL"
    """The document fails."""
    WARN = "WARN"
    """The document may pass; the report carries a warning."""
    INFORM = "INFORM"
    """The document may pass; the check's message says what was found."""
    IGNORE = "IGNORE"
    """Not checked."""


@dataclass(frozen=True)
class XmlLimits:
    """The shape a signed XML document may have, checked right after parsing and before any
    canonicalization: libxml2's C14N is quadratic in the attributes of one element and in the
    namespaces in scope, and runs where no signal can stop it. An e-locker document is tiny (a
    mark sheet of 50 subjects has about 70 elements), so the limits are tight."""

    max_nodes: int = 2_000
    """Elements, comments and processing instructions together."""

    max_attributes: int = 64
    """On any one element."""

    max_namespaces: int = 8
    """Namespace declarations in scope at any element."""

    max_depth: int = 32
    """Element nesting; our documents are at most 6 levels deep."""

    max_text: int = 256 * 1024
    """Characters of text and attribute values, all together."""

    max_certificates: int = 4
    """X509Certificate elements in KeyInfo: the signer's and its chain."""


@dataclass(frozen=True)
class VerificationPolicy:
    at: datetime
    """The moment the verification speaks for; timezone-aware (naive datetimes are refused)."""

    clock_skew: timedelta = timedelta(minutes=5)
    """How far in the future a claimed signing time may lie before it is refused."""

    civil_timezone: tzinfo = INDIA
    """Where the document's calendar dates (valid from, expiry) are read."""

    allow_legacy_rsa_sha1: bool = True
    """Accept the e-locker legacy profile (RSA-SHA1 SignedInfo over SHA-256 digests), with a
    warning. No other SHA-1 use is ever accepted."""

    max_document_bytes: int = 10 * 1024 * 1024
    """Larger inputs are refused before parsing."""

    xml: XmlLimits = XmlLimits()
    """What a signed XML document may hold before it is canonicalized."""

    embedded_certificate_window: Severity = Severity.WARN
    """When a certificate carried in signed XML was not valid at the signing time the document
    claims. Trust comes from the registry (the key must be registered), so the certificate is a
    container; but one outside its window is stale, or was wrapped around the key by someone
    other than the issuer."""

    def __post_init__(self) -> None:
        bounded_instant(self.at, "the time of verification")

    @property
    def civil_date(self) -> date:
        """Today's date where the documents were issued, for validity windows."""
        return self.at.astimezone(self.civil_timezone).date()
