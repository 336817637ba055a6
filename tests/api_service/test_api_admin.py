"""Registry administration and issuing through the HTTP service, on SQLite and PostgreSQL:
each change is made for real and seen by verification; each refusal has its status and code."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from test_api_verify import post_xml, problem

from vc_engine.formats.vc_json import to_credential
from vc_engine.policy import INDIA

from factory import make_key, valid_birth_certificate
from service import KMC, KMC_ID, Service, signed_birth_certificate

RECORD = {
    "docId": "2026000900",
    "name": "Ananya Das",
    "nameLocal": "অনন্যা দাস",
    "dateOfBirth": "2025-05-07",
    "gender": "F",
    "fatherName": "Indranil Das",
    "motherName": "Oindrila Das",
    "address": "47/2, Shyambazar Street, Kolkata 700004",
    "registrationNumber": "B/2025/008/27653",
    "registrationDate": "2025-05-28",
    "placeOfBirth": "Home, Shyambazar Street",
    "ward": "8",
    "district": "Kolkata",
    "state": "West Bengal",
}


def admin(service: Service, method: str, path: str, body: object = None):
    return service.http.request(method, path, json=body, headers=service.auth("admin"))


def test_issuers_are_listed_and_shown_with_keys_and_doctypes(service: Service) -> None:
    assert [i["id"] for i in admin(service, "GET", "/v1/issuers").json()["issuers"]] == [KMC_ID]
    shown = admin(service, "GET", f"/v1/issuers/{KMC_ID}").json()
    assert shown["name"] == "Kolkata Municipal Corporation"
    assert [a["doctype"] for a in shown["authorisations"]] == ["BTHCER"]
    assert [k["keyId"] for k in shown["keys"]] == [KMC.key_id]


def test_add_issuer_key_and_doctype_then_its_documents_verify(service: Service) -> None:
    key = make_key("Transport Department")
    created = admin(
        service,
        "POST",
        "/v1/issuers",
        {"id": "in.gov.up.transport", "name": "Transport Department", "doctypes": ["DRVLC"]},
    )
    assert created.status_code == 201, created.text
    pem = key.certificate.public_bytes(Encoding.PEM).decode()
    added = admin(service, "POST", "/v1/issuers/in.gov.up.transport/keys", {"certificate": pem})
    assert added.status_code == 201, added.text
    assert added.json() == {"keyId": key.key_id}
    authorised = admin(
        service, "POST", "/v1/issuers/in.gov.up.transport/authorisations", {"doctype": "CASCR"}
    )
    assert authorised.status_code == 201
    shown = admin(service, "GET", "/v1/issuers/in.gov.up.transport").json()
    assert sorted(a["doctype"] for a in shown["authorisations"]) == ["CASCR", "DRVLC"]


def test_compromised_key_is_seen_by_the_next_verification(service: Service) -> None:
    data = signed_birth_certificate()
    assert post_xml(service, data).json()["verified"] is True
    marked = admin(
        service,
        "POST",
        f"/v1/issuers/{KMC_ID}/keys/{KMC.key_id}/compromise",
        {"reason": "laptop stolen", "at": "2026-11-01T00:00:00Z"},
    )
    assert marked.status_code == 200, marked.text
    assert marked.json()["status"] == "compromised"
    assert post_xml(service, data).json()["subIndication"] == "KEY_COMPROMISED"


def test_suspended_issuer_is_seen_by_the_next_verification(service: Service) -> None:
    changed = admin(service, "POST", f"/v1/issuers/{KMC_ID}/status", {"status": "suspended"})
    assert changed.json()["status"] == "suspended"
    assert post_xml(service, signed_birth_certificate()).json()["verified"] is False


def test_retire_a_key_twice_is_a_conflict(service: Service) -> None:
    path = f"/v1/issuers/{KMC_ID}/keys/{KMC.key_id}/retire"
    assert admin(service, "POST", path, {"reason": "rotated"}).status_code == 200
    problem(admin(service, "POST", path, {"reason": "rotated"}), 409, "conflict")


def test_unknown_issuer_is_404(service: Service) -> None:
    problem(admin(service, "GET", "/v1/issuers/in.gov.xx.none"), 404, "not_found")


def test_unknown_key_is_404(service: Service) -> None:
    path = f"/v1/issuers/{KMC_ID}/keys/{'0' * 64}/retire"
    problem(admin(service, "POST", path, {"reason": "x"}), 404, "not_found")


def test_existing_issuer_is_a_conflict(service: Service) -> None:
    problem(admin(service, "POST", "/v1/issuers", {"id": KMC_ID, "name": "Again"}), 409, "conflict")


def test_invalid_issuer_id_is_422(service: Service) -> None:
    answer = admin(service, "POST", "/v1/issuers", {"id": "Not-An-Id", "name": "X"})
    problem(answer, 422, "invalid_request")


def test_unknown_doctype_is_422(service: Service) -> None:
    answer = admin(service, "POST", f"/v1/issuers/{KMC_ID}/authorisations", {"doctype": "NOPE"})
    problem(answer, 422, "unknown_doctype")


def test_key_in_no_known_form_is_422(service: Service) -> None:
    answer = admin(service, "POST", f"/v1/issuers/{KMC_ID}/keys", {"multikey": "zzzz"})
    problem(answer, 422, "invalid_key")


def test_two_key_forms_at_once_are_422(service: Service) -> None:
    answer = admin(service, "POST", f"/v1/issuers/{KMC_ID}/keys", {"multikey": "a", "jwk": {}})
    problem(answer, 422, "invalid_request")


def test_unexpected_field_is_422(service: Service) -> None:
    answer = admin(service, "POST", "/v1/issuers", {"id": "in.gov.a.b", "name": "X", "x": 1})
    problem(answer, 422, "invalid_request")


@pytest.mark.parametrize(
    "issuer_id",
    ["..", "..%2F..%2Fetc", "in.gov.wb.kmc%00", "%2e%2e", "in.gov/../x"],
    ids=["dots", "encoded-slashes", "nul", "encoded-dots", "slash"],
)
def test_path_traversal_in_an_issuer_id(service: Service, issuer_id: str) -> None:
    answer = admin(service, "GET", f"/v1/issuers/{issuer_id}")
    assert answer.status_code in (400, 404), answer.text
    assert answer.headers["content-type"] == "application/problem+json"


def test_time_without_zone_is_400(service: Service) -> None:
    answer = admin(
        service,
        "POST",
        f"/v1/issuers/{KMC_ID}/keys/{KMC.key_id}/retire",
        {"reason": "x", "at": "2026-01-01T00:00:00"},
    )
    problem(answer, 400, "invalid_time")


# Issuing


def issue(service: Service, body: dict[str, object], who: str = "issuer"):
    return service.http.post("/v1/issue", json=body, headers=service.auth(who))


def test_issue_a_batch_and_verify_what_came_back(service: Service) -> None:
    bad = {**RECORD, "docId": "2026000901", "dateOfBirth": "not a date"}
    answer = issue(
        service,
        {
            "issuer": KMC_ID,
            "doctype": "BTHCER",
            "formats": ["xml", "vc-jwt"],
            "records": [RECORD, bad],
        },
    )
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert [i["id"] for i in result["issued"]] == ["in.gov.wb.kmc-BTHCER-2026000900"]
    assert [r["index"] for r in result["rejected"]] == [1]
    xml = result["issued"][0]["renditions"]["xml"].encode()
    report = post_xml(service, xml).json()
    assert report["verified"] is True, report
    assert report["document"]["holder"]["nameLocal"] == "অনন্যা দাস"
    jwt = result["issued"][0]["renditions"]["vc-jwt"].encode()
    jwt_report = service.http.post(
        "/v1/verify",
        content=jwt,
        headers={"Content-Type": "application/vc+jwt", **service.auth("verify")},
    ).json()
    assert jwt_report["document"]["claimsDigest"] == report["document"]["claimsDigest"]


def test_a_document_id_is_never_issued_twice(service: Service) -> None:
    body = {"issuer": KMC_ID, "doctype": "BTHCER", "records": [RECORD]}
    assert len(issue(service, body).json()["issued"]) == 1
    again = issue(service, body).json()
    assert again["issued"] == []
    assert "already issued" in again["rejected"][0]["reason"]


def test_more_than_a_thousand_records_is_413(service: Service) -> None:
    body = {"issuer": KMC_ID, "doctype": "BTHCER", "records": [{"docId": "1"}] * 1001}
    problem(issue(service, body), 413, "too_many_records")


def test_issuing_a_doctype_the_issuer_may_not_is_409(service: Service) -> None:
    body = {"issuer": KMC_ID, "doctype": "DRVLC", "records": [{"docId": "1"}]}
    problem(issue(service, body), 409, "issuance_refused")


def test_issuer_without_a_key_on_this_service_is_409(service: Service) -> None:
    body = {"issuer": "in.gov.up.transport", "doctype": "DRVLC", "records": [{"docId": "1"}]}
    problem(issue(service, body, "other_issuer"), 409, "no_signing_key")


def test_unknown_format_is_422(service: Service) -> None:
    body = {"issuer": KMC_ID, "doctype": "BTHCER", "formats": ["pdf"], "records": [RECORD]}
    problem(issue(service, body), 422, "format_unavailable")


def test_vc_api_issue_returns_a_credential_that_verifies(service: Service) -> None:
    credential = to_credential(valid_birth_certificate(), INDIA)
    answer = service.http.post(
        "/credentials/issue", json={"credential": credential}, headers=service.auth("issuer")
    )
    assert answer.status_code == 201, answer.text
    issued = answer.json()["verifiableCredential"]
    assert issued["type"] == "EnvelopedVerifiableCredential"  # an RSA issuer: vc+jwt inside
    verified = service.http.post(
        "/credentials/verify",
        content=json.dumps({"verifiableCredential": issued}).encode(),
        headers={"Content-Type": "application/json", **service.auth("verify")},
    )
    assert verified.status_code == 200, verified.text


def test_vc_api_issue_breaking_a_data_model_rule_is_400_naming_it(service: Service) -> None:
    answer = service.http.post(
        "/credentials/issue",
        json={"credential": {"@context": [], "type": ["VerifiableCredential"]}},
        headers=service.auth("issuer"),
    )
    problem(answer, 400, "invalid_credential")
    assert answer.json()["detail"].startswith("contexts:")


def test_vc_api_issue_of_our_document_refuses_a_suite_its_key_cannot_sign(
    service: Service,
) -> None:
    credential = to_credential(valid_birth_certificate(), INDIA)
    answer = service.http.post(
        "/credentials/issue",
        json={"credential": credential, "options": {"cryptosuite": "eddsa-jcs-2022"}},
        headers=service.auth("issuer"),
    )
    problem(answer, 400, "invalid_options")
