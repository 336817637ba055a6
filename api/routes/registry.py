"""Registry administration: issuers, their keys (add, retire, mark compromised) and the document
types they may issue. Scope: `registry:admin`.

Every change goes through `Registry`, which validates it and refuses impossible ones in the same
transaction; its refusals map to 404 (unknown issuer or key), 409 (a conflict with what is
recorded) and 422 (an invalid value).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api import bodies
from api.access import Client
from api.openapi import json_body, problems
from api.problems import Problem
from api.schemas import (
    AuthorisationAnswer,
    IssuerAnswer,
    IssuerDetail,
    IssuerList,
    KeyAdded,
    KeyChanged,
)
from api.services import Services, authenticated, require, services
from vc_engine import doctypes, keys
from vc_engine.doctypes.versions import Catalogue
from vc_engine.model import start_of_second
from vc_engine.store.errors import (
    InvalidRegistryInput,
    RegistryError,
    UnknownAnchor,
    UnknownIssuer,
    UnknownKey,
)
from vc_engine.trust.records import Authorisation, IssuerRecord, IssuerStatus, RegisteredKey

router = APIRouter(prefix="/v1/issuers", tags=["registry"])
T = TypeVar("T")

IssuerId = Annotated[
    str, Path(pattern=r"^[a-z0-9]+(\.[a-z0-9]+)+$", max_length=200, examples=["in.gov.wb.kmc"])
]
KeyId = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the key's SPKI")]


class NewIssuer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(max_length=200, examples=["in.gov.wb.kmc"])
    name: str = Field(max_length=200, examples=["Kolkata Municipal Corporation"])
    doctypes: list[str] = Field(default=[], max_length=50, examples=[["BTHCER"]])
    validFrom: str | None = None


class IssuerStatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: IssuerStatus
    at: str | None = None


class NewKey(BaseModel):
    """Exactly one of the four key forms."""

    model_config = ConfigDict(extra="forbid")
    certificate: str | None = Field(default=None, description="PEM certificate", max_length=20000)
    publicKeyPem: str | None = Field(default=None, max_length=20000)
    jwk: dict[str, Any] | None = None
    multikey: str | None = Field(default=None, max_length=2000)
    validFrom: str | None = None
    validUntil: str | None = None


class KeyChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)
    at: str | None = Field(default=None, description="Effective from (default: now)")


class NewAuthorisation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    doctype: str = Field(max_length=20, examples=["BTHCER"])
    validFrom: str | None = None
    validUntil: str | None = None


async def _admin(
    client: Annotated[Client, Depends(authenticated)],
) -> Client:
    require(client, "registry:admin")
    return client


Admin = Annotated[Client, Depends(_admin)]
Found = Annotated[Services, Depends(services)]


async def registry_call(work: Callable[[], T]) -> T:
    """Run a registry call off the event loop, mapping its refusals to problems (the issuer and
    the trust-anchor administration routes share it)."""
    try:
        return await run_in_threadpool(work)
    except (UnknownIssuer, UnknownKey, UnknownAnchor) as error:
        raise Problem(404, "not_found", str(error)) from None
    except InvalidRegistryInput as error:
        raise Problem(422, "invalid_request", str(error)) from None
    except RegistryError as error:
        raise Problem(409, "conflict", str(error)) from None


@router.get("", summary="List issuers", responses={200: {"model": IssuerList}})
async def list_issuers(_: Admin, found: Found) -> JSONResponse:
    issuers = await registry_call(found.registry.list_issuers)
    return JSONResponse({"issuers": [_issuer_json(i) for i in issuers]})


@router.post(
    "",
    summary="Add an issuer (and the document types it may issue)",
    status_code=201,
    openapi_extra=json_body(NewIssuer),
    responses={201: {"model": IssuerAnswer}, **problems(400, 409, 422)},
)
async def add_issuer(request: Request, _: Admin, found: Found) -> JSONResponse:
    ask = await bodies.model(request, NewIssuer)
    catalogue = await registry_call(lambda: found.cache.catalogue(found.cache.current()))
    for code in ask.doctypes:
        _known_doctype(catalogue, code)
    now = found.clock()
    start = bodies.instant(ask.validFrom, "validFrom") or start_of_second(now)

    def work() -> IssuerRecord:
        record = found.registry.add_issuer(ask.id, ask.name, at=now)
        for code in ask.doctypes:
            found.registry.authorise(ask.id, code, valid_from=start)
        return record

    return JSONResponse(_issuer_json(await registry_call(work)), status_code=201)


@router.get(
    "/{issuer_id}",
    summary="An issuer, its document types and its keys",
    responses={200: {"model": IssuerDetail}, **problems(400, 404)},
)
async def show_issuer(issuer_id: IssuerId, _: Admin, found: Found) -> JSONResponse:
    def work() -> dict[str, Any]:
        record = found.registry.get_issuer(issuer_id)
        if record is None:
            raise UnknownIssuer(f"issuer {issuer_id} is not registered")
        return {
            **_issuer_json(record),
            "authorisations": [
                _authorisation_json(a) for a in found.registry.authorisations(issuer_id)
            ],
            "keys": [_key_json(k) for k in found.registry.keys_of(issuer_id)],
        }

    return JSONResponse(await registry_call(work))


@router.post(
    "/{issuer_id}/status",
    summary="Suspend, reinstate or revoke an issuer",
    openapi_extra=json_body(IssuerStatusChange),
    responses={200: {"model": IssuerAnswer}, **problems(400, 404, 409, 422)},
)
async def set_status(issuer_id: IssuerId, request: Request, _: Admin, found: Found) -> JSONResponse:
    ask = await bodies.model(request, IssuerStatusChange)
    at = bodies.instant(ask.at, "at") or found.clock()
    record = await registry_call(
        lambda: found.registry.set_issuer_status(issuer_id, ask.status, at=at)
    )
    return JSONResponse(_issuer_json(record))


@router.post(
    "/{issuer_id}/authorisations",
    summary="Allow the issuer a document type",
    status_code=201,
    openapi_extra=json_body(NewAuthorisation),
    responses={201: {"model": AuthorisationAnswer}, **problems(400, 404, 409, 422)},
)
async def authorise(issuer_id: IssuerId, request: Request, _: Admin, found: Found) -> JSONResponse:
    ask = await bodies.model(request, NewAuthorisation)
    _known_doctype(
        await registry_call(lambda: found.cache.catalogue(found.cache.current())), ask.doctype
    )
    start = bodies.instant(ask.validFrom, "validFrom") or start_of_second(found.clock())
    end = bodies.instant(ask.validUntil, "validUntil")
    record = await registry_call(
        lambda: found.registry.authorise(issuer_id, ask.doctype, valid_from=start, valid_until=end)
    )
    return JSONResponse(_authorisation_json(record), status_code=201)


@router.post(
    "/{issuer_id}/keys",
    summary="Register a signing key",
    status_code=201,
    openapi_extra=json_body(NewKey),
    responses={201: {"model": KeyAdded}, **problems(400, 404, 409, 422)},
)
async def add_key(issuer_id: IssuerId, request: Request, _: Admin, found: Found) -> JSONResponse:
    ask = await bodies.model(request, NewKey)
    forms = [f for f in (ask.certificate, ask.publicKeyPem, ask.jwk, ask.multikey) if f is not None]
    if len(forms) != 1:
        raise Problem(
            422, "invalid_request", "give exactly one of certificate, publicKeyPem, jwk, multikey"
        )
    certificate = None
    try:
        if ask.certificate is not None:
            certificate = keys.load_certificate(ask.certificate.encode())
            public_key = keys.certificate_public_key(certificate)
        elif ask.publicKeyPem is not None:
            public_key = keys.load_public_key_pem(ask.publicKeyPem.encode())
        elif ask.jwk is not None:
            public_key = keys.load_public_jwk(ask.jwk)
        else:
            assert ask.multikey is not None
            public_key = keys.multikey_decode(ask.multikey)
    except (keys.KeyMaterialError, ValueError, TypeError) as error:
        raise Problem(422, "invalid_key", str(error)) from None
    start = bodies.instant(ask.validFrom, "validFrom")
    end = bodies.instant(ask.validUntil, "validUntil")
    now = found.clock()
    kid = await registry_call(
        lambda: found.registry.add_key(
            issuer_id,
            public_key,
            certificate=certificate,
            valid_from=start,
            valid_until=end,
            at=now,
        )
    )
    return JSONResponse({"keyId": kid}, status_code=201)


@router.post(
    "/{issuer_id}/keys/{key_id}/retire",
    summary="Retire a key from a moment on",
    openapi_extra=json_body(KeyChange),
    responses={200: {"model": KeyChanged}, **problems(400, 404, 409, 422)},
)
async def retire_key(
    issuer_id: IssuerId, key_id: KeyId, request: Request, _: Admin, found: Found
) -> JSONResponse:
    ask = await bodies.model(request, KeyChange)
    at = bodies.instant(ask.at, "at") or found.clock()
    event = await registry_call(
        lambda: found.registry.retire_key(issuer_id, key_id, at=at, reason=ask.reason)
    )
    return JSONResponse({"keyId": key_id, **_event_json(event)})


@router.post(
    "/{issuer_id}/keys/{key_id}/compromise",
    summary="Mark a key compromised from a moment on (which may be in the past)",
    openapi_extra=json_body(KeyChange),
    responses={200: {"model": KeyChanged}, **problems(400, 404, 409, 422)},
)
async def compromise_key(
    issuer_id: IssuerId, key_id: KeyId, request: Request, _: Admin, found: Found
) -> JSONResponse:
    ask = await bodies.model(request, KeyChange)
    now = found.clock()
    at = bodies.instant(ask.at, "at") or now
    event = await registry_call(
        lambda: found.registry.compromise_key(
            issuer_id, key_id, at=at, reason=ask.reason, recorded_at=now
        )
    )
    return JSONResponse({"keyId": key_id, **_event_json(event)})


def _known_doctype(catalogue: Catalogue, code: str) -> None:
    """A code of the shipped types or of those added to the registry."""
    try:
        catalogue.versions(code)
    except doctypes.UnknownDocTypeError as error:
        raise Problem(422, "unknown_doctype", str(error)) from None


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _issuer_json(record: IssuerRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "name": record.name,
        "status": str(record.status),
        "createdAt": _time(record.created_at),
        "statusSince": _time(record.status_since),
    }


def _authorisation_json(record: Authorisation) -> dict[str, Any]:
    return {
        "issuer": record.issuer_id,
        "doctype": record.doctype,
        "validFrom": _time(record.valid_from),
        "validUntil": _time(record.valid_until),
    }


def _event_json(event: Any) -> dict[str, Any]:
    return {
        "status": str(event.status),
        "effectiveAt": _time(event.effective_at),
        "reason": event.reason,
        "recordedAt": _time(event.recorded_at),
    }


def _key_json(key: RegisteredKey) -> dict[str, Any]:
    return {
        "keyId": key.key_id,
        "algorithm": str(key.algorithm),
        "validFrom": _time(key.valid_from),
        "validUntil": _time(key.valid_until),
        "addedAt": _time(key.added_at),
        "history": [_event_json(e) for e in key.history],
    }
