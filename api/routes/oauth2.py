"""The OAuth2 token endpoint (client credentials grant, RFC 6749 §4.4).

The client authenticates with its id and secret (the halves of `<client-id>.<secret>`), either as
HTTP Basic (§2.3.1) or as `client_id`/`client_secret` in the form body, never both. Errors are
RFC 6749 §5.2 JSON (`{"error", "error_description"}`), not problem details, because that is what
OAuth2 clients parse: `invalid_request` 400, `invalid_client` 401, `unsupported_grant_type` 400,
`invalid_scope` 400.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from starlette.datastructures import FormData

from api.access import Client
from api.oauth2 import ACCESS_TOKEN_LIFETIME
from api.registry_cache import Generation
from api.services import Services, registry_generation, services

router = APIRouter(tags=["access"])

FORM = "application/x-www-form-urlencoded"
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_MAX_FIELD = 1024


class OAuthError(Exception):
    """An RFC 6749 §5.2 error response."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description

    def response(self) -> JSONResponse:
        headers = dict(_NO_STORE)
        if self.status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="vc-engine"'
        return JSONResponse(
            {"error": self.error, "error_description": self.description},
            status_code=self.status,
            headers=headers,
        )


@router.post(
    "/oauth2/token",
    summary="An access token for a client (OAuth2 client credentials)",
    description="Form body (`application/x-www-form-urlencoded`): `grant_type=client_credentials`, "
    "optional `scope` (space-separated, a subset of the client's scopes; default: all of them), "
    "and the client's id and secret as HTTP Basic or as `client_id` and `client_secret`. The "
    "answer `{access_token, token_type: Bearer, expires_in, scope}` is a bearer token for every "
    "other route, valid for 15 minutes and only while the client is not revoked.",
    responses={
        200: {"description": "The access token"},
        400: {"description": "invalid_request, unsupported_grant_type or invalid_scope"},
        401: {"description": "invalid_client"},
    },
)
async def token(
    request: Request,
    found: Annotated[Services, Depends(services)],
    generation: Annotated[Generation, Depends(registry_generation)],
) -> JSONResponse:
    try:
        form = await _form(request)
        # 1. The grant is the client credentials grant.
        grant = _field(form, "grant_type")
        if grant is None:
            raise OAuthError(400, "invalid_request", "grant_type is required")
        if grant != "client_credentials":
            raise OAuthError(
                400,
                "unsupported_grant_type",
                f"only client_credentials is supported, not {grant!r}",
            )
        # 2. The client is who it says, and not revoked.
        client = await _client(request, form, found, generation)
        # 3. The scopes asked for are the client's.
        scopes = _scopes(_field(form, "scope"), client)
    except OAuthError as error:
        return error.response()
    access_token = await run_in_threadpool(
        found.access_tokens.issue, client.id, scopes, at=found.clock()
    )
    return JSONResponse(
        {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": int(ACCESS_TOKEN_LIFETIME.total_seconds()),
            "scope": " ".join(sorted(scopes)),
        },
        headers=_NO_STORE,
    )


async def _form(request: Request) -> FormData:
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind != FORM:
        raise OAuthError(400, "invalid_request", f"send the request as {FORM}")
    try:
        return await request.form(max_files=0, max_fields=20)
    except Exception as error:  # the form parser's errors have no common base worth naming
        raise OAuthError(400, "invalid_request", "the form body is malformed") from error


def _field(form: FormData, name: str) -> str | None:
    values = form.getlist(name)
    if len(values) > 1:
        raise OAuthError(400, "invalid_request", f"{name} is given more than once")
    if not values:
        return None
    value = values[0]
    if not isinstance(value, str) or len(value) > _MAX_FIELD:
        raise OAuthError(400, "invalid_request", f"{name} is not a short text value")
    return value


async def _client(
    request: Request, form: FormData, found: Services, generation: Generation
) -> Client:
    basic = _basic(request.headers.get("authorization"))
    in_form = _field(form, "client_id"), _field(form, "client_secret")
    if basic is not None and any(v is not None for v in in_form):
        raise OAuthError(
            400, "invalid_request", "authenticate the client one way: HTTP Basic or the form"
        )
    client_id, secret = basic if basic is not None else in_form
    if not client_id or not secret:
        raise OAuthError(401, "invalid_client", "the client id and secret are required")
    client = await run_in_threadpool(
        found.clients.authenticate, f"{client_id}.{secret}", generation.clients
    )
    if client is None:
        raise OAuthError(401, "invalid_client", "the client id or secret is wrong")
    if client.revoked:
        raise OAuthError(401, "invalid_client", f"client {client.id} was revoked")
    return client


def _basic(header: str | None) -> tuple[str, str] | None:
    """The id and secret of an HTTP Basic header (each form-urlencoded, RFC 6749 §2.3.1)."""
    if header is None:
        return None
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        raise OAuthError(401, "invalid_client", "authenticate the client with HTTP Basic")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise OAuthError(401, "invalid_client", "the Basic credentials are not base64") from None
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise OAuthError(401, "invalid_client", "the Basic credentials have no ':'")
    return unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))


def _scopes(asked: str | None, client: Client) -> frozenset[str]:
    if asked is None or not asked.strip():
        return client.scopes
    wanted = frozenset(asked.split())
    beyond = sorted(wanted - client.scopes)
    if beyond:
        raise OAuthError(
            400, "invalid_scope", f"client {client.id} does not hold {', '.join(beyond)}"
        )
    return wanted
