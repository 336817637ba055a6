"""The audit report as one self-contained HTML page an auditor can open anywhere.

No script, no external style sheet, font or image: the page must open offline and show nothing
it did not get from the report. Every value from a file or a bundle (paths, ids, reasons,
warnings) is escaped with `html.escape`, so a hostile file name or claim shows as text and
can never become markup. Summary first, then the files that did not pass (failures first),
each with its reasons, then the files that passed, folded.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from vc_engine.model import Indication
from vc_engine.offline.auditor import AuditEntry, AuditReport

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1b1b1b}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3em .5em;
text-align:left;vertical-align:top}th{background:#f3f3f3}
.FAILED{color:#a40000;font-weight:600}.INDETERMINATE{color:#8a5a00;font-weight:600}
.PASSED{color:#0a6b1f;font-weight:600}
.warn{background:#fff4d6;padding:.5em;border:1px solid #e6c36a}
code{font-size:.9em;word-break:break-all}ul{margin:0;padding-left:1.2em}
"""


def render(report: AuditReport) -> str:
    """The page for `report` (UTF-8 text)."""
    failures = [e for e in report.failures_first() if e.indication is not Indication.PASSED]
    passed = [e for e in report.entries if e.indication is Indication.PASSED]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>vc-engine offline audit</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Offline audit report</h1>",
        _summary(report),
        _warnings(report),
        f"<h2>Not passed ({len(failures):,})</h2>",
        _table(failures, with_reasons=True) if failures else "<p>Every file passed.</p>",
        f"<h2>Passed ({len(passed):,})</h2>",
        f"<details><summary>Show {len(passed):,} files</summary>",
        _table(passed, with_reasons=False),
        "</details></body></html>",
    ]
    return "\n".join(parts)


def write_html(report: AuditReport, out: Path) -> None:
    out.write_text(render(report), encoding="utf-8")


def _summary(report: AuditReport) -> str:
    bundle = report.bundle
    rows = [
        ("Verified as of", report.verified_at.isoformat()),
        ("Files", f"{len(report.entries):,}"),
        *((name, f"{count:,}") for name, count in report.by_indication.items()),
        ("Trust bundle SHA-256", bundle.sha256),
        ("Signed by root key", bundle.root_key_id),
        ("Bundle created", bundle.created.isoformat()),
        ("Bundle next update", bundle.next_update.isoformat()),
    ]
    cells = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    by_sub = "".join(
        f"<tr><td>{escape(code)}</td><td>{count:,}</td></tr>"
        for code, count in report.by_sub_indication.items()
    )
    sub_table = (
        f"<h2>By sub-indication</h2><table><tr><th>Sub-indication</th><th>Files</th></tr>"
        f"{by_sub}</table>"
        if by_sub
        else ""
    )
    return f"<table>{cells}</table>{sub_table}"


def _warnings(report: AuditReport) -> str:
    if not report.bundle.warnings:
        return ""
    items = "".join(f"<li>{escape(w)}</li>" for w in report.bundle.warnings)
    return f'<div class="warn"><strong>Warnings for every verdict:</strong><ul>{items}</ul></div>'


def _table(entries: list[AuditEntry], *, with_reasons: bool) -> str:
    header = "<tr><th>File</th><th>Verdict</th><th>Document</th><th>Format</th>"
    header += "<th>Reasons</th></tr>" if with_reasons else "<th>SHA-256</th></tr>"
    rows = [header]
    for entry in entries:
        verdict = str(entry.indication)
        if entry.sub_indication is not None:
            verdict += f" / {entry.sub_indication}"
        last = (
            "<ul>" + "".join(f"<li>{escape(r)}</li>" for r in entry.reasons) + "</ul>"
            if with_reasons
            else f"<code>{escape(entry.sha256 or '-')}</code>"
        )
        rows.append(
            f"<tr><td><code>{escape(entry.path)}</code></td>"
            f'<td class="{escape(str(entry.indication))}">{escape(verdict)}</td>'
            f"<td><code>{escape(entry.document_id or '-')}</code></td>"
            f"<td>{escape(entry.format or '-')}</td><td>{last}</td></tr>"
        )
    return "<table>" + "".join(rows) + "</table>"
