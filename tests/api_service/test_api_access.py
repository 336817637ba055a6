"""Every route's access rule, on SQLite and PostgreSQL: no key, a wrong secret, the wrong scope,
a revoked client, the right client; the public routes; the rate limit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from vc_engine.formats.vc_json import to_credential
from vc_engine.policy import INDIA

from factory import valid_birth_certificate
from service import KMC, KMC_ID, Service, signed_birth_certificate, start

DOC = "in.gov.wb.kmc-BTHCER-2026000001"


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    allowed: str
    denied: str
    json: Any = None
    xml: bytes | None = None

    def call(self, service: Service, headers: dict[str, str]):
        if self.xml is not None:
            headers = {**headers, "Content-Type": "application/xml"}
            return service.http.request(self.method, self.path, content=self.xml, headers=headers)
        return service.http.request(self.method, self.path, json=self.json, headers=headers)


ROUTES = [
    Route("POST", "/v1/verify", "verify", "admin", xml=signed_birth_certificate()),
    Route(
        "POST",
        "/credentials/verify",
        "verify",
        "admin",
        json={"verifiableCredential": signed_birth_certificate().decode()},
    ),
    Route(
        "POST",
        "/presentations/verify",
        "verify",
        "admin",
        json={
            "verifiablePresentation": {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiablePresentation"],
            }
        },
    ),
    Route(
        "POST",
        "/v1/issue",
        "issuer",
        "other_issuer",
        json={"issuer": KMC_ID, "doctype": "BTHCER", "records": [{"docId": "1"}]},
    ),
    Route(
        "POST",
        "/credentials/issue",
        "issuer",
        "other_issuer",
        json={"credential": to_credential(valid_birth_certificate(), INDIA)},
    ),
    Route("POST", f"/v1/documents/{DOC}/revoke", "issuer", "other_issuer", json={"reason": "x"}),
    Route("POST", f"/v1/documents/{DOC}/suspend", "issuer", "other_issuer", json={"reason": "x"}),
    Route("POST", f"/v1/documents/{DOC}/reinstate", "issuer", "other_issuer", json={"reason": "x"}),
    Route("GET", f"/v1/documents/{DOC}/status", "issuer", "other_issuer"),
    Route(
        "POST",
        "/credentials/status",
        "issuer",
        "other_issuer",
        json={
            "credentialId": f"urn:elocker:{DOC}",
            "credentialStatus": [
                {"type": "BitstringStatusListEntry", "statusPurpose": "suspension"}
            ],
            "status": True,
        },
    ),
    Route("GET", "/v1/bundle", "auditor", "verify"),
    Route("GET", "/v1/issuers", "admin", "verify"),
    Route("GET", "/v1/doctypes", "admin", "verify"),
    Route("GET", "/v1/doctypes/BTHCER", "admin", "issuer"),
    Route("POST", "/v1/doctypes", "admin", "issuer", json={"definition": "code: X"}),
    Route("POST", "/v1/issuers", "admin", "issuer", json={"id": "in.gov.xx.new", "name": "New"}),
    Route("GET", f"/v1/issuers/{KMC_ID}", "admin", "verify"),
    Route("POST", f"/v1/issuers/{KMC_ID}/status", "admin", "issuer", json={"status": "active"}),
    Route(
        "POST",
        f"/v1/issuers/{KMC_ID}/authorisations",
        "admin",
        "issuer",
        json={"doctype": "CASCR"},
    ),
    Route("POST", f"/v1/issuers/{KMC_ID}/keys", "admin", "issuer", json={"multikey": "z6Mk"}),
    Route(
        "POST",
        f"/v1/issuers/{KMC_ID}/keys/{KMC.key_id}/retire",
        "admin",
        "issuer",
        json={"reason": "rotated"},
    ),
    Route(
        "POST",
        f"/v1/issuers/{KMC_ID}/keys/{KMC.key_id}/compromise",
        "admin",
        "issuer",
        json={"reason": "stolen"},
    ),
    Route("GET", "/v1/trust-anchors", "admin", "verify"),
    Route("POST", "/v1/trust-anchors", "admin", "issuer", json={"name": "x", "certificate": "x"}),
    Route("DELETE", "/v1/trust-anchors/" + "0" * 64, "admin", "issuer"),
    Route("GET", "/v1/trust-anchors/crls", "admin", "verify"),
    Route("POST", "/v1/trust-anchors/crls", "admin", "issuer", json={"crl": "x"}),
    Route("GET", f"/v1/issuers/{KMC_ID}/certificate-subjects", "admin", "verify"),
    Route(
        "POST",
        f"/v1/issuers/{KMC_ID}/certificate-subjects",
        "admin",
        "issuer",
        json={"organisation": "x"},
    ),
]
IDS = [
    f"{r.method} {r.path.split('/', 2)[-1]}".replace(KMC.key_id, "KEY").replace("0" * 64, "FP")
    for r in ROUTES
]


def assert_problem(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


@pytest.mark.parametrize("route", ROUTES, ids=IDS)
def test_no_key(service: Service, route: Route) -> None:
    response = route.call(service, {})
    assert_problem(response, 401, "missing_credentials")
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("route", ROUTES, ids=IDS)
def test_wrong_secret(service: Service, route: Route) -> None:
    client_id = service.tokens[route.allowed].split(".")[0]
    response = route.call(service, {"Authorization": f"Bearer {client_id}.not-the-secret"})
    assert_problem(response, 401, "invalid_credentials")


@pytest.mark.parametrize("route", ROUTES, ids=IDS)
def test_wrong_scope(service: Service, route: Route) -> None:
    assert_problem(route.call(service, service.auth(route.denied)), 403, "insufficient_scope")


@pytest.mark.parametrize("route", ROUTES, ids=IDS)
def test_revoked_client(service: Service, route: Route) -> None:
    assert_problem(route.call(service, service.auth("revoked")), 401, "client_revoked")


@pytest.mark.parametrize("route", ROUTES, ids=IDS)
def test_right_client_is_let_through(service: Service, route: Route) -> None:
    response = route.call(service, service.auth(route.allowed))
    assert response.status_code not in (401, 403, 429, 500), response.text


@pytest.mark.parametrize(
    "header",
    ["Basic dXNlcjpwYXNz", "Bearer", "Bearer nodot", "Bearer vcc_zz.x", "Token a.b"],
    ids=["basic", "empty-bearer", "no-dot", "bad-client-id", "other-scheme"],
)
def test_malformed_authorization(service: Service, header: str) -> None:
    response = service.http.post(
        "/v1/verify",
        content=signed_birth_certificate(),
        headers={"Content-Type": "application/xml", "Authorization": header},
    )
    assert_problem(response, 401, "invalid_credentials")


@pytest.mark.parametrize(
    "path",
    [
        "/healthz",
        "/metrics",
        "/",
        "/static/app.js",
        "/page/texts/bn",
        "/static/vendor/jsQR.js",
        "/contexts/doctypes/INCER/v1",
    ],
)
def test_public_routes_need_no_key(service: Service, path: str) -> None:
    assert service.http.get(path).status_code == 200


def test_over_the_rate_gets_429_with_retry_after(
    service: Service, registry_url: str, tmp_path: Path
) -> None:
    with start(registry_url, service.keys_dir, rate_per_second=0.01, rate_burst=2) as http:
        answers = [
            http.post(
                "/v1/verify",
                content=signed_birth_certificate(),
                headers={"Content-Type": "application/xml", **service.auth("verify")},
            )
            for _ in range(3)
        ]
    assert [a.status_code for a in answers[:2]] == [200, 200]
    assert_problem(answers[2], 429, "rate_limited")
    assert int(answers[2].headers["retry-after"]) >= 1
