"""Errors as RFC 9457 problem details (`application/problem+json`), each with a machine code.

A route refuses a request by raising `Problem`; the handlers installed by `install` turn it, and
every error FastAPI or Starlette raises, into one shape:
`{"type", "title", "status", "code", "detail"}`. An unexpected exception becomes a 500 problem
without internals (and is logged): no input should reach that path, and the tests send hostile
input to make sure none does.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://vc-engine.org/problems/"

log = logging.getLogger("api")

_CODE_FOR_STATUS = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class Problem(Exception):
    """A refused request: HTTP status, machine code, and a detail a person can act on."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra or {}


def body(status: int, code: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": TYPE_BASE + code,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "code": code,
        "detail": detail,
        **extra,
    }


def response(
    status: int, code: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    return JSONResponse(
        body(status, code, detail, **extra),
        status_code=status,
        media_type=MEDIA_TYPE,
        headers=headers,
    )


def refusal(exc: Problem) -> JSONResponse:
    """The answer to a route's `Problem` (also for routes served by `api.direct`)."""
    return response(exc.status, exc.code, exc.detail, exc.headers, **exc.extra)


def http_refusal(exc: StarletteHTTPException) -> JSONResponse:
    """The answer to Starlette's or FastAPI's own HTTP errors, as a problem."""
    code = _CODE_FOR_STATUS.get(exc.status_code, "error")
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    return response(exc.status_code, code, detail, dict(exc.headers or {}))


def _problem(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return refusal(exc)


def _http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return http_refusal(exc)


def _validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(tuple(e.get("loc", ()))[:1] == ("path",) for e in errors):
        return response(400, "invalid_id", validation_detail(errors))
    return response(422, "invalid_request", validation_detail(errors))


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return response(500, "internal_error", "the service failed; the fault is logged")


def validation_detail(errors: Any) -> str:
    """One line per invalid field: where and what (never the submitted value)."""
    parts = []
    for error in list(errors)[:10]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        parts.append(f"{where or 'body'}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "the request is invalid"


def install(app: FastAPI) -> None:
    app.add_exception_handler(Problem, _problem)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(Exception, _unexpected)
