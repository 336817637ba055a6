"""Verification: our route (/v1/verify, the report whatever the verdict) and the W3C VC API's
(/credentials/verify, 200 only when verified)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api import bodies, problems
from api.openapi import PROBLEM_CONTENT, json_body
from api.openapi import problems as problem_responses
from api.schemas import Report, VcApiVerification
from api.services import Services, identify, require

router = APIRouter(tags=["verify"])


class VerifyOptions(BaseModel):
    model_config = ConfigDict(extra="allow")
    at: str | None = Field(
        default=None, description="Verify as of this instant (ISO 8601 with zone)"
    )


_XML_EXAMPLE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Certificate language="99" name="Birth Certificate"'
    ' number="in.gov.wb.kmc-BTHCER-2026000123" ...>...<ds:Signature ...>...</ds:Signature>'
    "</Certificate>"
)
_REPORT_EXAMPLE = {
    "verified": True,
    "indication": "PASSED",
    "subIndication": None,
    "checks": [
        {
            "name": "signature",
            "status": "passed",
            "code": None,
            "message": "the signature over SignedInfo is valid",
            "messageCode": "signature.xml-valid",
            "messageParams": {},
        },
        {
            "name": "validity",
            "status": "passed",
            "code": None,
            "message": "valid today (2026-11-23; no expiry)",
            "messageCode": "validity.valid-no-expiry",
            "messageParams": {"today": "2026-11-23"},
        },
    ],
    "warnings": [],
    "problemDetails": [],
    "format": "xml-dsig",
    "document": {
        "id": "in.gov.wb.kmc-BTHCER-2026000123",
        "type": "BTHCER",
        "issuer": {"id": "in.gov.wb.kmc", "name": "Kolkata Municipal Corporation"},
        "holder": {"name": "Ananya Das", "nameLocal": "অনন্যা দাস"},
        "claims": {"placeOfBirth": "Kolkata"},
    },
}

_AT = {
    "name": "at",
    "in": "query",
    "required": False,
    "description": "Verify as of this instant (ISO 8601 with zone), e.g. for a document "
    "presented last year.",
    "schema": {"type": "string", "format": "date-time"},
    "example": "2026-01-15T10:00:00+05:30",
}

_DOCUMENT_BODY = {
    "requestBody": {
        "required": True,
        "description": "The document exactly as received: signed XML, a JSON-LD credential, a "
        "vc+jwt, a QR code's text (text/plain), a signed PDF, a photo or scan of a printed QR "
        "code (PNG, JPEG), or a multipart form with the file in a part named `file` (and, beside a "
        "credential, the PDF its issuer bound in a part named `pdf`).",
        "content": {
            "application/xml": {"schema": {"type": "string"}, "example": _XML_EXAMPLE},
            "application/vc+ld+json": {"schema": {"type": "object"}},
            "application/ld+json": {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}},
            "application/vc+jwt": {"schema": {"type": "string"}, "example": "eyJhbGciOi..."},
            "text/plain": {"schema": {"type": "string"}, "example": "VC1:6BF..."},
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            "image/png": {"schema": {"type": "string", "format": "binary"}},
            "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "pdf": {
                            "type": "string",
                            "format": "binary",
                            "description": "A PDF to compare with the one the issuer bound "
                            "into the credential in `file` (its relatedResource): the report "
                            "gains a `bound-pdf` check.",
                        },
                    },
                    "required": ["file"],
                }
            },
        },
    }
}


@router.post(
    "/v1/verify",
    summary="Is this document equivalent to the original?",
    description="Runs the whole pipeline (signature, trust registry, status, validity, "
    "document-type rules) and returns the VerificationReport. 200 whether the document passed "
    "or failed: the verification ran. Every call is written to the audit log (client, time, "
    "document id, SHA-256, verdict), never the document's content. Scope: `verify`.",
    openapi_extra={**_DOCUMENT_BODY, "parameters": [_AT]},
    responses={
        200: {"model": Report, "content": {"application/json": {"example": _REPORT_EXAMPLE}}},
        **problem_responses(400),
    },
)
async def verify_document(request: Request) -> JSONResponse:
    # No FastAPI dependencies or parameters here: `api.direct` serves this route below
    # FastAPI's routing (see DIRECT). `at` is documented in `_AT`.
    found: Services = request.app.state.services
    generation = found.cache.current()
    client = await identify(request, found, generation)
    require(client, "verify")
    at = request.query_params.get("at") if request.scope["query_string"] else None
    when = bodies.instant(at, "at") or found.clock()
    data, bound_pdf = await bodies.document_and_pdf(request)
    report = await found.verify(client, data, when, generation, bound_pdf)
    return JSONResponse(report.to_json())


class VerifyRequest(BaseModel):
    """The VC API's verification request."""

    verifiableCredential: dict[str, Any] | str = Field(
        description="A credential object, an EnvelopedVerifiableCredential, or a compact JWT"
    )
    options: VerifyOptions | None = None


_VC_API_EXAMPLE = {
    "verifiableCredential": {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://vc-engine.org/contexts/v1"],
        "type": ["VerifiableCredential", "ElockerDocument"],
        "issuer": {"id": "did:web:edistrict.up.gov.in", "name": "e-District, Uttar Pradesh"},
        "credentialSubject": {"name": "..."},
        "proof": {"type": "DataIntegrityProof", "cryptosuite": "ecdsa-rdfc-2019"},
    },
    "options": {},
}


@router.post(
    "/credentials/verify",
    summary="Verify a credential (W3C VC API)",
    description="`{verifiableCredential, options}` in; `{verified, credential, problemDetails, "
    "results}` out, where `results` is the full VerificationReport. As the VC API and its test "
    "suites expect: 200 when verified, 400 with the same body when not. `verifiableCredential` "
    "may be a credential object, an EnvelopedVerifiableCredential (`data:application/vc+jwt,...`)"
    " or a compact JWT string. Option `at` (ISO 8601) verifies as of a past instant. "
    "Scope: `verify`.",
    openapi_extra=json_body(VerifyRequest, _VC_API_EXAMPLE),
    responses={
        200: {"model": VcApiVerification},
        400: {
            "description": "Not verified (the VC API body), or a malformed request (a problem)",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/VcApiVerification"}},
                **PROBLEM_CONTENT,
            },
        },
        **problem_responses(422),
    },
)
async def verify_credential(request: Request) -> JSONResponse:
    found: Services = request.app.state.services  # no dependencies: see DIRECT
    generation = found.cache.current()
    client = await identify(request, found, generation)
    require(client, "verify")
    body = await bodies.json_object(request)
    if "verifiableCredential" not in body:
        raise problems.Problem(422, "invalid_request", "verifiableCredential is required")
    options = body.get("options", {})
    if not isinstance(options, dict):
        raise problems.Problem(422, "invalid_request", "options must be an object")
    at = options.get("at")
    if at is not None and not isinstance(at, str):
        raise problems.Problem(422, "invalid_request", "options.at must be an ISO 8601 string")
    when = bodies.instant(at, "options.at") or found.clock()
    credential = body["verifiableCredential"]
    data = bodies.credential_bytes(credential)
    if not data.strip():
        raise problems.Problem(400, "empty_body", "verifiableCredential is empty")
    report = await found.verify(client, data, when, generation)
    results = report.to_json()
    answer = {
        "verified": report.verified,
        "credential": credential,
        "problemDetails": results["problemDetails"],
        "results": results,
    }
    return JSONResponse(answer, status_code=200 if report.verified else 400)


DIRECT = (verify_document, verify_credential)
"""Endpoints `api.direct.DirectRoutes` calls without FastAPI's routing: each takes only the
request and raises `Problem` to refuse it, so nothing FastAPI would resolve or validate is
skipped."""
