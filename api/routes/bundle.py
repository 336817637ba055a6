"""GET /v1/bundle: a signed offline trust bundle, made on request, for auditors.

It carries what an auditor needs to verify offline and nothing more (see `vc_engine.offline.bundle`
for the decision): issuers, keys with their history, authorisations, the issuance register's
digests, the published status lists, and the state of every document whose status ever changed,
with the times of each change but never the clerks' reasons or names. It is signed by the
registry root's key named in the settings. Scope: `audit`, its own: a department that only
verifies documents has no business holding every issuer's status history.
"""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from api.access import Client
from api.openapi import problems
from api.problems import Problem
from api.services import Services, authenticated, require, services
from api.signing import PASSPHRASE_VARIABLE
from vc_engine import keys
from vc_engine.offline.bundle import write_bundle

router = APIRouter(tags=["audit"])


@router.get(
    "/v1/bundle",
    summary="A signed offline trust bundle (registry and status lists) for auditors",
    response_class=FileResponse,
    responses={
        200: {
            "description": "The bundle (a detached JWS line, the payload, the register)",
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        },
        **problems(404, 409),
    },
)
async def bundle(
    client: Annotated[Client, Depends(authenticated)],
    found: Annotated[Services, Depends(services)],
) -> FileResponse:
    require(client, "audit")
    key_path = found.settings.bundle_key
    if key_path is None:
        raise Problem(404, "bundle_unavailable", "this service signs no bundles (no root key)")
    created = found.clock()
    handle, name = tempfile.mkstemp(prefix="vc-engine-bundle-", suffix=".bundle")
    os.close(handle)

    def export() -> None:
        passphrase = os.environ.get(PASSPHRASE_VARIABLE)
        signer = keys.FileSigner(
            keys.load_private_key(key_path, passphrase.encode() if passphrase else None)
        )
        write_bundle(
            Path(name),
            found.registry,
            signer,
            created=created,
            next_update=created + timedelta(days=found.settings.bundle_validity_days),
        )

    try:
        await run_in_threadpool(export)
    except (OSError, keys.KeyMaterialError) as error:
        os.unlink(name)
        raise Problem(409, "bundle_unavailable", f"the root key cannot be used: {error}") from None
    stamp = created.strftime("%Y%m%dT%H%M%SZ")
    return FileResponse(
        name,
        media_type="application/octet-stream",
        filename=f"vc-engine-{stamp}.bundle",
        background=BackgroundTask(os.unlink, name),
    )
