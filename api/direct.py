"""Serving the verification routes below FastAPI's routing and dependency layer.

A signed certificate takes a few tenths of a millisecond of CPU to verify. Between the last user
middleware and the route function FastAPI and Starlette add an exception middleware, an exit-stack
middleware, the router's match over every route, and the request/response wrappers; under load
that cost about as much as the verification itself (`bench/api_load.py --profile`). The
verification routes take no parameters or dependencies (they read their `Request` themselves), so
`DirectRoutes` calls them straight from the middleware stack. It sits inside `BodyLimit`,
`MetricsMiddleware` and `ChangedByWrites`, which still see every request, and answers a refusal
exactly as the handlers in `api.problems` do; any other exception goes up to the same 500 handler
as before. The routes stay registered with FastAPI: OpenAPI documents them, and any other method
on their paths still gets FastAPI's 405.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from api import problems

Endpoint = Callable[[Request], Awaitable[Response]]


class DirectRoutes:
    """ASGI middleware: the given routes' (method, path) pairs go straight to their endpoints,
    everything else to the application."""

    def __init__(self, app: ASGIApp, routes: Iterable[APIRoute]) -> None:
        self.app = app
        self._routes: dict[tuple[str, str], APIRoute] = {
            (method, route.path): route for route in routes for method in route.methods or ()
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = None
        # A mounted service (root_path) takes the ordinary way, where the router strips it.
        if scope["type"] == "http" and not scope.get("root_path"):
            route = self._routes.get((scope["method"], scope["path"]))
        if route is None:
            await self.app(scope, receive, send)
            return
        scope["route"] = route  # as the router sets it: the metrics name the route by it
        scope["endpoint"] = route.endpoint
        endpoint: Endpoint = route.endpoint
        try:
            response = await endpoint(Request(scope, receive))
        except problems.Problem as refused:
            response = problems.refusal(refused)
        except HTTPException as refused:
            response = problems.http_refusal(refused)
        await response(scope, receive, send)
