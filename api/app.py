"""The application factory: routes, access rules, limits, errors, metrics and the web page."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from api import openapi, problems
from api.access import ClientStore
from api.digilocker.pull import PullService
from api.direct import DirectRoutes
from api.freshness import ChangedByWrites
from api.limits import BodyLimit, RateLimiter
from api.metrics import Metrics, MetricsMiddleware
from api.oauth2 import AccessTokens
from api.openapi import problems as problem_responses
from api.registry_cache import RegistryCache
from api.request_log import RequestLogWriter
from api.routes import (
    bundle,
    credential_status,
    digilocker,
    doctypes,
    documents,
    issue,
    oauth2,
    page_texts,
    presentations,
    registry,
    status_lists,
    trust_anchors,
    verify,
)
from api.schemas import Health
from api.services import Clock, Services, system_clock
from api.settings import Settings
from api.signing import SigningKeys
from vc_engine.issuance.status_lists import StatusLists
from vc_engine.keys.sealed import load_sealing_key
from vc_engine.policy_files import load_policy
from vc_engine.store import StatusStore
from vc_engine.store.changes import for_engine
from vc_engine.store.contexts import PinnedContexts
from vc_engine.store.digilocker import DigiLockerStore
from vc_engine.store.engine import create_registry_engine, ping
from vc_engine.store.kept import KeptStore
from vc_engine.store.registry import Registry
from vc_engine.store.request_log import RequestLog
from vc_engine.store.service_secrets import ServiceSecrets

STATIC = Path(__file__).parent / "static"
PAGE_HEADERS = {
    # The page shows text written by whoever presents a document: allow no inline script.
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

DESCRIPTION = """\
Verify Indian government documents (signed XML, W3C Verifiable Credentials with Data Integrity
proofs, vc+jwt) against the trust registry; issue them; revoke or suspend them; administer the
registry.

**Access.** Every route except `/status-lists/*`, `/healthz`, `/metrics` and the web page (with
`/page/texts/*`) needs `Authorization: Bearer <client-id>.<secret>` from
`vc-engine client create NAME --scope ...`.
Scopes: `verify`, `audit` (offline bundles), `issue:<issuer>`, `revoke:<issuer>`,
`registry:admin`. OAuth2 clients may instead trade the two halves of that token (client id and
secret) at `POST /oauth2/token` (client credentials grant) for a 15-minute access token, used the
same way: `Authorization: Bearer <access-token>`. The e-locker's Pull API
(`/digilocker/{issuer}/pull-uri`, `pull-doc`) takes no bearer token: the `x-digilocker-hmac`
header (Base64 HMAC-SHA256 of the body under the issuer's API key) authenticates it.

**Errors** are RFC 9457 `application/problem+json` with a machine `code`: 400 malformed request,
401 no/wrong key or revoked client, 403 missing scope, 413 body over the limit, 415 unsupported
content type, 422 invalid values, 429 over the client's rate (with `Retry-After`).
"""


def create_app(settings: Settings, *, clock: Clock = system_clock) -> FastAPI:
    """Build the service over the registry named in `settings` (migrated to the newest schema).

    `clock` is the only time source of the service; tests pass a fixed one.
    """
    engine = create_registry_engine(settings.registry_url)
    store = Registry(engine)
    store.init()
    metrics = Metrics()
    freshness = for_engine(engine)
    status_store = StatusStore(store)
    audit = RequestLog(engine, synchronous=settings.durable_request_log)
    found = Services(
        settings=settings,
        engine=engine,
        registry=store,
        cache=RegistryCache(store, status_store, freshness),
        clients=ClientStore(engine),
        audit=audit,
        request_log_writer=RequestLogWriter(audit),
        limiter=RateLimiter(settings.rate_per_second, settings.rate_burst),
        signing=SigningKeys(settings.signing_keys),
        metrics=metrics,
        clock=clock,
        status_lists=StatusLists(status_store, base_url=settings.public_url),
        digilocker=PullService(
            DigiLockerStore(engine),
            KeptStore(engine),
            None if settings.sealing_key is None else load_sealing_key(settings.sealing_key),
            window=timedelta(seconds=settings.digilocker_window_seconds),
        ),
        access_tokens=AccessTokens(ServiceSecrets(engine)),
        policy=load_policy(settings.policy).with_contexts(PinnedContexts(engine).documents()),
    )
    app = FastAPI(
        title="vc-engine",
        version="1",
        description=DESCRIPTION,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.services = found
    problems.install(app)
    openapi.install(app)
    app.include_router(verify.router)
    app.include_router(presentations.router)
    app.include_router(issue.router)
    app.include_router(documents.router)
    app.include_router(credential_status.router)
    app.include_router(status_lists.router)
    app.include_router(registry.router)
    app.include_router(trust_anchors.router)
    app.include_router(doctypes.router)
    app.include_router(bundle.router)
    app.include_router(digilocker.router)
    app.include_router(oauth2.router)
    app.include_router(page_texts.router)

    @app.get(
        "/healthz",
        tags=["service"],
        summary="Alive, and the registry answers",
        responses={200: {"model": Health}, **problem_responses(503)},
    )
    async def healthz() -> JSONResponse:
        try:
            await run_in_threadpool(ping, engine)
        except Exception:
            problems.log.exception("health check: the registry does not answer")
            return problems.response(503, "unavailable", "the registry does not answer")
        return JSONResponse({"status": "ok"})

    @app.get(
        "/metrics",
        tags=["service"],
        summary="Prometheus metrics",
        response_class=Response,
        responses={
            200: {
                "description": "The Prometheus text exposition format",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            }
        },
    )
    async def prometheus() -> Response:
        return Response(metrics.exposition(), media_type="text/plain; version=0.0.4")

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(
            STATIC / "index.html",
            media_type="text/html; charset=utf-8",
            headers=PAGE_HEADERS,
        )

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # Added first, so innermost: the body limit, metrics and freshness still see these routes.
    app.add_middleware(DirectRoutes, routes=_direct_routes())
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes, exempt=("/digilocker/",))
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(ChangedByWrites, freshness=freshness)
    # Both for every lifespan (a test client may start and stop the app many times). In this
    # order on shutdown: the last audit entries are committed before the engine goes.
    app.router.on_startup.extend((found.request_log_writer.start, freshness.start))
    app.router.on_shutdown.extend((found.request_log_writer.close, freshness.close, engine.dispose))
    return app


def _direct_routes() -> list[APIRoute]:
    """The routes `DirectRoutes` serves: those whose endpoints take only the request (from the
    verification router, which the app includes without a prefix)."""
    chosen = [
        route
        for route in verify.router.routes
        if isinstance(route, APIRoute) and route.endpoint in verify.DIRECT
    ]
    assert len(chosen) == len(verify.DIRECT), "a direct endpoint is not on the router"
    return chosen
