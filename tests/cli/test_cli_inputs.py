"""`vc-engine issue --records` with an Excel workbook (sheet by name) and with a directory of
Certificate XML: the good records issue, and rejects.csv names the row or element, the field
and the reason."""

from __future__ import annotations

import csv
import json
from itertools import islice
from pathlib import Path

from typer.testing import CliRunner

from vc_engine.cli import app
from vc_engine.doctypes import get_doctype
from vc_engine.inputs.records import read_records

from issuer_files import certificate, write_workbook
from paths import FIXTURES

runner = CliRunner()


def run(registry_url: str, *args: str, expect: int = 0) -> str:
    result = runner.invoke(app, ["--registry", registry_url, *args], catch_exceptions=False)
    assert result.exit_code == expect, result.output
    return result.output


def enrol(registry_url: str, tmp_path: Path) -> list[str]:
    key = tmp_path / "key"
    run(registry_url, "keys", "generate", "--alg", "p256", "--out", str(key))
    run(
        registry_url,
        "issuer",
        "add",
        "in.gov.up.edistrict",
        "--name",
        "Revenue",
        "--doctype",
        "INCER",
    )
    run(
        registry_url,
        "issuer",
        "add-key",
        "in.gov.up.edistrict",
        "--cert",
        str(tmp_path / "key" / "cert.pem"),
    )
    return [
        "issue", "--issuer", "in.gov.up.edistrict", "--doctype", "INCER", "--format", "xml",
        "--key", str(key / "private.pem"), "--cert", str(key / "cert.pem"),
        "--workers", "1",
    ]  # fmt: skip


def records(count: int) -> list[dict[str, object]]:
    found = [r for _, r in islice(read_records(FIXTURES / "INCER.csv"), count)]
    return [r for r in found if isinstance(r, dict)]


def rejects(out: Path) -> list[dict[str, str]]:
    with (out / "rejects.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_workbook_sheet_issues_and_a_bad_row_is_named(registry_url: str, tmp_path: Path) -> None:
    command = enrol(registry_url, tmp_path)
    rows = records(4)
    rows[2]["annualIncome"] = "twelve thousand"
    write_workbook(tmp_path / "incomes.xlsx", get_doctype("INCER"), rows, sheet="March")
    out = tmp_path / "out"
    output = run(registry_url, *command, "--records", str(tmp_path / "incomes.xlsx"),
                 "--sheet", "March", "--out", str(out))  # fmt: skip
    assert "issued 3 documents" in output
    [refused] = rejects(out)
    assert refused["line"] == "4"  # the Excel row: header on row 1
    assert (
        refused["reason"] == "annualIncome: 'twelve thousand' is not a decimal number like 1200.50"
    )
    verified = json.loads(run(registry_url, "verify", "--json", str(next(out.glob("*.xml")))))
    assert verified["indication"] == "PASSED"


def test_a_directory_of_certificate_xml_issues(registry_url: str, tmp_path: Path) -> None:
    from lxml import etree

    command = enrol(registry_url, tmp_path)
    export = tmp_path / "export"
    export.mkdir()
    rows = records(4)
    for number, record in enumerate(rows[:3]):
        element = certificate(get_doctype("INCER"), record)
        etree.ElementTree(element).write(export / f"{number}.xml", encoding="UTF-8")
    # Two refusals on line 1 of two files: each named by its file and element.
    bad = certificate(get_doctype("INCER"), {**rows[3], "annualIncome": "lots"})
    etree.ElementTree(bad).write(export / "8.xml", encoding="UTF-8")
    (export / "9.xml").write_text("<Certificate number='X1'><IssuedTo><Person name='A'/></IssuedTo>"
                                  "<CertificateData><incomeSource>x</incomeSource></CertificateData>"
                                  "</Certificate>", encoding="utf-8")  # fmt: skip
    out = tmp_path / "out"
    output = run(registry_url, *command, "--records", str(export), "--out", str(out))
    assert "issued 3 documents" in output
    refused = rejects(out)
    assert [r["line"] for r in refused] == ["4", "5"]  # numbered across the directory
    assert refused[0]["reason"] == (
        "8.xml: <Certificate> at line 1: annualIncome: 'lots' is not a decimal number like 1200.50"
    )
    assert refused[1]["reason"] == (
        "9.xml: <Certificate> at line 1: incomeSource: is not a column of a income certificate; "
        "did you mean 'incomeSources'?"
    )
