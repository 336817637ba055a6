"""Answering the e-locker's Pull URI and Pull Doc requests, in numbered steps.

The HMAC is these routes' authentication (they take no bearer token): the e-locker signs each
raw body with the issuer's API key, set by `vc-engine digilocker configure`. Every answer is a
well-formed response; whatever goes wrong is Status 0 with a machine code in the request log
(and in the `x-vc-engine-code` and `x-vc-engine-reason` headers), never a 500. The codes a
stranger could learn something from are not told apart in the answer: an unknown roll number
and a known one with the wrong name or date of birth both answer `no_match`, so the API is no
oracle for what exists.

0. The body was read up to its limit by the route (larger: `oversized`, unread).
1. The issuer's configuration and key (cached while the registry is unchanged).
2. The HMAC of the raw body, in constant time, before any parsing (`bad_hmac`).
3. Parse with the hardened parser (`malformed`); `orgId` must be the issuer (`wrong_org`).
4. `ts` within the window of the service's clock (`stale`); naive times are India time.
5. Find the document: by the configured search fields (Pull URI) or its URI (Pull Doc), of a
   configured document type (`unknown_doctype`); `no_match` when none, or more than one.
6. The holder: `FullName` and `DOB`, when sent (or required by the configuration), must match
   (`vc_engine.doctypes.holders`), else `no_match`.
7. The renditions the format asks for must have been kept (`no_xml_rendition`,
   `no_pdf_rendition`: a document issued without a PDF has none to give).
8. Log the request; its (issuer, API, txn, ts) may be used once (`replayed`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import threading
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from api.digilocker.messages import (
    ERROR,
    FOUND,
    PULL_URI,
    MalformedRequest,
    PullRequest,
    read_request,
    write_response,
)
from vc_engine.doctypes import DocumentIdError, parse_document_id
from vc_engine.doctypes.holders import names_match, normalise
from vc_engine.formats import PDF_PADES, SIGNED_XML
from vc_engine.keys import KeyMaterialError
from vc_engine.keys.sealed import unseal
from vc_engine.policy import INDIA
from vc_engine.store.digilocker import (
    DigiLockerIssuer,
    DigiLockerStore,
    DoctypeSearch,
    PullRequestEntry,
)
from vc_engine.store.kept import KeptRendition, KeptStore

PDF = PDF_PADES
"""The format name the PDF rendition is kept under."""

REASONS = {
    "found": "found",
    "oversized": "the request is larger than the limit",
    "not_configured": "this issuer does not answer the Pull API",
    "bad_hmac": "the x-digilocker-hmac header does not authenticate the body",
    "malformed": "the request is not a well-formed request of the specification",
    "wrong_org": "orgId is not this issuer",
    "stale": "ts is outside the accepted window",
    "unknown_doctype": "this issuer serves no such document type",
    "bad_search": "the search fields do not fit this document type",
    "no_match": "no document matches",
    "no_xml_rendition": "the document was issued without a kept signed XML rendition",
    "no_pdf_rendition": "the document was issued without a PDF rendition",
    "replayed": "this txn and ts were used before",
}


PUBLIC_CODES = {"not_configured": "bad_hmac"}
"""Codes told to the caller differently from the log: an unauthenticated caller does not learn
which issuers answer the Pull API."""


@dataclass(frozen=True)
class Answer:
    status: int
    code: str
    """The machine code told to the caller (the log keeps the exact one)."""
    body: bytes

    @property
    def reason(self) -> str:
        return REASONS[self.code]


@dataclass(frozen=True)
class _Configured:
    token: Hashable
    issuer: DigiLockerIssuer
    key: bytes


class Refusal(Exception):
    """Stops a request with a machine code (one of `REASONS`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class PullService:
    def __init__(
        self,
        store: DigiLockerStore,
        kept: KeptStore,
        sealing_key: bytes | None,
        *,
        window: timedelta,
    ) -> None:
        self._store = store
        self._kept = kept
        self._sealing_key = sealing_key
        self._window = window
        self._configured: dict[str, _Configured] = {}
        self._lock = threading.Lock()

    def refuse_unread(self, api: str, issuer_id: str, body: bytes, now: datetime) -> Answer:
        """Step 0: the body was over the limit (`body` is what was read of it)."""
        return self._finish(api, issuer_id, body, now, None, "oversized")

    def answer(
        self,
        api: str,
        issuer_id: str,
        body: bytes,
        signature: str | None,
        *,
        now: datetime,
        token: Hashable,
    ) -> Answer:
        request: PullRequest | None = None
        try:
            # 1. Who is asked, with which key.
            configured = self._configuration(issuer_id, token)
            # 2. The HMAC, before the body is parsed.
            _authenticate(configured.key, body, signature)
            # 3. Parse; the request must be addressed to this issuer.
            try:
                request = read_request(api, body, len(body))
            except MalformedRequest:
                raise Refusal("malformed") from None
            if request.org_id != issuer_id:
                raise Refusal("wrong_org")
            # 4. Fresh.
            if not self._fresh(request.ts, now):
                raise Refusal("stale")
            # 5-7. The document, its holder, its renditions.
            document_id, details = self._find(configured.issuer, request)
        except Refusal as refusal:
            return self._finish(api, issuer_id, body, now, request, refusal.code)
        # 8. Once only.
        return self._finish(api, issuer_id, body, now, request, "found", document_id, details)

    def _configuration(self, issuer_id: str, token: Hashable) -> _Configured:
        known = self._configured.get(issuer_id)
        if known is not None and known.token == token:
            return known
        if self._sealing_key is None:
            raise Refusal("not_configured")
        issuer = self._store.issuer(issuer_id)
        if issuer is None:
            raise Refusal("not_configured")
        try:
            key = unseal(self._sealing_key, issuer.sealed_key, issuer_id)
        except KeyMaterialError:
            raise Refusal("not_configured") from None
        configured = _Configured(token, issuer, key)
        with self._lock:
            if len(self._configured) > 10_000:
                self._configured.clear()
            self._configured[issuer_id] = configured
        return configured

    def _fresh(self, ts: str, now: datetime) -> bool:
        try:
            sent = datetime.fromisoformat(ts)
            if sent.tzinfo is None:
                sent = sent.replace(tzinfo=INDIA)
            return abs(sent - now) <= self._window
        except (ValueError, OverflowError):
            return False

    def _find(
        self, issuer: DigiLockerIssuer, request: PullRequest
    ) -> tuple[str, list[tuple[str, str]]]:
        if request.api == PULL_URI:
            doctype = request.get("DocType") or ""
            search = issuer.doctypes.get(doctype)
            if search is None:
                raise Refusal("unknown_doctype")
            document_id = self._search(issuer.issuer_id, doctype, search, request)
        else:
            document_id = request.get("URI") or ""
            try:
                parts = parse_document_id(document_id)
            except DocumentIdError:
                raise Refusal("no_match") from None
            search = issuer.doctypes.get(parts.doctype)
            if parts.issuer_id != issuer.issuer_id or search is None:
                raise Refusal("unknown_doctype")
        wanted = ((SIGNED_XML, request.wants_xml), (PDF, request.wants_pdf))
        formats = [name for name, asked in wanted if asked]
        found = self._kept.document(document_id, formats, (*search.names, search.date_of_birth))
        if found is None:
            raise Refusal("no_match")
        renditions, fields = found
        if not _holder_matches(search, request, fields):
            raise Refusal("no_match")
        return document_id, _contents(request, document_id, renditions)

    def _search(
        self, issuer_id: str, doctype: str, search: DoctypeSearch, request: PullRequest
    ) -> str:
        sent = {name: value for name, value in request.details if name.startswith("UDF")}
        if set(sent) != set(search.search) or not sent:
            raise Refusal("bad_search")
        criteria = {search.search[name]: normalise(value) for name, value in sent.items()}
        found = self._kept.find(issuer_id, doctype, criteria, limit=2)
        if len(found) != 1:
            raise Refusal("no_match")
        return found[0]

    def _finish(
        self,
        api: str,
        issuer_id: str,
        body: bytes,
        now: datetime,
        request: PullRequest | None,
        code: str,
        document_id: str | None = None,
        details: list[tuple[str, str]] | None = None,
    ) -> Answer:
        authenticated = code not in ("oversized", "not_configured", "bad_hmac", "malformed")
        entry = PullRequestEntry(
            received_at=now,
            issuer_id=issuer_id[:200],
            api=api,
            txn=None if request is None else request.txn,
            ts=None if request is None else request.ts,
            body_sha256=hashlib.sha256(body).hexdigest(),
            status=FOUND if code == "found" else ERROR,
            code=code,
            document_id=document_id,
            replay_key=(
                f"{issuer_id}\n{api}\n{request.txn}\n{request.ts}"
                if request is not None and authenticated and code != "stale"
                else None
            ),
        )
        if not self._store.record(entry):
            code, details = "replayed", None
        ts, txn = ("", "") if request is None else (request.ts, request.txn)
        if code != "found":
            echoed = list(request.details) if request is not None and authenticated else []
            body = write_response(api, ERROR, ts=ts, txn=txn, details=echoed)
            return Answer(ERROR, PUBLIC_CODES.get(code, code), body)
        return Answer(
            FOUND, code, write_response(api, FOUND, ts=ts, txn=txn, details=details or [])
        )


def _authenticate(key: bytes, body: bytes, signature: str | None) -> None:
    if signature is None:
        raise Refusal("bad_hmac")
    try:
        given = base64.b64decode(signature.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise Refusal("bad_hmac") from None
    expected = hmac.new(key, body, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, given):
        raise Refusal("bad_hmac")


def _holder_matches(search: DoctypeSearch, request: PullRequest, fields: dict[str, str]) -> bool:
    name, born = request.get("FullName") or None, request.get("DOB") or None
    if ("FullName" in search.require and name is None) or ("DOB" in search.require and not born):
        return False
    if name is not None and not any(
        names_match(name, fields[field]) for field in search.names if field in fields
    ):
        return False
    if born is not None:
        held = fields.get(search.date_of_birth)
        return held is not None and _date_of_birth(born) == held
    return True


def _date_of_birth(text: str) -> str | None:
    """DD-MM-YYYY as the e-locker sends it, in the YYYY-MM-DD form documents hold."""
    day, _, rest = text.strip().partition("-")
    month, _, year = rest.partition("-")
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except (ValueError, OverflowError):
        return None


def _contents(
    request: PullRequest, document_id: str, renditions: dict[str, KeptRendition]
) -> list[tuple[str, str]]:
    if request.wants_xml and SIGNED_XML not in renditions:
        raise Refusal("no_xml_rendition")
    if request.wants_pdf and PDF not in renditions:
        raise Refusal("no_pdf_rendition")
    contents = []
    if request.wants_pdf:
        contents.append(("DocContent", _base64(renditions[PDF].content)))
    if request.wants_xml:
        contents.append(("DataContent", _base64(renditions[SIGNED_XML].content)))
    if request.api == PULL_URI:
        return [*request.details, ("URI", document_id), *contents]
    return contents


def _base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
