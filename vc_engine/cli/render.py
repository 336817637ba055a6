"""Human-readable terminal output for reports and registry entries (rich)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from vc_engine import doctypes
from vc_engine.i18n import translate, word
from vc_engine.model import Check, CheckStatus, Document, Indication, VerificationReport
from vc_engine.trust.records import Authorisation, IssuerRecord, RegisteredKey

_COLOUR = {
    Indication.PASSED: "green",
    Indication.FAILED: "red",
    Indication.INDETERMINATE: "yellow",
}
_MARK = {CheckStatus.PASSED: "[green]✓[/]", CheckStatus.FAILED: "[red]✗[/]"}


def verdict(report: VerificationReport, language: str = "en") -> str:
    colour = _COLOUR[report.indication]
    said = word(f"indication.{report.indication}", language)
    sub = ""
    if report.sub_indication:
        sub = f" / {report.sub_indication}"
        if language != "en":
            sub += f" ({word(f'sub-indication.{report.sub_indication}', language)})"
    return f"[bold {colour}]{said}{sub}[/]"


def reason(report: VerificationReport, language: str = "en") -> str:
    """The first check that did not pass, or what was verified."""
    for check in report.checks:
        if check.status is not CheckStatus.PASSED:
            return translate(check.said, language)
    if report.document is not None:
        return word("cli.issued-by", language, issuer=report.document.issuer_name)
    return ""


def check_name(check: Check, language: str) -> str:
    """The check's name in `language`; English keeps the machine name it always printed."""
    if language == "en":
        return check.name
    try:
        return word(f"check.{check.name}", language)
    except KeyError:  # a check this catalog does not name yet
        return check.name


def report(console: Console, result: VerificationReport, source: str, language: str = "en") -> None:
    """The report in `language`; in English, exactly as it has always been printed."""
    console.print(f"{source}: {verdict(result, language)}", highlight=False)

    def line(code: str, value: str) -> None:
        console.print(f"  {word(code, language).ljust(9)} {value}", highlight=False)

    if result.document is not None:
        document = result.document
        line("cli.document", f"{document.id} ({document.doctype})")
        line("cli.issuer", f"{document.issuer_name} ({document.issuer_id})")
        line("cli.issued-at", document.issued_at.isoformat())
        console.print(_claims(document, language))
    checks = Table(
        "",
        word("cli.check", language),
        word("cli.code", language),
        word("cli.reason", language),
        box=None,
        padding=(0, 1),
    )
    for check in result.checks:
        checks.add_row(
            _MARK.get(check.status, "[yellow]?[/]"),
            check_name(check, language),
            check.code or "",
            translate(check.said, language),
        )
    console.print(checks)
    warning = word("cli.warning", language)
    for text in result.warnings:
        console.print(f"[yellow]{warning}:[/] {text}", highlight=False)


def _claims(document: Document, language: str) -> Table:
    """The signed holder and claims; outside English, named by the document type's labels."""
    labels: dict[str, str] = {}
    if language != "en" and document.doctype in doctypes.DOCTYPES:
        fields = doctypes.DOCTYPES[document.doctype].fields
        labels = {f.name: f.label(language) for f in fields}
    claims = Table(
        word("cli.claim", language), word("cli.value", language), box=None, padding=(0, 2)
    )
    for name, value in sorted(document.holder.items()):
        claims.add_row(labels.get(name, name), value)
    for name, claim in sorted(document.claims.items()):
        if isinstance(claim, str):
            claims.add_row(labels.get(name, name), claim)
        else:
            for row in claim:
                cells = ", ".join(f"{k}={v}" for k, v in row.items())
                claims.add_row(labels.get(name, name), cells)
    return claims


def issuer(
    console: Console,
    record: IssuerRecord,
    authorisations: Sequence[Authorisation],
    registered: Sequence[RegisteredKey],
) -> None:
    console.print(f"[bold]{record.id}[/] {record.name} ({record.status})", highlight=False)
    for grant in authorisations:
        until = grant.valid_until.isoformat() if grant.valid_until else "open"
        console.print(f"  may issue {grant.doctype} from {grant.valid_from.isoformat()} to {until}")
    for key in registered:
        until = key.valid_until.isoformat() if key.valid_until else "open"
        console.print(f"  key {key.key_id} {key.algorithm} {key.valid_from.isoformat()} .. {until}")
        for event in key.history:
            console.print(
                f"    {event.status} from {event.effective_at.isoformat()}: {event.reason}",
                highlight=False,
            )
