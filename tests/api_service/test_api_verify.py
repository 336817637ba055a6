"""POST /v1/verify and /credentials/verify through the HTTP service, on SQLite and PostgreSQL:
the verdicts, the audit log, and every malformed request with its exact status and code."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
import segno
from paper_support import issued

from vc_engine import keys
from vc_engine.formats import vc_di
from vc_engine.issuance.attached import bind_pdf
from vc_engine.policy import INDIA
from vc_engine.store import Registry
from vc_engine.store.engine import create_registry_engine
from vc_engine.store.request_log import RequestLog

from factory import NOW, valid_birth_certificate
from service import ATTACKER, Service, signed_birth_certificate, tampered

XML = {"Content-Type": "application/xml"}
DAY = timedelta(days=1)


def post_xml(service: Service, data: bytes, who: str = "verify", **params: str):
    return service.http.post(
        "/v1/verify", content=data, headers={**XML, **service.auth(who)}, params=params
    )


def problem(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert body["type"].endswith(code)


# Verdicts


def test_genuine_document_passes_with_its_claims(service: Service) -> None:
    response = post_xml(service, signed_birth_certificate())
    assert response.status_code == 200
    report = response.json()
    assert report["verified"] is True
    assert report["indication"] == "PASSED"
    assert report["document"]["holder"]["nameLocal"] == "অমিত হালদার"


def test_tampered_document_is_a_200_failed_report(service: Service) -> None:
    response = post_xml(service, tampered(signed_birth_certificate()))
    assert response.status_code == 200
    assert (response.json()["indication"], response.json()["subIndication"]) == (
        "FAILED",
        "HASH_FAILURE",
    )


def test_forged_key_is_not_trusted(service: Service) -> None:
    report = post_xml(service, signed_birth_certificate(ATTACKER)).json()
    assert report["subIndication"] == "NO_CERTIFICATE_CHAIN_FOUND"


def test_at_verifies_as_of_a_past_time(service: Service) -> None:
    """The document was issued a day before NOW; a year earlier it did not yet exist."""
    early = post_xml(service, signed_birth_certificate(), at="2025-11-23T10:00:00+05:30").json()
    assert early["indication"] != "PASSED"
    assert post_xml(service, signed_birth_certificate(), at=NOW.isoformat()).json()["verified"]


def test_multipart_file_is_verified(service: Service) -> None:
    response = service.http.post(
        "/v1/verify",
        files={"file": ("doc.xml", signed_birth_certificate(), "application/xml")},
        headers=service.auth("verify"),
    )
    assert response.status_code == 200
    assert response.json()["verified"] is True


def test_every_verification_is_audited_without_its_content(service: Service) -> None:
    data = signed_birth_certificate()
    post_xml(service, data)
    post_xml(service, tampered(data))
    engine = create_registry_engine(service.url)
    try:
        entries = RequestLog(engine).query()
    finally:
        engine.dispose()
    assert [(e.indication, e.sub_indication) for e in entries] == [
        ("FAILED", "HASH_FAILURE"),
        ("PASSED", None),
    ]
    assert entries[1].document_id == "in.gov.wb.kmc-BTHCER-2026000001"
    assert entries[0].document_id is None  # nothing unsigned is believed, not even the id
    assert entries[1].client_id == service.tokens["verify"].split(".")[0]
    assert len(entries[1].document_sha256) == 64


# VC API


def test_vc_api_verify_answers_400_with_the_same_body_when_not_verified(
    service: Service,
) -> None:
    good = service.http.post(
        "/credentials/verify",
        json={"verifiableCredential": signed_birth_certificate().decode(), "options": {}},
        headers=service.auth("verify"),
    )
    assert good.status_code == 200
    assert good.json()["verified"] is True
    assert set(good.json()) == {"verified", "credential", "problemDetails", "results"}
    bad = service.http.post(
        "/credentials/verify",
        json={"verifiableCredential": tampered(signed_birth_certificate()).decode()},
        headers=service.auth("verify"),
    )
    assert bad.status_code == 400
    assert bad.headers["content-type"] == "application/json"
    assert bad.json()["verified"] is False
    assert bad.json()["problemDetails"][0]["type"].endswith("CRYPTOGRAPHIC_SECURITY_ERROR")


def test_vc_api_verify_without_a_credential(service: Service) -> None:
    response = service.http.post(
        "/credentials/verify", json={"options": {}}, headers=service.auth("verify")
    )
    problem(response, 422, "invalid_request")


def test_vc_api_verify_refuses_a_credential_of_the_wrong_json_type(service: Service) -> None:
    response = service.http.post(
        "/credentials/verify", json={"verifiableCredential": 42}, headers=service.auth("verify")
    )
    problem(response, 422, "invalid_credential")


# Malformed requests: each with its exact status and code


def test_wrong_content_type(service: Service) -> None:
    response = service.http.post(
        "/v1/verify",
        content=signed_birth_certificate(),
        headers={"Content-Type": "application/octet-stream", **service.auth("verify")},
    )
    problem(response, 415, "unsupported_media_type")


def test_no_content_type(service: Service) -> None:
    response = service.http.post(
        "/v1/verify", content=signed_birth_certificate(), headers=service.auth("verify")
    )
    problem(response, 415, "unsupported_media_type")


def test_empty_body(service: Service) -> None:
    problem(post_xml(service, b""), 400, "empty_body")


def test_blank_body(service: Service) -> None:
    problem(post_xml(service, b"  \r\n "), 400, "empty_body")


def test_body_over_the_limit_with_content_length(service: Service) -> None:
    response = post_xml(service, b"<a>" + b" " * (2 * 1024 * 1024) + b"</a>")
    problem(response, 413, "body_too_large")


def test_body_over_the_limit_without_content_length(service: Service) -> None:
    def chunks():
        for _ in range(40):
            yield b" " * 65536

    response = service.http.post(
        "/v1/verify", content=chunks(), headers={**XML, **service.auth("verify")}
    )
    assert "content-length" not in response.request.headers
    problem(response, 413, "body_too_large")


def test_invalid_utf8_in_a_json_body(service: Service) -> None:
    response = service.http.post(
        "/v1/verify",
        content=b'{"a": "\xff\xfe"}',
        headers={"Content-Type": "application/vc+ld+json", **service.auth("verify")},
    )
    problem(response, 400, "invalid_utf8")


def test_invalid_utf8_in_a_jwt_body(service: Service) -> None:
    response = service.http.post(
        "/v1/verify",
        content=b"eyJ\xff.e30.",
        headers={"Content-Type": "application/vc+jwt", **service.auth("verify")},
    )
    problem(response, 400, "invalid_utf8")


def test_json_that_is_not_an_object(service: Service) -> None:
    response = service.http.post(
        "/v1/verify",
        content=b'["a", "list"]',
        headers={"Content-Type": "application/json", **service.auth("verify")},
    )
    problem(response, 400, "json_not_object")


def test_ten_thousand_deep_json_document_is_a_failed_report(service: Service) -> None:
    data = b'{"a":' * 10_000 + b"1" + b"}" * 10_000
    response = service.http.post(
        "/v1/verify",
        content=data,
        headers={"Content-Type": "application/vc+ld+json", **service.auth("verify")},
    )
    assert response.status_code == 200
    assert response.json()["subIndication"] == "FORMAT_FAILURE"


def test_ten_thousand_deep_json_request(service: Service) -> None:
    data = b'{"verifiableCredential":' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    response = service.http.post(
        "/credentials/verify",
        content=data,
        headers={"Content-Type": "application/json", **service.auth("verify")},
    )
    problem(response, 400, "json_too_deep")


def test_vc_api_request_that_is_not_json(service: Service) -> None:
    response = service.http.post(
        "/credentials/verify",
        content=b"{not json",
        headers={"Content-Type": "application/json", **service.auth("verify")},
    )
    problem(response, 400, "invalid_json")


def test_vc_api_request_that_is_a_json_array(service: Service) -> None:
    response = service.http.post(
        "/credentials/verify",
        content=json.dumps([1, 2]).encode(),
        headers={"Content-Type": "application/json", **service.auth("verify")},
    )
    problem(response, 400, "json_not_object")


def test_multipart_with_no_file(service: Service) -> None:
    response = service.http.post(
        "/v1/verify", files={"note": (None, "no file here")}, headers=service.auth("verify")
    )
    assert response.request.headers["content-type"].startswith("multipart/form-data")
    problem(response, 400, "no_file")


def test_malformed_multipart(service: Service) -> None:
    response = service.http.post(
        "/v1/verify",
        content=b"--x\r\nContent-Disposition: form-data\r\n\r\nnot closed",
        headers={"Content-Type": "multipart/form-data", **service.auth("verify")},
    )
    problem(response, 400, "bad_multipart")


def test_at_without_a_time_zone(service: Service) -> None:
    problem(
        post_xml(service, signed_birth_certificate(), at="2026-01-01T10:00"), 400, "invalid_time"
    )


def test_at_that_is_not_a_time(service: Service) -> None:
    problem(post_xml(service, signed_birth_certificate(), at="yesterday"), 400, "invalid_time")


def test_unknown_route_is_a_problem(service: Service) -> None:
    problem(service.http.get("/v1/nothing-here"), 404, "not_found")


def test_wrong_method_is_a_problem(service: Service) -> None:
    problem(
        service.http.get("/v1/verify", headers=service.auth("verify")), 405, "method_not_allowed"
    )


# Paper: a PDF, a QR text and a photo are verified like any document (here by a key the
# service's registry does not know, so each is a 200 FAILED report in its own format)


@pytest.mark.parametrize(
    ("content_type", "rendition", "reported"),
    [
        ("application/pdf", "pdf-pades", "pdf-pades"),
        ("text/plain", "qr-cwt", "qr-cwt"),
        ("image/png", "photo", "qr-cwt"),
    ],
)
def test_paper_renditions_are_verified(
    service: Service, content_type: str, rendition: str, reported: str
) -> None:
    outputs = issued().outputs
    if rendition == "photo":
        out = io.BytesIO()
        segno.make_qr(outputs["qr-cwt"].decode(), error="q").save(out, kind="png", scale=4)
        body = out.getvalue()
    else:
        body = outputs[rendition]
    response = service.http.post(
        "/v1/verify", content=body, headers={"Content-Type": content_type, **service.auth("verify")}
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["format"] == reported and report["indication"] == "FAILED"


# A credential with the PDF its issuer bound (multipart: `file` and `pdf`)

BOUND_PDF = b"%PDF-1.7\n% the issuer's own birth certificate\n%%EOF\n"


def bound_credential(registry: Registry) -> bytes:
    """A Data Integrity credential of KMC (an Ed25519 key registered to it now) binding
    BOUND_PDF, as `issue --attach-pdf` makes it."""
    signer = keys.FileSigner(keys.generate_private_key(keys.KeyAlgorithm.ED25519))
    registry.add_key(
        "in.gov.wb.kmc",
        signer.public_key,
        certificate=None,
        valid_from=None,
        valid_until=None,
        at=NOW - DAY,
    )
    document = bind_pdf(valid_birth_certificate(), BOUND_PDF)
    return vc_di.issue(
        document, signer, verification_method=keys.did_key(signer.public_key), civil_timezone=INDIA
    )


@pytest.mark.parametrize(
    ("pdf", "indication", "status"),
    [(BOUND_PDF, "PASSED", "passed"), (BOUND_PDF + b"\n", "FAILED", "failed")],
    ids=["the-bound-pdf", "another-pdf"],
)
def test_a_credential_and_a_pdf_are_compared_in_one_request(
    service: Service, registry: Registry, pdf: bytes, indication: str, status: str
) -> None:
    credential = bound_credential(registry)
    response = service.http.post(
        "/v1/verify",
        files={
            "file": ("doc.vc.json", credential, "application/vc+ld+json"),
            "pdf": ("own.pdf", pdf, "application/pdf"),
        },
        headers=service.auth("verify"),
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["indication"] == indication, report["checks"]
    assert next(c for c in report["checks"] if c["name"] == "bound-pdf")["status"] == status


def test_a_pdf_part_that_is_not_a_file(service: Service) -> None:
    response = service.http.post(
        "/v1/verify",
        files={"file": ("doc.xml", signed_birth_certificate(), "application/xml")},
        data={"pdf": "not a file"},
        headers=service.auth("verify"),
    )
    problem(response, 400, "bad_multipart")
