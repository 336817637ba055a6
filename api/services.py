"""What every route works with: the store, the access rules and the clock, built once per app.

Nothing here holds request state. The registry cache (`RegistryCache`), the loaded signing keys
and the token-match cache are reused only while the database or key files say they are current.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine

from api import problems
from api.access import Client, ClientStore
from api.digilocker.pull import PullService
from api.limits import RateLimiter
from api.metrics import Metrics
from api.oauth2 import TOKEN_PREFIX, AccessTokens
from api.registry_cache import Generation, RegistryCache
from api.request_log import RequestLogWriter, entry, unawaited
from api.settings import Settings
from api.signing import SigningKeys
from vc_engine.issuance.status_lists import StatusLists
from vc_engine.model import VerificationReport
from vc_engine.policy_files import PolicyFile
from vc_engine.store.registry import Registry
from vc_engine.store.request_log import RequestLog
from vc_engine.verify import verify
from vc_engine.verify.related import check_bound_pdf

Clock = Callable[[], datetime]

INLINE_MAX_BYTES = 64 * 1024
"""Documents up to this size are verified on the event loop: a signed certificate takes a few
tenths of a millisecond of CPU, less than handing it to a worker thread and back costs. Larger
ones (up to the body limit) go to a thread, so one huge document cannot stall the loop."""


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    engine: Engine
    registry: Registry
    cache: RegistryCache
    clients: ClientStore
    audit: RequestLog
    request_log_writer: RequestLogWriter
    limiter: RateLimiter
    signing: SigningKeys
    metrics: Metrics
    clock: Clock
    status_lists: StatusLists
    digilocker: PullService
    access_tokens: AccessTokens
    policy: PolicyFile
    """The validation policy, with the contexts pinned in the registry when the app started."""

    def check(self, data: bytes, at: datetime, generation: Generation) -> VerificationReport:
        """Run the pipeline against the registry as `generation` holds it, its document types
        included."""
        catalogue = self.cache.catalogue(generation)
        return verify(
            data,
            self.cache.trust(generation),
            self.policy_of(generation).at(at),
            status=self.cache.status(generation),
            catalogue=catalogue,
        )

    def policy_of(self, generation: Generation) -> PolicyFile:
        """The policy, with the contexts of the document types added to the registry as
        `generation` holds it."""
        if generation.policy is None:
            self.cache.catalogue(generation)
            generation.policy = self.policy.adding_contexts(generation.type_contexts)
        return generation.policy

    async def verify(
        self,
        client: Client,
        data: bytes,
        at: datetime,
        generation: Generation,
        bound_pdf: bytes | None = None,
    ) -> VerificationReport:
        """Verify `data` (and, when given, whether `bound_pdf` is the PDF its issuer bound into
        it) and log the verdict; answers once the audit entry is committed (with
        `Settings.durable_request_log`) or queued."""
        cached = generation.trust is not None and generation.policy is not None
        if cached and len(data) <= INLINE_MAX_BYTES:
            report = self.check(data, at, generation)
        else:
            report = await run_in_threadpool(self.check, data, at, generation)
        if bound_pdf is not None:
            report = check_bound_pdf(report, bound_pdf)
        logged = self.request_log_writer.submit(entry(client.id, self.clock(), data, report))
        if self.settings.durable_request_log or logged.done():  # done now: the writer stopped
            await logged
        else:
            unawaited(logged)
        self.metrics.verdicts.labels(str(report.indication)).inc()
        return report


async def services(request: Request) -> Services:
    """The app's services (async: FastAPI runs a sync dependency on a worker thread)."""
    found: Services = request.app.state.services
    return found


async def registry_generation(request: Request) -> Generation:
    """The registry as of this request's start; FastAPI takes it once per request."""
    found: Services = request.app.state.services
    return found.cache.current()


async def authenticated(
    request: Request, generation: Annotated[Generation, Depends(registry_generation)]
) -> Client:
    """The calling client, or a 401/429 problem. Scopes are checked by `require`."""
    return await identify(request, request.app.state.services, generation)


async def identify(request: Request, found: Services, generation: Generation) -> Client:
    """`authenticated` for routes that take no dependencies (the verification routes, where
    FastAPI's dependency resolution is a measurable share of a request)."""
    header = request.headers.get("authorization")
    if header is None:
        raise problems.Problem(
            401,
            "missing_credentials",
            "send Authorization: Bearer <client-id>.<secret>",
            headers={"WWW-Authenticate": 'Bearer realm="vc-engine"'},
        )
    scheme, _, token = header.partition(" ")
    token = token.strip()
    client = None
    if scheme.lower() == "bearer" and token.startswith(TOKEN_PREFIX):
        client = await _granted(token, found, generation)
    elif scheme.lower() == "bearer" and token:
        client = found.clients.authenticate_cached(token, generation.clients)
        if client is None:
            client = await run_in_threadpool(found.clients.authenticate, token, generation.clients)
    if client is None:
        raise problems.Problem(
            401,
            "invalid_credentials",
            "the client id or secret is wrong",
            headers={"WWW-Authenticate": 'Bearer realm="vc-engine", error="invalid_token"'},
        )
    if client.revoked:
        raise problems.Problem(
            401,
            "client_revoked",
            f"client {client.id} was revoked",
            headers={"WWW-Authenticate": 'Bearer realm="vc-engine", error="invalid_token"'},
        )
    wait = found.limiter.take(client.id)
    if wait:
        raise problems.Problem(
            429,
            "rate_limited",
            f"client {client.id} is over its request rate; retry in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    return client


async def _granted(token: str, found: Services, generation: Generation) -> Client | None:
    """The client an OAuth2 access token speaks for, holding only the token's scopes that the
    client still holds; None when the token is not valid now (a revoked client is returned as
    such, for `identify` to refuse with its own reason)."""
    tokens, now = found.access_tokens, found.clock()
    if tokens.key_loaded:
        grant = tokens.check(token, at=now)
    else:  # the first token this process sees: the key is read from the registry
        grant = await run_in_threadpool(tokens.check, token, at=now)
    if grant is None:
        return None
    client = generation.clients.get(grant.client_id)
    if client is None:
        client = await run_in_threadpool(found.clients.row, grant.client_id, generation.clients)
    if client is None:
        return None
    return dataclasses.replace(client, scopes=client.scopes & grant.scopes)


def require(client: Client, scope: str) -> None:
    if not client.allows(scope):
        raise problems.Problem(
            403, "insufficient_scope", f"client {client.id} lacks the scope {scope!r}"
        )


def require_any(client: Client, prefix: str) -> None:
    """Before the body is read, for a route whose exact scope names something in the body: the
    client must hold some scope of this kind (`require` then checks the exact one)."""
    if not client.allows_any(prefix):
        raise problems.Problem(
            403, "insufficient_scope", f"client {client.id} holds no {prefix}<issuer> scope"
        )
