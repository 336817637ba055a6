"""`vc-engine doctype add|list|show`, and a type added from a file issuing and verifying."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from typer.testing import CliRunner

from vc_engine.cli import app

from archive import make_root
from paths import FIXTURES

runner = CliRunner()
INCOME = (resources.files("vc_engine") / "data" / "doctypes" / "INCER.v1.yaml").read_text("utf-8")
# A type the engine does not ship, defined by an operator: the income certificate's fields under
# another code, plus a claim whose term no shipped context defines (`tehsil`).
TEHSIL = """  - {field: tehsil, type: text, required: false,
     label: {en: Tehsil, bn: তহসিল, hi: तहसील}}
"""
NEW_TYPE = (
    INCOME.replace("code: INCER", "code: INCUP").replace(
        "name: income certificate", "name: UP income certificate"
    )
    + TEHSIL
)
RENDITIONS = ("xml", "vc-di", "vc-jwt", "qr", "pdf")


def run(registry_url: str, *args: str, expect: int = 0) -> str:
    result = runner.invoke(app, ["--registry", registry_url, *args], catch_exceptions=False)
    assert result.exit_code == expect, result.output
    return result.output


def test_add_list_show(registry_url: str, tmp_path: Path) -> None:
    definition = tmp_path / "INCUP.v1.yaml"
    definition.write_text(NEW_TYPE, encoding="utf-8")
    added = run(registry_url, "doctype", "add", str(definition))
    assert "added INCUP version 1 (UP income certificate)" in added
    listed = run(registry_url, "doctype", "list")
    assert "INCUP\tv1\tIncome Certificate" in listed and "BTHCER\tv1\tBirth Certificate" in listed
    shown = json.loads(run(registry_url, "doctype", "show", "INCUP"))
    assert (shown["code"], shown["version"], shown["expiry"]) == (
        "INCUP", 1, {"rule": "term", "months": 12}
    )  # fmt: skip
    assert shown["claims"][1]["label"]["hi"] == "परिवार की वार्षिक आय (रुपये)"
    assert shown["context"]["url"] == "https://vc-engine.org/contexts/doctypes/INCUP/v1"
    schema = json.loads(
        run(registry_url, "doctype", "show", "BTHCER", "--version", "1", "--schema")
    )
    assert "registrationDate" in schema["required"]
    assert "has no version 7" in run(
        registry_url, "doctype", "show", "BTHCER", "--version", "7", expect=1
    )


def test_a_bad_definition_is_refused_with_the_file_line_and_reason(
    registry_url: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(NEW_TYPE.replace("type: decimal", "type: money"), encoding="utf-8")
    output = run(registry_url, "doctype", "add", str(bad), expect=1)
    line = next(n for n, text in enumerate(NEW_TYPE.splitlines(), 1) if "type: decimal" in text)
    assert f"bad.yaml:{line}: claims[1].type: 'money' is not one of" in output.replace("\n", "")


def test_an_added_type_issues_and_verifies_in_every_rendition_online_and_offline(
    registry_url: str, tmp_path: Path
) -> None:
    definition = tmp_path / "INCUP.v1.yaml"
    definition.write_text(NEW_TYPE, encoding="utf-8")
    run(registry_url, "doctype", "add", str(definition))
    run(registry_url, "keys", "generate", "--alg", "p256", "--out", str(tmp_path / "key"))
    run(registry_url, "issuer", "add", "in.gov.up.edistrict", "--name", "Revenue",
        "--doctype", "INCUP")  # fmt: skip
    run(registry_url, "issuer", "add-key", "in.gov.up.edistrict",
        "--cert", str(tmp_path / "key" / "cert.pem"))  # fmt: skip
    # A QR code's signing time is in whole seconds: issuing in the second the authorisation
    # began would sign a QR code dated before it.
    time.sleep(1)
    lines = (FIXTURES / "INCER.csv").read_text(encoding="utf-8").splitlines()
    records = tmp_path / "three.csv"
    tehsils = ["tehsil", "Malihabad", "Mahmudabad", "Sadar"]
    records.write_text(
        "".join(f"{line},{tehsil}\n" for line, tehsil in zip(lines[:4], tehsils, strict=True)),
        encoding="utf-8",
    )
    out, key = tmp_path / "out", tmp_path / "key"
    issued = run(
        registry_url, "issue", "--issuer", "in.gov.up.edistrict",
        "--key", str(key / "private.pem"), "--cert", str(key / "cert.pem"),
        "--doctype", "INCUP", "--records", str(records), "--format", ",".join(RENDITIONS),
        "--out", str(out), "--workers", "1",
    )  # fmt: skip
    assert "issued 3 documents" in issued
    files = sorted(out.glob("*-INCUP-*"))
    assert len(files) == 3 * len(RENDITIONS)
    credential = json.loads(next(p for p in files if p.name.endswith(".vc.json")).read_bytes())
    assert credential["@context"][2] == "https://vc-engine.org/contexts/doctypes/INCUP/v1"
    assert credential["credentialSubject"]["certificateData"]["tehsil"] in tehsils
    read: dict[str, set[str]] = {}
    for path in files:
        report = json.loads(run(registry_url, "verify", "--json", str(path)))
        assert report["indication"] == "PASSED", (path.name, report)
        document = report["document"]
        assert document["type"] == "INCUP"
        if not path.name.endswith(".qr.txt"):  # the QR carries the printable claims only
            read.setdefault(document["id"], set()).add(document["claimsDigest"])
    assert len(read) == 3 and all(len(digests) == 1 for digests in read.values())

    # Offline: the bundle carries the added type, so the audit reaches the same verdicts.
    root_key, root_cert = make_root(now=datetime.now(UTC)).write(tmp_path / "root")
    bundle = tmp_path / "trust.bundle"
    run(registry_url, "bundle", "export", "--out", str(bundle), "--signing-key", str(root_key))
    report_file = tmp_path / "audit" / "audit.json"
    report_file.parent.mkdir()
    audited = runner.invoke(
        app,
        ["audit", str(out), "--bundle", str(bundle), "--root", str(root_cert),
         "--report", str(report_file), "--workers", "1"],
    )  # fmt: skip
    audit = json.loads(report_file.read_text(encoding="utf-8"))
    documents = [e for e in audit["entries"] if "-INCUP-" in e["path"]]
    assert len(documents) == 3 * len(RENDITIONS)
    assert all(e["indication"] == "PASSED" for e in documents), (audited.output, documents)
