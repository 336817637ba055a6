"""`POST /credentials/status` (VC API): a credential named by its id is revoked, suspended or
reinstated through the status store, with the `revoke:<issuer>` scope, and verification sees
it at once."""

from __future__ import annotations

from typing import Any

import pytest
from test_api_status import DOC, issued_xml
from test_api_verify import post_xml, problem

from vc_engine.store import Registry, StatusStore

from factory import NOW
from service import KMC_ID, Service

ENTRY = "BitstringStatusListEntry"


def set_status(
    service: Service,
    purpose: str,
    status: bool | None = True,
    credential_id: str = f"urn:elocker:{DOC}",
    who: str = "issuer",
    **extra: Any,
):
    body: dict[str, Any] = {
        "credentialId": credential_id,
        "credentialStatus": [{"type": ENTRY, "statusPurpose": purpose}],
        **extra,
    }
    if status is not None:
        body["status"] = status
    return service.http.post("/credentials/status", json=body, headers=service.auth(who))


def test_revocation_true_revokes_and_verification_fails(service: Service) -> None:
    data = issued_xml(service)
    answer = set_status(service, "revocation")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "credentialId": f"urn:elocker:{DOC}",
        "documentId": DOC,
        "state": "revoked",
        "listPublished": True,
    }
    report = post_xml(service, data).json()
    assert (report["indication"], report["subIndication"]) == ("FAILED", "REVOKED")


def test_suspension_true_then_false_suspends_then_reinstates(service: Service) -> None:
    data = issued_xml(service)
    assert set_status(service, "suspension", True).json()["state"] == "suspended"
    assert post_xml(service, data).json()["subIndication"] == "SUSPENDED"
    assert set_status(service, "suspension", False).json()["state"] == "active"
    assert post_xml(service, data).json()["verified"] is True
    history = service.http.get(f"/v1/documents/{DOC}/status", headers=service.auth("issuer"))
    assert [e["action"] for e in history.json()["history"]] == ["suspend", "reinstate"]


def test_the_bare_document_id_and_a_single_entry_object_are_accepted(service: Service) -> None:
    issued_xml(service)
    answer = service.http.post(
        "/credentials/status",
        json={
            "credentialId": DOC,
            "credentialStatus": {"type": ENTRY, "statusPurpose": "suspension"},
        },
        headers=service.auth("issuer"),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == "suspended"  # status defaults to true


def test_a_revocation_cannot_be_cleared(service: Service) -> None:
    issued_xml(service)
    problem(set_status(service, "revocation", False), 409, "status_conflict")


def test_reinstating_a_revoked_credential_is_a_conflict(service: Service) -> None:
    issued_xml(service)
    set_status(service, "revocation")
    problem(set_status(service, "suspension", False), 409, "status_conflict")


def test_an_unknown_credential_is_404(service: Service) -> None:
    problem(
        set_status(service, "revocation", credential_id="urn:uuid:0f8f"), 404, "unknown_credential"
    )


def test_another_issuers_client_is_refused(service: Service) -> None:
    issued_xml(service)
    problem(set_status(service, "revocation", who="other_issuer"), 403, "insufficient_scope")
    problem(set_status(service, "revocation", who="verify"), 403, "insufficient_scope")


@pytest.mark.parametrize(
    ("entry", "code"),
    [
        ({"type": "StatusList2021Entry", "statusPurpose": "revocation"}, "unsupported_status_type"),
        ({"type": ENTRY, "statusPurpose": "message"}, "unsupported_status_purpose"),
    ],
    ids=["other-type", "other-purpose"],
)
def test_entries_we_do_not_keep_are_422(service: Service, entry: dict, code: str) -> None:
    issued_xml(service)
    answer = service.http.post(
        "/credentials/status",
        json={"credentialId": DOC, "credentialStatus": [entry], "status": True},
        headers=service.auth("issuer"),
    )
    problem(answer, 422, code)


@pytest.mark.parametrize(
    "body",
    [
        {"credentialStatus": [{"type": ENTRY, "statusPurpose": "revocation"}]},
        {"credentialId": DOC, "credentialStatus": []},
        {
            "credentialId": DOC,
            "credentialStatus": [{"type": ENTRY, "statusPurpose": "revocation"}],
            "status": "yes",
        },
        {"credentialId": DOC, "credentialStatus": "revocation"},
    ],
    ids=["no-id", "no-entries", "status-not-bool", "status-entry-not-object"],
)
def test_malformed_bodies_are_4xx_problems(service: Service, body: dict) -> None:
    issued_xml(service)
    answer = service.http.post("/credentials/status", json=body, headers=service.auth("issuer"))
    assert answer.status_code in (400, 422), answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert (
        service.http.get(f"/v1/documents/{DOC}/status", headers=service.auth("issuer")).json()[
            "state"
        ]
        == "active"
    )


def test_a_w3c_credential_is_found_among_the_clients_issuers(
    service: Service, registry: Registry
) -> None:
    """Credentials issued through /credentials/issue in any W3C shape keep their entries under
    `w3c:<issuer>:<credential id>`; only the issuers the client revokes for are looked at."""
    credential_id = "urn:uuid:7d3e8c1a-0000-4000-8000-000000000001"
    key = f"w3c:{KMC_ID}:{credential_id}"
    store = StatusStore(registry)
    store.allocate(KMC_ID, [key], at=NOW)
    problem(
        set_status(service, "suspension", credential_id=credential_id, who="other_issuer"),
        404,
        "unknown_credential",
    )
    answer = set_status(service, "suspension", credential_id=credential_id)
    assert answer.status_code == 200, answer.text
    assert answer.json()["documentId"] == key
    assert answer.json()["listPublished"] is True
    current = store.status(key)
    assert current is not None and str(current.state) == "suspended"
