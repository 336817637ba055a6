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
    PolicyOption,
    console,
    fail,
    instant,
    now,
    open_registry,
    policy_file,
    translated,
)
from vc_engine.store import StatusStore
from vc_engine.store.doctype_versions import DoctypeVersions
from vc_engine.verify import verify as verify_document
from vc_engine.verify.related import check_bound_pdf


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
    bound_pdf = None
    if pdf is not None:
        try:
            bound_pdf = pdf.read_bytes()
        except OSError as error:
            fail(f"cannot read {pdf}: {error.strerror}", 2)
    with open_registry(ctx) as registry:
        policy = policy_file(policy_name, registry).at(when)
        if qr_text is not None:
            if bound_pdf is not None:
                fail("--pdf is compared with a credential file, not with a QR code", 2)
            data, shown = qr_text.encode("utf-8", "replace"), "the QR text"
        else:
            assert file is not None
            shown = str(file)
            try:
                with file.open("rb") as handle:
                    data = handle.read(policy.limits.max_document_bytes + 1)
            except OSError as error:
                fail(f"cannot read {file}: {error.strerror}", 2)
        catalogue = DoctypeVersions(registry).catalogue()
        report = verify_document(
            data, registry.snapshot(), policy, StatusStore(registry), catalogue=catalogue
        )
    if bound_pdf is not None:
        report = check_bound_pdf(report, bound_pdf)
    if as_json:
        answer = report.to_json() if language is None else translated(report, language)
        sys.stdout.write(json.dumps(answer, ensure_ascii=False, indent=2) + "\n")
    else:
        render.report(console, report, shown, language or "en")
    raise typer.Exit(EXIT_BY_INDICATION[report.indication])
