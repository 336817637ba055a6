"""Trust through X.509 chains, administered over HTTP: the CA certificates issuers' certificates
chain to, their CRLs, and the certificate subjects an issuer is trusted by. Scope:
`registry:admin`, as for the rest of the registry.

Every change goes through `Registry`, which checks it (a CA must be a root or signed by a
registered CA; a CRL must be signed by one; an organisation speaks for one issuer); its refusals
map to 404 (unknown issuer or CA), 409 (a conflict with what is recorded) and 422 (an invalid
value).
"""

from __future__ import annotations

from typing import Annotated, Any

from cryptography import x509
from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api import bodies
from api.openapi import json_body, problems
from api.problems import Problem
from api.routes.registry import Admin, Found, IssuerId, registry_call
from vc_engine import keys
from vc_engine.trust.anchors import CertificateSubject, RevocationList, TrustAnchor, subject_text

router = APIRouter(tags=["registry"])

Fingerprint = Annotated[
    str, Path(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the CA certificate's DER")
]


class NewAnchor(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, examples=["CCA India 2022"])
    certificate: str = Field(description="PEM certificate of the CA", max_length=20000)


class NewCrl(BaseModel):
    model_config = ConfigDict(extra="forbid")
    crl: str = Field(description="PEM CRL signed by a registered CA", max_length=1_000_000)


class NewSubject(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organisation: str = Field(min_length=1, max_length=200)
    serialNumber: str | None = Field(
        default=None, pattern=r"^[0-9a-f]{1,40}$", description="Hexadecimal, lowercase"
    )
    keyId: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")


class AnchorAnswer(BaseModel):
    name: str
    fingerprint: str
    root: bool
    subject: str
    notBefore: str
    notAfter: str
    addedAt: str


class AnchorList(BaseModel):
    anchors: list[AnchorAnswer]


class CrlAnswer(BaseModel):
    sha256: str
    caFingerprint: str
    issuer: str
    thisUpdate: str
    nextUpdate: str | None
    revoked: int
    addedAt: str


class CrlList(BaseModel):
    crls: list[CrlAnswer]


class SubjectAnswer(BaseModel):
    issuer: str
    organisation: str
    serialNumber: str | None
    keyId: str | None
    addedAt: str


class SubjectList(BaseModel):
    subjects: list[SubjectAnswer]


@router.get(
    "/v1/trust-anchors",
    summary="List the registered CA certificates",
    responses={200: {"model": AnchorList}},
)
async def list_anchors(_: Admin, found: Found) -> JSONResponse:
    anchors = await registry_call(found.registry.list_anchors)
    return JSONResponse({"anchors": [_anchor_json(a) for a in anchors]})


@router.post(
    "/v1/trust-anchors",
    summary="Trust a CA certificate: a root, or a CA signed by a registered one",
    status_code=201,
    openapi_extra=json_body(NewAnchor),
    responses={201: {"model": AnchorAnswer}, **problems(400, 409, 422)},
)
async def add_anchor(request: Request, _: Admin, found: Found) -> JSONResponse:
    ask = await bodies.model(request, NewAnchor)
    try:
        certificate = keys.load_certificate(ask.certificate.encode())
    except keys.KeyMaterialError as error:
        raise Problem(422, "invalid_certificate", str(error)) from None
    now = found.clock()
    anchor = await registry_call(lambda: found.registry.add_anchor(ask.name, certificate, at=now))
    return JSONResponse(_anchor_json(anchor), status_code=201)


@router.delete(
    "/v1/trust-anchors/{fingerprint}",
    summary="Stop trusting a CA certificate (the registry keeps its record)",
    responses={200: {"model": AnchorAnswer}, **problems(400, 404)},
)
async def remove_anchor(fingerprint: Fingerprint, _: Admin, found: Found) -> JSONResponse:
    now = found.clock()
    anchor = await registry_call(lambda: found.registry.remove_anchor(fingerprint, at=now))
    return JSONResponse(_anchor_json(anchor))


@router.get(
    "/v1/trust-anchors/crls",
    summary="List the loaded CRLs",
    responses={200: {"model": CrlList}},
)
async def list_crls(_: Admin, found: Found) -> JSONResponse:
    crls = await registry_call(found.registry.list_crls)
    return JSONResponse({"crls": [_crl_json(c) for c in crls]})


@router.post(
    "/v1/trust-anchors/crls",
    summary="Load a CRL signed by a registered CA",
    status_code=201,
    openapi_extra=json_body(NewCrl),
    responses={201: {"model": CrlAnswer}, **problems(400, 409, 422)},
)
async def add_crl(request: Request, _: Admin, found: Found) -> JSONResponse:
    ask = await bodies.model(request, NewCrl)
    try:
        crl = x509.load_pem_x509_crl(ask.crl.encode())
    except ValueError as error:
        raise Problem(422, "invalid_crl", f"not a PEM CRL: {error}") from None
    now = found.clock()
    loaded = await registry_call(lambda: found.registry.add_crl(crl, at=now))
    return JSONResponse(_crl_json(loaded), status_code=201)


@router.get(
    "/v1/issuers/{issuer_id}/certificate-subjects",
    summary="The certificate subjects an issuer is trusted by",
    responses={200: {"model": SubjectList}, **problems(400)},
)
async def list_subjects(issuer_id: IssuerId, _: Admin, found: Found) -> JSONResponse:
    subjects = await registry_call(lambda: found.registry.certificate_subjects(issuer_id))
    return JSONResponse({"subjects": [_subject_json(s) for s in subjects]})


@router.post(
    "/v1/issuers/{issuer_id}/certificate-subjects",
    summary="Trust an issuer through certificates with this subject organisation",
    status_code=201,
    openapi_extra=json_body(NewSubject),
    responses={201: {"model": SubjectAnswer}, **problems(400, 404, 409, 422)},
)
async def add_subject(
    issuer_id: IssuerId, request: Request, _: Admin, found: Found
) -> JSONResponse:
    ask = await bodies.model(request, NewSubject)
    serial = None if ask.serialNumber is None else int(ask.serialNumber, 16)
    now = found.clock()
    subject = await registry_call(
        lambda: found.registry.add_certificate_subject(
            issuer_id, ask.organisation, serial_number=serial, key_id=ask.keyId, at=now
        )
    )
    return JSONResponse(_subject_json(subject), status_code=201)


def _anchor_json(anchor: TrustAnchor) -> dict[str, Any]:
    certificate = anchor.certificate
    return {
        "name": anchor.name,
        "fingerprint": anchor.fingerprint,
        "root": anchor.root,
        "subject": subject_text(certificate),
        "notBefore": certificate.not_valid_before_utc.isoformat(),
        "notAfter": certificate.not_valid_after_utc.isoformat(),
        "addedAt": anchor.added_at.isoformat(),
    }


def _crl_json(loaded: RevocationList) -> dict[str, Any]:
    return {
        "sha256": loaded.sha256,
        "caFingerprint": loaded.ca_fingerprint,
        "issuer": loaded.crl.issuer.rfc4514_string(),
        "thisUpdate": loaded.this_update.isoformat(),
        "nextUpdate": None if loaded.next_update is None else loaded.next_update.isoformat(),
        "revoked": len(loaded.crl),
        "addedAt": loaded.added_at.isoformat(),
    }


def _subject_json(subject: CertificateSubject) -> dict[str, Any]:
    return {
        "issuer": subject.issuer_id,
        "organisation": subject.organisation,
        "serialNumber": None
        if subject.serial_number is None
        else format(subject.serial_number, "x"),
        "keyId": subject.key_id,
        "addedAt": subject.added_at.isoformat(),
    }
