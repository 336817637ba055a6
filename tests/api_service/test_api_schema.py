"""The service against its own OpenAPI document (schemathesis): for every documented operation,
generated requests, valid and invalid, never get a 500, and every answer conforms to the
document (its status is documented, its content type and body match the declared schema, a
route declared secure refuses a missing token). `VC_ENGINE_SCHEMATHESIS_EXAMPLES` sets the
examples per operation (25 by default).

Schema-valid requests that the service still refuses (positive_data_acceptance) are not a
failure here: a JSON Schema cannot say everything a route checks (a date-time in the year 0000,
a certificate that parses, a document type that exists), and the refusal is a documented 4xx.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api import Settings, create_app
from vc_engine.store import Registry

from archive import make_root
from service import SCOPES, make_clients, start, trust_kmc, write_signing_key

EXAMPLES = int(os.environ.get("VC_ENGINE_SCHEMATHESIS_EXAMPLES", "25"))
EVERYTHING = ["verify", "audit", "registry:admin", "issue:in.gov.wb.kmc", "revoke:in.gov.wb.kmc"]


@pytest.fixture(scope="module")
def token_and_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object]]:
    directory: Path = tmp_path_factory.mktemp("schema")
    url = f"sqlite:///{directory / 'registry.db'}"
    with Registry.open(url) as registry:
        registry.init()
        trust_kmc(registry)
    write_signing_key(directory / "keys")
    SCOPES["everything"] = EVERYTHING
    try:
        tokens = make_clients(url)
    finally:
        del SCOPES["everything"]
    make_root().write(directory / "root")
    with start(url, directory / "keys", bundle_key=directory / "root" / "root.pem") as http:
        yield tokens["everything"], http.app


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every documented operation, from an app that is never served."""
    paths = create_app(Settings(registry_url="sqlite://")).openapi()["paths"]
    return [(method, path) for path, methods in sorted(paths.items()) for method in methods]


@pytest.fixture(scope="module")
def api_schema(token_and_app: tuple[str, object]) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", token_and_app[1])


@pytest.mark.slow
@pytest.mark.parametrize(("method", "path"), _operations())
def test_every_answer_conforms_to_the_document(
    method: str, path: str, api_schema: Any, token_and_app: tuple[str, object]
) -> None:
    operation = api_schema[path][method]
    token = token_and_app[0]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    run()
