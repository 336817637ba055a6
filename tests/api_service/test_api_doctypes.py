"""Document types over HTTP: listed, shown and added under `registry:admin`; each type version's
JSON-LD context served publicly at its stable URL, byte for byte the pinned document."""

from __future__ import annotations

import hashlib
from importlib import resources

from vc_engine.doctypes import get_doctype
from vc_engine.doctypes.generated import type_context

from service import Service

SHIPPED = resources.files("vc_engine") / "data" / "doctypes"
INCOME = (SHIPPED / "INCER.v1.yaml").read_text("utf-8")
NEW_TYPE = INCOME.replace("code: INCER", "code: INCUP").replace(
    "name: income certificate", "name: UP income certificate"
)


def admin(service: Service, method: str, path: str, body: object = None):
    return service.http.request(method, path, json=body, headers=service.auth("admin"))


def test_types_are_listed_and_shown(service: Service) -> None:
    listed = admin(service, "GET", "/v1/doctypes").json()["doctypes"]
    assert {"code": "INCER", "version": 1, "title": "Income Certificate"} in listed
    assert len(listed) == 10
    shown = admin(service, "GET", "/v1/doctypes/RATCD?version=1").json()
    assert shown["title"]["bn"] == "রেশন কার্ড" and shown["expiry"] == {"rule": "term", "months": 60}
    assert [c["field"] for c in shown["claims"][3]["columns"]] == [
        "name",
        "relation",
        "age",
        "gender",
    ]
    missing = admin(service, "GET", "/v1/doctypes/PASSPT")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_a_type_is_added_and_a_bad_or_taken_one_refused(service: Service) -> None:
    added = admin(service, "POST", "/v1/doctypes", {"definition": NEW_TYPE, "name": "INCUP.yaml"})
    assert added.status_code == 201, added.text
    assert added.json()["code"] == "INCUP" and len(added.json()["sha256"]) == 64
    assert admin(service, "GET", "/v1/doctypes/INCUP").json()["version"] == 1
    again = admin(service, "POST", "/v1/doctypes", {"definition": NEW_TYPE, "name": "INCUP.yaml"})
    assert again.status_code == 409 and "in use" in again.json()["detail"]
    bad = admin(service, "POST", "/v1/doctypes", {"definition": "code: [", "name": "bad.yaml"})
    assert bad.status_code == 422 and bad.json()["code"] == "bad_definition"
    assert bad.json()["detail"].startswith("bad.yaml:1: not valid YAML")


def test_a_context_is_public_and_pinned(service: Service) -> None:
    answer = service.http.get("/contexts/doctypes/INCER/v1")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/ld+json"
    expected = type_context(get_doctype("INCER"))
    assert expected is not None and answer.content == expected.document
    assert answer.headers["etag"] == f'"{hashlib.sha256(answer.content).hexdigest()}"'
    assert service.http.get("/contexts/doctypes/BTHCER/v1").status_code == 404
    assert service.http.get("/contexts/doctypes/INCER/v9").status_code == 404
