"""What a verifier accepts: the time it verifies at and the constraints it holds documents to.

A frozen value, built once at the entry point and passed down, so nothing below reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

INDIA = ZoneInfo("Asia/Kolkata")


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

    max_xml_depth: int = 32
    """Deeper XML element nesting is refused; our documents are at most 6 levels deep."""

    def __post_init__(self) -> None:
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise ValueError("VerificationPolicy.at must be timezone-aware")

    @property
    def civil_date(self) -> date:
        """Today's date where the documents were issued, for validity windows."""
        return self.at.astimezone(self.civil_timezone).date()
