"""`vc-engine trust-anchor` and `issuer add-subject`: a chain-trusted issuer enrolled and its
document verified through the command line, as an administrator would."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vc_engine import keys
from vc_engine.cli import app

from archive import make_root
from factory import NOW
from paths import FIXTURES
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


RENDITIONS = ("xml", "vc-di", "vc-jwt", "qr", "pdf")


def test_a_chain_trusted_issuer_issues_with_its_certificate_and_verifies_online_and_offline(
    registry_url: str, tmp_path: Path
) -> None:
    """No key pinned: the issuer is registered by subject, its root and CA by `trust-anchor`,
    and `issue --cert --key` is accepted because the certificate chains to them."""
    p = pki()
    today = datetime.now(UTC)
    (tmp_path / "root.pem").write_bytes(p.root.pem)
    (tmp_path / "ca.pem").write_bytes(p.licensed_ca.pem)
    (tmp_path / "ca.crl").write_bytes(p.licensed_ca_crl(this_update=today - timedelta(hours=1)))
    (tmp_path / "root.crl").write_bytes(p.root_crl(this_update=today - timedelta(hours=1)))
    (tmp_path / "kmc.pem").write_bytes(p.good.pem)
    keys.write_private_key(tmp_path / "kmc-key.pem", p.good.key)
    run(registry_url, "issuer", "add", KMC, "--name", KMC_ORGANISATION, "--doctype", "BTHCER",
        "--valid-from", "2025-01-01T00:00:00+05:30")  # fmt: skip
    run(registry_url, "trust-anchor", "add", "--cert", str(tmp_path / "root.pem"),
        "--name", "CCA India Test Root")  # fmt: skip
    run(registry_url, "trust-anchor", "add", "--cert", str(tmp_path / "ca.pem"),
        "--name", "WB e-Sign CA")  # fmt: skip
    run(registry_url, "trust-anchor", "crl", "add", str(tmp_path / "ca.crl"))
    run(registry_url, "trust-anchor", "crl", "add", str(tmp_path / "root.crl"))
    run(registry_url, "issuer", "add-subject", KMC, "--organisation", KMC_ORGANISATION)
    records = tmp_path / "births.csv"
    lines = (FIXTURES / "BTHCER.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    records.write_text("".join(lines[:4]), encoding="utf-8")
    out = tmp_path / "out"
    issued = run(
        registry_url, "issue", "--issuer", KMC, "--key", str(tmp_path / "kmc-key.pem"),
        "--cert", str(tmp_path / "kmc.pem"), "--doctype", "BTHCER", "--records", str(records),
        "--format", ",".join(RENDITIONS), "--out", str(out), "--workers", "1",
    )  # fmt: skip
    assert "issued 3 documents" in issued
    files = sorted(out.glob(f"{KMC}-BTHCER-*"))
    assert len(files) == 3 * len(RENDITIONS)
    for path in files:
        report = json.loads(run(registry_url, "verify", "--json", str(path)))
        assert report["indication"] == "PASSED", (path.name, report["checks"])
        if path.suffix == ".xml":
            checks = {c["name"]: c["message"] for c in report["checks"]}
            assert 'trust anchor root "CCA India Test Root"' in checks["certificate-path"]
            assert "not revoked" in checks["certificate-revocation"]

    # A certificate the issuer is not registered under is refused before anything is signed.
    (tmp_path / "stranger.pem").write_bytes(p.stranger.pem)
    keys.write_private_key(tmp_path / "stranger-key.pem", p.stranger.key)
    refused = run(
        registry_url, "issue", "--issuer", KMC, "--key", str(tmp_path / "stranger-key.pem"),
        "--cert", str(tmp_path / "stranger.pem"), "--doctype", "BTHCER", "--records",
        str(records), "--out", str(tmp_path / "refused"), "--workers", "1", expect=1,
    )  # fmt: skip
    assert f"the certificate is not trusted for {KMC}" in refused.replace("\n", "")

    # Offline: the bundle carries the CA certificates, the CRLs and the subject.
    root = make_root(now=today)
    root_key, root_cert = root.write(tmp_path / "bundle-root")
    bundle = tmp_path / "trust.bundle"
    run(registry_url, "bundle", "export", "--out", str(bundle), "--signing-key", str(root_key))
    report_file = tmp_path / "audit" / "audit.json"
    report_file.parent.mkdir()
    runner.invoke(
        app,
        ["audit", str(out), "--bundle", str(bundle), "--root", str(root_cert),
         "--report", str(report_file), "--workers", "1"],
    )  # fmt: skip
    audit = json.loads(report_file.read_text(encoding="utf-8"))
    documents = [e for e in audit["entries"] if f"{KMC}-BTHCER-" in e["path"]]
    assert len(documents) == 3 * len(RENDITIONS)
    assert all(e["indication"] == "PASSED" for e in documents), documents
