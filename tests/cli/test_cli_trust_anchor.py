"""`vc-engine trust-anchor` and `issuer add-subject`: a chain-trusted issuer enrolled and its
document verified through the command line, as an administrator would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vc_engine.cli import app

from factory import NOW
from pki import KMC, KMC_ORGANISATION, chain_document, pki

runner = CliRunner()


def run(registry_url: str, *args: str, expect: int = 0) -> str:
    result = runner.invoke(app, ["--registry", registry_url, *args], catch_exceptions=False)
    assert result.exit_code == expect, result.output
    return result.output


@pytest.fixture
def enrolled(registry_url: str, tmp_path: Path) -> Path:
    """KMC trusted by its organisation under the test PKI; returns a document it signed."""
    p = pki()
    (tmp_path / "root.pem").write_bytes(p.root.pem)
    (tmp_path / "ca.der").write_bytes(p.licensed_ca.der)
    (tmp_path / "ca.crl").write_bytes(p.licensed_ca_crl())
    (tmp_path / "root.crl").write_bytes(p.root_crl())
    run(
        registry_url,
        "issuer",
        "add",
        KMC,
        "--name",
        KMC_ORGANISATION,
        "--doctype",
        "BTHCER",
        "--valid-from",
        "2025-01-01T00:00:00+05:30",
    )
    added = run(
        registry_url,
        "trust-anchor",
        "add",
        "--cert",
        str(tmp_path / "root.pem"),
        "--name",
        "CCA India Test Root",
    )
    assert "root" in added
    added = run(
        registry_url,
        "trust-anchor",
        "add",
        "--cert",
        str(tmp_path / "ca.der"),
        "--name",
        "WB e-Sign CA",
    )
    assert "CA under a registered root" in added
    assert "2 revoked" in run(registry_url, "trust-anchor", "crl", "add", str(tmp_path / "ca.crl"))
    run(registry_url, "trust-anchor", "crl", "add", str(tmp_path / "root.crl"))
    run(registry_url, "issuer", "add-subject", KMC, "--organisation", KMC_ORGANISATION)
    document = tmp_path / "kmc.xml"
    document.write_bytes(p.good.sign(chain_document()))
    return document


def test_a_chain_trusted_document_verifies_and_names_anchor_and_path(
    registry_url: str, enrolled: Path
) -> None:
    output = run(registry_url, "verify", "--json", str(enrolled), "--at", NOW.isoformat())
    report = json.loads(output)
    assert report["indication"] == "PASSED", report["checks"]
    path = next(c for c in report["checks"] if c["name"] == "certificate-path")
    assert 'trust anchor root "CCA India Test Root"' in path["message"]
    assert '"WB e-Sign CA" -> "CCA India Test Root"' in path["message"]


def test_lists_show_what_was_loaded(registry_url: str, enrolled: Path) -> None:
    anchors = run(registry_url, "trust-anchor", "list").splitlines()
    assert [line.split("\t")[:2] for line in anchors] == [
        ["CCA India Test Root", "root"],
        ["WB e-Sign CA", "CA"],
    ]
    crls = run(registry_url, "trust-anchor", "crl", "list").splitlines()
    assert sorted(line.split("\t")[0] for line in crls) == ["CCA India Test Root", "WB e-Sign CA"]


def test_issuer_show_names_its_certificate_subject(registry_url: str, enrolled: Path) -> None:
    shown = run(registry_url, "issuer", "show", KMC)
    assert f"trusted by certificates of O={KMC_ORGANISATION}" in shown


def test_after_the_root_is_removed_the_document_fails(registry_url: str, enrolled: Path) -> None:
    assert "removed" in run(registry_url, "trust-anchor", "remove", "CCA India Test Root")
    output = run(registry_url, "verify", "--json", str(enrolled), "--at", NOW.isoformat(), expect=1)
    assert json.loads(output)["subIndication"] == "NO_CERTIFICATE_CHAIN_FOUND"


def test_refusals_are_errors_not_tracebacks(
    registry_url: str, enrolled: Path, tmp_path: Path
) -> None:
    output = run(registry_url, "trust-anchor", "remove", "nobody", expect=1)
    assert "no registered CA" in output
    (tmp_path / "junk.crl").write_bytes(b"not a crl")
    assert "is not a CRL" in run(
        registry_url, "trust-anchor", "crl", "add", str(tmp_path / "junk.crl"), expect=2
    )
    assert "already registered" in run(
        registry_url, "issuer", "add-subject", KMC, "--organisation", KMC_ORGANISATION, expect=1
    )
    assert "not a hexadecimal" in run(
        registry_url,
        "issuer",
        "add-subject",
        KMC,
        "--organisation",
        "X",
        "--serial",
        "zz",
        expect=2,
    )
