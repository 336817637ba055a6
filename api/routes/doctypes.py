"""Document types as data over HTTP: list, show and add definition versions (scope
`registry:admin`), and each type version's JSON-LD context at its stable URL (public, like the
status lists: a context is vocabulary every verifier may read, and holds no personal data).

A definition is sent as text (YAML or JSON) in `{"definition": "..."}`; a bad one is a 422
problem whose detail names the line and the reason, a code already in use or a version out of
sequence a 409.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from api import bodies
from api.access import Client
from api.openapi import json_body, problems
from api.problems import Problem
from api.services import Services, authenticated, require, services
from vc_engine.doctypes import UnknownDocTypeError
from vc_engine.doctypes.definition import DefinitionError
from vc_engine.doctypes.generated import type_context
from vc_engine.doctypes.versions import Catalogue, Version
from vc_engine.store.doctype_versions import DoctypeVersions

router = APIRouter(tags=["doctypes"])

Code = Annotated[str, Path(pattern=r"^[A-Z]{5,6}$", examples=["INCER"])]
CONTEXT_MEDIA_TYPE = "application/ld+json"


class NewDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid")
    definition: str = Field(min_length=1, max_length=256 * 1024, description="YAML or JSON text")
    name: str = Field(default="definition", max_length=100, description="named in refusals")


async def _admin(client: Annotated[Client, Depends(authenticated)]) -> Client:
    require(client, "registry:admin")
    return client


Admin = Annotated[Client, Depends(_admin)]
Found = Annotated[Services, Depends(services)]


async def _catalogue(found: Services) -> Catalogue:
    return await run_in_threadpool(DoctypeVersions(found.registry).catalogue)


@router.get("/v1/doctypes", summary="List document types (latest versions)")
async def list_doctypes(_: Admin, found: Found) -> JSONResponse:
    catalogue = await _catalogue(found)
    return JSONResponse(
        {
            "doctypes": [
                {
                    "code": code,
                    "version": catalogue.latest(code).version,
                    "title": catalogue.latest(code).title("en"),
                }
                for code in catalogue.codes
            ]
        }
    )


@router.get(
    "/v1/doctypes/{code}",
    summary="One version of a document type (default: the latest)",
    responses=problems(404),
)
async def show_doctype(
    code: Code,
    _: Admin,
    found: Found,
    version: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> JSONResponse:
    return JSONResponse(_chosen(await _catalogue(found), code, version).to_json())


@router.post(
    "/v1/doctypes",
    summary="Add a document type, or the next version of one, from a definition",
    status_code=201,
    openapi_extra=json_body(NewDefinition),
    responses=problems(400, 409, 422),
)
async def add_doctype(request: Request, _: Admin, found: Found) -> JSONResponse:
    ask = await bodies.model(request, NewDefinition)
    try:
        version = await run_in_threadpool(
            DoctypeVersions(found.registry).add, ask.definition, ask.name, found.clock()
        )
    except DefinitionError as error:
        status, code = (409, "conflict") if error.line == 0 else (422, "bad_definition")
        raise Problem(status, code, str(error)) from None
    return JSONResponse(version.to_json(), status_code=201)


@router.get(
    "/contexts/doctypes/{code}/v{version}",
    summary="A document type version's JSON-LD context (public)",
    response_class=Response,
    responses={200: {"content": {CONTEXT_MEDIA_TYPE: {}}}, **problems(404)},
)
async def doctype_context(
    code: Code, version: Annotated[int, Path(ge=1, le=100_000)], found: Found
) -> Response:
    context = type_context(_chosen(await _catalogue(found), code, version).doctype)
    if context is None:
        raise Problem(404, "not_found", f"{code} v{version} uses only the core context's terms")
    return Response(
        context.document,
        media_type=CONTEXT_MEDIA_TYPE,
        headers={"ETag": f'"{context.sha256}"', "Cache-Control": "public, max-age=86400"},
    )


def _chosen(catalogue: Catalogue, code: str, number: int | None) -> Version:
    try:
        versions = catalogue.versions(code)
    except UnknownDocTypeError as error:
        raise Problem(404, "not_found", str(error)) from None
    for candidate in versions:
        if (number is None and candidate is versions[-1]) or candidate.doctype.version == number:
            return candidate
    raise Problem(404, "not_found", f"{code} has no version {number}")
