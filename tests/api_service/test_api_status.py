"""Document status through the HTTP service (revoke, suspend, reinstate, read), the public
status lists, and two service instances on one PostgreSQL seeing each other's writes."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from test_api_admin import RECORD
from test_api_verify import post_xml, problem

from vc_engine.store import Registry, StatusStore

from factory import NOW
from service import KMC, KMC_ID, Service, make_clients, signed_birth_certificate, start, trust_kmc

DOC = "in.gov.wb.kmc-BTHCER-2026000900"


def issued_xml(service: Service) -> bytes:
    answer = service.http.post(
        "/v1/issue",
        json={"issuer": KMC_ID, "doctype": "BTHCER", "records": [RECORD]},
        headers=service.auth("issuer"),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["issued"][0]["renditions"]["xml"].encode()


def change(service: Service, action: str, document_id: str = DOC, who: str = "issuer"):
    return service.http.post(
        f"/v1/documents/{document_id}/{action}",
        json={"reason": f"{action} by test"},
        headers=service.auth(who),
    )


def test_revoked_document_fails_verification_at_once(service: Service) -> None:
    data = issued_xml(service)
    assert post_xml(service, data).json()["verified"] is True
    answer = change(service, "revoke")
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == "revoked"
    assert answer.json()["listPublished"] is True
    report = post_xml(service, data).json()
    assert (report["indication"], report["subIndication"]) == ("FAILED", "REVOKED")


def test_suspend_then_reinstate(service: Service) -> None:
    data = issued_xml(service)
    assert change(service, "suspend").json()["state"] == "suspended"
    assert post_xml(service, data).json()["subIndication"] == "SUSPENDED"
    assert change(service, "reinstate").json()["state"] == "active"
    assert post_xml(service, data).json()["verified"] is True
    status = service.http.get(f"/v1/documents/{DOC}/status", headers=service.auth("issuer"))
    assert [e["action"] for e in status.json()["history"]] == ["suspend", "reinstate"]


def test_reinstating_a_revoked_document_is_a_conflict(service: Service) -> None:
    issued_xml(service)
    change(service, "revoke")
    problem(change(service, "reinstate"), 409, "status_conflict")


def test_unknown_document_is_404(service: Service) -> None:
    problem(change(service, "revoke", "in.gov.wb.kmc-BTHCER-99999"), 404, "unknown_document")


@pytest.mark.parametrize(
    "document_id",
    ["..", "in.gov.wb.kmc-BTHCER-..", "%2e%2e%2f%2e%2e", "a-b-c-d", "in.gov.wb.kmc-BTHCER-1%00"],
    ids=["dots", "dots-in-doc-id", "encoded-traversal", "four-parts", "nul"],
)
def test_path_traversal_in_a_document_id(service: Service, document_id: str) -> None:
    answer = change(service, "revoke", document_id)
    assert answer.status_code in (400, 404), answer.text
    assert answer.headers["content-type"] == "application/problem+json"


def test_status_list_is_public_with_etag_and_cache_control(service: Service) -> None:
    issued_xml(service)
    status = service.http.get(f"/v1/documents/{DOC}/status", headers=service.auth("issuer"))
    list_id = status.json()["entries"][0]["list"]
    answer = service.http.get(f"/status-lists/{list_id}")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/vc+jwt"
    assert answer.content.startswith(b"ey")
    assert answer.headers["cache-control"].startswith("public, max-age=")
    again = service.http.get(
        f"/status-lists/{list_id}", headers={"If-None-Match": answer.headers["etag"]}
    )
    assert again.status_code == 304
    change(service, "revoke")
    changed = service.http.get(
        f"/status-lists/{list_id}", headers={"If-None-Match": answer.headers["etag"]}
    )
    assert changed.status_code == 200  # republished: a new ETag


def test_unknown_status_list_is_404(service: Service) -> None:
    problem(service.http.get("/status-lists/no-such-list"), 404, "not_found")


# Two service processes' worth of state on one PostgreSQL


@pytest.mark.postgres
def test_two_instances_on_one_postgres_see_each_others_writes(
    postgres_schema_url: str, tmp_path: Path
) -> None:
    with Registry.open(postgres_schema_url) as registry:
        registry.init()
        trust_kmc(registry)
        ids = [f"in.gov.wb.kmc-BTHCER-{n}" for n in range(1, 1001)]
        StatusStore(registry).allocate(KMC_ID, ids, at=NOW)
    tokens = make_clients(postgres_schema_url)
    auth = {"Authorization": f"Bearer {tokens['issuer']}"}
    # 2,000 requests from one client as fast as the machine goes: not a test of the rate limit.
    unlimited = {"rate_per_second": 1e6, "rate_burst": 1_000_000}
    with (
        start(postgres_schema_url, None, **unlimited) as one,
        start(postgres_schema_url, None, **unlimited) as other,
    ):
        for document_id in ids:
            answer = one.post(
                f"/v1/documents/{document_id}/revoke", json={"reason": "x"}, headers=auth
            )
            assert answer.status_code == 200, answer.text
        seen = [
            other.get(f"/v1/documents/{document_id}/status", headers=auth).json()["state"]
            for document_id in ids
        ]
        assert seen == ["revoked"] * 1000
        # A registry change through one is seen by the other's next verification.
        verify = {"Authorization": f"Bearer {tokens['verify']}", "Content-Type": "application/xml"}
        data = signed_birth_certificate()
        assert other.post("/v1/verify", content=data, headers=verify).json()["verified"]
        admin = {"Authorization": f"Bearer {tokens['admin']}"}
        marked = one.post(
            f"/v1/issuers/{KMC_ID}/keys/{KMC.key_id}/compromise",
            json={"reason": "stolen", "at": "2026-11-01T00:00:00Z"},
            headers=admin,
        )
        assert marked.status_code == 200
        # Seen by the other's next request, allowing only the NOTIFY delivery delay.
        deadline = time.monotonic() + 1.0
        report = other.post("/v1/verify", content=data, headers=verify).json()
        while report["subIndication"] != "KEY_COMPROMISED" and time.monotonic() < deadline:
            time.sleep(0.01)
            report = other.post("/v1/verify", content=data, headers=verify).json()
        assert report["subIndication"] == "KEY_COMPROMISED"


def test_bundle_is_signed_by_the_root_and_opens_offline(
    service: Service, registry_url: str, tmp_path: Path
) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding

    from vc_engine import keys
    from vc_engine.offline.bundle import load_bundle

    root = keys.generate_private_key(keys.KeyAlgorithm.ED25519)
    keys.write_private_key(tmp_path / "root.pem", root)
    certificate = keys.self_signed_certificate(
        root, "registry root", NOW - timedelta(days=1), NOW + timedelta(days=365)
    )
    (tmp_path / "root-cert.pem").write_bytes(certificate.public_bytes(Encoding.PEM))
    issued_xml(service)
    with start(registry_url, service.keys_dir, bundle_key=tmp_path / "root.pem") as http:
        answer = http.get("/v1/bundle", headers=service.auth("auditor"))
    assert answer.status_code == 200, answer.text
    (tmp_path / "got.bundle").write_bytes(answer.content)
    view = load_bundle(tmp_path / "got.bundle", tmp_path / "root-cert.pem", at=NOW)
    assert view.issuer(KMC_ID) is not None


def test_bundle_without_a_root_key_is_404(service: Service) -> None:
    problem(
        service.http.get("/v1/bundle", headers=service.auth("auditor")), 404, "bundle_unavailable"
    )
