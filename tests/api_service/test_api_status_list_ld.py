"""Status lists as JSON-LD BitstringStatusListCredentials with a Data Integrity proof, chosen by
`Accept`: what the W3C Bitstring Status List suite reads. Signed when the list changes (the same
bytes for every request until then), the vc+jwt form unchanged, RSA issuers' lists only as
vc+jwt."""

from __future__ import annotations

import base64
import gzip
import json
from datetime import timedelta
from itertools import islice

import pytest
from test_api_status import DOC, issued_xml
from test_api_verify import problem

from api.access import ClientStore
from vc_engine import keys
from vc_engine.formats.vc_di.proofs import verify_proof
from vc_engine.inputs import records
from vc_engine.store import Registry
from vc_engine.store.engine import create_registry_engine

from factory import NOW
from paths import FIXTURES
from service import Service

EDISTRICT = "in.gov.up.edistrict"
JSON_LD_ACCEPT = "application/ld+json, application/json"


@pytest.fixture
def edistrict(service: Service, registry: Registry) -> dict[str, str]:
    """An Ed25519 issuer whose key the service holds, and a client issuing and revoking for it."""
    private_key = keys.generate_private_key(keys.KeyAlgorithm.ED25519)
    since = NOW - timedelta(days=30)
    registry.add_issuer(EDISTRICT, "e-District, Uttar Pradesh", at=since)
    registry.authorise(EDISTRICT, "CASCR", valid_from=since)
    registry.add_key(
        EDISTRICT,
        private_key.public_key(),
        certificate=None,
        valid_from=None,
        valid_until=None,
        at=since,
    )
    (service.keys_dir / EDISTRICT).mkdir()
    keys.write_private_key(service.keys_dir / EDISTRICT / "private.pem", private_key)
    engine = create_registry_engine(service.url)
    try:
        _, token = ClientStore(engine).create(
            "e-District", [f"issue:{EDISTRICT}", f"revoke:{EDISTRICT}"], at=NOW
        )
    finally:
        engine.dispose()
    return {"Authorization": f"Bearer {token}"}


def issue_credential(service: Service, auth: dict[str, str]) -> dict:
    _, record = next(islice(records.read_records(FIXTURES / "CASCR.csv"), 1))
    assert isinstance(record, dict)
    answer = service.http.post(
        "/v1/issue",
        json={
            "issuer": EDISTRICT,
            "doctype": "CASCR",
            "formats": ["vc-di"],
            "records": [record],
        },
        headers=auth,
    )
    assert answer.status_code == 200, answer.text
    return json.loads(answer.json()["issued"][0]["renditions"]["vc-di"])


def list_path(entry: dict) -> str:
    return "/status-lists/" + entry["statusListCredential"].rsplit("/", 1)[-1]


def bits(encoded_list: str) -> bytes:
    assert encoded_list.startswith("u")
    raw = encoded_list[1:]
    return gzip.decompress(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))


def test_json_ld_list_credential_with_an_eddsa_proof(service: Service, edistrict) -> None:  # type: ignore[no-untyped-def]
    credential = issue_credential(service, edistrict)
    for entry in credential["credentialStatus"]:
        answer = service.http.get(list_path(entry), headers={"Accept": JSON_LD_ACCEPT})
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/ld+json"
        assert answer.headers["vary"] == "Accept"
        listed = answer.json()
        assert listed["@context"] == ["https://www.w3.org/ns/credentials/v2"]
        assert listed["id"] == entry["statusListCredential"]
        assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
        subject = listed["credentialSubject"]
        assert subject["type"] == "BitstringStatusList"
        assert subject["statusPurpose"] == entry["statusPurpose"]
        assert len(bits(subject["encodedList"])) >= 16 * 1024
        assert listed["proof"]["type"] == "DataIntegrityProof"
        assert listed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
        checked = verify_proof(listed, resolve=lambda _: None)  # did:key: the key is the id
        assert checked.facts is not None, [c.message for c in checked.checks]


def test_the_list_is_signed_when_it_changes_not_per_request(service: Service, edistrict) -> None:  # type: ignore[no-untyped-def]
    credential = issue_credential(service, edistrict)
    revocation = next(
        e for e in credential["credentialStatus"] if e["statusPurpose"] == "revocation"
    )
    path, index = list_path(revocation), int(revocation["statusListIndex"])
    first = service.http.get(path, headers={"Accept": JSON_LD_ACCEPT})
    again = service.http.get(path, headers={"Accept": JSON_LD_ACCEPT})
    assert first.content == again.content
    assert (
        service.http.get(
            path, headers={"Accept": JSON_LD_ACCEPT, "If-None-Match": first.headers["etag"]}
        ).status_code
        == 304
    )
    changed = service.http.post(
        "/credentials/status",
        json={
            "credentialId": credential["id"],
            "credentialStatus": [
                {"type": "BitstringStatusListEntry", "statusPurpose": "revocation"}
            ],
            "status": True,
        },
        headers=edistrict,
    )
    assert changed.status_code == 200, changed.text
    after = service.http.get(path, headers={"Accept": JSON_LD_ACCEPT})
    assert after.content != first.content
    listed = bits(after.json()["credentialSubject"]["encodedList"])
    assert listed[index // 8] & (0x80 >> (index % 8))  # the bit is set, most significant first
    before = bits(first.json()["credentialSubject"]["encodedList"])
    assert not before[index // 8] & (0x80 >> (index % 8))


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "application/vc+jwt"),
        ("*/*", "application/vc+jwt"),
        ("application/vc+jwt", "application/vc+jwt"),
        ("application/vc+ld+json", "application/vc+ld+json"),
        ("application/json", "application/json"),
        ("application/vc+jwt;q=0.5, application/ld+json", "application/ld+json"),
        ("application/ld+json;q=0.2, application/vc+jwt", "application/vc+jwt"),
        ("text/html, */*;q=0.1", "application/vc+jwt"),
    ],
    ids=["none", "any", "jwt", "vc-ld", "json", "ld-preferred", "jwt-preferred", "browser"],
)
def test_accept_chooses_the_form(service: Service, edistrict, accept, media_type) -> None:  # type: ignore[no-untyped-def]
    credential = issue_credential(service, edistrict)
    headers = {} if accept is None else {"Accept": accept}
    answer = service.http.get(list_path(credential["credentialStatus"][0]), headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == media_type
    assert answer.content.startswith(b"ey" if media_type == "application/vc+jwt" else b"{")


def test_nothing_acceptable_is_406(service: Service, edistrict) -> None:  # type: ignore[no-untyped-def]
    credential = issue_credential(service, edistrict)
    path = list_path(credential["credentialStatus"][0])
    problem(service.http.get(path, headers={"Accept": "text/html"}), 406, "not_acceptable")


def test_an_rsa_issuers_list_is_only_a_jwt(service: Service) -> None:
    issued_xml(service)
    status = service.http.get(f"/v1/documents/{DOC}/status", headers=service.auth("issuer"))
    path = "/status-lists/" + status.json()["entries"][0]["list"]
    problem(service.http.get(path, headers={"Accept": JSON_LD_ACCEPT}), 406, "not_acceptable")
    either = service.http.get(
        path, headers={"Accept": "application/ld+json, application/vc+jwt;q=0.1"}
    )
    assert either.status_code == 200
    assert either.headers["content-type"] == "application/vc+jwt"
