"""A document's status: revoke, suspend, reinstate, and read it with its history.

Scope `revoke:<issuer>`, where the issuer is the first part of the document id
(`IssuerId-DocType-DocId`): an issuer changes and reads only its own documents. Every change is
one transaction in the status store and takes effect for every service process at once (the
published list and verification read the store).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api import bodies
from api.access import Client
from api.openapi import json_body, problems
from api.problems import Problem
from api.schemas import DocumentStatusAnswer, StatusChangeAnswer
from api.services import Services, authenticated, require, services
from api.signing import NoSigningKey
from vc_engine import doctypes
from vc_engine.issuance.issuer import Issuer
from vc_engine.issuance.status_lists import publish_lists
from vc_engine.policy import INDIA
from vc_engine.revocation import Action, DocumentStatus, StatusEvent
from vc_engine.store import StatusConflict, UnknownDocument
from vc_engine.store.errors import InvalidRegistryInput

router = APIRouter(prefix="/v1/documents", tags=["status"])


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000, examples=["issued in error"])
    effectiveAt: str | None = Field(
        default=None, description="When the change takes effect (default: now)"
    )


DocumentId = Annotated[
    str,
    Path(
        pattern=r"^[a-z0-9]+(\.[a-z0-9]+)+-[A-Z]{5,6}-[A-Za-z0-9]{1,40}$",
        max_length=300,
        description="The e-locker document id IssuerId-DocType-DocId",
        examples=["in.gov.wb.kmc-BTHCER-2026000123"],
    ),
]
_CHANGE_BODY = json_body(StatusChange, {"reason": "issued in error"})
_CHANGE_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"model": StatusChangeAnswer},
    **problems(400, 404, 409, 422),
}


def _issuer_of(document_id: str) -> str:
    try:
        return doctypes.parse_document_id(document_id).issuer_id
    except doctypes.DocumentIdError as error:
        raise Problem(400, "invalid_id", str(error)) from None


async def _change(
    action: Action, document_id: str, request: Request, client: Client, found: Services
) -> JSONResponse:
    issuer_id = _issuer_of(document_id)
    require(client, f"revoke:{issuer_id}")
    ask = await bodies.model(request, StatusChange)
    effective = bodies.instant(ask.effectiveAt, "effectiveAt")
    event, status, published = await apply_change(
        found,
        document_id,
        issuer_id,
        action,
        reason=ask.reason,
        actor=client.id,
        effective_at=effective,
    )
    return JSONResponse(
        {
            "documentId": document_id,
            "state": None if status is None else str(status.state),
            "event": _event_json(event),
            "listPublished": published,
        }
    )


async def apply_change(
    found: Services,
    document_id: str,
    issuer_id: str,
    action: Action,
    *,
    reason: str,
    actor: str,
    effective_at: datetime | None,
) -> tuple[StatusEvent, DocumentStatus | None, bool]:
    """Change a document's status in the store and republish the list it flipped; the event,
    the status after it, and whether the list was republished. The caller checks the scope."""
    now = found.clock()
    store = found.status_lists.store

    def work() -> tuple[StatusEvent, DocumentStatus | None, bool]:
        event = store.change(
            document_id,
            action,
            reason=reason,
            actor=f"api-client:{actor}",
            at=now,
            effective_at=effective_at,
        )
        status = store.status(document_id)
        return event, status, _republish(found, issuer_id, action, status)

    try:
        return await run_in_threadpool(work)
    except UnknownDocument as error:
        raise Problem(404, "unknown_document", str(error)) from None
    except StatusConflict as error:
        raise Problem(409, "status_conflict", str(error)) from None
    except InvalidRegistryInput as error:
        raise Problem(422, "invalid_request", str(error)) from None


def _republish(
    found: Services, issuer_id: str, action: Action, status: DocumentStatus | None
) -> bool:
    """Sign and publish the list the change flipped, when this service holds the issuer's key;
    verifiers read only published lists. Without the key, the issuer publishes it
    (`vc-engine status-list publish`) and the change shows from then on."""
    if status is None:
        return False
    record = found.registry.get_issuer(issuer_id)
    try:
        signer, certificate = found.signing.load(issuer_id)
    except NoSigningKey:
        return False
    if record is None:
        return False
    entry = status.entries.of(action.purpose)
    issuer = Issuer(issuer_id, record.name, signer, certificate, INDIA)
    publish_lists(found.status_lists, issuer, [entry.list_id], found.clock())
    return True


_CHANGE_DOC = " Scope: `revoke:<issuer>`. Body: `{reason, effectiveAt?}`."


@router.post(
    "/{document_id}/revoke",
    summary="Revoke a document (final)." + _CHANGE_DOC,
    openapi_extra=_CHANGE_BODY,
    responses=_CHANGE_ANSWERS,
)
async def revoke(
    document_id: DocumentId,
    request: Request,
    client: Annotated[Client, Depends(authenticated)],
    found: Annotated[Services, Depends(services)],
) -> JSONResponse:
    return await _change(Action.REVOKE, document_id, request, client, found)


@router.post(
    "/{document_id}/suspend",
    summary="Suspend a document." + _CHANGE_DOC,
    openapi_extra=_CHANGE_BODY,
    responses=_CHANGE_ANSWERS,
)
async def suspend(
    document_id: DocumentId,
    request: Request,
    client: Annotated[Client, Depends(authenticated)],
    found: Annotated[Services, Depends(services)],
) -> JSONResponse:
    return await _change(Action.SUSPEND, document_id, request, client, found)


@router.post(
    "/{document_id}/reinstate",
    summary="Lift a suspension." + _CHANGE_DOC,
    openapi_extra=_CHANGE_BODY,
    responses=_CHANGE_ANSWERS,
)
async def reinstate(
    document_id: DocumentId,
    request: Request,
    client: Annotated[Client, Depends(authenticated)],
    found: Annotated[Services, Depends(services)],
) -> JSONResponse:
    return await _change(Action.REINSTATE, document_id, request, client, found)


@router.get(
    "/{document_id}/status",
    summary="A document's status and its history. Scope: `revoke:<issuer>`.",
    responses={200: {"model": DocumentStatusAnswer}, **problems(400, 404)},
)
async def status(
    document_id: DocumentId,
    client: Annotated[Client, Depends(authenticated)],
    found: Annotated[Services, Depends(services)],
) -> JSONResponse:
    require(client, f"revoke:{_issuer_of(document_id)}")
    current = await run_in_threadpool(found.status_lists.store.status, document_id)
    if current is None:
        raise Problem(404, "unknown_document", f"document {document_id} holds no status entries")
    return JSONResponse(
        {
            "documentId": document_id,
            "state": str(current.state),
            "entries": [
                {"purpose": str(e.purpose), "list": e.list_id, "index": e.index}
                for e in current.entries
            ],
            "history": [_event_json(e) for e in current.history],
        }
    )


def _event_json(event: StatusEvent) -> dict[str, Any]:
    return {
        "action": str(event.action),
        "effectiveAt": event.effective_at.isoformat(),
        "reason": event.reason,
        "actor": event.actor,
        "recordedAt": event.recorded_at.isoformat(),
    }
