"""A running service for the API tests: a registry with a trusted issuer, its signing key on
disk, and one client per access case, behind a TestClient with a fixed clock."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from fastapi.testclient import TestClient

from api import Settings, create_app
from api.access import ClientStore
from vc_engine import keys
from vc_engine.formats import xml as signed_xml
from vc_engine.policy import INDIA
from vc_engine.store import Registry
from vc_engine.store.engine import create_registry_engine

from factory import NOW, make_key, valid_birth_certificate

KMC_ID = "in.gov.wb.kmc"
KMC = make_key("Kolkata Municipal Corporation")
ATTACKER = make_key("Kolkata Municipal Corporation (forged)")
SCOPES = {
    "verify": ["verify"],
    "auditor": ["audit"],
    "admin": ["registry:admin"],
    "issuer": [f"issue:{KMC_ID}", f"revoke:{KMC_ID}"],
    "other_issuer": ["issue:in.gov.up.transport", "revoke:in.gov.up.transport"],
    "revoked": ["verify", "audit", "registry:admin", f"issue:{KMC_ID}", f"revoke:{KMC_ID}"],
}


@dataclass
class Service:
    http: TestClient
    url: str
    tokens: dict[str, str]
    keys_dir: Path

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def trust_kmc(registry: Registry) -> None:
    since = NOW - timedelta(days=365)
    registry.add_issuer(KMC_ID, "Kolkata Municipal Corporation", at=since)
    registry.authorise(KMC_ID, "BTHCER", valid_from=since)
    registry.add_key(
        KMC_ID,
        KMC.private_key.public_key(),
        certificate=KMC.certificate,
        valid_from=None,
        valid_until=None,
        at=since,
    )


def write_signing_key(directory: Path) -> None:
    folder = directory / KMC_ID
    folder.mkdir(parents=True)
    keys.write_private_key(folder / "private.pem", KMC.private_key)
    (folder / "cert.pem").write_bytes(KMC.certificate.public_bytes(Encoding.PEM))


def make_clients(url: str) -> dict[str, str]:
    engine = create_registry_engine(url)
    try:
        store = ClientStore(engine)
        tokens = {who: store.create(who, scopes, at=NOW)[1] for who, scopes in SCOPES.items()}
        store.revoke(tokens["revoked"].split(".")[0], at=NOW)
    finally:
        engine.dispose()
    return tokens


def signed_birth_certificate(key=KMC, **changes: object) -> bytes:
    return signed_xml.issue(valid_birth_certificate(**changes), key.signing_key, INDIA)


def tampered(data: bytes) -> bytes:
    changed = data.replace(b"Amit Halder", b"Amit Haldar", 1)
    assert changed != data
    return changed


def start(
    url: str, keys_dir: Path, *, clock: Callable[[], datetime] = lambda: NOW, **settings: object
) -> TestClient:
    app = create_app(
        Settings(registry_url=url, signing_keys=keys_dir, **settings),  # type: ignore[arg-type]
        clock=clock,
    )
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def service(registry: Registry, registry_url: str, tmp_path: Path) -> Iterator[Service]:
    trust_kmc(registry)
    keys_dir = tmp_path / "signing-keys"
    write_signing_key(keys_dir)
    tokens = make_clients(registry_url)
    with start(registry_url, keys_dir) as http:
        yield Service(http, registry_url, tokens, keys_dir)


def within(seconds: float, seen: Callable[[], bool]) -> bool:
    """Whether `seen` holds at once or within `seconds` (the notification delay)."""
    deadline = time.monotonic() + seconds
    while True:
        if seen():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
