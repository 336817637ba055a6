"""`vc-engine verify`: is this document equivalent to the original?"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from vc_engine.cli import render
from vc_engine.cli.common import (
    EXIT_BY_INDICATION,
    LanguageOption,
    console,
    fail,
    instant,
    now,
    open_registry,
    translated,
)
from vc_engine.policy import VerificationPolicy
from vc_engine.store import StatusStore
from vc_engine.verify import verify as verify_document


def verify(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="The document: signed XML, a JSON-LD credential or a vc+jwt.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    at: Annotated[str | None, typer.Option(help="Verify as of this time (ISO 8601).")] = None,
    language: LanguageOption = None,
) -> None:
    """Is this document equivalent to the original? Exit 0 PASSED, 1 FAILED, 3 INDETERMINATE."""
    policy = VerificationPolicy(at=instant(at, "--at") or now())
    try:
        with file.open("rb") as handle:
            data = handle.read(policy.limits.max_document_bytes + 1)
    except OSError as error:
        fail(f"cannot read {file}: {error.strerror}", 2)
    with open_registry(ctx) as registry:
        report = verify_document(data, registry.snapshot(), policy, StatusStore(registry))
    if as_json:
        answer = report.to_json() if language is None else translated(report, language)
        sys.stdout.write(json.dumps(answer, ensure_ascii=False, indent=2) + "\n")
    else:
        render.report(console, report, str(file), language or "en")
    raise typer.Exit(EXIT_BY_INDICATION[report.indication])
