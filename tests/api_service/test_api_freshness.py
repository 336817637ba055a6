"""The service's caches never outlive a write: a client revoked or a key marked compromised
elsewhere (another service process, the CLI) is refused by every process's next request. On
PostgreSQL "next" allows the NOTIFY delivery delay (polled for up to a second here)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from api.serve import revoke_client
from vc_engine.store import Registry
from vc_engine.store.changes import Notifications

from factory import NOW
from service import (
    KMC,
    KMC_ID,
    Service,
    make_clients,
    signed_birth_certificate,
    start,
    trust_kmc,
    within,
)

XML = {"Content-Type": "application/xml"}


def test_a_client_revoked_elsewhere_is_refused_by_the_next_request(service: Service) -> None:
    data = signed_birth_certificate()
    headers = {**XML, **service.auth("verify")}
    assert service.http.post("/v1/verify", content=data, headers=headers).json()["verified"]
    # The CLI's revocation: another process's write, straight to the database.
    revoke_client(service.url, service.tokens["verify"].split(".")[0], at=NOW)

    def refused() -> bool:
        answer = service.http.post("/v1/verify", content=data, headers=headers)
        return answer.status_code == 401 and answer.json()["code"] == "client_revoked"

    assert within(0.0 if service.url.startswith("sqlite") else 1.0, refused)


def test_a_key_compromised_elsewhere_fails_the_next_verification(
    service: Service, registry: Registry
) -> None:
    data = signed_birth_certificate()
    headers = {**XML, **service.auth("verify")}
    assert service.http.post("/v1/verify", content=data, headers=headers).json()["verified"]
    registry.compromise_key(
        KMC_ID, KMC.key_id, at=NOW - timedelta(days=30), reason="stolen", recorded_at=NOW
    )

    def failed() -> bool:
        report = service.http.post("/v1/verify", content=data, headers=headers).json()
        return bool(report["subIndication"] == "KEY_COMPROMISED")

    assert within(0.0 if service.url.startswith("sqlite") else 1.0, failed)


@pytest.mark.postgres
def test_postgres_requests_ask_the_database_nothing_while_the_listener_is_up(
    postgres_schema_url: str,
) -> None:
    with Registry.open(postgres_schema_url) as registry:
        registry.init()
        trust_kmc(registry)
    tokens = make_clients(postgres_schema_url)
    headers = {**XML, "Authorization": f"Bearer {tokens['verify']}"}
    with start(postgres_schema_url, None) as http:
        found = http.app.state.services  # type: ignore[attr-defined]
        freshness = found.cache.freshness
        assert isinstance(freshness, Notifications)
        assert freshness.wait_listening(5.0)
        first = found.cache.current()
        assert http.post("/v1/verify", content=signed_birth_certificate(), headers=headers)
        # Nothing written: the same generation (no freshness query; the trust snapshot is reused).
        assert found.cache.current() is first
        with Registry.open(postgres_schema_url) as registry:
            registry.retire_key(KMC_ID, KMC.key_id, at=NOW, reason="rotated")
        assert within(1.0, lambda: found.cache.current() is not first)


def test_a_write_through_this_process_is_seen_by_its_next_request_at_once(
    service: Service,
) -> None:
    first = service.http.app.state.services.cache.current()  # type: ignore[attr-defined]
    answer = service.http.post(
        f"/v1/issuers/{KMC_ID}/keys/{KMC.key_id}/compromise",
        json={"reason": "stolen", "at": (NOW - timedelta(days=30)).isoformat()},
        headers=service.auth("admin"),
    )
    assert answer.status_code == 200, answer.text
    assert service.http.app.state.services.cache.current() is not first  # type: ignore[attr-defined]
    report = service.http.post(
        "/v1/verify",
        content=signed_birth_certificate(),
        headers={**XML, **service.auth("verify")},
    ).json()
    assert report["subIndication"] == "KEY_COMPROMISED"
