"""Revoke, suspend, reinstate and status from the command line, on both stores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vc_engine.cli import app

from paths import FIXTURES

runner = CliRunner()
ISSUER = "in.gov.up.edistrict"


def run(url: str, *args: str, expect: int = 0) -> str:
    result = runner.invoke(app, ["--registry", url, *args], catch_exceptions=False)
    assert result.exit_code == expect, result.output
    return result.output


@pytest.fixture
def issued(registry_url: str, tmp_path: Path) -> tuple[str, Path, list[str]]:
    key_dir = tmp_path / "key"
    run(registry_url, "keys", "generate", "--alg", "p256", "--out", str(key_dir))
    run(registry_url, "issuer", "add", ISSUER, "--name", "e-District UP", "--doctype", "CASCR")
    run(registry_url, "issuer", "add-key", ISSUER, "--cert", str(key_dir / "cert.pem"))
    records = tmp_path / "two.csv"
    lines = (FIXTURES / "CASCR.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    records.write_text("".join(lines[:3]), encoding="utf-8")
    run(
        registry_url,
        "issue",
        "--issuer", ISSUER,
        "--key", str(key_dir / "private.pem"),
        "--cert", str(key_dir / "cert.pem"),
        "--doctype", "CASCR",
        "--records", str(records),
        "--format", "xml,vc-di,vc-jwt",
        "--out", str(tmp_path / "out"),
    )  # fmt: skip
    ids = sorted({p.name.split(".xml")[0] for p in (tmp_path / "out").glob("*.xml")})
    return registry_url, tmp_path, ids


def verdict(url: str, path: Path) -> dict[str, object]:
    result = runner.invoke(app, ["--registry", url, "verify", "--json", str(path)])
    report: dict[str, object] = json.loads(result.output)
    return report


def renditions(tmp_path: Path, document_id: str) -> list[Path]:
    return sorted((tmp_path / "out").glob(f"{document_id}.*"))


def test_revoke_changes_every_rendition_and_is_final(issued) -> None:  # type: ignore[no-untyped-def]
    url, tmp_path, ids = issued
    key = str(tmp_path / "key" / "private.pem")
    assert all(verdict(url, p)["verified"] for p in renditions(tmp_path, ids[0]))
    output = run(
        url,
        "revoke",
        ids[0],
        "--reason",
        "caste claim found false",
        "--key",
        key,
        "--actor",
        "sdm-lucknow",
    )
    assert "re-signed and published" in output
    for path in renditions(tmp_path, ids[0]):
        report = verdict(url, path)
        assert report["subIndication"] == "REVOKED", path.name
        assert "caste claim found false" in json.dumps(report)
    assert all(verdict(url, p)["verified"] for p in renditions(tmp_path, ids[1]))
    refused = run(url, "reinstate", ids[0], "--key", key, expect=1)
    assert "revoked" in refused.lower()
    history = json.loads(run(url, "status", ids[0], "--json"))
    assert history["state"] == "revoked"
    assert [e["action"] for e in history["history"]] == ["revoke"]
    assert history["history"][0]["actor"] == "sdm-lucknow"


def test_suspend_and_reinstate(issued) -> None:  # type: ignore[no-untyped-def]
    url, tmp_path, ids = issued
    key = str(tmp_path / "key" / "private.pem")
    run(url, "suspend", ids[1], "--reason", "inquiry", "--key", key)
    assert {verdict(url, p)["subIndication"] for p in renditions(tmp_path, ids[1])} == {"SUSPENDED"}
    run(url, "reinstate", ids[1], "--reason", "inquiry closed", "--key", key)
    assert all(verdict(url, p)["verified"] for p in renditions(tmp_path, ids[1]))
    history = json.loads(run(url, "status", ids[1], "--json"))
    assert [e["action"] for e in history["history"]] == ["suspend", "reinstate"]
    assert history["state"] == "active"


def test_unknown_document_changes_nothing(issued) -> None:  # type: ignore[no-untyped-def]
    url, tmp_path, ids = issued
    key = str(tmp_path / "key" / "private.pem")
    before = run(url, "status", ids[0], "--json")
    output = run(url, "revoke", f"{ISSUER}-CASCR-9999999", "--reason", "x", "--key", key, expect=1)
    assert "Traceback" not in output
    assert run(url, "status", ids[0], "--json") == before
    run(url, "status", f"{ISSUER}-CASCR-9999999", expect=1)


def test_a_key_of_another_issuer_cannot_change_status(issued) -> None:  # type: ignore[no-untyped-def]
    url, tmp_path, ids = issued
    run(url, "keys", "generate", "--alg", "p256", "--out", str(tmp_path / "stranger"))
    stranger = str(tmp_path / "stranger" / "private.pem")
    output = run(url, "revoke", ids[0], "--reason", "x", "--key", stranger, expect=1)
    assert "not registered" in output
    assert json.loads(run(url, "status", ids[0], "--json"))["state"] == "active"


def test_republishing_keeps_lists_fresh(issued) -> None:  # type: ignore[no-untyped-def]
    url, tmp_path, ids = issued
    key = str(tmp_path / "key" / "private.pem")
    assert "published 2 status lists" in run(url, "status-list", "publish", ISSUER, "--key", key)
    assert all(verdict(url, p)["verified"] for p in renditions(tmp_path, ids[0]))
