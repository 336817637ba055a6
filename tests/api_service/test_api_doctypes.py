"""Document types over HTTP: listed, shown and added under `registry:admin`; each type version's
JSON-LD context served publicly at its stable URL, byte for byte the pinned document."""

from __future__ import annotations

import csv
import hashlib
from datetime import timedelta
from importlib import resources

from vc_engine import keys
from vc_engine.doctypes import get_doctype, record_to_document
from vc_engine.doctypes.generated import type_context
from vc_engine.issuance.issuer import RENDITIONS, Issuer
from vc_engine.policy import INDIA
from vc_engine.store import Registry
from vc_engine.store.doctype_versions import DoctypeVersions

from factory import NOW
from paths import FIXTURES
from service import KMC_ID, Service

FORMATS = ("xml", "vc-jwt")  # the service signs for KMC with an RSA key: no Data Integrity
MEDIA_TYPES = {
    "xml": "application/xml",
    "vc-di": "application/vc+ld+json",
    "vc-jwt": "application/vc+jwt",
}

SHIPPED = resources.files("vc_engine") / "data" / "doctypes"
INCOME = (SHIPPED / "INCER.v1.yaml").read_text("utf-8")
NEW_TYPE = INCOME.replace("code: INCER", "code: INCUP").replace(
    "name: income certificate", "name: UP income certificate"
)
TEHSIL = """  - {field: tehsil, type: text, required: false,
     label: {en: Tehsil, bn: তহসিল, hi: तहसील}}
"""
"""A claim whose term no shipped context defines."""


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


def test_an_added_type_issues_and_verifies_over_the_api(
    service: Service, registry: Registry
) -> None:
    added = admin(
        service, "POST", "/v1/doctypes", {"definition": NEW_TYPE + TEHSIL, "name": "INCUP.yaml"}
    )
    assert added.status_code == 201, added.text
    since = (NOW - timedelta(days=1)).isoformat()
    granted = admin(
        service,
        "POST",
        f"/v1/issuers/{KMC_ID}/authorisations",
        {"doctype": "INCUP", "validFrom": since},
    )
    assert granted.status_code == 201, granted.text
    with (FIXTURES / "INCER.csv").open(encoding="utf-8") as handle:
        record = {k: v for k, v in next(csv.DictReader(handle)).items() if v}
    record["validFrom"] = NOW.date().isoformat()
    record["tehsil"] = "Malihabad"
    answer = service.http.post(
        "/v1/issue",
        json={"issuer": KMC_ID, "doctype": "INCUP", "formats": list(FORMATS), "records": [record]},
        headers=service.auth("issuer"),
    )
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["rejected"] == [], result
    [issued] = result["issued"]
    digests = set()
    for name, text in issued["renditions"].items():
        report = service.http.post(
            "/v1/verify",
            content=text.encode(),
            headers={"Content-Type": MEDIA_TYPES[name], **service.auth("verify")},
        ).json()
        assert report["verified"] is True, (name, report)
        assert report["document"]["claims"]["tehsil"] == "Malihabad"
        digests.add(report["document"]["claimsDigest"])
    assert len(digests) == 1

    # A Data Integrity credential of the type (signed by a P-256 key of KMC's): canonicalised
    # over the type's generated context, which the service pins from the registry.
    key = keys.generate_private_key(keys.KeyAlgorithm.P256)
    registry.add_key(
        KMC_ID, key.public_key(), certificate=None, valid_from=None, valid_until=None,
        at=NOW - timedelta(days=1),
    )  # fmt: skip
    catalogue = DoctypeVersions(registry).catalogue()
    doctype = catalogue.latest("INCUP")
    document = record_to_document(
        {**record, "docId": "I2026000099"}, doctype, issuer_id=KMC_ID,
        issuer_name="Kolkata Municipal Corporation", issued_at=NOW,
    )  # fmt: skip
    issuer = Issuer(KMC_ID, "Kolkata Municipal Corporation", keys.FileSigner(key), None, INDIA)
    credential = RENDITIONS["vc-di"].sign(document, issuer, {}, doctype)
    report = service.http.post(
        "/v1/verify",
        content=credential,
        headers={"Content-Type": "application/vc+ld+json", **service.auth("verify")},
    ).json()
    assert report["verified"] is True, report
    assert report["document"]["claimsDigest"] == document.claims_digest
