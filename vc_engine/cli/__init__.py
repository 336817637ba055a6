"""The `vc-engine` command: sign government documents as signed XML and W3C Verifiable
Credentials, and tell, with reasons, whether a document is equivalent to the original.

`verify` exits 0 PASSED, 1 FAILED, 3 INDETERMINATE, 2 usage error.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Annotated

import typer

from vc_engine.cli import audit, bundle, context, issue, issuer, keys, registry, status, verify
from vc_engine.cli.common import DEFAULT_STATUS_BASE_URL, Settings, default_registry_url, now

PLUGINS = "vc_engine.cli"
"""Entry-point group of packages that add commands (the HTTP service adds `serve`, `client`
and `request-log`): each entry is a function taking the root `typer.Typer`."""

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)


@app.callback()
def main(
    ctx: typer.Context,
    registry_url: Annotated[
        str | None,
        typer.Option(
            "--registry",
            envvar="VC_ENGINE_REGISTRY",
            help="Registry URL (sqlite:///FILE or postgresql+psycopg://...). "
            "Default: a SQLite file in your data directory.",
        ),
    ] = None,
    status_base_url: Annotated[
        str,
        typer.Option(
            "--status-base-url",
            envvar="VC_ENGINE_STATUS_BASE_URL",
            help="Where status lists are published: BASE/status-lists/LIST_ID.",
        ),
    ] = DEFAULT_STATUS_BASE_URL,
) -> None:
    ctx.obj = Settings(registry_url or default_registry_url(), status_base_url)


@app.command("demo")
def demo() -> None:
    """Issue and verify sample documents on a throwaway registry, and show attacks failing."""
    from vc_engine.cli.common import console
    from vc_engine.cli.demo import run_demo

    run_demo(console, now().replace(microsecond=0))


app.add_typer(registry.app, name="registry")
app.add_typer(keys.app, name="keys")
app.add_typer(issuer.app, name="issuer")
app.command("issue")(issue.issue)
app.command("verify")(verify.verify)
app.command("revoke")(status.revoke)
app.command("suspend")(status.suspend)
app.command("reinstate")(status.reinstate)
app.command("status")(status.status)
app.add_typer(status.lists_app, name="status-list")
app.add_typer(bundle.app, name="bundle")
app.command("audit")(audit.audit)
app.add_typer(context.app, name="context")

for plugin in entry_points(group=PLUGINS):
    plugin.load()(app)
