"""`vc-engine context`: JSON-LD contexts an operator pins in the registry, so credentials that
name them can be verified (offline: the document is the registry's copy, never the URL's)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vc_engine.cli.common import console, fail, now, open_registry
from vc_engine.store.contexts import MAX_CONTEXT_BYTES, PinnedContexts

app = typer.Typer(no_args_is_help=True, help="Pin JSON-LD contexts in the registry.")


@app.command("add")
def context_add(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="The context URL credentials name.")],
    file: Annotated[Path, typer.Argument(help="The context document it must mean.")],
) -> None:
    """Pin FILE as the document of context URL (prints its SHA-256)."""
    try:
        with file.open("rb") as handle:
            document = handle.read(MAX_CONTEXT_BYTES + 1)
    except OSError as error:
        fail(f"cannot read {file}: {error.strerror}", 2)
    with open_registry(ctx) as registry:
        record = PinnedContexts(registry.engine).add(url, document, at=now())
    console.print(f"pinned {record.url} sha256 {record.sha256}", highlight=False)


@app.command("list")
def context_list(ctx: typer.Context) -> None:
    """The pinned contexts: URL, SHA-256, when pinned."""
    with open_registry(ctx) as registry:
        for record in PinnedContexts(registry.engine).list():
            console.print(
                f"{record.url}  {record.sha256}  {record.added_at.isoformat()}", highlight=False
            )


@app.command("remove")
def context_remove(
    ctx: typer.Context, url: Annotated[str, typer.Argument(help="The context URL.")]
) -> None:
    """Unpin a context: credentials naming it fail verification from now on."""
    with open_registry(ctx) as registry:
        PinnedContexts(registry.engine).remove(url)
    console.print(f"removed {url}", highlight=False)
