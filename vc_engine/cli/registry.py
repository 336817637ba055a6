"""`vc-engine registry`: the trust registry's database."""

from __future__ import annotations

import typer

from vc_engine.cli.common import console, open_registry, settings

app = typer.Typer(no_args_is_help=True, help="Create and inspect the trust registry.")


@app.command("init")
def registry_init(ctx: typer.Context) -> None:
    """Create the registry (or bring its schema up to date)."""
    with open_registry(ctx):
        console.print(f"registry ready at {settings(ctx).registry_url}")
