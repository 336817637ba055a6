"""`vc-engine doctype`: document types as data: add a definition file, list and show versions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from vc_engine.cli.common import console, fail, now, open_registry
from vc_engine.doctypes import UnknownDocTypeError
from vc_engine.doctypes.generated import record_schema
from vc_engine.doctypes.versions import Version
from vc_engine.store.doctype_versions import DoctypeVersions

app = typer.Typer(no_args_is_help=True, help="Document types: definition files and versions.")


@app.command("add")
def add(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A definition file (YAML or JSON).")],
) -> None:
    """Add a document type, or the next version of one, from its definition file."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"{file}: cannot read it: {error}")
    with open_registry(ctx) as registry:
        version = DoctypeVersions(registry).add(text, file.name, now())
    doctype = version.doctype
    console.print(
        f"added {doctype.code} version {doctype.version} ({doctype.name}),"
        f" in force from {version.in_force_from.isoformat()}; sha256 {version.definition.sha256}"
    )


@app.command("list")
def list_types(ctx: typer.Context) -> None:
    """Every document type with its latest version (shipped and added ones)."""
    with open_registry(ctx) as registry:
        catalogue = DoctypeVersions(registry).catalogue()
    for code in catalogue.codes:
        latest = catalogue.versions(code)[-1]
        print(f"{code}\tv{latest.doctype.version}\t{latest.doctype.title('en')}")


@app.command("show")
def show(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The type's code, e.g. INCER.")],
    version: Annotated[int | None, typer.Option("--version", help="Default: the latest.")] = None,
    schema: Annotated[bool, typer.Option("--schema", help="Print the record JSON Schema.")] = False,
) -> None:
    """One version of a type as JSON: titles, fields, expiry, context, definition digest."""
    with open_registry(ctx) as registry:
        catalogue = DoctypeVersions(registry).catalogue()
    try:
        versions = catalogue.versions(code)
        chosen = versions[-1] if version is None else _numbered(versions, code, version)
    except UnknownDocTypeError as error:
        fail(str(error))
    if schema:
        print(json.dumps(record_schema(chosen.doctype), ensure_ascii=False, indent=2))
        return
    print(json.dumps(chosen.to_json(), ensure_ascii=False, indent=2))


def _numbered(versions: tuple[Version, ...], code: str, number: int) -> Version:
    for candidate in versions:
        if candidate.doctype.version == number:
            return candidate
    raise UnknownDocTypeError(f"{code} has no version {number}")
