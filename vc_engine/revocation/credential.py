"""BitstringStatusListCredential JSON: building it (unsigned), pointing a credential into it, and
checking a credential's entry against it.

Signing and signature verification are not done here (DESIGN.md: revocation never imports a
format); `status_list_credential` returns the unsigned credential for `issue` to sign, and
`check_entry` must be given a list credential whose proof the caller has already verified.
What `check_entry` does verify: the list is the one the entry names, from the expected issuer,
for the entry's purpose, fresh at `at`, well formed; then it reads the bit. What it returns is a
`StatusOutcome` value, never an exception, whatever the JSON holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from vc_engine.model import (
    LATEST_INSTANT,
    STATUS_ENTRY_TYPE,
    InstantError,
    StatusReference,
    parse_instant,
)
from vc_engine.revocation.bitstring import (
    Bitstring,
    BitstringError,
    StatusErrorCode,
    decode,
    encode,
)
from vc_engine.revocation.cache import StatusListCache
from vc_engine.revocation.status import PublishedList, Purpose, StatusEntry

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
ENTRY_TYPE = STATUS_ENTRY_TYPE

_INDEX = re.compile(r"0|[1-9][0-9]{0,9}")
_MILLISECOND = timedelta(milliseconds=1)


def status_list_url(base_url: str, list_id: str) -> str:
    """Where the list credential is published, and its `id`."""
    return f"{base_url.rstrip('/')}/status-lists/{list_id}"


def status_list_credential(
    published: PublishedList,
    *,
    base_url: str,
    issuer: str,
    valid_from: datetime,
    ttl: timedelta,
) -> dict[str, Any]:
    """The unsigned list credential for `published`, valid for `ttl` from `valid_from`.

    `validUntil` and `ttl` say the same thing twice on purpose: a verifier honouring either one
    refuses a list replayed after its time, which hides revocations made since.
    """
    if ttl <= timedelta(0):
        raise ValueError(f"a status list's ttl must be positive, got {ttl}")
    url = status_list_url(base_url, published.list_id)
    return {
        "@context": [VC_V2_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": _xsd(valid_from),
        "validUntil": _xsd(valid_from + ttl),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": published.purpose.value,
            "encodedList": encode(published.bits),
            "ttl": ttl // _MILLISECOND,
        },
    }


def credential_status(entries: Iterable[StatusEntry], *, base_url: str) -> list[dict[str, str]]:
    """The `credentialStatus` array for a credential holding `entries` (e.g. the pair that
    `StatusStore.allocate` returned for its document)."""
    return [status_reference(e, base_url=base_url).to_json() for e in entries]


def status_reference(entry: StatusEntry, *, base_url: str) -> StatusReference:
    """The reference a document carries for one of its entries."""
    return StatusReference(
        entry.purpose.value, status_list_url(base_url, entry.list_id), entry.index
    )


class StatusResult(StrEnum):
    OK = "ok"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    STALE = "stale"
    """The list is outside its validity (expired, not yet valid, or unbounded): fetch a fresh
    one; nothing can be said about the document until then."""
    MISMATCHED = "mismatched"
    """The list is not the one the entry points to: another URL, issuer or purpose."""
    MALFORMED = "malformed"


@dataclass(frozen=True, slots=True)
class StatusOutcome:
    result: StatusResult
    code: StatusErrorCode | None
    """The W3C error code; None when the list was read (OK, REVOKED, SUSPENDED)."""
    reason: str


def check_entry(
    entry: Mapping[str, Any],
    list_credential: Mapping[str, Any],
    *,
    issuer: str,
    at: datetime,
    cache: StatusListCache | None = None,
) -> StatusOutcome:
    """The status of one `credentialStatus` entry (revocation or suspension) at `at`.

    `list_credential` must already be signature-verified and `issuer` is the issuer the caller
    expects (the document's own issuer): a list signed by someone else says nothing about it.
    """
    try:
        # 1. The entry names a purpose we understand, an index, and a list.
        purpose, index, list_url = _read_entry(entry)
    except _Verdict as verdict:
        return verdict.outcome
    # 2.-4. The list is that list, from that issuer, for that purpose, fresh; read the bit.
    read = read_list(
        list_credential, list_url=list_url, issuer=issuer, purpose=purpose, cache=cache
    )
    return read.lookup(index, at) if isinstance(read, DecodedList) else read


@dataclass(frozen=True)
class DecodedList:
    """A signature-verified list credential, checked against what an entry expects and decoded:
    what every entry pointing to the list needs, so a verifier can keep it per list version."""

    list_url: str
    purpose: Purpose
    bits: Bitstring
    valid_from: datetime | None
    expires_at: datetime

    def lookup(self, index: int, at: datetime) -> StatusOutcome:
        """The status at `at` of the entry at `index`."""
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError(f"refusing naive datetime {at}: status is checked at an instant")
        if self.valid_from is not None and at < self.valid_from:
            reason = f"the status list is not valid before {_xsd(self.valid_from)}"
            return _stale(reason).outcome
        if at >= self.expires_at:
            reason = f"the status list expired at {_xsd(self.expires_at)}; fetch a fresh one"
            return _stale(reason).outcome
        try:
            is_set = self.bits.get(index)
        except BitstringError as exc:
            return StatusOutcome(StatusResult.MALFORMED, exc.code, str(exc))
        state = "revoked" if self.purpose is Purpose.REVOCATION else "suspended"
        where = f"index {index} of {self.list_url}"
        if not is_set:
            return StatusOutcome(StatusResult.OK, None, f"the document is not {state} ({where})")
        revoked = self.purpose is Purpose.REVOCATION
        result = StatusResult.REVOKED if revoked else StatusResult.SUSPENDED
        return StatusOutcome(result, None, f"the document is {state} ({where})")


def read_list(
    list_credential: Mapping[str, Any],
    *,
    list_url: str,
    issuer: str,
    purpose: Purpose,
    cache: StatusListCache | None = None,
) -> DecodedList | StatusOutcome:
    """Check a signature-verified list credential against what an entry expects (its URL, the
    document's issuer, the purpose), read its window and decode it; an outcome when it fails."""
    try:
        subject = _read_list(list_credential, list_url, issuer, purpose)
        valid_from, expires_at = _window(list_credential, subject)
        encoded = subject["encodedList"]
        bits = decode(encoded) if cache is None else cache.decode(encoded)
    except _Verdict as verdict:
        return verdict.outcome
    except BitstringError as exc:
        return StatusOutcome(StatusResult.MALFORMED, exc.code, str(exc))
    return DecodedList(list_url, purpose, bits, valid_from, expires_at)


class _Verdict(Exception):
    """Carries an outcome out of the nested checks; never leaves `check_entry`."""

    def __init__(self, result: StatusResult, code: StatusErrorCode, reason: str) -> None:
        super().__init__(reason)
        self.outcome = StatusOutcome(result, code, reason)


def _malformed(reason: str) -> _Verdict:
    return _Verdict(StatusResult.MALFORMED, StatusErrorCode.MALFORMED_VALUE_ERROR, reason)


def _mismatched(reason: str) -> _Verdict:
    return _Verdict(StatusResult.MISMATCHED, StatusErrorCode.STATUS_VERIFICATION_ERROR, reason)


def _stale(reason: str) -> _Verdict:
    return _Verdict(StatusResult.STALE, StatusErrorCode.STATUS_VERIFICATION_ERROR, reason)


def _read_entry(entry: Mapping[str, Any]) -> tuple[Purpose, int, str]:
    if entry.get("type") != ENTRY_TYPE:
        raise _malformed(f"credentialStatus type must be {ENTRY_TYPE}, got {entry.get('type')!r}")
    named = entry.get("statusPurpose")
    if not isinstance(named, str) or named not in {p.value for p in Purpose}:
        raise _malformed(
            f"unsupported statusPurpose {named!r}: only revocation and suspension are checked"
        )
    purpose = Purpose(named)
    size = entry.get("statusSize", 1)
    if type(size) is not int or size != 1:
        raise _malformed(f"statusSize must be 1 for {purpose.value}")
    index = entry.get("statusListIndex")
    if not isinstance(index, str) or not _INDEX.fullmatch(index):
        raise _malformed(f"statusListIndex must be a decimal integer string, got {index!r}")
    list_url = entry.get("statusListCredential")
    if not isinstance(list_url, str) or not list_url:
        raise _malformed("statusListCredential must be a URL")
    return purpose, int(index), list_url


def _read_list(
    credential: Mapping[str, Any], list_url: str, issuer: str, purpose: Purpose
) -> Mapping[str, Any]:
    types = credential.get("type")
    if not isinstance(types, list) or LIST_CREDENTIAL_TYPE not in types:
        raise _malformed(f"the status list credential's type must include {LIST_CREDENTIAL_TYPE}")
    if credential.get("id") != list_url:
        raise _mismatched(
            f"the entry points to {list_url} but the list credential is {credential.get('id')!r}"
        )
    found_issuer = credential.get("issuer")
    if isinstance(found_issuer, Mapping):
        found_issuer = found_issuer.get("id")
    if found_issuer != issuer:
        raise _mismatched(f"the status list is issued by {found_issuer!r}, not by {issuer}")
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping) or subject.get("type") != "BitstringStatusList":
        raise _malformed("the status list's credentialSubject must be one BitstringStatusList")
    purposes = subject.get("statusPurpose")
    if isinstance(purposes, str):
        purposes = [purposes]
    if not isinstance(purposes, list) or purpose.value not in purposes:
        raise _mismatched(
            f"the entry's statusPurpose is {purpose.value} but the list serves {purposes!r}"
        )
    if not isinstance(subject.get("encodedList"), str):
        raise _malformed("the status list has no encodedList text")
    return subject


def _window(
    credential: Mapping[str, Any], subject: Mapping[str, Any]
) -> tuple[datetime | None, datetime]:
    """The list's validity: from `validFrom` to the earlier of `validUntil` and validFrom + ttl.
    A list with no end is refused: it could be replayed forever, hiding every later revocation."""
    valid_from = _instant(credential, "validFrom")
    valid_until = _instant(credential, "validUntil")
    ttl = subject.get("ttl")
    if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, int) or ttl < 0):
        raise _malformed(f"ttl must be a non-negative number of milliseconds, got {ttl!r}")
    ends = [valid_until] if valid_until is not None else []
    if ttl is not None and valid_from is not None:
        # A ttl reaching past the calendar's end bounds nothing the calendar can name.
        room = LATEST_INSTANT - valid_from
        ends.append(
            LATEST_INSTANT if ttl >= room // _MILLISECOND else valid_from + ttl * _MILLISECOND
        )
    if not ends:
        raise _stale("the status list states no end of validity (validUntil, or validFrom + ttl)")
    return valid_from, min(ends)


def _instant(credential: Mapping[str, Any], member: str) -> datetime | None:
    value = credential.get(member)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _malformed(f"{member} must be a date-time with a time zone, got {value!r}")
    try:
        return parse_instant(value, member)
    except InstantError as exc:
        raise _malformed(str(exc)) from None


def _xsd(instant: datetime) -> str:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"refusing naive datetime {instant}")
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")
