"""The `vc-engine` command: sign government documents as signed XML and W3C Verifiable
Credentials, and tell, with reasons, whether a document is equivalent to the original.

`verify` exits 0 PASSED, 1 FAILED, 3 INDETERMINATE, 2 usage error.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from importlib.metadata import entry_points
from typing import Annotated

import typer
from typer._click.core import Command, Context  # typer vendors click; its types are these
from typer.core import TyperGroup

from vc_engine.cli.common import DEFAULT_STATUS_BASE_URL, Settings, default_registry_url, now

PLUGINS = "vc_engine.cli"
"""Entry-point group of packages that add commands (the HTTP service adds `serve`, `client`
and `request-log`): each entry is a function taking the root `typer.Typer`."""

COMMANDS: Mapping[str, tuple[str, str]] = {
    "registry": ("vc_engine.cli.registry", "app"),
    "keys": ("vc_engine.cli.keys", "app"),
    "issuer": ("vc_engine.cli.issuer", "app"),
    "doctype": ("vc_engine.cli.doctype", "app"),
    "context": ("vc_engine.cli.context", "app"),
    "issue": ("vc_engine.cli.issue", "issue"),
    "verify": ("vc_engine.cli.verify", "verify"),
    "revoke": ("vc_engine.cli.status", "revoke"),
    "suspend": ("vc_engine.cli.status", "suspend"),
    "reinstate": ("vc_engine.cli.status", "reinstate"),
    "status": ("vc_engine.cli.status", "status"),
    "status-list": ("vc_engine.cli.status", "lists_app"),
    "bundle": ("vc_engine.cli.bundle", "app"),
    "trust-anchor": ("vc_engine.cli.trust_anchor", "app"),
    "digilocker": ("vc_engine.cli.digilocker", "app"),
    "audit": ("vc_engine.cli.audit", "audit"),
}
"""Command name → (module, attribute): a `typer.Typer` of subcommands or a command function."""


class LazyCommands(TyperGroup):
    """The root command, loading a command's module only when that command is asked for.

    Verifying one file then imports what verifying needs, not the batch machinery, the offline
    auditor or the HTTP service; `--help` still lists every command (it loads them all).
    """

    def list_commands(self, ctx: Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            self.add_command(_load(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)


def _load(name: str) -> Command:
    module, attribute = COMMANDS[name]
    target = getattr(importlib.import_module(module), attribute)
    if isinstance(target, typer.Typer):
        command: Command = typer.main.get_group(target)
    else:
        single = typer.Typer()
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


app = typer.Typer(cls=LazyCommands, no_args_is_help=True, add_completion=False, help=__doc__)


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


for plugin in entry_points(group=PLUGINS):
    plugin.load()(app)
