"""Running the service with uvicorn, and the command-line jobs on its tables (clients, audit).

`vc-engine serve`, `vc-engine client ...` and `vc-engine audit-log` call these; the CLI keeps
only argument parsing.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime

import uvicorn
from fastapi import FastAPI

from api.access import Client, ClientStore
from api.metrics import MULTIPROCESS_VARIABLE
from api.settings import Settings
from vc_engine.store.engine import create_registry_engine
from vc_engine.store.request_log import LoggedVerification, RequestLog

_DEFAULT_REGISTRY = "sqlite:///vc-engine.db"

WORKER_HEALTHCHECK_SECONDS = 60
"""How long uvicorn's supervisor waits for a worker to answer its ping before killing it.
Uvicorn's 5 s default killed busy workers in the soak run: the ping thread waits for the GIL
while requests verify, and on a loaded machine that took over 5 s, so a healthy worker and its
in-flight requests were dropped. A hung worker is still replaced, a minute later."""


def app_from_env() -> FastAPI:
    """The uvicorn factory each worker process calls; settings come from the environment."""
    from api.app import create_app

    return create_app(Settings.from_env(_DEFAULT_REGISTRY))


def run(settings: Settings, *, host: str, port: int, workers: int) -> None:
    """Serve until interrupted. Settings travel to worker processes in the environment."""
    os.environ.update(settings.to_env())
    if workers > 1 and not os.environ.get(MULTIPROCESS_VARIABLE):
        os.environ[MULTIPROCESS_VARIABLE] = tempfile.mkdtemp(prefix="vc-engine-metrics-")
    uvicorn.run(
        "api.serve:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )


def create_client(url: str, name: str, scopes: list[str], at: datetime) -> tuple[Client, str]:
    engine = create_registry_engine(url)
    try:
        return ClientStore(engine).create(name, scopes, at=at)
    finally:
        engine.dispose()


def revoke_client(url: str, client_id: str, at: datetime) -> None:
    engine = create_registry_engine(url)
    try:
        ClientStore(engine).revoke(client_id, at=at)
    finally:
        engine.dispose()


def list_clients(url: str) -> list[Client]:
    engine = create_registry_engine(url)
    try:
        return ClientStore(engine).list()
    finally:
        engine.dispose()


def request_log_entries(
    url: str,
    *,
    client_id: str | None,
    document_id: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
) -> list[LoggedVerification]:
    engine = create_registry_engine(url)
    try:
        return RequestLog(engine).query(
            client_id=client_id, document_id=document_id, since=since, until=until, limit=limit
        )
    finally:
        engine.dispose()
