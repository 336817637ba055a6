"""The e-locker's issuer Pull API: `POST /digilocker/{issuer}/pull-uri` and `.../pull-doc`.

XML in, XML out (`api.digilocker.messages`), always HTTP 200 with a well-formed response:
whatever is wrong is `Status` 0 (`api.digilocker.pull` says why in the request log and in the
`x-vc-engine-code` and `x-vc-engine-reason` headers). These routes take no bearer token: the
`x-digilocker-hmac` header, the Base64 HMAC-SHA256 of the raw body under the issuer's API key,
is their authentication, checked before the body is parsed. The body is read here, up to the
Pull API's own limit.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.digilocker.messages import PULL_DOC, PULL_URI
from api.digilocker.pull import Answer
from api.services import Services, services

router = APIRouter(tags=["digilocker"])

MEDIA_TYPE = "application/xml"
HMAC_HEADER = "x-digilocker-hmac"

_XML_ANSWER = {
    200: {
        "description": "PullURIResponse / PullDocResponse; Status 1 found, 0 error",
        "content": {MEDIA_TYPE: {"schema": {"type": "string"}}},
    }
}
_XML_BODY = {
    "requestBody": {
        "required": True,
        "content": {MEDIA_TYPE: {"schema": {"type": "string"}}},
    },
    "parameters": [
        {
            "name": HMAC_HEADER,
            "in": "header",
            "required": True,
            "description": "Base64 HMAC-SHA256 of the raw body under the issuer's API key",
            "schema": {"type": "string"},
        }
    ],
}


@router.post(
    "/digilocker/{issuer_id}/pull-uri",
    summary="DigiLocker Pull URI (issuer API)",
    description="A PullURIRequest in, a PullURIResponse out. Authenticated by x-digilocker-hmac.",
    response_class=Response,
    responses=_XML_ANSWER,  # type: ignore[arg-type]
    openapi_extra=_XML_BODY,
)
async def pull_uri(
    issuer_id: str, request: Request, found: Annotated[Services, Depends(services)]
) -> Response:
    return _response(await _answer(PULL_URI, issuer_id, request, found))


@router.post(
    "/digilocker/{issuer_id}/pull-doc",
    summary="DigiLocker Pull Doc (issuer API)",
    description="A PullDocRequest in, a PullDocResponse out. Authenticated by x-digilocker-hmac.",
    response_class=Response,
    responses=_XML_ANSWER,  # type: ignore[arg-type]
    openapi_extra=_XML_BODY,
)
async def pull_doc(
    issuer_id: str, request: Request, found: Annotated[Services, Depends(services)]
) -> Response:
    return _response(await _answer(PULL_DOC, issuer_id, request, found))


async def _answer(api: str, issuer_id: str, request: Request, found: Services) -> Answer:
    limit = found.settings.digilocker_max_body_bytes
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            now = found.clock()
            return await run_in_threadpool(
                found.digilocker.refuse_unread, api, issuer_id, bytes(body), now
            )
    token = found.cache.current().token
    signature = request.headers.get(HMAC_HEADER)
    return await run_in_threadpool(
        lambda: found.digilocker.answer(
            api, issuer_id, bytes(body), signature, now=found.clock(), token=token
        )
    )


def _response(answer: Answer) -> Response:
    headers = {"x-vc-engine-code": answer.code, "x-vc-engine-reason": answer.reason}
    return Response(answer.body, media_type=MEDIA_TYPE, headers=headers)
