"""The vc-engine HTTP service: verify, issue, status lists, registry administration, a web page.

`create_app(settings)` builds the FastAPI application. It keeps no state of its own beyond the
registry database: any number of processes pointed at one PostgreSQL answer alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from api.app import create_app
    from api.settings import Settings

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    """Import FastAPI only when the app is asked for: `vc-engine`'s other commands load this
    package for its command plugin and must start without it."""
    if name == "create_app":
        from api.app import create_app

        return create_app
    if name == "Settings":
        from api.settings import Settings

        return Settings
    raise AttributeError(name)
