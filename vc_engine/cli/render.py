"""Human-readable terminal output for reports and registry entries (rich)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from vc_engine.model import CheckStatus, Indication, VerificationReport
from vc_engine.trust.records import Authorisation, IssuerRecord, RegisteredKey

_COLOUR = {
    Indication.PASSED: "green",
    Indication.FAILED: "red",
    Indication.INDETERMINATE: "yellow",
}
_MARK = {CheckStatus.PASSED: "[green]✓[/]", CheckStatus.FAILED: "[red]✗[/]"}


def verdict(report: VerificationReport) -> str:
    colour = _COLOUR[report.indication]
    sub = f" / {report.sub_indication}" if report.sub_indication else ""
    return f"[bold {colour}]{report.indication}{sub}[/]"


def reason(report: VerificationReport) -> str:
    """The first check that did not pass, or what was verified."""
    for check in report.checks:
        if check.status is not CheckStatus.PASSED:
            return check.message
    if report.document is not None:
        return f"issued by {report.document.issuer_name}"
    return ""


def report(console: Console, result: VerificationReport, source: str) -> None:
    console.print(f"{source}: {verdict(result)}", highlight=False)
    if result.document is not None:
        document = result.document
        console.print(f"  document  {document.id} ({document.doctype})", highlight=False)
        console.print(f"  issuer    {document.issuer_name} ({document.issuer_id})", highlight=False)
        console.print(f"  issued at {document.issued_at.isoformat()}", highlight=False)
        claims = Table("claim", "value", box=None, padding=(0, 2))
        for name, value in sorted(document.holder.items()):
            claims.add_row(name, value)
        for name, claim in sorted(document.claims.items()):
            if isinstance(claim, str):
                claims.add_row(name, claim)
            else:
                for row in claim:
                    claims.add_row(name, ", ".join(f"{k}={v}" for k, v in row.items()))
        console.print(claims)
    checks = Table("", "check", "code", "reason", box=None, padding=(0, 1))
    for check in result.checks:
        checks.add_row(
            _MARK.get(check.status, "[yellow]?[/]"), check.name, check.code or "", check.message
        )
    console.print(checks)
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)


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
