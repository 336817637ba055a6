"""Format-neutral values shared by every room: the document, the facts about its signature, and
the verification report.

A verification outcome is always a `VerificationReport` value: an invalid document is a report,
never an exception. The report keeps three outcomes apart, as ETSI EN 319 102-1 does: malformed or
checked-and-bad (FAILED), and could-not-check (INDETERMINATE).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from vc_engine.errors import BadInput
from vc_engine.i18n import Message
from vc_engine.i18n.report import DETAIL

ClaimRow = Mapping[str, str]
"""One row of a table claim (e.g. one subject of a mark sheet); every value is text."""

ClaimValue = str | tuple[ClaimRow, ...]
"""A claim is text, or a table of rows of text. Issuers' records are text, so claims stay text in
every format and compare equal across renditions."""


class Indication(StrEnum):
    PASSED = "PASSED"
    FAILED = "FAILED"
    INDETERMINATE = "INDETERMINATE"


class SubIndication(StrEnum):
    """ETSI EN 319 102-1 sub-indications, plus the registry-specific ones the pipeline needs."""

    FORMAT_FAILURE = "FORMAT_FAILURE"
    HASH_FAILURE = "HASH_FAILURE"
    SIG_CRYPTO_FAILURE = "SIG_CRYPTO_FAILURE"
    NO_CERTIFICATE_CHAIN_FOUND = "NO_CERTIFICATE_CHAIN_FOUND"
    NOT_TRUSTED = "NOT_TRUSTED"
    NOT_AUTHORIZED = "NOT_AUTHORIZED"
    KEY_COMPROMISED = "KEY_COMPROMISED"
    REVOKED_NO_POE = "REVOKED_NO_POE"
    REVOKED = "REVOKED"
    SUSPENDED = "SUSPENDED"
    EXPIRED = "EXPIRED"
    NOT_YET_VALID = "NOT_YET_VALID"
    CRYPTO_CONSTRAINTS_FAILURE = "CRYPTO_CONSTRAINTS_FAILURE"
    CHAIN_CONSTRAINTS_FAILURE = "CHAIN_CONSTRAINTS_FAILURE"
    OUT_OF_BOUNDS_NO_POE = "OUT_OF_BOUNDS_NO_POE"
    TRY_LATER = "TRY_LATER"


class CheckStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    INDETERMINATE = "indeterminate"


class ProblemType(StrEnum):
    """W3C VC Data Model 2.0 problem-detail types (section "Verification: problem details")."""

    PARSING_ERROR = "https://www.w3.org/TR/vc-data-model#PARSING_ERROR"
    CRYPTOGRAPHIC_SECURITY_ERROR = (
        "https://www.w3.org/TR/vc-data-model#CRYPTOGRAPHIC_SECURITY_ERROR"
    )
    MALFORMED_VALUE_ERROR = "https://www.w3.org/TR/vc-data-model#MALFORMED_VALUE_ERROR"
    RANGE_ERROR = "https://www.w3.org/TR/vc-data-model#RANGE_ERROR"


_PROBLEM_CODES = {
    ProblemType.PARSING_ERROR: -64,
    ProblemType.CRYPTOGRAPHIC_SECURITY_ERROR: -65,
    ProblemType.MALFORMED_VALUE_ERROR: -66,
    ProblemType.RANGE_ERROR: -67,
}

_PROBLEM_TITLES = {
    ProblemType.PARSING_ERROR: "Parsing error",
    ProblemType.CRYPTOGRAPHIC_SECURITY_ERROR: "Cryptographic security error",
    ProblemType.MALFORMED_VALUE_ERROR: "Malformed value error",
    ProblemType.RANGE_ERROR: "Range error",
}

# Which VC 2.0 problem type a failing sub-indication is reported as.
_PROBLEM_FOR_SUB_INDICATION = {
    SubIndication.FORMAT_FAILURE: ProblemType.PARSING_ERROR,
    SubIndication.HASH_FAILURE: ProblemType.CRYPTOGRAPHIC_SECURITY_ERROR,
    SubIndication.SIG_CRYPTO_FAILURE: ProblemType.CRYPTOGRAPHIC_SECURITY_ERROR,
    SubIndication.CRYPTO_CONSTRAINTS_FAILURE: ProblemType.CRYPTOGRAPHIC_SECURITY_ERROR,
    SubIndication.NO_CERTIFICATE_CHAIN_FOUND: ProblemType.CRYPTOGRAPHIC_SECURITY_ERROR,
    SubIndication.NOT_TRUSTED: ProblemType.CRYPTOGRAPHIC_SECURITY_ERROR,
    SubIndication.KEY_COMPROMISED: ProblemType.CRYPTOGRAPHIC_SECURITY_ERROR,
    SubIndication.REVOKED_NO_POE: ProblemType.CRYPTOGRAPHIC_SECURITY_ERROR,
    SubIndication.CHAIN_CONSTRAINTS_FAILURE: ProblemType.CRYPTOGRAPHIC_SECURITY_ERROR,
    SubIndication.OUT_OF_BOUNDS_NO_POE: ProblemType.CRYPTOGRAPHIC_SECURITY_ERROR,
    SubIndication.NOT_AUTHORIZED: ProblemType.MALFORMED_VALUE_ERROR,
    SubIndication.REVOKED: ProblemType.RANGE_ERROR,
    SubIndication.SUSPENDED: ProblemType.RANGE_ERROR,
    SubIndication.EXPIRED: ProblemType.RANGE_ERROR,
    SubIndication.NOT_YET_VALID: ProblemType.RANGE_ERROR,
    SubIndication.TRY_LATER: ProblemType.RANGE_ERROR,
}


@dataclass(frozen=True, slots=True)
class ProblemDetail:
    """An RFC 9457 problem object typed with a W3C VC 2.0 error type."""

    type: ProblemType
    detail: str

    @property
    def code(self) -> int:
        return _PROBLEM_CODES[self.type]

    @property
    def title(self) -> str:
        return _PROBLEM_TITLES[self.type]

    def to_json(self) -> dict[str, Any]:
        return {
            "type": str(self.type),
            "code": self.code,
            "title": self.title,
            "detail": self.detail,
        }


Said = Message | str
"""What a check says: a `Message` from `vc_engine.i18n.report`, or plain English, which is said
as the `detail` message (its English inside each language's sentence) until it has a code."""


def said(message: Said) -> Message:
    return message if isinstance(message, Message) else DETAIL(detail=message)


@dataclass(frozen=True, slots=True)
class Check:
    """One stage of the pipeline: what was checked, how it came out, and why.

    `message` is the English sentence; `said` is the same sentence as a message code with its
    parameters, so it can be said in the reader's language (`vc_engine.i18n`)."""

    name: str
    status: CheckStatus
    code: SubIndication | None
    said: Message

    @property
    def message(self) -> str:
        return self.said.text

    @classmethod
    def passed(cls, name: str, message: Said) -> Check:
        return cls(name, CheckStatus.PASSED, None, said(message))

    @classmethod
    def failed(cls, name: str, code: SubIndication, message: Said) -> Check:
        return cls(name, CheckStatus.FAILED, code, said(message))

    @classmethod
    def indeterminate(cls, name: str, code: SubIndication, message: Said) -> Check:
        return cls(name, CheckStatus.INDETERMINATE, code, said(message))

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": str(self.status),
            "code": None if self.code is None else str(self.code),
            "message": self.message,
            "messageCode": self.said.code,
            "messageParams": self.said.params_json(),
        }


STATUS_ENTRY_TYPE = "BitstringStatusListEntry"


@dataclass(frozen=True, slots=True)
class StatusReference:
    """Where a document's revocation or suspension bit lives: one entry of a W3C Bitstring
    Status List, carried inside the signed content of every rendition."""

    purpose: str
    list_url: str
    index: int

    @property
    def list_id(self) -> str:
        """The list's id: the last path segment of its URL."""
        return self.list_url.rstrip("/").rsplit("/", 1)[-1]

    def to_json(self) -> dict[str, str]:
        """The `credentialStatus` entry (BitstringStatusListEntry) for this reference."""
        return {
            "id": f"{self.list_url}#{self.index}",
            "type": STATUS_ENTRY_TYPE,
            "statusPurpose": self.purpose,
            "statusListIndex": str(self.index),
            "statusListCredential": self.list_url,
        }


@dataclass(frozen=True, slots=True)
class RelatedResource:
    """A file the issuer bound into the credential by its digest (VC Data Model 2.0 §5.3,
    `relatedResource`): the issuer's own PDF of the document, so that a verifier can say
    whether a PDF it is shown is byte for byte the one the issuer signed for."""

    id: str
    media_type: str
    digest_multibase: str

    def to_json(self) -> dict[str, str]:
        return {
            "id": self.id,
            "mediaType": self.media_type,
            "digestMultibase": self.digest_multibase,
        }


@dataclass(frozen=True, slots=True)
class Document:
    """What an issuer vouches for, independent of the wire format that carries it.

    `id` follows the e-locker URI scheme `IssuerId-DocType-DocId`. `holder` is the person the
    document is issued to; `claims` are the type-specific facts. All claim values are text.
    """

    id: str
    doctype: str
    issuer_id: str
    issuer_name: str
    issued_at: datetime
    valid_from: date
    valid_until: date | None
    holder: Mapping[str, str]
    claims: Mapping[str, ClaimValue]
    status: tuple[StatusReference, ...] = ()
    """The status list entries (revocation, suspension) the issuer signed into the document."""
    related: tuple[RelatedResource, ...] = ()
    """Files bound by digest (W3C credentials only: signed XML and the QR code carry none)."""

    def claims_json(self) -> dict[str, Any]:
        """The holder and claims as plain JSON values, keys sorted."""
        return {
            "holder": dict(sorted(self.holder.items())),
            "claims": {
                name: value if isinstance(value, str) else [dict(sorted(r.items())) for r in value]
                for name, value in sorted(self.claims.items())
            },
        }

    @property
    def claims_digest(self) -> str:
        """SHA-256 over the canonical JSON of `claims_json()`: sorted keys, no whitespace, UTF-8.

        The same original yields the same digest in every rendition.
        """
        canonical = json.dumps(
            self.claims_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.doctype,
            "issuer": {"id": self.issuer_id, "name": self.issuer_name},
            "issuedAt": self.issued_at.isoformat(),
            "validFrom": self.valid_from.isoformat(),
            "validUntil": None if self.valid_until is None else self.valid_until.isoformat(),
            **self.claims_json(),
            "claimsDigest": self.claims_digest,
            "credentialStatus": [reference.to_json() for reference in self.status],
            **(
                {"relatedResource": [resource.to_json() for resource in self.related]}
                if self.related
                else {}
            ),
        }


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input record that was not issued: its line (or index), why, for the person who fixes
    it, and its document id when it had one."""

    line: int
    reason: str
    document_id: str | None = None


@dataclass(frozen=True, slots=True)
class SignatureFacts:
    """What a format module learnt while checking a signature, for the trust stage to judge.

    `algorithm` is the format-neutral signature scheme (a `keys.SignatureScheme` value, e.g.
    "RS256"). `key_id` is the SHA-256 of the SubjectPublicKeyInfo of the key that verified the
    signature: the only handle the registry is asked about. An embedded certificate is a hint,
    never trust.
    """

    algorithm: str
    key_id: str
    certificate_der: bytes | None = None
    legacy_profile: str | None = None


@dataclass(frozen=True, slots=True)
class VerificationReport:
    """The answer to "is this equivalent to the original?", with every reason.

    `verified` is true only when the indication is PASSED.
    """

    indication: Indication
    sub_indication: SubIndication | None
    checks: Sequence[Check]
    format: str | None
    document: Document | None
    warnings: Sequence[str] = field(default_factory=tuple)
    problem_details: Sequence[ProblemDetail] = field(default_factory=tuple)
    credential: Mapping[str, Any] | None = None
    """A W3C credential that is not one of our documents: what its proofs covered."""
    policy: PolicyName | None = None
    """The validation policy the verdict was reached under."""

    @property
    def verified(self) -> bool:
        return self.indication is Indication.PASSED

    @classmethod
    def from_checks(
        cls,
        checks: Sequence[Check],
        *,
        format: str | None,
        document: Document | None,
        warnings: Sequence[str] = (),
        credential: Mapping[str, Any] | None = None,
    ) -> VerificationReport:
        """Derive the indication from the checks: the first failure decides, then the first
        indeterminate; PASSED needs at least one check and every check passed."""
        first_failed = next((c for c in checks if c.status is CheckStatus.FAILED), None)
        first_open = next((c for c in checks if c.status is CheckStatus.INDETERMINATE), None)
        if first_failed is not None:
            indication, sub = Indication.FAILED, first_failed.code
        elif first_open is not None:
            indication, sub = Indication.INDETERMINATE, first_open.code
        elif checks:
            indication, sub = Indication.PASSED, None
        else:
            indication, sub = Indication.INDETERMINATE, SubIndication.TRY_LATER
        problems = tuple(
            ProblemDetail(_PROBLEM_FOR_SUB_INDICATION[c.code], f"{c.name}: {c.message}")
            for c in checks
            if c.status is not CheckStatus.PASSED and c.code is not None
        )
        return cls(
            indication=indication,
            sub_indication=sub,
            checks=tuple(checks),
            format=format,
            document=document,
            warnings=tuple(warnings),
            problem_details=problems,
            credential=credential,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "indication": str(self.indication),
            "subIndication": None if self.sub_indication is None else str(self.sub_indication),
            "checks": [c.to_json() for c in self.checks],
            "warnings": list(self.warnings),
            "problemDetails": [p.to_json() for p in self.problem_details],
            "format": self.format,
            "document": None if self.document is None else self.document.to_json(),
            **({} if self.credential is None else {"credential": self.credential}),
            **({} if self.policy is None else {"policy": self.policy.to_json()}),
        }


@dataclass(frozen=True, slots=True)
class PolicyName:
    """Which validation policy a report was reached under: its name and its file's SHA-256."""

    name: str
    sha256: str

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "sha256": self.sha256}


@dataclass(frozen=True, slots=True)
class PresentationReport:
    """The answer for a W3C Verifiable Presentation: its own checks (the holder's proof,
    challenge and domain, the data-model rules) and one report per credential inside. Verified
    only when the presentation's checks passed and every credential's report did."""

    checks: Sequence[Check]
    credentials: Sequence[VerificationReport]
    policy: PolicyName | None = None

    @property
    def own(self) -> VerificationReport:
        return VerificationReport.from_checks(self.checks, format="vp", document=None)

    @property
    def verified(self) -> bool:
        return self.own.verified and all(r.verified for r in self.credentials)

    def to_json(self) -> dict[str, Any]:
        own = self.own
        problems = [p.to_json() for p in own.problem_details]
        for index, report in enumerate(self.credentials):
            problems.extend(
                {**p.to_json(), "detail": f"verifiableCredential[{index}]: {p.detail}"}
                for p in report.problem_details
            )
        return {
            "verified": self.verified,
            "indication": str(own.indication),
            "subIndication": None if own.sub_indication is None else str(own.sub_indication),
            "checks": [c.to_json() for c in self.checks],
            "problemDetails": problems,
            "credentialResults": [r.to_json() for r in self.credentials],
            **({} if self.policy is None else {"policy": self.policy.to_json()}),
        }


def issuer_did(issuer_id: str) -> str:
    """The issuer's did:web identifier: the e-locker issuer id is a reversed domain name.

    `in.gov.wb.kmc` is `did:web:kmc.wb.gov.in`. The DID is resolved from the registry only.
    """
    return "did:web:" + ".".join(reversed(issuer_id.split(".")))


def issuer_id_of_did(did: str) -> str | None:
    """The inverse of `issuer_did`; None for anything that is not a plain did:web host."""
    host = did.removeprefix("did:web:")
    if host == did or not host or any(c in host for c in ":/%#?"):
        return None
    return ".".join(reversed(host.split(".")))


EARLIEST_INSTANT = datetime(1, 1, 2, tzinfo=UTC)
LATEST_INSTANT = datetime(9999, 12, 30, tzinfo=UTC)
"""The instants the engine reasons about. A day inside each end of Python's calendar: an instant
read from a document can then be moved to UTC, to a civil time zone or by a clock skew without
leaving the calendar, and no arithmetic on it can overflow."""


class InstantError(BadInput):
    """A time that is not an instant the engine can use; the message says why, for a person."""


def start_of_second(moment: datetime) -> datetime:
    """The registration time a window starts at when none is given: the start of `moment`'s
    second. A QR code dates its document to the whole second (a CWT `iat`), so a key or an
    authorisation registered 0.4 s into a second would otherwise not cover a document issued
    0.5 s into it, seen through its QR."""
    return moment.replace(microsecond=0)


def bounded_instant(value: datetime, what: str) -> datetime:
    """`value` itself, once it is known to be aware and within EARLIEST..LATEST_INSTANT (so it
    can be moved to any time zone); `InstantError` otherwise."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InstantError(f"{what} has no time zone")
    try:
        instant = value.astimezone(UTC)
    except OverflowError:
        instant = None
    if instant is None or not EARLIEST_INSTANT <= instant <= LATEST_INSTANT:
        raise InstantError(
            f"{what} {value.isoformat()} lies outside the years 0001-9999 in UTC; "
            "no document can be signed, valid or verified then"
        )
    return value


def parse_instant(text: str, what: str) -> datetime:
    """An ISO 8601 date-time with its offset, as written (see `bounded_instant`)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise InstantError(f"{what} {shown!r} is not an ISO 8601 date-time") from None
    return bounded_instant(value, what)
