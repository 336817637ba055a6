"""What keeps /v1/verify cheap under load, shown to keep its behaviour: the route served below
FastAPI's routing (`api.direct`), the request log's durability setting, the caches that one
burst of first requests fills once (the client's secret check, the trust snapshot), and
`serve --server granian`."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

import api.access
from api import Settings
from api.access import ClientStore
from api.registry_cache import RegistryCache
from vc_engine.cli import app
from vc_engine.store import Registry, StatusStore
from vc_engine.store.changes import for_engine
from vc_engine.store.engine import create_registry_engine
from vc_engine.store.request_log import RequestLog

from factory import NOW
from service import Service, make_clients, signed_birth_certificate, start, tampered, trust_kmc

XML = {"Content-Type": "application/xml"}


def at_once(count: int, action: Callable[[], object]) -> list[object]:
    """`action` on `count` threads released together; their results."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(n: int) -> None:
        barrier.wait()
        results[n] = action()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_the_direct_route_is_measured_under_its_own_name(service: Service) -> None:
    headers = {**XML, **service.auth("verify")}
    assert service.http.post("/v1/verify", content=b"<a/>", headers=headers).status_code == 200
    assert service.http.post("/v1/verify", content=b"", headers=headers).status_code == 400
    exposition = service.http.get("/metrics").text
    assert 'route="/v1/verify",status="200"' in exposition
    assert 'route="/v1/verify",status="400"' in exposition


def test_the_direct_route_is_still_documented(service: Service) -> None:
    paths = service.http.get("/openapi.json").json()["paths"]
    assert "application/xml" in paths["/v1/verify"]["post"]["requestBody"]["content"]
    assert "/credentials/verify" in paths


def test_without_the_durable_log_every_entry_is_committed_by_shutdown(
    registry: Registry, registry_url: str, tmp_path: Path
) -> None:
    trust_kmc(registry)
    tokens = make_clients(registry_url)
    headers = {**XML, "Authorization": f"Bearer {tokens['verify']}"}
    data = signed_birth_certificate()
    with start(registry_url, tmp_path, durable_request_log=False) as http:
        for document in (data, tampered(data), data):
            assert http.post("/v1/verify", content=document, headers=headers).status_code == 200
    engine = create_registry_engine(registry_url)
    try:
        entries = RequestLog(engine).query()
    finally:
        engine.dispose()
    assert sorted(e.indication for e in entries) == ["FAILED", "PASSED", "PASSED"]


@pytest.mark.parametrize("durable", [True, False])
def test_the_durability_setting_reaches_the_worker_processes(durable: bool) -> None:
    settings = Settings(registry_url="sqlite:///x.db", durable_request_log=durable)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in settings.to_env().items():
            patch.setenv(name, value)
        assert Settings.from_env("sqlite:///other.db") == settings


def test_a_burst_of_first_requests_checks_the_secret_once(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    clients = ClientStore(registry.engine)
    client, token = clients.create("clerk", ["verify"], at=NOW)
    checked = []
    real = api.access.secret_matches

    def counted(secret: str, stored: str) -> bool:
        checked.append(secret)
        return real(secret, stored)

    monkeypatch.setattr(api.access, "secret_matches", counted)
    found = at_once(8, lambda: clients.authenticate(token))
    assert [getattr(f, "id", None) for f in found] == [client.id] * 8
    assert len(checked) == 1
    wrong = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert at_once(4, lambda: clients.authenticate(wrong)) == [None] * 4
    assert clients.authenticate(token) is not None


def test_a_new_generation_reads_the_trust_snapshot_once(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    trust_kmc(registry)
    reads = []
    real = registry.snapshot

    def counted() -> object:
        reads.append(1)
        return real()

    monkeypatch.setattr(registry, "snapshot", counted)
    freshness = for_engine(registry.engine)
    try:
        cache = RegistryCache(registry, StatusStore(registry), freshness)
        generation = cache.current()
        snapshots = at_once(8, lambda: cache.trust(generation))
    finally:
        freshness.close()
    assert len(reads) == 1
    assert all(s is snapshots[0] for s in snapshots)


def test_granian_serves_verification_and_commits_the_log_when_stopped(
    registry: Registry, registry_url: str
) -> None:
    trust_kmc(registry)
    tokens = make_clients(registry_url)
    port = free_port()
    command = [str(Path(sys.executable).parent / "vc-engine"), "--registry", registry_url]
    command += ["serve", "--port", str(port), "--server", "granian", "--no-durable-log"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(url)
        headers = {**XML, "Authorization": f"Bearer {tokens['verify']}"}
        answer = httpx.post(f"{url}/v1/verify", content=signed_birth_certificate(), headers=headers)
        assert answer.status_code == 200
        assert answer.json()["verified"] is True
        refused = httpx.post(f"{url}/v1/verify", content=b"<a/>", headers=XML)
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    engine = create_registry_engine(registry_url)
    try:
        entries = RequestLog(engine).query()
    finally:
        engine.dispose()
    assert [e.indication for e in entries] == ["PASSED"]


def test_serve_refuses_an_unknown_server(tmp_path: Path) -> None:
    ran = CliRunner().invoke(
        app, ["--registry", f"sqlite:///{tmp_path / 'r.db'}", "serve", "--server", "hypercorn"]
    )
    assert ran.exit_code == 2
    assert "--server is one of uvicorn, granian" in ran.output


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_health(url: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError("the service did not become healthy")
        time.sleep(0.2)
