"""Keeping a service process's caches fresh after its own writes.

The caches' freshness token comes from the store (`vc_engine.store.changes`): a counter bumped by
PostgreSQL notifications, or one cheap query on SQLite. A request that writes through this
process bumps the counter itself before its response starts, so the same process's next request
never waits for the notification of its own write.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vc_engine.store.changes import Freshness

READ_ONLY_POSTS = frozenset({"/v1/verify", "/credentials/verify"})
"""POST routes that write nothing the caches hold (verification appends only to the audit log)."""


class ChangedByWrites:
    """ASGI middleware: a request that may have written to the registry (any method but GET,
    HEAD and OPTIONS, except the verification routes) bumps this process's freshness before its
    response starts, so the same process's next request never waits for the notification."""

    def __init__(self, app: ASGIApp, freshness: Freshness) -> None:
        self.app = app
        self.freshness = freshness

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in ("GET", "HEAD", "OPTIONS")
            or scope["path"] in READ_ONLY_POSTS
        ):
            await self.app(scope, receive, send)
            return

        async def starting(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.freshness.changed()
            await send(message)

        try:
            await self.app(scope, receive, starting)
        finally:
            self.freshness.changed()
