"""The W3C VC API's presentation verification (/presentations/verify)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api import bodies, problems
from api.openapi import PROBLEM_CONTENT, json_body
from api.openapi import problems as problem_responses
from api.services import Services, identify, require
from vc_engine.verify.presentation import verify_presentation

router = APIRouter(tags=["verify"])


class PresentationOptions(BaseModel):
    challenge: str | None = Field(default=None, description="The challenge the holder signed")
    domain: str | None = Field(default=None, description="The domain the holder signed")
    at: str | None = Field(default=None, description="Verify as of this instant (ISO 8601)")


class VpVerification(BaseModel):
    """What /presentations/verify answers, verified (200) or not (400)."""

    model_config = ConfigDict(extra="allow")
    verified: bool
    presentationResult: dict[str, Any]
    credentialResults: list[dict[str, Any]]
    problemDetails: list[dict[str, Any]]


class VerifyPresentationRequest(BaseModel):
    verifiablePresentation: dict[str, Any]
    options: PresentationOptions | None = None


_EXAMPLE = {
    "verifiablePresentation": {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [],
    },
    "options": {"challenge": "f6e4...", "domain": "verifier.example"},
}


@router.post(
    "/presentations/verify",
    summary="Verify a presentation (W3C VC API)",
    description="`{verifiablePresentation, options}` in; `{verified, presentationResult, "
    "credentialResults, problemDetails}` out. A Data Integrity proof must be for proof purpose "
    "`authentication` and carry the `challenge` and `domain` given in the options; an unsigned "
    "presentation is accepted as a wrapper. Every credential inside is verified by itself. 200 "
    "when verified, 400 with the same body when not. Scope: `verify`.",
    openapi_extra=json_body(VerifyPresentationRequest, _EXAMPLE),
    responses={
        200: {"model": VpVerification},
        400: {
            "description": "Not verified (the same body), or a malformed request (a problem)",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/VpVerification"}},
                **PROBLEM_CONTENT,
            },
        },
        **problem_responses(422),
    },
)
async def verify_presentation_route(request: Request) -> JSONResponse:
    found: Services = request.app.state.services
    generation = found.cache.current()
    client = await identify(request, found, generation)
    require(client, "verify")
    body = await bodies.json_object(request)
    presentation = body.get("verifiablePresentation")
    if not isinstance(presentation, dict):
        raise problems.Problem(
            422, "invalid_request", "verifiablePresentation must be a presentation object"
        )
    options = body.get("options", {})
    if not isinstance(options, dict):
        raise problems.Problem(422, "invalid_request", "options must be an object")
    values = {name: options.get(name) for name in ("challenge", "domain", "at")}
    for name, value in values.items():
        if value is not None and not isinstance(value, str):
            raise problems.Problem(422, "invalid_request", f"options.{name} must be a string")
    when = bodies.instant(values["at"], "options.at") or found.clock()
    report = await run_in_threadpool(
        verify_presentation,
        presentation,
        found.cache.trust(generation),
        found.policy.at(when),
        found.cache.status(generation),
        challenge=values["challenge"],
        domain=values["domain"],
    )
    answer = report.to_json()
    answer["presentationResult"] = {"verified": report.own.verified}
    return JSONResponse(answer, status_code=200 if report.verified else 400)
