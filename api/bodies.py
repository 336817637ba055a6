"""Reading request bodies into documents and JSON objects, refusing malformed requests with a
problem (400/415/422) before any work is done.

The document bytes go to the pipeline untouched: a request that carries a well-formed body of a
supported type is verified, and a body that is not a valid document becomes a FAILED report (the
verification ran), not an HTTP error.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import unquote_to_bytes

from fastapi import Request
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from api.problems import Problem, validation_detail
from vc_engine.formats.safe_json import UnsafeJson, loads_object
from vc_engine.model import InstantError, bounded_instant

XML_TYPES = frozenset({"application/xml", "text/xml"})
JSON_TYPES = frozenset(
    {"application/json", "application/ld+json", "application/vc+ld+json", "application/vc"}
)
JWT_TYPES = frozenset({"application/vc+jwt", "application/jwt"})
PAPER_TYPES = frozenset({"text/plain", "application/pdf", "image/png", "image/jpeg"})
"""A QR code's text, a signed PDF, a photo or scan of a printed QR code."""
MULTIPART = "multipart/form-data"
DOCUMENT_TYPES = (
    *sorted(XML_TYPES),
    *sorted(JSON_TYPES),
    *sorted(JWT_TYPES),
    *sorted(PAPER_TYPES),
    MULTIPART,
)
MAX_REQUEST_JSON_DEPTH = 64
M = TypeVar("M", bound=BaseModel)


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def document(request: Request) -> bytes:
    """The document a /v1/verify request carries, by its content type."""
    data, _ = await document_and_pdf(request)
    return data


async def document_and_pdf(request: Request) -> tuple[bytes, bytes | None]:
    """The document a /v1/verify request carries, and the PDF a multipart request may carry
    beside a credential (part `pdf`), to compare with the one its issuer bound."""
    kind = media_type(request)
    pdf = None
    if kind == MULTIPART:
        data, pdf = await _uploaded(request)
    elif kind in XML_TYPES or kind in JSON_TYPES or kind in JWT_TYPES or kind in PAPER_TYPES:
        data = await request.body()
    else:
        raise Problem(
            415,
            "unsupported_media_type",
            f"send the document as one of {', '.join(DOCUMENT_TYPES)}"
            + (f", not {kind}" if kind else "; the request has no Content-Type"),
        )
    if not data.strip():
        raise Problem(400, "empty_body", "the request carries no document")
    text_kind = kind in JSON_TYPES or kind in JWT_TYPES
    if text_kind:
        _require_utf8(data)
    if kind in JSON_TYPES and not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        raise Problem(400, "json_not_object", "a JSON credential is a JSON object")
    return data, pdf


async def _uploaded(request: Request) -> tuple[bytes, bytes | None]:
    try:
        form = await request.form(max_files=2, max_fields=10)
    except MultiPartException as error:
        raise Problem(400, "bad_multipart", f"the multipart body is malformed: {error}") from None
    except HTTPException as error:  # Starlette's wrapping of a MultiPartException
        raise Problem(
            400, "bad_multipart", f"the multipart body is malformed: {error.detail}"
        ) from None
    try:
        pdf = form.get("pdf")
        if pdf is not None and not isinstance(pdf, UploadFile):
            raise Problem(400, "bad_multipart", "the part 'pdf' must be a file")
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            others = (v for k, v in form.multi_items() if k != "pdf")
            upload = next((v for v in others if isinstance(v, UploadFile)), None)
        if upload is None:
            raise Problem(400, "no_file", "the multipart body has no file part (name it 'file')")
        return await upload.read(), None if pdf is None else await pdf.read()
    finally:
        await form.close()


def _require_utf8(data: bytes) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Problem(400, "invalid_utf8", f"the body is not UTF-8 (byte {error.start})") from None


async def json_object(request: Request) -> dict[str, Any]:
    """A JSON request body: an object, strict (no duplicate keys), at most 64 levels deep."""
    kind = media_type(request)
    if kind not in JSON_TYPES:
        raise Problem(
            415,
            "unsupported_media_type",
            "send application/json" + (f", not {kind}" if kind else ""),
        )
    data = await request.body()
    if not data.strip():
        raise Problem(400, "empty_body", "the request has no body")
    _require_utf8(data)
    try:
        return loads_object(data, max_bytes=len(data), max_depth=MAX_REQUEST_JSON_DEPTH)
    except UnsafeJson as error:
        message = str(error)
        if "deeper" in message:
            raise Problem(400, "json_too_deep", message) from None
        if "top level" in message:
            raise Problem(400, "json_not_object", message) from None
        raise Problem(400, "invalid_json", message) from None


async def model(request: Request, kind: type[M]) -> M:
    """A JSON body checked against a pydantic model (422 with every wrong field named)."""
    value = await json_object(request)
    try:
        return kind.model_validate(value)
    except ValidationError as error:
        raise Problem(422, "invalid_request", validation_detail(error.errors())) from None


def instant(text: str | None, name: str) -> datetime | None:
    """An ISO 8601 instant with its time zone, from a query parameter or field."""
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise Problem(400, "invalid_time", f"{name}: {text[:40]!r} is not ISO 8601") from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise Problem(
            400, "invalid_time", f"{name}: {text[:40]!r} has no time zone (add Z or +05:30)"
        )
    try:
        return bounded_instant(value, name)
    except InstantError as error:
        raise Problem(400, "invalid_time", str(error)) from None


def credential_bytes(credential: object) -> bytes:
    """The document inside a VC API `verifiableCredential`: a credential object, a compact JWT
    or signed XML as a string, or an EnvelopedVerifiableCredential with a `data:` URL."""
    if isinstance(credential, str):
        if credential.lstrip().startswith(("{", "[")):
            raise Problem(
                422, "invalid_credential", "verifiableCredential is a JSON string; send the object"
            )
        return _data_url(credential) if credential.startswith("data:") else credential.encode()
    if isinstance(credential, dict):
        types = credential.get("type")
        enveloped = types == "EnvelopedVerifiableCredential" or (
            isinstance(types, list) and "EnvelopedVerifiableCredential" in types
        )
        if enveloped:
            identifier = credential.get("id")
            if not isinstance(identifier, str) or not identifier.startswith("data:"):
                raise Problem(
                    422, "invalid_credential", "an enveloped credential's id is a data: URL"
                )
            return _data_url(identifier)
        return json.dumps(credential, ensure_ascii=False).encode("utf-8")
    raise Problem(
        422, "invalid_credential", "verifiableCredential must be a credential object or string"
    )


def _data_url(url: str) -> bytes:
    header, comma, payload = url.partition(",")
    if not comma:
        raise Problem(422, "invalid_credential", "a data: URL needs a comma before its content")
    if header.endswith(";base64"):
        try:
            return base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise Problem(422, "invalid_credential", "the data: URL is not base64") from None
    return unquote_to_bytes(payload)
