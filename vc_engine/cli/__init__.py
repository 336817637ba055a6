"""The `vc-engine` command: sign government documents as signed XML and W3C Verifiable
Credentials, and tell, with reasons, whether a document is equivalent to the original.

The typer application is `vc_engine.cli.app`, defined in `root` and loaded on first use: the
command's entry point (`main`) verifies one document without loading typer at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vc_engine.cli.root import app as app


def __getattr__(name: str) -> Any:
    if name == "app":
        from vc_engine.cli.root import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
