"""The body of `vc-engine verify`, with no command-line framework in it: the typer command
(`verify`) and the entry point's quick path (`main`) both run `verify_and_say`, so the report,
its rendering and the exit code are the same whichever read the command line."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from vc_engine.cli import render
from vc_engine.cli.plain import CommandError, console, policy_for, registry_at
from vc_engine.i18n import translate, word
from vc_engine.model import Indication, VerificationReport
from vc_engine.store import StatusStore
from vc_engine.store.doctype_versions import DoctypeVersions
from vc_engine.verify import verify as verify_document
from vc_engine.verify.related import check_bound_pdf

EXIT_BY_INDICATION = {Indication.PASSED: 0, Indication.FAILED: 1, Indication.INDETERMINATE: 3}


def verify_and_say(
    registry_url: str,
    when: datetime,
    file: Path | None,
    qr_text: str | None,
    *,
    pdf: Path | None = None,
    as_json: bool,
    policy_name: str | None,
    language: str | None,
) -> int:
    """Verify the file (or the QR text; exactly one is given) as of `when` against the registry,
    and, when `pdf` is given, whether it is the PDF the issuer bound into the credential; print
    the report, and return the exit code of its indication. Raises `CommandError`."""
    bound_pdf = None
    if pdf is not None:
        if qr_text is not None:
            raise CommandError("--pdf is compared with a credential file, not with a QR code", 2)
        try:
            bound_pdf = pdf.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {pdf}: {error.strerror}", 2) from None
    with registry_at(registry_url) as registry:
        policy = policy_for(policy_name, registry).at(when)
        if qr_text is not None:
            data, shown = qr_text.encode("utf-8", "replace"), "the QR text"
        else:
            assert file is not None
            shown = str(file)
            try:
                with file.open("rb") as handle:
                    data = handle.read(policy.limits.max_document_bytes + 1)
            except OSError as error:
                raise CommandError(f"cannot read {file}: {error.strerror}", 2) from None
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
    return EXIT_BY_INDICATION[report.indication]


def translated(report: VerificationReport, language: str) -> dict[str, Any]:
    """The report's JSON, each check's English message and code kept, its message in
    `language` beside them, and the verdict in words."""
    answer = report.to_json()
    answer["language"] = language
    answer["verdictText"] = word(f"verdict.{report.indication}.text", language)
    for check, shown in zip(report.checks, answer["checks"], strict=True):
        shown["translatedMessage"] = translate(check.said, language)
    return answer
