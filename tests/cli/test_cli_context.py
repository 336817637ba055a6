"""`vc-engine context add | list | remove` and `verify --policy`: an operator pins a context in
the registry, and credentials naming it verify (offline) under the policy chosen."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from typer.testing import CliRunner

from vc_engine.cli import app
from vc_engine.store import Registry
from vc_engine.store.contexts import PinnedContexts

from paths import VECTORS

runner = CliRunner()
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
CONTEXT_FILE = VECTORS / "w3c" / "contexts" / "credentials-examples-v2.jsonld"
SIGNED = VECTORS / "w3c" / "eddsa-rdfc-2022" / "signedDataInt.json"


def run(registry_url: str, *args: str, expect: int = 0) -> str:
    result = runner.invoke(app, ["--registry", registry_url, *args], catch_exceptions=False)
    assert result.exit_code == expect, result.output
    return result.output


def test_add_list_remove(registry_url: str, registry: Registry) -> None:
    digest = hashlib.sha256(CONTEXT_FILE.read_bytes()).hexdigest()
    assert digest in run(registry_url, "context", "add", EXAMPLES_V2, str(CONTEXT_FILE))
    assert PinnedContexts(registry.engine).documents() == (
        (EXAMPLES_V2, CONTEXT_FILE.read_bytes()),
    )
    listed = run(registry_url, "context", "list")
    assert EXAMPLES_V2 in listed and digest in listed
    run(registry_url, "context", "add", EXAMPLES_V2, str(CONTEXT_FILE), expect=1)
    run(registry_url, "context", "remove", EXAMPLES_V2)
    assert EXAMPLES_V2 not in run(registry_url, "context", "list")
    run(registry_url, "context", "remove", EXAMPLES_V2, expect=1)


def test_a_file_that_is_not_a_context_is_refused(registry_url: str, tmp_path: Path) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text(json.dumps({"not": "a context"}))
    run(registry_url, "context", "add", "https://example.org/c", str(junk), expect=1)
    run(registry_url, "context", "add", "ftp://example.org/c", str(CONTEXT_FILE), expect=1)


def test_verify_reads_pinned_contexts_and_names_its_policy(registry_url: str) -> None:
    before = json.loads(run(registry_url, "verify", "--json", str(SIGNED), expect=1))
    assert before["subIndication"] == "FORMAT_FAILURE"
    assert before["policy"]["name"] == "default"
    run(registry_url, "context", "add", EXAMPLES_V2, str(CONTEXT_FILE))
    after = json.loads(run(registry_url, "verify", "--json", str(SIGNED), expect=1))
    # The context is now read; the vector's issuer (an https URL) is registered nowhere.
    assert after["subIndication"] == "NOT_TRUSTED"
    # Conformance's open trust accepts it, saying the issuer could not be tied to the key.
    conformance = json.loads(
        run(registry_url, "verify", "--json", "--policy", "conformance", str(SIGNED), expect=0)
    )
    assert conformance["policy"]["name"] == "conformance"
    assert conformance["indication"] == "PASSED"


def test_an_unknown_policy_is_a_usage_error(registry_url: str) -> None:
    run(registry_url, "verify", "--policy", "nonsense", str(SIGNED), expect=2)
