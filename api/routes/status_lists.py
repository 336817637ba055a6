"""Published status lists: public (no key), cacheable, exactly as the issuer signed them.

One list version is published in two forms, both signed when the list changed and served byte
for byte as stored, chosen by `Accept`:

* `application/vc+jwt` (the default, also for `*/*` or no Accept): the vc+jwt credential;
* `application/vc+ld+json`, `application/ld+json` or `application/json`: the JSON-LD
  BitstringStatusListCredential with a Data Integrity proof (eddsa-rdfc-2022 or ecdsa-rdfc-2019
  by the issuer's key), answered with the media type asked for. An issuer whose key cannot make
  such a proof (RSA) has none: 406 unless the vc+jwt is acceptable too.

`ETag` is the SHA-256 of the bytes served, so a cache revalidates cheaply (304), and `Vary:
Accept` keeps the two forms apart; `Cache-Control: max-age` is the list's own `ttl`, so no cache
keeps a list longer than a verifier would believe it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.openapi import problems
from api.problems import Problem
from api.services import Services, services

router = APIRouter(tags=["status"])

MEDIA_TYPE = "application/vc+jwt"
JSON_LD_TYPES = ("application/vc+ld+json", "application/ld+json", "application/json")
DEFAULT_MAX_AGE = 300


@router.get(
    "/status-lists/{list_id}",
    summary="A published status list (public)",
    response_class=Response,
    responses={
        200: {
            "description": "The signed BitstringStatusListCredential, as a vc+jwt or as JSON-LD "
            "with a Data Integrity proof (by Accept)",
            "content": {
                MEDIA_TYPE: {
                    "schema": {"type": "string"},
                    "example": "eyJhbGciOiJFUzI1NiIsInR5cCI6InZjK2p3dCJ9...",
                },
                JSON_LD_TYPES[0]: {"schema": {"type": "object"}},
            },
        },
        304: {"description": "Unchanged since the ETag sent in If-None-Match"},
        **problems(400, 404, 406),
    },
)
async def status_list(
    list_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9._-]{1,200}$")],
    request: Request,
    found: Annotated[Services, Depends(services)],
) -> Response:
    choice = negotiate(request.headers.get("accept"))
    if choice is None:
        raise Problem(406, "not_acceptable", _OFFER)
    store = found.status_lists.store
    body = None
    if choice.json_ld:
        body = await run_in_threadpool(store.published_list_ld, list_id)
    if body is None:
        body = await run_in_threadpool(store.published_list, list_id)
        if body is None:
            raise Problem(404, "not_found", f"status list {list_id} is not published")
        if choice.json_ld and not choice.jwt_acceptable:
            raise Problem(
                406,
                "not_acceptable",
                f"status list {list_id} is published only as {MEDIA_TYPE}: its issuer's key "
                "makes no Data Integrity proof",
            )
        choice = _JWT
    etag = '"' + hashlib.sha256(body).hexdigest() + '"'
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={choice.max_age(body)}",
        "Access-Control-Allow-Origin": "*",
        "Vary": "Accept",
    }
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=choice.media_type, headers=headers)


@dataclass(frozen=True)
class Choice:
    media_type: str
    json_ld: bool
    jwt_acceptable: bool
    max_age: Callable[[bytes], int]


_OFFER = f"status lists are served as {MEDIA_TYPE} or as {', '.join(JSON_LD_TYPES)}"


def negotiate(accept: str | None) -> Choice | None:
    """The form to serve for an Accept header (RFC 9110 §12.5.1): the offer with the highest
    q; at equal q an exact media type over a wildcard, then the one named first. None when
    nothing offered is acceptable."""
    if accept is None or not accept.strip():
        return _JWT
    best: tuple[float, int, int, str] | None = None
    jwt_q = 0.0
    for position, (media_range, q) in enumerate(_ranges(accept)):
        if media_range == MEDIA_TYPE:
            offer, specificity = MEDIA_TYPE, 2
        elif media_range in JSON_LD_TYPES:
            offer, specificity = media_range, 2
        elif media_range in ("*/*", "application/*"):
            offer, specificity = MEDIA_TYPE, 1
        else:
            continue
        if offer == MEDIA_TYPE:
            jwt_q = max(jwt_q, q)
        rank = (q, specificity, -position, offer)
        if q > 0 and (best is None or rank[:3] > best[:3]):
            best = rank
    if best is None:
        return None
    if best[3] == MEDIA_TYPE:
        return _JWT
    return Choice(best[3], json_ld=True, jwt_acceptable=jwt_q > 0, max_age=_json_ld_max_age)


def _ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(",")[:64]:
        media_range, *parameters = (p.strip() for p in part.split(";"))
        q = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((media_range.lower(), q))
    return ranges


def _ttl_seconds(ttl: Any) -> int:
    if isinstance(ttl, bool) or not isinstance(ttl, int) or ttl < 0:
        return DEFAULT_MAX_AGE
    return ttl // 1000


def _jwt_max_age(token: bytes) -> int:
    """The list's `ttl` in seconds, read from the payload we signed ourselves."""
    try:
        payload = token.split(b".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))
        return _ttl_seconds(claims["credentialSubject"]["ttl"])
    except (IndexError, KeyError, TypeError, ValueError, binascii.Error):
        return DEFAULT_MAX_AGE


def _json_ld_max_age(document: bytes) -> int:
    try:
        return _ttl_seconds(json.loads(document)["credentialSubject"]["ttl"])
    except (KeyError, TypeError, ValueError):
        return DEFAULT_MAX_AGE


_JWT = Choice(MEDIA_TYPE, json_ld=False, jwt_acceptable=True, max_age=_jwt_max_age)
