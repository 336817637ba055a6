"""The OpenAPI document: request bodies from the models the routes validate with, every problem a
route can answer, and the bearer authentication, so that the document says exactly what the
service does (schemathesis checks every answer against it).

Routes read their bodies themselves (`api.bodies`), after checking the caller's scope, so
FastAPI does not see the models; `json_body` names them for the document and `install` puts
their schemas into its components.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from api.schemas import Problem

PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
REASONS = {
    400: "Malformed request (body, id or time)",
    401: "No credentials, wrong credentials, or a revoked client",
    403: "The client lacks the scope this route needs",
    404: "Not found",
    406: "None of the media types in Accept is offered",
    409: "Conflicts with what is recorded",
    413: "Body over the size limit (or too many records)",
    415: "Unsupported content type",
    422: "Invalid values",
    429: "Over the client's request rate; see Retry-After",
    503: "The registry does not answer",
}
PUBLIC = frozenset({"/status-lists/{list_id}", "/healthz", "/metrics", "/oauth2/token"})
"""Routes that take no bearer token (the token endpoint authenticates the client itself)."""
HMAC_AUTHENTICATED = "/digilocker/"
"""The e-locker's Pull API: authenticated by the x-digilocker-hmac header, always answered in
its own XML (never a problem)."""
_MODELS: dict[str, type[BaseModel]] = {}


def json_body(
    model: type[BaseModel], example: Any = None, *, required: bool = True
) -> dict[str, Any]:
    """`openapi_extra` for a route that reads `model` from a JSON body."""
    _MODELS[model.__name__] = model
    media: dict[str, Any] = {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
    if example is not None:
        media["example"] = example
    return {"requestBody": {"required": required, "content": {"application/json": media}}}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses` entries for the problems a route answers besides the universal ones."""
    return {s: {"description": REASONS[s], "content": PROBLEM_CONTENT} for s in statuses}


def install(app: FastAPI) -> None:
    """Make `app.openapi()` the complete document (computed once, then cached by FastAPI)."""

    def document() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
        )
        components = schema.setdefault("components", {})
        schemas = components.setdefault("schemas", {})
        models: list[type[BaseModel]] = [Problem, *_MODELS.values()]
        for model in models:
            _add_schema(schemas, model)
        components["securitySchemes"] = {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "`<client-id>.<secret>` from `vc-engine client create`, or an "
                "access token from POST /oauth2/token",
            },
        }
        components["securitySchemes"]["digilockerHmac"] = {
            "type": "apiKey",
            "in": "header",
            "name": "x-digilocker-hmac",
            "description": "Base64 HMAC-SHA256 of the raw body under the issuer's API key",
        }
        for path, operations in schema["paths"].items():
            for operation in operations.values():
                if path.startswith(HMAC_AUTHENTICATED):
                    operation["security"] = [{"digilockerHmac": []}]
                    continue
                responses = operation.setdefault("responses", {})
                universal = [413] if path in PUBLIC else [401, 403, 413, 429]
                if "requestBody" in operation:
                    universal.append(415)
                for status in universal:
                    responses.setdefault(
                        str(status), {"description": REASONS[status], "content": PROBLEM_CONTENT}
                    )
                if path not in PUBLIC:
                    operation["security"] = [{"bearer": []}]
        app.openapi_schema = schema
        return schema

    app.openapi = document  # type: ignore[method-assign]


def _add_schema(schemas: dict[str, Any], model: type[BaseModel]) -> None:
    found = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in found.pop("$defs", {}).items():
        schemas.setdefault(name, definition)
    schemas[model.__name__] = found
