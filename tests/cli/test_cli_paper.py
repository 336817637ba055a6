"""Paper options of the `vc-engine` command, run as an issuer would: `issue --attach-pdf DIR`
binds each record's own PDF into its W3C credentials, `verify CREDENTIAL --pdf FILE` says
whether a PDF is the one bound, and `issue --tsa URL` has every signed PDF timestamped by an
RFC 3161 authority (a local one, tests/tsa.py)."""

from __future__ import annotations

import base64
import csv
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tsa import local_tsa
from typer.testing import CliRunner

from vc_engine.cli import app

from paths import FIXTURES

runner = CliRunner()
ISSUER = "in.gov.wb.kmc"


def run(registry_url: str, *args: str, expect: int = 0) -> str:
    result = runner.invoke(app, ["--registry", registry_url, *args], catch_exceptions=False)
    assert result.exit_code == expect, result.output
    return result.output


def report_of(registry_url: str, *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = runner.invoke(app, ["--registry", registry_url, "verify", "--json", *args])
    return result.exit_code, json.loads(result.output)


def check(report: dict, name: str) -> dict:  # type: ignore[type-arg]
    return next(c for c in report["checks"] if c["name"] == name)


def failing(report: dict) -> list[dict]:  # type: ignore[type-arg]
    return [c for c in report["checks"] if c["status"] != "passed"]


def expected_digest(data: bytes) -> str:
    """VC DM 2.0 §5.3 via Data Integrity: multibase 'u' (base64url, no padding) of the SHA-256
    multihash (code 0x12, length 0x20), computed here from the spec, not by the engine."""
    multihash = b"\x12\x20" + hashlib.sha256(data).digest()
    return "u" + base64.urlsafe_b64encode(multihash).decode().rstrip("=")


@pytest.fixture
def enrolled(registry_url: str, tmp_path: Path) -> tuple[str, Path, list[str]]:
    """A P-256 issuer enrolled through the CLI, and three birth certificate records (docIds)."""
    run(registry_url, "registry", "init")
    run(registry_url, "keys", "generate", "--alg", "p256", "--out", str(tmp_path / "kmc"))
    # Registered a while ago: a QR code's iat is whole seconds, so a document signed within the
    # second its key was registered would claim to predate it.
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    run(registry_url, "issuer", "add", ISSUER, "--name", "Kolkata Municipal Corporation",
        "--doctype", "BTHCER", "--valid-from", since)  # fmt: skip
    run(registry_url, "issuer", "add-key", ISSUER, "--cert", str(tmp_path / "kmc" / "cert.pem"),
        "--valid-from", since)  # fmt: skip
    lines = (FIXTURES / "BTHCER.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "three.csv").write_text("".join(lines[:4]), encoding="utf-8")
    doc_ids = [row["docId"] for row in csv.DictReader(lines[:4])]
    return registry_url, tmp_path, doc_ids


def issue(registry_url: str, tmp_path: Path, formats: str, *extra: str, expect: int = 0) -> str:
    return run(
        registry_url, "issue", "--issuer", ISSUER,
        "--key", str(tmp_path / "kmc" / "private.pem"),
        "--cert", str(tmp_path / "kmc" / "cert.pem"),
        "--doctype", "BTHCER", "--records", str(tmp_path / "three.csv"),
        "--format", formats, "--out", str(tmp_path / "out"), *extra,
        expect=expect,
    )  # fmt: skip


def own_pdfs(folder: Path, doc_ids: list[str]) -> dict[str, bytes]:
    """The issuer's own PDFs (any bytes with a PDF header stand for them here)."""
    folder.mkdir()
    written = {}
    for doc_id in doc_ids:
        data = b"%PDF-1.7\n% the issuer's own certificate " + doc_id.encode() + b"\n%%EOF\n"
        (folder / f"{doc_id}.pdf").write_bytes(data)
        written[doc_id] = data
    return written


def test_attach_pdf_binds_each_pdf_and_refuses_a_record_without_one(
    enrolled: tuple[str, Path, list[str]],
) -> None:
    registry_url, tmp_path, doc_ids = enrolled
    pdfs = own_pdfs(tmp_path / "pdfs", doc_ids[:2])
    output = issue(registry_url, tmp_path, "vc-di,vc-jwt", "--attach-pdf", str(tmp_path / "pdfs"))
    assert "issued 2 documents" in output and "rejected 1" in output
    assert f"{doc_ids[2]}.pdf is not in" in output
    rejects = (tmp_path / "out" / "rejects.csv").read_text(encoding="utf-8")
    assert f"{doc_ids[2]}.pdf" in rejects
    for doc_id in doc_ids[:2]:
        (credential,) = (tmp_path / "out").glob(f"*{doc_id}.vc.json")
        related = json.loads(credential.read_text(encoding="utf-8"))["relatedResource"]
        assert related == [
            {
                "id": f"urn:elocker:{ISSUER}-BTHCER-{doc_id}:pdf",
                "mediaType": "application/pdf",
                "digestMultibase": expected_digest(pdfs[doc_id]),
            }
        ]


@pytest.mark.parametrize("suffix", [".vc.json", ".jwt"])
def test_verify_pdf_says_whether_the_pdf_is_the_one_bound(
    enrolled: tuple[str, Path, list[str]], suffix: str
) -> None:
    registry_url, tmp_path, doc_ids = enrolled
    pdfs = own_pdfs(tmp_path / "pdfs", doc_ids)
    issue(registry_url, tmp_path, "vc-di,vc-jwt", "--attach-pdf", str(tmp_path / "pdfs"))
    (credential,) = (tmp_path / "out").glob(f"*{doc_ids[0]}{suffix}")
    same = tmp_path / "pdfs" / f"{doc_ids[0]}.pdf"
    code, report = report_of(registry_url, str(credential), "--pdf", str(same))
    assert code == 0 and report["verified"], failing(report)
    assert check(report, "bound-pdf")["status"] == "passed"
    assert report["document"]["relatedResource"][0]["digestMultibase"] == expected_digest(
        pdfs[doc_ids[0]]
    )
    another = tmp_path / "pdfs" / f"{doc_ids[1]}.pdf"
    code, report = report_of(registry_url, str(credential), "--pdf", str(another))
    assert code == 1 and report["subIndication"] == "HASH_FAILURE"
    assert check(report, "bound-pdf")["status"] == "failed"
    edited = tmp_path / "edited.pdf"
    edited.write_bytes(pdfs[doc_ids[0]] + b" ")
    code, report = report_of(registry_url, str(credential), "--pdf", str(edited))
    assert code == 1 and "SHA-256 differs" in check(report, "bound-pdf")["message"]
    code, report = report_of(registry_url, str(credential), "--pdf", str(edited), "--lang", "hi")
    assert "SHA-256 अलग है" in check(report, "bound-pdf")["translatedMessage"]


def test_verify_pdf_is_refused_beside_a_qr_text(enrolled: tuple[str, Path, list[str]]) -> None:
    registry_url, tmp_path, _ = enrolled
    any_pdf = tmp_path / "any.pdf"
    any_pdf.write_bytes(b"%PDF-1.7\n%%EOF\n")
    output = run(registry_url, "verify", "--qr", "VC1:XYZ", "--pdf", str(any_pdf), expect=2)
    assert "--pdf is compared with a credential file" in output


def test_a_credential_without_a_bound_pdf_says_so(
    enrolled: tuple[str, Path, list[str]],
) -> None:
    registry_url, tmp_path, doc_ids = enrolled
    issue(registry_url, tmp_path, "vc-di")
    (credential,) = (tmp_path / "out").glob(f"*{doc_ids[0]}.vc.json")
    any_pdf = tmp_path / "any.pdf"
    any_pdf.write_bytes(b"%PDF-1.7\n%%EOF\n")
    code, report = report_of(registry_url, str(credential), "--pdf", str(any_pdf))
    assert code == 1 and report["subIndication"] == "NOT_TRUSTED"
    assert "binds no PDF" in check(report, "bound-pdf")["message"]


def test_a_credential_that_fails_proves_nothing_about_the_pdf(
    enrolled: tuple[str, Path, list[str]],
) -> None:
    registry_url, tmp_path, doc_ids = enrolled
    own_pdfs(tmp_path / "pdfs", doc_ids)
    issue(registry_url, tmp_path, "vc-di", "--attach-pdf", str(tmp_path / "pdfs"))
    (credential,) = (tmp_path / "out").glob(f"*{doc_ids[0]}.vc.json")
    altered = json.loads(credential.read_text(encoding="utf-8"))
    altered["credentialSubject"]["name"] = "Someone Else"
    forged = tmp_path / "forged.vc.json"
    forged.write_text(json.dumps(altered), encoding="utf-8")
    same = tmp_path / "pdfs" / f"{doc_ids[0]}.pdf"
    code, report = report_of(registry_url, str(forged), "--pdf", str(same))
    assert code == 1 and report["indication"] == "FAILED"
    assert check(report, "bound-pdf")["status"] == "indeterminate"


def test_attach_pdf_needs_a_w3c_rendition(enrolled: tuple[str, Path, list[str]]) -> None:
    registry_url, tmp_path, doc_ids = enrolled
    own_pdfs(tmp_path / "pdfs", doc_ids)
    output = issue(
        registry_url, tmp_path, "xml,qr", "--attach-pdf", str(tmp_path / "pdfs"), expect=1
    )
    assert "add vc-di or vc-jwt" in output
    assert not list((tmp_path / "out").glob("*.xml"))


def test_the_pdf_rendition_embeds_the_credential_with_its_binding(
    enrolled: tuple[str, Path, list[str]],
) -> None:
    registry_url, tmp_path, doc_ids = enrolled
    own_pdfs(tmp_path / "pdfs", doc_ids)
    issue(registry_url, tmp_path, "vc-di,pdf", "--attach-pdf", str(tmp_path / "pdfs"))
    (signed_pdf,) = (tmp_path / "out").glob(f"*{doc_ids[0]}.pdf")
    code, report = report_of(registry_url, str(signed_pdf))
    assert code == 0, failing(report)
    assert report["document"]["relatedResource"][0]["mediaType"] == "application/pdf"
    own = tmp_path / "pdfs" / f"{doc_ids[0]}.pdf"
    code, report = report_of(registry_url, str(signed_pdf), "--pdf", str(own))
    assert code == 0 and check(report, "bound-pdf")["status"] == "passed"


def test_tsa_stamps_every_signed_pdf(enrolled: tuple[str, Path, list[str]]) -> None:
    registry_url, tmp_path, _ = enrolled
    with local_tsa() as (url, answered):
        output = issue(registry_url, tmp_path, "vc-di,pdf", "--tsa", url, "--workers", "1")
    assert "issued 3 documents" in output
    assert len(answered) >= 3  # pyHanko may also ask once to size the signature
    for signed_pdf in (tmp_path / "out").glob("*.pdf"):
        code, report = report_of(registry_url, str(signed_pdf))
        assert code == 0, failing(report)
        assert "document timestamp" in check(report, "pdf-timestamp")["message"]


def test_tsa_that_does_not_answer_stops_the_run_clearly(
    enrolled: tuple[str, Path, list[str]],
) -> None:
    registry_url, tmp_path, _ = enrolled
    with local_tsa() as (url, _):
        gone = url  # the server is shut down on leaving the block
    output = issue(registry_url, tmp_path, "vc-di,pdf", "--tsa", gone, "--workers", "1", expect=1)
    assert "timestamp authority did not stamp" in output
    assert not list((tmp_path / "out").glob("*.pdf"))


def test_tsa_without_a_pdf_is_refused(enrolled: tuple[str, Path, list[str]]) -> None:
    registry_url, tmp_path, _ = enrolled
    output = issue(registry_url, tmp_path, "vc-di", "--tsa", "http://127.0.0.1:9/", expect=1)
    assert "add pdf to the formats" in output
    output = issue(registry_url, tmp_path, "pdf", "--tsa", "file:///etc/passwd", expect=2)
    assert "not an http or https URL" in output
