"""`vc-engine issue --keep-renditions` and `vc-engine digilocker configure`, then the service
answering the e-locker for what the command line issued."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from elocker import ELocker
from typer.testing import CliRunner

from vc_engine.cli import app
from vc_engine.keys.sealed import load_sealing_key, unseal
from vc_engine.store.digilocker import DigiLockerStore
from vc_engine.store.engine import create_registry_engine
from vc_engine.store.kept import KeptStore

from factory import NOW
from paths import FIXTURES
from service import start

runner = CliRunner()
API_KEY = "cli-shared-secret-0123456789abcdef"
SEARCH = """
[BTHCER]
search = { UDF1 = "registrationNumber" }
require = ["DOB"]
"""


def run(registry_url: str, *args: str, expect: int = 0, **options: object) -> str:
    result = runner.invoke(app, ["--registry", registry_url, *args], **options)  # type: ignore[arg-type]
    assert result.exit_code == expect, result.output
    return result.output


def enrol_and_issue(registry_url: str, tmp_path: Path, *keep: str) -> Path:
    run(registry_url, "registry", "init")
    run(registry_url, "keys", "generate", "--alg", "rsa2048", "--out", str(tmp_path / "kmc"))
    run(
        registry_url, "issuer", "add", "in.gov.wb.kmc",
        "--name", "Kolkata Municipal Corporation", "--doctype", "BTHCER",
    )  # fmt: skip
    cert = str(tmp_path / "kmc/cert.pem")
    run(registry_url, "issuer", "add-key", "in.gov.wb.kmc", "--cert", cert)
    records = tmp_path / "three.csv"
    lines = (FIXTURES / "BTHCER.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    records.write_text("".join(lines[:4]), encoding="utf-8")
    out = tmp_path / "out"
    run(
        registry_url, "issue", "--issuer", "in.gov.wb.kmc",
        "--key", str(tmp_path / "kmc/private.pem"), "--cert", str(tmp_path / "kmc/cert.pem"),
        "--doctype", "BTHCER", "--records", str(records), "--format", "xml",
        "--out", str(out), "--workers", "1", *keep,
    )  # fmt: skip
    return out


def test_issued_by_the_command_line_pulled_by_the_elocker(
    registry_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = enrol_and_issue(registry_url, tmp_path, "--keep-renditions")
    (tmp_path / "search.toml").write_text(SEARCH, encoding="utf-8")
    monkeypatch.setenv("KMC_DIGILOCKER_KEY", API_KEY)
    sealing = tmp_path / "state" / "sealing.key"
    output = run(
        registry_url, "digilocker", "configure", "in.gov.wb.kmc",
        "--search", str(tmp_path / "search.toml"), "--key-env", "KMC_DIGILOCKER_KEY",
        "--sealing-key", str(sealing),
    )  # fmt: skip
    assert API_KEY not in output
    engine = create_registry_engine(registry_url)
    try:
        configured = DigiLockerStore(engine).issuer("in.gov.wb.kmc")
        assert configured is not None
        assert API_KEY.encode() not in configured.sealed_key
        opened = unseal(load_sealing_key(sealing), configured.sealed_key, "in.gov.wb.kmc")
        assert opened == API_KEY.encode()
    finally:
        engine.dispose()
    with start(registry_url, tmp_path, sealing_key=sealing) as http:  # the clock reads NOW
        elocker = ELocker(http, "in.gov.wb.kmc", API_KEY.encode(), NOW)
        answer = elocker.pull_uri(
            "BTHCER", {"UDF1": "b/2025/008/27653"}, format="xml",
            holder={"FullName": "A. Halder", "DOB": "07-05-2025"},
        )  # fmt: skip
        assert answer.status == 1
        uri = answer.details["URI"]
        assert answer.content("DataContent") == (out / f"{uri}.xml").read_bytes()
        no_dob = elocker.pull_doc(uri, format="xml", holder={"FullName": "Amit Halder"})
        assert no_dob.status == 0  # the search file requires DOB
    logged = run(registry_url, "digilocker", "requests", "--issuer", "in.gov.wb.kmc")
    assert '"code": "found"' in logged and '"code": "no_match"' in logged


def test_without_keep_renditions_nothing_is_kept(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    enrol_and_issue(url, tmp_path)
    engine = create_registry_engine(url)
    try:
        kept = KeptStore(engine)
        assert kept.document("in.gov.wb.kmc-BTHCER-2026000001", ["xml-dsig"], ["name"]) is None
        assert kept.find("in.gov.wb.kmc", "BTHCER", {"docId": "2026000001"}) == []
    finally:
        engine.dispose()


@pytest.fixture
def configured_registry(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    run(url, "registry", "init")
    run(url, "issuer", "add", "in.gov.wb.kmc", "--name", "KMC", "--doctype", "BTHCER")
    return url


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[INCER]\nsearch = { UDF1 = 'docId' }", "INCER"),
        ("[BTHCER]\nsearch = { UDF1 = 'rollNumber' }", "no field 'rollNumber'"),
        ("[BTHCER]\nsearch = { UDFX = 'docId' }", "UDFX is not a search parameter"),
        ("[SSCMS]\nsearch = { UDF1 = 'subjects' }", "no field 'subjects'"),
        ("[BTHCER]\nsearch = { UDF1 = 'docId' }\nrequire = ['Photo']", "require"),
        ("[BTHCER]\nnames = ['name']", "search must map"),
        ("[BTHCER]\nsearch = { UDF1 = 'docId' }\ncolour = 'red'", "no setting colour"),
        ("[BTHCER\n", "not readable"),
        ("", "at least one document type"),
    ],
    ids=[
        "unknown-doctype",
        "unknown-field",
        "not-a-udf",
        "table-field",
        "require-photo",
        "no-search",
        "unknown-setting",
        "not-toml",
        "empty",
    ],
)
def test_a_bad_search_file_is_refused_with_the_reason(
    configured_registry: str, tmp_path: Path, text: str, reason: str
) -> None:
    (tmp_path / "search.toml").write_text(text, encoding="utf-8")
    output = run(
        configured_registry, "digilocker", "configure", "in.gov.wb.kmc",
        "--search", str(tmp_path / "search.toml"), "--key-stdin",
        "--sealing-key", str(tmp_path / "sealing.key"),
        expect=2, input=API_KEY + "\n",
    )  # fmt: skip
    assert reason in output


@pytest.mark.parametrize(
    ("flags", "given", "reason"),
    [
        ((), API_KEY, "exactly one of"),
        (("--key-stdin", "--key-env", "X"), API_KEY, "exactly one of"),
        (("--key-stdin",), "short", "at least 16 bytes"),
    ],
    ids=["neither", "both", "short"],
)
def test_the_api_key_comes_from_exactly_one_place(
    configured_registry: str, tmp_path: Path, flags: tuple[str, ...], given: str, reason: str
) -> None:
    (tmp_path / "search.json").write_text('{"BTHCER": {"search": {"UDF1": "docId"}}}')
    output = run(
        configured_registry, "digilocker", "configure", "in.gov.wb.kmc",
        "--search", str(tmp_path / "search.json"), *flags,
        "--sealing-key", str(tmp_path / "sealing.key"),
        expect=2, input=given + "\n",
    )  # fmt: skip
    assert reason in output
    assert given not in output


def test_an_unknown_issuer_cannot_be_configured(configured_registry: str, tmp_path: Path) -> None:
    (tmp_path / "search.json").write_text('{"BTHCER": {"search": {"UDF1": "docId"}}}')
    output = run(
        configured_registry, "digilocker", "configure", "in.gov.up.transport",
        "--search", str(tmp_path / "search.json"), "--key-stdin",
        "--sealing-key", str(tmp_path / "sealing.key"),
        expect=1, input=API_KEY + "\n",
    )  # fmt: skip
    assert "in.gov.up.transport" in output and API_KEY not in output


def test_a_type_added_to_the_registry_can_be_searched(
    configured_registry: str, tmp_path: Path
) -> None:
    births = (resources.files("vc_engine") / "data" / "doctypes" / "BTHCER.v1.yaml").read_text(
        "utf-8"
    )
    (tmp_path / "BTHUP.yaml").write_text(births.replace("code: BTHCER", "code: BTHUP"), "utf-8")
    run(configured_registry, "doctype", "add", str(tmp_path / "BTHUP.yaml"))
    (tmp_path / "search.json").write_text('{"BTHUP": {"search": {"UDF1": "registrationNumber"}}}')
    output = run(
        configured_registry, "digilocker", "configure", "in.gov.wb.kmc",
        "--search", str(tmp_path / "search.json"), "--key-stdin",
        "--sealing-key", str(tmp_path / "sealing.key"), input=API_KEY + "\n",
    )  # fmt: skip
    assert "in.gov.wb.kmc answers the Pull API for BTHUP" in output
