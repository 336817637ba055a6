"""Registry fixtures: every registry test runs on SQLite and on PostgreSQL.

Hypothesis runs derandomized (a fixed seed per test) and without deadlines, so a run's outcome
depends neither on luck nor on the machine's speed; VC_ENGINE_HYPOTHESIS_EXPLORE=1 lets it draw
fresh examples, to look for new failures.

PostgreSQL comes from VC_ENGINE_TEST_POSTGRES_URL. Unset, its tests are skipped on a developer
machine but fail on CI (CI=true), so a misconfigured pipeline cannot pass by skipping them. Each
PostgreSQL test gets a fresh schema, dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from vc_engine.store import Registry

from service import service  # noqa: F401 - the API tests' fixture

POSTGRES_URL_ENV = "VC_ENGINE_TEST_POSTGRES_URL"

settings.register_profile("fixed", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile("explore" if os.environ.get("VC_ENGINE_HYPOTHESIS_EXPLORE") else "fixed")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = os.environ.get(POSTGRES_URL_ENV)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{POSTGRES_URL_ENV} is not set: CI must run the PostgreSQL tests")
        pytest.skip(f"{POSTGRES_URL_ENV} is not set")
    engine = create_engine(url)
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        pytest.fail(f"PostgreSQL named by {POSTGRES_URL_ENV} is unreachable: {exc}")
    finally:
        engine.dispose()
    return url


@pytest.fixture
def postgres_schema_url(postgres_url: str) -> Iterator[str]:
    """`postgres_url` confined to a new schema through the connection's search_path."""
    schema = f"vc_test_{secrets.token_hex(6)}"
    admin = create_engine(postgres_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(postgres_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def registry_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'registry.db'}"
    url: str = request.getfixturevalue("postgres_schema_url")
    return url


@pytest.fixture
def registry(registry_url: str) -> Iterator[Registry]:
    with Registry.open(registry_url) as opened:
        opened.init()
        yield opened


@pytest.fixture(autouse=True)
def auditor_state(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Each test its own record of bundles seen, never the developer's own."""
    directory = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("VC_ENGINE_STATE_DIR", str(directory))
    monkeypatch.delenv("VC_ENGINE_BUNDLE_STATE", raising=False)
    return directory


@pytest.fixture
def clock() -> datetime:
    """A fixed instant the tests treat as "now"; nothing under test reads the real clock."""
    return datetime(2024, 4, 1, 9, 30, tzinfo=UTC)
