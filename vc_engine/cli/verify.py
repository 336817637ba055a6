"""`vc-engine verify`: is this document equivalent to the original?"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vc_engine.cli.common import (
    LanguageOption,
    PolicyOption,
    fail,
    instant,
    now,
    settings,
)
from vc_engine.cli.plain import CommandError
from vc_engine.cli.verifying import verify_and_say


def verify(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(
            help="The document: signed XML, a JSON-LD credential, a vc+jwt, a QR text (.txt), "
            "or a photo or scan of a printed QR code (PNG, JPEG)."
        ),
    ] = None,
    qr_text: Annotated[
        str | None, typer.Option("--qr", help="The text of a document's QR code.")
    ] = None,
    pdf: Annotated[
        Path | None,
        typer.Option(
            "--pdf",
            help="A PDF to compare with the one the issuer bound into the credential (its "
            "relatedResource): the report says whether it is byte for byte the same.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    at: Annotated[str | None, typer.Option(help="Verify as of this time (ISO 8601).")] = None,
    policy_name: PolicyOption = None,
    language: LanguageOption = None,
) -> None:
    """Is this document equivalent to the original? Exit 0 PASSED, 1 FAILED, 3 INDETERMINATE."""
    when = instant(at, "--at") or now()
    if (file is None) == (qr_text is None):
        fail("give a document file or --qr TEXT, one of them", 2)
    try:
        code = verify_and_say(
            settings(ctx).registry_url,
            when,
            file,
            qr_text,
            pdf=pdf,
            as_json=as_json,
            policy_name=policy_name,
            language=language,
        )
    except CommandError as error:
        fail(error.message, error.code)
    raise typer.Exit(code)
