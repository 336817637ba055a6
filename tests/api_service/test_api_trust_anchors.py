"""Trust through X.509 chains administered over HTTP, on SQLite and PostgreSQL: CA certificates,
CRLs and certificate subjects are added for real and the next verification sees them; each
refusal has its status and code."""

from __future__ import annotations

import pytest
from test_api_verify import post_xml, problem

from pki import KMC_ORGANISATION, chain_document, pki
from service import KMC_ID, Service


def admin(service: Service, method: str, path: str, body: object = None):
    return service.http.request(method, path, json=body, headers=service.auth("admin"))


def enrol(service: Service) -> None:
    p = pki()
    for name, party in (("CCA India Test Root", p.root), ("WB e-Sign CA", p.licensed_ca)):
        added = admin(
            service, "POST", "/v1/trust-anchors", {"name": name, "certificate": party.pem.decode()}
        )
        assert added.status_code == 201, added.text
    for crl in (p.licensed_ca_crl(), p.root_crl()):
        loaded = admin(service, "POST", "/v1/trust-anchors/crls", {"crl": crl.decode()})
        assert loaded.status_code == 201, loaded.text
    subject = admin(
        service,
        "POST",
        f"/v1/issuers/{KMC_ID}/certificate-subjects",
        {"organisation": KMC_ORGANISATION},
    )
    assert subject.status_code == 201, subject.text


def test_a_chain_trusted_document_verifies_after_enrolment(service: Service) -> None:
    document = pki().good.sign(chain_document())
    before = post_xml(service, document).json()
    assert before["subIndication"] == "NO_CERTIFICATE_CHAIN_FOUND"
    enrol(service)
    report = post_xml(service, document).json()
    assert report["indication"] == "PASSED", report["checks"]
    path = next(c for c in report["checks"] if c["name"] == "certificate-path")
    assert 'trust anchor root "CCA India Test Root"' in path["message"]


def test_lists_and_removal(service: Service) -> None:
    enrol(service)
    anchors = admin(service, "GET", "/v1/trust-anchors").json()["anchors"]
    assert [(a["name"], a["root"]) for a in anchors] == [
        ("CCA India Test Root", True),
        ("WB e-Sign CA", False),
    ]
    crls = admin(service, "GET", "/v1/trust-anchors/crls").json()["crls"]
    assert sorted(c["revoked"] for c in crls) == [0, 2]
    subjects = admin(service, "GET", f"/v1/issuers/{KMC_ID}/certificate-subjects").json()
    assert [s["organisation"] for s in subjects["subjects"]] == [KMC_ORGANISATION]
    removed = admin(service, "DELETE", f"/v1/trust-anchors/{anchors[0]['fingerprint']}")
    assert removed.status_code == 200, removed.text
    report = post_xml(service, pki().good.sign(chain_document())).json()
    assert report["subIndication"] == "NO_CERTIFICATE_CHAIN_FOUND"


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/v1/trust-anchors", {"name": "x", "certificate": "junk"}, 422, "invalid_certificate"),
        ("/v1/trust-anchors/crls", {"crl": "junk"}, 422, "invalid_crl"),
        (
            "/v1/issuers/in.gov.xx.none/certificate-subjects",
            {"organisation": "Nobody"},
            404,
            "not_found",
        ),
    ],
    ids=["bad-certificate", "bad-crl", "unknown-issuer"],
)
def test_bad_input_is_a_problem(
    service: Service, path: str, body: object, status: int, code: str
) -> None:
    problem(admin(service, "POST", path, body), status, code)


def test_conflicts_are_409(service: Service) -> None:
    enrol(service)
    again = {"name": "Again", "certificate": pki().root.pem.decode()}
    problem(admin(service, "POST", "/v1/trust-anchors", again), 409, "conflict")
    orphan = {"name": "Orphan", "certificate": pki().unknown_ca.pem.decode()}
    problem(admin(service, "POST", "/v1/trust-anchors", orphan), 409, "conflict")
    problem(admin(service, "DELETE", "/v1/trust-anchors/" + "0" * 64), 404, "not_found")
