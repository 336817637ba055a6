"""The service's commands: `client create` prints a working token once, `client revoke` stops
it, `request-log` shows what was verified without the documents."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from vc_engine.cli import app
from vc_engine.store import Registry

from service import signed_birth_certificate, start, trust_kmc


def test_client_create_then_verify_then_request_log(registry: Registry, registry_url: str) -> None:
    trust_kmc(registry)
    runner = CliRunner()
    created = runner.invoke(
        app, ["--registry", registry_url, "client", "create", "Howrah SDO", "--scope", "verify"]
    )
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("vcc_") and "." in token
    with start(registry_url, None) as http:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/xml"}
        assert http.post("/v1/verify", content=signed_birth_certificate(), headers=headers).json()[
            "verified"
        ]
        log = runner.invoke(app, ["--registry", registry_url, "request-log", "--json"])
        assert log.exit_code == 0, log.output
        entries = [json.loads(line) for line in log.stdout.splitlines()]
        assert [(e["client"], e["indication"]) for e in entries] == [
            (token.split(".")[0], "PASSED")
        ]
        assert "Amit" not in log.stdout  # the document's content is never logged
        revoked = runner.invoke(
            app, ["--registry", registry_url, "client", "revoke", token.split(".")[0]]
        )
        assert revoked.exit_code == 0, revoked.output
        refused = http.post("/v1/verify", content=signed_birth_certificate(), headers=headers)
        assert refused.json()["code"] == "client_revoked"


def test_client_create_refuses_an_invalid_scope(registry_url: str) -> None:
    answer = CliRunner().invoke(
        app, ["--registry", registry_url, "client", "create", "x", "--scope", "everything"]
    )
    assert answer.exit_code == 2
