"""What every route works with: the store, the access rules and the clock, built once per app.

Nothing here holds request state. The snapshot cache (`FreshTrust`), the loaded signing keys and
the token-match cache are reused only while the database or key files say they are current.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine

from api import problems
from api.access import Client, ClientStore
from api.audit import AuditLog, entry
from api.limits import RateLimiter
from api.metrics import Metrics
from api.settings import Settings
from api.signing import SigningKeys
from api.trust_cache import FreshTrust
from vc_engine.issue import StatusLists
from vc_engine.model import VerificationReport
from vc_engine.policy import VerificationPolicy
from vc_engine.trust.store import Registry
from vc_engine.verify import verify

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    engine: Engine
    registry: Registry
    trust: FreshTrust
    clients: ClientStore
    audit: AuditLog
    limiter: RateLimiter
    signing: SigningKeys
    metrics: Metrics
    clock: Clock
    status_lists: StatusLists

    def verify(self, client: Client, data: bytes, at: datetime) -> VerificationReport:
        """Run the pipeline against a current registry snapshot, and log the verdict."""
        report = verify(
            data, self.trust.snapshot(), VerificationPolicy(at=at), status=self.status_lists.store
        )
        self.audit.write([entry(client.id, self.clock(), data, report)])
        self.metrics.verdicts.labels(str(report.indication)).inc()
        return report


async def services(request: Request) -> Services:
    """The app's services (async: FastAPI runs a sync dependency on a worker thread)."""
    found: Services = request.app.state.services
    return found


async def authenticated(request: Request) -> Client:
    """The calling client, or a 401/429 problem. Scopes are checked by `require`."""
    found: Services = request.app.state.services
    header = request.headers.get("authorization")
    if header is None:
        raise problems.Problem(
            401,
            "missing_credentials",
            "send Authorization: Bearer <client-id>.<secret>",
            headers={"WWW-Authenticate": 'Bearer realm="vc-engine"'},
        )
    scheme, _, token = header.partition(" ")
    client = None
    if scheme.lower() == "bearer" and token.strip():
        client = await run_in_threadpool(found.clients.authenticate, token.strip())
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


def require(client: Client, scope: str) -> None:
    if not client.allows(scope):
        raise problems.Problem(
            403, "insufficient_scope", f"client {client.id} lacks the scope {scope!r}"
        )
