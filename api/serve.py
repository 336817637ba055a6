"""Running the service with uvicorn or granian, and the command-line jobs on its tables (clients,
audit).

`vc-engine serve`, `vc-engine client ...` and `vc-engine audit-log` call these; the CLI keeps
only argument parsing.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

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


@dataclass(frozen=True)
class Tls:
    """The certificate (PEM, leaf first, then its chain) and private key to serve HTTPS with."""

    certificate: Path
    private_key: Path


SERVERS = ("uvicorn", "granian")
"""The HTTP servers `serve` can run the application on. uvicorn (with httptools and uvloop) is
the default; granian parses HTTP and writes each response in Rust, one write per response where
uvicorn makes two, which under load left more of the CPU to verification (bench/api_load.py
--server granian)."""


def run(
    settings: Settings,
    *,
    host: str,
    port: int,
    workers: int,
    tls: Tls | None = None,
    server: str = "uvicorn",
) -> None:
    """Serve until interrupted (over HTTPS when `tls` is given). Settings travel to worker
    processes in the environment."""
    os.environ.update(settings.to_env())
    if workers > 1 and not os.environ.get(MULTIPROCESS_VARIABLE):
        os.environ[MULTIPROCESS_VARIABLE] = tempfile.mkdtemp(prefix="vc-engine-metrics-")
    if server == "granian":
        _run_granian(host=host, port=port, workers=workers, tls=tls)
        return
    if server != "uvicorn":
        raise ValueError(f"no server {server!r}; choose one of {', '.join(SERVERS)}")
    uvicorn.run(
        "api.serve:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
        ssl_certfile=None if tls is None else str(tls.certificate),
        ssl_keyfile=None if tls is None else str(tls.private_key),
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )


def _run_granian(*, host: str, port: int, workers: int, tls: Tls | None) -> None:
    """As uvicorn is run: the same factory, no access log, TLS 1.2 and up, a worker that dies
    replaced; HTTP/1.1 only and no websockets (the service has none)."""
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces, SSLProtocols
    from granian.log import LogLevels

    Granian(
        "api.serve:app_from_env",
        factory=True,
        interface=Interfaces.ASGI,
        address=host,
        port=port,
        workers=workers,
        http=HTTPModes.http1,
        websockets=False,
        log_level=LogLevels.warning,
        log_access=False,
        ssl_cert=None if tls is None else tls.certificate,
        ssl_key=None if tls is None else tls.private_key,
        ssl_protocol_min=SSLProtocols.tls12,
        respawn_failed_workers=True,
    ).serve()


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
