"""`POST /credentials/status` (W3C VC API): set or clear a credential's revocation or suspension.

The credential is named by its `id`. A document we issued in our own shape is in the issuance
register under its e-locker id (its credential id is `urn:elocker:<document id>`), which names
its issuer. Any other credential issued through `/credentials/issue` has its status entries kept
under `w3c:<issuer id>:<credential id>`; it is looked for only among the issuers the client may
revoke for, so a client never learns of another issuer's credentials. The change goes through
the same status store, the same rules and the same republishing as
`/v1/documents/{id}/revoke|suspend|reinstate`, with the same scope, `revoke:<issuer>`:

| statusPurpose | status true | status false |
|---|---|---|
| revocation | revoke (final) | 409: a revocation is never lifted |
| suspension | suspend | reinstate |
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from api import bodies
from api.access import Client
from api.openapi import json_body, problems
from api.problems import Problem
from api.routes.documents import apply_change
from api.services import Services, authenticated, require, require_any, services
from vc_engine import doctypes
from vc_engine.issuance.w3c import status_document_id
from vc_engine.revocation import Action, Purpose
from vc_engine.revocation.credential import ENTRY_TYPE

router = APIRouter(tags=["status"])

ELOCKER_CREDENTIAL_PREFIX = "urn:elocker:"
DEFAULT_REASON = "status set through the VC API"


class StatusEntryChoice(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str = Field(description=f"Must be {ENTRY_TYPE}")
    statusPurpose: str = Field(description="revocation or suspension")


class UpdateStatusRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    credentialId: str = Field(min_length=1, max_length=2000)
    credentialStatus: list[StatusEntryChoice] | StatusEntryChoice = Field(
        description="Which of the credential's entries to change (one, or a list of them)"
    )
    status: StrictBool = Field(
        default=True, description="true sets the status (revoke, suspend), false clears it"
    )
    reason: str = Field(default=DEFAULT_REASON, min_length=1, max_length=2000)


_EXAMPLE = {
    "credentialId": "urn:elocker:in.gov.wb.kmc-BTHCER-2026000123",
    "credentialStatus": [{"type": ENTRY_TYPE, "statusPurpose": "revocation"}],
    "status": True,
}


@router.post(
    "/credentials/status",
    summary="Change a credential's status (W3C VC API)",
    description="`{credentialId, credentialStatus: [{type: BitstringStatusListEntry, "
    "statusPurpose}], status: true|false}`: revocation true revokes (final), suspension true "
    "suspends and false reinstates. The list is republished when this service holds the issuer's "
    "key. Scope: `revoke:<issuer>`.",
    openapi_extra=json_body(UpdateStatusRequest, _EXAMPLE),
    responses={200: {"description": "The status after the change"}, **problems(400, 404, 409, 422)},
)
async def update_status(
    request: Request,
    client: Annotated[Client, Depends(authenticated)],
    found: Annotated[Services, Depends(services)],
) -> JSONResponse:
    require_any(client, "revoke:")
    ask = await bodies.model(request, UpdateStatusRequest)
    # 1. Which changes: every entry named is one we keep, and says what to do.
    chosen = (
        ask.credentialStatus if isinstance(ask.credentialStatus, list) else [ask.credentialStatus]
    )
    if not chosen:
        raise Problem(422, "invalid_request", "credentialStatus names no entry")
    actions = [_action(entry, ask.status) for entry in chosen]
    # 2. Which entries, and whose: the issuance register (our documents, whose id names their
    #    issuer, checked first so a client of another issuer learns nothing of them), else the
    #    W3C credentials of the issuers this client revokes for.
    named_issuer = _issuer_named(ask.credentialId)
    if named_issuer is not None:
        require(client, f"revoke:{named_issuer}")
    document_id, issuer_id = await run_in_threadpool(_registered, found, client, ask.credentialId)
    require(client, f"revoke:{issuer_id}")
    # 3. The changes, in the order given, each one transaction (and one republished list).
    state: str | None = None
    published = False
    for action in dict.fromkeys(actions):
        _, status, republished = await apply_change(
            found,
            document_id,
            issuer_id,
            action,
            reason=ask.reason,
            actor=client.id,
            effective_at=None,
        )
        state = None if status is None else str(status.state)
        published = published or republished
    answer: dict[str, Any] = {
        "credentialId": ask.credentialId,
        "documentId": document_id,
        "state": state,
        "listPublished": published,
    }
    return JSONResponse(answer)


def _action(entry: StatusEntryChoice, status: bool) -> Action:
    if entry.type != ENTRY_TYPE:
        raise Problem(422, "unsupported_status_type", f"only {ENTRY_TYPE} entries are kept here")
    try:
        purpose = Purpose(entry.statusPurpose)
    except ValueError:
        raise Problem(
            422,
            "unsupported_status_purpose",
            f"statusPurpose {entry.statusPurpose!r}: only revocation and suspension are kept",
        ) from None
    if purpose is Purpose.REVOCATION:
        if not status:
            raise Problem(409, "status_conflict", "a revocation is final: it cannot be cleared")
        return Action.REVOKE
    return Action.SUSPEND if status else Action.REINSTATE


def _issuer_named(credential_id: str) -> str | None:
    """The issuer an e-locker document id names (`IssuerId-DocType-DocId`), if it is one."""
    try:
        return doctypes.parse_document_id(
            credential_id.removeprefix(ELOCKER_CREDENTIAL_PREFIX)
        ).issuer_id
    except doctypes.DocumentIdError:
        return None


def _registered(found: Services, client: Client, credential_id: str) -> tuple[str, str]:
    """The key of the credential's status entries and its issuer: from the issuance register
    for our documents, else among the W3C credentials of the issuers `client` revokes for."""
    record = found.registry.get_issuance(credential_id.removeprefix(ELOCKER_CREDENTIAL_PREFIX))
    if record is not None:
        return record.document_id, record.issuer_id
    store = found.status_lists.store
    for scope in sorted(client.scopes):
        issuer_id = scope.removeprefix("revoke:")
        if issuer_id == scope:
            continue
        key = status_document_id(issuer_id, credential_id)
        if store.entries_of(key) is not None:
            return key, issuer_id
    raise Problem(404, "unknown_credential", f"no credential {credential_id} was issued here")
