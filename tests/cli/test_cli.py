"""The `vc-engine` command as a script would use it: exit codes, files written, JSON printed."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vc_engine.cli import app
from vc_engine.cli.main import QuickVerify, read_quick_verify

from paths import FIXTURES

runner = CliRunner()


def run(registry_url: str, *args: str, expect: int = 0) -> str:
    result = runner.invoke(app, ["--registry", registry_url, *args], catch_exceptions=False)
    assert result.exit_code == expect, result.output
    return result.output


@pytest.fixture
def issued(registry_url: str, tmp_path: Path) -> tuple[str, Path, str]:
    """An issuer enrolled through the CLI, with five birth certificates issued."""
    run(registry_url, "registry", "init")
    run(registry_url, "keys", "generate", "--alg", "rsa2048", "--out", str(tmp_path / "kmc"))
    run(
        registry_url,
        "issuer",
        "add",
        "in.gov.wb.kmc",
        "--name",
        "Kolkata Municipal Corporation",
        "--doctype",
        "BTHCER",
    )
    key_id = run(
        registry_url,
        "issuer",
        "add-key",
        "in.gov.wb.kmc",
        "--cert",
        str(tmp_path / "kmc" / "cert.pem"),
    ).strip()
    records = tmp_path / "five.csv"
    lines = (FIXTURES / "BTHCER.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    records.write_text("".join(lines[:6]), encoding="utf-8")
    out = tmp_path / "out"
    output = run(
        registry_url,
        "issue",
        "--issuer", "in.gov.wb.kmc",
        "--key", str(tmp_path / "kmc" / "private.pem"),
        "--cert", str(tmp_path / "kmc" / "cert.pem"),
        "--doctype", "BTHCER",
        "--records", str(records),
        "--format", "xml",
        "--out", str(out),
    )  # fmt: skip
    assert "issued 5 documents" in output
    return registry_url, out, key_id


def test_private_key_is_written_for_its_owner_only(tmp_path: Path) -> None:
    result = runner.invoke(app, ["keys", "generate", "--alg", "p256", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    mode = stat.S_IMODE((tmp_path / "private.pem").stat().st_mode)
    assert mode == 0o600
    assert (tmp_path / "cert.pem").read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    again = runner.invoke(app, ["keys", "generate", "--alg", "p256", "--out", str(tmp_path)])
    assert again.exit_code == 1 and "refusing to overwrite" in again.output


def test_issue_then_verify_passes(issued: tuple[str, Path, str]) -> None:
    registry_url, out, key_id = issued
    files = sorted(out.glob("*.xml"))
    assert len(files) == 5
    assert re.fullmatch(r"[0-9a-f]{64}", key_id)
    assert "PASSED" in run(registry_url, "verify", str(files[0]))


def test_verify_json_is_the_report(issued: tuple[str, Path, str]) -> None:
    registry_url, out, _ = issued
    report = json.loads(run(registry_url, "verify", "--json", str(sorted(out.glob("*.xml"))[0])))
    assert list(report) == [
        "verified",
        "indication",
        "subIndication",
        "checks",
        "warnings",
        "problemDetails",
        "format",
        "document",
        "policy",
    ]
    assert report["policy"]["name"] == "default"
    assert report["verified"] is True
    assert report["document"]["holder"]["nameLocal"] == "অমিত হালদার"


def test_tampered_document_exits_1(issued: tuple[str, Path, str], tmp_path: Path) -> None:
    registry_url, out, _ = issued
    original = sorted(out.glob("*.xml"))[0].read_bytes()
    tampered = tmp_path / "tampered.xml"
    tampered.write_bytes(original.replace(b"Amit Halder", b"Amit Haldar"))
    report = json.loads(run(registry_url, "verify", "--json", str(tampered), expect=1))
    assert report["subIndication"] == "HASH_FAILURE"


def test_compromised_key_fails_documents_signed_after(issued: tuple[str, Path, str]) -> None:
    registry_url, out, key_id = issued
    document = str(sorted(out.glob("*.xml"))[0])
    run(
        registry_url,
        "issuer",
        "compromise-key",
        "in.gov.wb.kmc",
        key_id,
        "--at",
        "2020-01-01T00:00:00Z",
        "--reason",
        "stolen laptop",
    )
    report = json.loads(run(registry_url, "verify", "--json", document, expect=1))
    assert report["subIndication"] == "KEY_COMPROMISED"
    assert "stolen laptop" in json.dumps(report)


def test_compromise_after_issuance_keeps_registered_documents_valid(
    issued: tuple[str, Path, str],
) -> None:
    registry_url, out, key_id = issued
    document = str(sorted(out.glob("*.xml"))[0])
    run(
        registry_url,
        "issuer",
        "compromise-key",
        "in.gov.wb.kmc",
        key_id,
        "--at",
        "2099-01-01T00:00:00Z",
        "--reason",
        "expected leak",
    )
    assert json.loads(run(registry_url, "verify", "--json", document))["verified"] is True


def test_issuing_the_same_records_again_issues_nothing_twice(
    issued: tuple[str, Path, str], tmp_path: Path
) -> None:
    registry_url, _, _ = issued
    result = runner.invoke(
        app,
        [
            "--registry", registry_url, "issue",
            "--issuer", "in.gov.wb.kmc",
            "--key", str(tmp_path / "kmc" / "private.pem"),
            "--cert", str(tmp_path / "kmc" / "cert.pem"),
            "--doctype", "BTHCER",
            "--records", str(tmp_path / "five.csv"),
            "--out", str(tmp_path / "again"),
        ],
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.output.count("already issued") == 5
    assert not list((tmp_path / "again").glob("*.xml"))


def test_issue_refuses_a_key_not_registered(issued: tuple[str, Path, str], tmp_path: Path) -> None:
    registry_url, _, _ = issued
    run(registry_url, "keys", "generate", "--alg", "p256", "--out", str(tmp_path / "other"))
    output = run(
        registry_url,
        "issue",
        "--issuer", "in.gov.wb.kmc",
        "--key", str(tmp_path / "other" / "private.pem"),
        "--cert", str(tmp_path / "other" / "cert.pem"),
        "--doctype", "BTHCER",
        "--records", str(tmp_path / "five.csv"),
        "--out", str(tmp_path / "never"),
        expect=1,
    )  # fmt: skip
    assert "not registered" in output
    assert not (tmp_path / "never").exists()


def test_bad_records_are_rejected_by_line_and_the_rest_issued(
    issued: tuple[str, Path, str], tmp_path: Path
) -> None:
    registry_url, _, _ = issued
    lines = (FIXTURES / "BTHCER.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    broken = lines[7].replace("2025-", "2025/", 1)
    records = tmp_path / "mixed.csv"
    records.write_text(lines[0] + broken + lines[8], encoding="utf-8")
    output = run(
        registry_url,
        "issue",
        "--issuer", "in.gov.wb.kmc",
        "--key", str(tmp_path / "kmc" / "private.pem"),
        "--cert", str(tmp_path / "kmc" / "cert.pem"),
        "--doctype", "BTHCER",
        "--records", str(records),
        "--out", str(tmp_path / "mixed"),
    )  # fmt: skip
    assert "line 2" in output
    assert "issued 1 documents" in output


def test_verify_usage_errors_exit_2(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    missing = runner.invoke(app, ["--registry", url, "verify", str(tmp_path / "missing.xml")])
    assert missing.exit_code == 2
    naive = runner.invoke(app, ["--registry", url, "verify", "--at", "2026-01-01T00:00", "x"])
    assert naive.exit_code == 2 and "time zone" in naive.output


def test_verify_not_xml_exits_1(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    junk = tmp_path / "junk.xml"
    junk.write_bytes(b"\x00\x01 definitely not a document")
    result = runner.invoke(app, ["--registry", url, "verify", "--json", str(junk)])
    assert result.exit_code == 1
    assert json.loads(result.output)["subIndication"] == "FORMAT_FAILURE"


def test_unknown_document_type_is_a_usage_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    result = runner.invoke(
        app, ["--registry", url, "issuer", "add", "in.gov.x", "--name", "X", "--doctype", "NOPE"]
    )
    assert result.exit_code == 2


def test_registry_errors_are_one_line_not_a_traceback(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    run(url, "issuer", "add", "in.gov.x", "--name", "X", "--doctype", "BTHCER")
    again = runner.invoke(
        app, ["--registry", url, "issuer", "add", "in.gov.x", "--name", "X", "--doctype", "BTHCER"]
    )
    assert again.exit_code == 1
    assert "Traceback" not in again.output and "error:" in again.output


def test_demo_runs_and_every_attack_gets_its_verdict() -> None:
    result = runner.invoke(app, ["demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "HASH_FAILURE" in result.output and "KEY_COMPROMISED" in result.output


def test_every_rendition_through_the_cli(registry_url: str, tmp_path: Path) -> None:
    """A P-256 key issues signed XML, a JSON-LD credential, a vc+jwt, a QR text and a signed PDF
    of each record; `verify` detects each format and reads the same claims digest from all five
    (every field of a licence is printable), and `verify --qr` reads the QR text itself."""
    run(registry_url, "keys", "generate", "--alg", "p256", "--out", str(tmp_path / "k"))
    run(
        registry_url,
        "issuer",
        "add",
        "in.gov.dl.transport",
        "--name",
        "Transport",
        "--doctype",
        "DRVLC",
    )
    run(
        registry_url,
        "issuer",
        "add-key",
        "in.gov.dl.transport",
        "--cert",
        str(tmp_path / "k" / "cert.pem"),
    )
    records = tmp_path / "three.csv"
    lines = (FIXTURES / "DRVLC.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    records.write_text("".join(lines[:4]), encoding="utf-8")
    output = run(
        registry_url,
        "issue",
        "--issuer", "in.gov.dl.transport",
        "--key", str(tmp_path / "k" / "private.pem"),
        "--cert", str(tmp_path / "k" / "cert.pem"),
        "--doctype", "DRVLC",
        "--records", str(records),
        "--format", "xml,vc-di,vc-jwt,qr,pdf",
        "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert "issued 3 documents (15 files)" in output
    digests: dict[str, set[str]] = {}
    formats = set()
    for path in (tmp_path / "out").iterdir():
        if path.name == "manifest.jsonl":  # the batch's list of what it wrote
            continue
        result = runner.invoke(app, ["--registry", registry_url, "verify", "--json", str(path)])
        report = json.loads(result.output)
        assert result.exit_code == 0, result.output
        formats.add(report["format"])
        digests.setdefault(report["document"]["id"], set()).add(report["document"]["claimsDigest"])
    assert formats == {"xml-dsig", "vc-di", "vc-jwt", "qr-cwt", "pdf-pades"}
    assert all(len(seen) == 1 for seen in digests.values())
    text = next((tmp_path / "out").glob("*.qr.txt")).read_text(encoding="ascii")
    typed = runner.invoke(app, ["--registry", registry_url, "verify", "--json", "--qr", text])
    assert json.loads(typed.output)["format"] == "qr-cwt"
    assert json.loads(typed.output)["document"]["claimsDigest"] in set.union(*digests.values())


@pytest.mark.parametrize("form", ["--public-key", "--jwk", "--multikey"])
def test_keys_are_registered_from_every_encoding(tmp_path: Path, form: str) -> None:
    from cryptography.hazmat.primitives import serialization

    from vc_engine import keys

    url = f"sqlite:///{tmp_path / 'r.db'}"
    run(url, "issuer", "add", "in.gov.x", "--name", "X", "--doctype", "BTHCER")
    key = keys.generate_private_key(keys.KeyAlgorithm.ED25519).public_key()
    if form == "--public-key":
        value = tmp_path / "public.pem"
        value.write_bytes(
            key.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        argument = str(value)
    elif form == "--jwk":
        value = tmp_path / "key.jwk"
        value.write_text(json.dumps(keys.public_jwk(key)))
        argument = str(value)
    else:
        argument = keys.multikey_encode(key)
    assert run(url, "issuer", "add-key", "in.gov.x", form, argument).strip() == keys.key_id(key)


def test_a_key_must_be_given_exactly_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    result = runner.invoke(app, ["--registry", url, "issuer", "add-key", "in.gov.x"])
    assert result.exit_code == 2 and "exactly one" in result.output


def test_a_private_jwk_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    run(url, "issuer", "add", "in.gov.x", "--name", "X", "--doctype", "BTHCER")
    jwk = tmp_path / "private.jwk"
    jwk.write_text(json.dumps({"kty": "OKP", "crv": "Ed25519", "x": "A" * 43, "d": "B" * 43}))
    result = runner.invoke(
        app, ["--registry", url, "issuer", "add-key", "in.gov.x", "--jwk", str(jwk)]
    )
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_verify_says_the_report_in_bengali_and_hindi(
    issued: tuple[str, Path, str], tmp_path: Path
) -> None:
    registry_url, out, _ = issued
    genuine = str(sorted(out.glob("*.xml"))[0])
    bengali = run(registry_url, "verify", "--lang", "bn", genuine)
    assert "যাচাই সফল" in bengali
    assert "নিবন্ধিত ও সক্রিয়" in bengali  # the issuer check, in Bengali
    assert "জন্ম তারিখ" in bengali or "নাম" in bengali  # a field's Bengali label
    tampered = tmp_path / "tampered.xml"
    tampered.write_bytes(Path(genuine).read_bytes().replace(b"Amit Halder", b"Amit Haldar"))
    hindi = run(registry_url, "verify", "--lang", "hi", str(tampered), expect=1)
    assert "सत्यापन विफल / HASH_FAILURE" in hindi
    assert "(हस्ताक्षर के बाद सामग्री बदली गई है)" in hindi  # HASH_FAILURE, said in Hindi


def test_verify_json_in_a_language_keeps_codes_and_english(issued: tuple[str, Path, str]) -> None:
    registry_url, out, _ = issued
    genuine = str(sorted(out.glob("*.xml"))[0])
    english = json.loads(run(registry_url, "verify", "--json", genuine))
    hindi = json.loads(run(registry_url, "verify", "--json", "--lang", "hi", genuine))
    assert hindi["language"] == "hi"
    assert hindi["verdictText"] == "यह दस्तावेज़ मूल दस्तावेज़ के समतुल्य है।"
    for plain, said in zip(english["checks"], hindi["checks"], strict=True):
        assert said["message"] == plain["message"]
        assert said["messageCode"] == plain["messageCode"]
        assert said["translatedMessage"] != plain["message"]
    issuer = next(c for c in hindi["checks"] if c["name"] == "issuer")
    assert issuer["messageCode"] == "issuer.active"
    assert issuer["messageParams"] == {
        "issuer": "in.gov.wb.kmc",
        "name": "Kolkata Municipal Corporation",
    }


def test_verify_refuses_a_language_without_a_catalog(issued: tuple[str, Path, str]) -> None:
    registry_url, out, _ = issued
    output = run(
        registry_url, "verify", "--lang", "fr", str(sorted(out.glob("*.xml"))[0]), expect=2
    )
    assert "fr" in output


@pytest.mark.parametrize("registry_url", ["sqlite"], indirect=True)
def test_verifying_a_file_loads_neither_the_batch_nor_alembic_nor_the_service(
    issued: tuple[str, Path, str],
) -> None:
    """The command starts lazily: verifying one signed XML file through the entry point imports
    what verifying needs, and neither typer (nor the pydantic it loads), the JSON Schema
    checker, nor the JSON-LD processor (one backend is enough to see what a process imports)."""
    registry_url, out, _ = issued
    document = sorted(out.glob("*.xml"))[0]
    probe = (
        "import sys\n"
        "from vc_engine.cli.main import main\n"
        f"sys.argv = ['vc-engine', '--registry', {registry_url!r}, 'verify', {str(document)!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as end:\n"
        "    assert end.code == 0, end.code\n"
        "heavy = ('alembic', 'vc_engine.issuance.batch', 'vc_engine.offline', 'fastapi', 'pyld',\n"
        "         'typer', 'pydantic', 'jsonschema', 'vc_engine.cli.root')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m in heavy\n"
        "      or any(m.startswith(h + '.') for h in heavy)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout


def _entry_point(*args: str) -> subprocess.CompletedProcess[str]:
    probe = "import sys\nfrom vc_engine.cli.main import main\nsys.argv[:] = sys.argv[1:]\nmain()\n"
    return subprocess.run(
        [sys.executable, "-c", probe, "vc-engine", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "120"},
    )


def _typer_command(*args: str) -> subprocess.CompletedProcess[str]:
    probe = "import sys\nfrom vc_engine.cli import app\napp(sys.argv[1:], prog_name='vc-engine')\n"
    return subprocess.run(
        [sys.executable, "-c", probe, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "120"},
    )


@pytest.mark.parametrize("registry_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    "arguments",
    [
        ["verify", "{document}"],
        ["verify", "--json", "--lang", "hi", "{document}"],
        ["verify", "{document}", "--at=2020-01-01T00:00:00Z", "--policy", "elocker-legacy"],
        ["verify", "--at", "2026-01-01", "{document}"],
        ["verify", "{missing}"],
        ["verify", "--qr", "HC1:not-a-code"],
        ["verify"],
        ["verify", "--lang", "fr", "{document}"],
        ["verify", "--json", "--json", "{document}"],
        ["verify", "--help"],
        ["verify", "{document}", "--pdf", "{missing}"],
        ["verify", "{document}", "--pdf", "{document}"],
    ],
    ids=[
        "passed",
        "json-hindi",
        "before-issue-legacy-policy",
        "time-without-zone",
        "missing-file",
        "bad-qr",
        "nothing-to-verify",
        "unknown-language",
        "repeated-flag",
        "help",
        "missing-pdf",
        "pdf-beside-xml",
    ],
)
def test_the_entry_point_answers_as_the_typer_command_does(
    issued: tuple[str, Path, str], tmp_path: Path, arguments: list[str]
) -> None:
    """Whether the entry point reads the command line itself or hands it to typer, what is
    printed and the exit code are the typer command's."""
    registry_url, out, _ = issued
    names = {"document": str(sorted(out.glob("*.xml"))[0]), "missing": str(tmp_path / "none")}
    args = ["--registry", registry_url, *(a.format(**names) for a in arguments)]
    quick, typer_run = _entry_point(*args), _typer_command(*args)
    assert (quick.returncode, quick.stdout, quick.stderr) == (
        typer_run.returncode,
        typer_run.stdout,
        typer_run.stderr,
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["verify", "--help"],
        ["issue", "--help"],
        ["verify"],
        ["verify", "a.xml", "b.xml"],
        ["verify", "a.xml", "--qr", "HC1:x"],
        ["verify", "a.xml", "--at", "2026-01-01T00:00:00Z", "--at", "2026-01-02T00:00:00Z"],
        ["verify", "a.xml", "--lang", "fr"],
        ["verify", "a.xml", "--registry", "sqlite:///x.db"],
        ["--registry", "verify", "a.xml"],
        ["verify", "--", "a.xml"],
        ["verify", "a.xml", "--json=yes"],
        ["verify", "--policy"],
    ],
)
def test_the_entry_point_hands_typer_anything_but_a_plain_verify(argv: list[str]) -> None:
    assert read_quick_verify(argv) is None


def test_the_entry_point_reads_a_plain_verify(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VC_ENGINE_REGISTRY", raising=False)
    monkeypatch.setenv("VC_ENGINE_POLICY", "conformance")
    argv = ["--registry=sqlite:///r.db", "verify", "--json", "a.xml", "--lang", "bn"]
    assert read_quick_verify(argv) == QuickVerify(
        registry_url="sqlite:///r.db",
        file=Path("a.xml"),
        qr_text=None,
        pdf=None,
        as_json=True,
        at=None,
        policy_name="conformance",
        language="bn",
    )


def test_the_entry_point_reads_the_pdf_to_compare_with_a_credential() -> None:
    call = read_quick_verify(["verify", "a.vc.json", "--pdf", "issuer-own.pdf"])
    assert call is not None
    assert (call.file, call.pdf) == (Path("a.vc.json"), Path("issuer-own.pdf"))
    assert read_quick_verify(["verify", "a.vc.json", "--pdf"]) is None
