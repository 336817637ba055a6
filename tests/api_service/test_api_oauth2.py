"""The OAuth2 token endpoint (client credentials) and its access tokens, on SQLite and
PostgreSQL: form and HTTP Basic client authentication, scope narrowing, the RFC 6749 errors,
expiry, and a revoked client's tokens stopping at once."""

from __future__ import annotations

import base64
from datetime import timedelta
from pathlib import Path

import pytest

from api.access import ClientStore
from vc_engine.store.engine import create_registry_engine

from factory import NOW
from service import KMC_ID, Service, signed_birth_certificate, start, within


def halves(service: Service, who: str) -> tuple[str, str]:
    client_id, _, secret = service.tokens[who].partition(".")
    return client_id, secret


def token_by_form(service: Service, who: str, **extra: str):
    client_id, secret = halves(service, who)
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return service.http.post("/oauth2/token", data={**form, **extra})


def verify_with(http, access_token: str):
    return http.post(
        "/v1/verify",
        content=signed_birth_certificate(),
        headers={"Content-Type": "application/xml", "Authorization": f"Bearer {access_token}"},
    )


def assert_oauth_error(response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    assert response.headers["cache-control"] == "no-store"


def test_form_credentials_give_a_token_that_verifies(service: Service) -> None:
    answer = token_by_form(service, "verify")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert body["scope"] == "verify"
    assert answer.headers["cache-control"] == "no-store"
    assert verify_with(service.http, body["access_token"]).status_code == 200


def test_basic_credentials_give_a_token(service: Service) -> None:
    client_id, secret = halves(service, "issuer")
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    answer = service.http.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["scope"] == f"issue:{KMC_ID} revoke:{KMC_ID}"


def test_a_narrowed_token_holds_only_the_scopes_asked_for(service: Service) -> None:
    answer = token_by_form(service, "issuer", scope=f"revoke:{KMC_ID}")
    assert answer.status_code == 200, answer.text
    assert answer.json()["scope"] == f"revoke:{KMC_ID}"
    access = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    issuing = service.http.post(
        "/v1/issue",
        json={"issuer": KMC_ID, "doctype": "BTHCER", "records": [{"docId": "1"}]},
        headers=access,
    )
    assert issuing.status_code == 403
    assert issuing.json()["code"] == "insufficient_scope"
    reading = service.http.get(f"/v1/documents/{KMC_ID}-BTHCER-2026000001/status", headers=access)
    assert reading.status_code == 404  # let through: the document is unknown


def test_a_scope_the_client_lacks_is_invalid_scope(service: Service) -> None:
    assert_oauth_error(token_by_form(service, "verify", scope="verify audit"), 400, "invalid_scope")


def test_a_wrong_secret_is_invalid_client(service: Service) -> None:
    client_id, _ = halves(service, "verify")
    answer = service.http.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": "no"},
    )
    assert_oauth_error(answer, 401, "invalid_client")
    assert answer.headers["www-authenticate"].startswith("Basic")


def test_a_revoked_client_gets_no_token(service: Service) -> None:
    assert_oauth_error(token_by_form(service, "revoked"), 401, "invalid_client")


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({}, 400, "invalid_request"),
        ({"grant_type": "client_credentials"}, 401, "invalid_client"),
        ({"grant_type": ["client_credentials", "client_credentials"]}, 400, "invalid_request"),
    ],
    ids=["other-grant", "no-grant", "no-client", "grant-twice"],
)
def test_malformed_requests(service: Service, form: dict, status: int, error: str) -> None:
    assert_oauth_error(service.http.post("/oauth2/token", data=form), status, error)


def test_json_instead_of_a_form_is_invalid_request(service: Service) -> None:
    answer = service.http.post("/oauth2/token", json={"grant_type": "client_credentials"})
    assert_oauth_error(answer, 400, "invalid_request")


def test_two_ways_of_client_authentication_is_invalid_request(service: Service) -> None:
    client_id, secret = halves(service, "verify")
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    answer = service.http.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert_oauth_error(answer, 400, "invalid_request")


def test_a_token_expires_after_15_minutes_in_every_process(
    service: Service, registry_url: str
) -> None:
    access_token = token_by_form(service, "verify").json()["access_token"]
    almost = NOW + timedelta(minutes=14, seconds=59)
    with start(registry_url, service.keys_dir, clock=lambda: almost) as other:
        assert verify_with(other, access_token).status_code == 200
    later = NOW + timedelta(minutes=15)
    with start(registry_url, service.keys_dir, clock=lambda: later) as other:
        expired = verify_with(other, access_token)
    assert expired.status_code == 401
    assert expired.json()["code"] == "invalid_credentials"


def test_revoking_the_client_stops_its_tokens(service: Service, registry_url: str) -> None:
    access_token = token_by_form(service, "verify").json()["access_token"]
    assert verify_with(service.http, access_token).status_code == 200
    engine = create_registry_engine(registry_url)
    try:
        ClientStore(engine).revoke(service.tokens["verify"].split(".")[0], at=NOW)
    finally:
        engine.dispose()

    def refused() -> bool:
        answer = verify_with(service.http, access_token)
        return answer.status_code == 401 and answer.json()["code"] == "client_revoked"

    # Another process's write: on PostgreSQL it arrives by notification (vc_engine.store.changes),
    # within its delay, which a loaded machine stretches to milliseconds.
    assert within(0.0 if registry_url.startswith("sqlite") else 1.0, refused)


@pytest.mark.parametrize("mangle", ["payload", "mac", "prefix-only"])
def test_a_mangled_token_is_refused(service: Service, mangle: str) -> None:
    access_token = token_by_form(service, "verify").json()["access_token"]
    body, _, mac = access_token.rpartition(".")
    forged = {
        "payload": body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1] + "." + mac,
        "mac": body + "." + mac[:-2] + ("A" if mac[-2] != "A" else "B") + mac[-1],
        "prefix-only": "vct_",
    }[mangle]
    refused = verify_with(service.http, forged)
    assert refused.status_code == 401
    assert refused.json()["code"] == "invalid_credentials"


def test_tokens_of_another_registry_are_refused(service: Service, tmp_path: Path) -> None:
    access_token = token_by_form(service, "verify").json()["access_token"]
    other_url = f"sqlite:///{tmp_path / 'other.db'}"
    with start(other_url, service.keys_dir) as other:
        refused = verify_with(other, access_token)
    assert refused.status_code == 401
