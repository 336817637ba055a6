"""Published status lists: public (no key), cacheable, exactly as the issuer signed them.

The body is the BitstringStatusListCredential as a vc+jwt, byte for byte as published. `ETag` is
its SHA-256, so a cache revalidates cheaply (304); `Cache-Control: max-age` is the list's own
`ttl`, so no cache keeps a list longer than a verifier would believe it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.openapi import problems
from api.problems import Problem
from api.services import Services, services

router = APIRouter(tags=["status"])

MEDIA_TYPE = "application/vc+jwt"
DEFAULT_MAX_AGE = 300


@router.get(
    "/status-lists/{list_id}",
    summary="A published status list (public)",
    response_class=Response,
    responses={
        200: {
            "description": "The signed BitstringStatusListCredential",
            "content": {
                MEDIA_TYPE: {
                    "schema": {"type": "string"},
                    "example": "eyJhbGciOiJFUzI1NiIsInR5cCI6InZjK2p3dCJ9...",
                }
            },
        },
        304: {"description": "Unchanged since the ETag sent in If-None-Match"},
        **problems(400, 404),
    },
)
async def status_list(
    list_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9._-]{1,200}$")],
    request: Request,
    found: Annotated[Services, Depends(services)],
) -> Response:
    credential = await run_in_threadpool(found.status_lists.store.published_list, list_id)
    if credential is None:
        raise Problem(404, "not_found", f"status list {list_id} is not published")
    etag = '"' + hashlib.sha256(credential).hexdigest() + '"'
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={_max_age(credential)}",
        "Access-Control-Allow-Origin": "*",
    }
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(credential, media_type=MEDIA_TYPE, headers=headers)


def _max_age(token: bytes) -> int:
    """The list's `ttl` in seconds, read from the payload we signed ourselves."""
    try:
        payload = token.split(b".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))
        ttl = claims["credentialSubject"]["ttl"]
    except (IndexError, KeyError, TypeError, ValueError, binascii.Error):
        return DEFAULT_MAX_AGE
    if isinstance(ttl, bool) or not isinstance(ttl, int) or ttl < 0:
        return DEFAULT_MAX_AGE
    return ttl // 1000
