"""The VC API for any W3C credential: /credentials/issue (2.0, 1.1, JCS, envelopes, status
entries), /credentials/verify of what it issued, /presentations/verify, and the policy choice."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.access import ClientStore
from vc_engine import keys
from vc_engine.formats.vc_di.contexts import default_loader
from vc_engine.formats.vc_di.cryptosuites import SUITES
from vc_engine.formats.vc_di.proofs import add_proof, canonicalizer
from vc_engine.issuance.status_lists import StatusLists
from vc_engine.issuance.w3c import status_entries_for
from vc_engine.model import issuer_did
from vc_engine.store import Registry, StatusStore
from vc_engine.store.engine import create_registry_engine

from factory import NOW
from service import start

ISSUERS = {
    "org.example.ed": keys.KeyAlgorithm.ED25519,
    "org.example.p256": keys.KeyAlgorithm.P256,
    "org.example.p384": keys.KeyAlgorithm.P384,
    "org.example.rsa": keys.KeyAlgorithm.RSA2048,
}
PRIVATE = {issuer: keys.generate_private_key(alg) for issuer, alg in ISSUERS.items()}
HOLDER = keys.generate_private_key(keys.KeyAlgorithm.ED25519)
V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"


class W3cService:
    def __init__(self, http: TestClient, tokens: dict[str, str]) -> None:
        self.http = http
        self.tokens = tokens

    def post(self, path: str, body: object, who: str = "issuer") -> Any:
        return self.http.post(
            path, json=body, headers={"Authorization": f"Bearer {self.tokens[who]}"}
        )

    def issue(self, credential: dict[str, Any], **options: str) -> Any:
        return self.post("/credentials/issue", {"credential": credential, "options": options})

    def verify(self, credential: object) -> Any:
        return self.post("/credentials/verify", {"verifiableCredential": credential}, "verify")


def _enrol(registry: Registry, keys_dir: Path) -> None:
    since = NOW - timedelta(days=30)
    for issuer_id, private in PRIVATE.items():
        registry.add_issuer(issuer_id, issuer_id, at=since)
        registry.add_key(
            issuer_id,
            private.public_key(),
            certificate=None,
            valid_from=None,
            valid_until=None,
            at=since,
        )
        folder = keys_dir / issuer_id
        folder.mkdir(parents=True)
        keys.write_private_key(folder / "private.pem", private)


def _clients(url: str) -> dict[str, str]:
    engine = create_registry_engine(url)
    try:
        store = ClientStore(engine)
        scopes = [f"issue:{i}" for i in ISSUERS]
        return {
            "issuer": store.create("issuer", scopes, at=NOW)[1],
            "verify": store.create("verify", ["verify"], at=NOW)[1],
        }
    finally:
        engine.dispose()


@pytest.fixture
def enrolled(registry: Registry, registry_url: str, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    keys_dir = tmp_path / "keys"
    _enrol(registry, keys_dir)
    return keys_dir, _clients(registry_url)


@pytest.fixture
def w3c(registry_url: str, enrolled: tuple[Path, dict[str, str]]) -> Iterator[W3cService]:
    with start(registry_url, enrolled[0]) as http:
        yield W3cService(http, enrolled[1])


@pytest.fixture
def conformance(registry_url: str, enrolled: tuple[Path, dict[str, str]]) -> Iterator[W3cService]:
    with start(registry_url, enrolled[0], policy="conformance") as http:
        yield W3cService(http, enrolled[1])


def credential(issuer: str = "org.example.ed", **extra: Any) -> dict[str, Any]:
    return {
        "@context": [V2],
        "type": ["VerifiableCredential"],
        "issuer": issuer_did(issuer),
        "credentialSubject": {"id": "did:example:subject", "name": "Ananya Das"},
        **extra,
    }


@pytest.mark.parametrize(
    ("issuer", "suite"),
    [
        ("org.example.ed", "eddsa-rdfc-2022"),
        ("org.example.ed", "eddsa-jcs-2022"),
        ("org.example.p256", "ecdsa-rdfc-2019"),
        ("org.example.p256", "ecdsa-jcs-2019"),
        ("org.example.p384", "ecdsa-rdfc-2019"),
        ("org.example.p384", "ecdsa-jcs-2019"),
    ],
)
def test_issue_v2_in_each_cryptosuite_and_verify(w3c: W3cService, issuer: str, suite: str) -> None:
    issued = w3c.issue(credential(issuer), cryptosuite=suite)
    assert issued.status_code == 201, issued.text
    secured = issued.json()["verifiableCredential"]
    assert secured["proof"]["cryptosuite"] == suite
    assert {e["statusPurpose"] for e in secured["credentialStatus"]} == {"revocation", "suspension"}
    answer = w3c.verify(secured)
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"]["policy"]["name"] == "default"
    tampered = copy.deepcopy(secured)
    tampered["credentialSubject"]["name"] = "Someone Else"
    assert w3c.verify(tampered).json()["results"]["subIndication"] == "SIG_CRYPTO_FAILURE"


def test_issued_credential_status_entries_can_be_found_and_revoked(
    w3c: W3cService, registry: Registry
) -> None:
    secured = w3c.issue(credential()).json()["verifiableCredential"]
    lists = StatusLists(StatusStore(registry), "http://127.0.0.1:8000")
    entries = status_entries_for(lists, "org.example.ed", secured["id"])
    assert entries is not None
    assert {str(e.index) for e in entries} == {
        e["statusListIndex"] for e in secured["credentialStatus"]
    }


def test_issuing_a_credential_id_again_keeps_its_status_entries(w3c: W3cService) -> None:
    """The W3C issuer suite issues one credential id several times: the same credential, the
    same status (it was a 500 when the second allocation collided)."""
    fixed = {**credential(), "id": "urn:uuid:5d3c1b2a-0000-4000-8000-000000000001"}
    first = w3c.issue(fixed)
    second = w3c.issue(fixed)
    assert (first.status_code, second.status_code) == (201, 201), second.text
    statuses = [r.json()["verifiableCredential"]["credentialStatus"] for r in (first, second)]
    assert statuses[0] == statuses[1]


def test_issue_v11_appends_the_data_integrity_context(w3c: W3cService) -> None:
    v11 = {
        "@context": [V1],
        "type": ["VerifiableCredential"],
        "issuer": issuer_did("org.example.ed"),
        "issuanceDate": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject"},
    }
    issued = w3c.issue(v11)
    assert issued.status_code == 201, issued.text
    secured = issued.json()["verifiableCredential"]
    assert secured["@context"] == [V1, "https://w3id.org/security/data-integrity/v2"]
    assert "credentialStatus" not in secured
    assert w3c.verify(secured).status_code == 200


@pytest.mark.parametrize("issuer", list(ISSUERS))
def test_issue_vc_jwt_as_an_enveloped_credential(w3c: W3cService, issuer: str) -> None:
    issued = w3c.issue(credential(issuer), format="vc+jwt")
    assert issued.status_code == 201, issued.text
    envelope = issued.json()["verifiableCredential"]
    assert envelope["type"] == "EnvelopedVerifiableCredential"
    assert envelope["id"].startswith("data:application/vc+jwt,ey")
    answer = w3c.verify(envelope)
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"credentialSubject": {}}, "credential-subject"),
        ({"issuer": "not a url"}, "issuer"),
        ({"validFrom": "2026-01-01T00:00:00"}, "validity-period"),
        ({"evidence": {"id": "https://example.org/e"}}, "evidence"),
        ({"relatedResource": [{"id": "https://example.org/r"}]}, "integrity"),
        ({"@context": [V2, {"@vocab": None}]}, "inline context"),
    ],
)
def test_issue_refuses_with_the_rule_named(
    w3c: W3cService, change: dict[str, Any], rule: str
) -> None:
    body = {**credential(), **change}
    refused = w3c.issue(body)
    assert refused.status_code == 400, refused.text
    assert rule in refused.json()["detail"]


def test_issue_v11_undefined_type_is_data_loss(w3c: W3cService) -> None:
    """Issue 11 found: under the 1.1 context an undefined type was signed, then verified."""
    v11 = {
        "@context": [V1],
        "type": ["VerifiableCredential", "InvalidType"],
        "issuer": issuer_did("org.example.ed"),
        "issuanceDate": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject"},
    }
    refused = w3c.issue(v11)
    assert refused.status_code == 400
    assert "DATA_LOSS" in refused.json()["detail"]


def test_examples_context_needs_the_conformance_policy(
    w3c: W3cService, conformance: W3cService
) -> None:
    body = credential(**{"@context": [V2, "https://www.w3.org/ns/credentials/examples/v2"]})
    assert w3c.issue(body).status_code == 400
    issued = conformance.issue(body)
    assert issued.status_code == 201, issued.text
    answer = conformance.verify(issued.json()["verifiableCredential"])
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"]["policy"]["name"] == "conformance"
    assert w3c.verify(issued.json()["verifiableCredential"]).status_code == 400


def test_open_trust_accepts_an_unregistered_did_key_issuer(
    w3c: W3cService, conformance: W3cService
) -> None:
    stranger = keys.generate_private_key(keys.KeyAlgorithm.ED25519)
    method = keys.did_key(stranger.public_key())
    body = {**credential(), "issuer": method.partition("#")[0]}
    secured = add_proof(
        body,
        cryptosuite="eddsa-rdfc-2022",
        signer=keys.FileSigner(stranger),
        verification_method=method,
        created=NOW,
    )
    refused = w3c.verify(secured)
    assert refused.json()["results"]["subIndication"] == "NOT_TRUSTED"
    accepted = conformance.verify(secured)
    assert accepted.status_code == 200, accepted.text
    assert any("unregistered" in w for w in accepted.json()["results"]["warnings"])


def test_json_string_credential_is_422(w3c: W3cService) -> None:
    secured = w3c.issue(credential()).json()["verifiableCredential"]
    answer = w3c.verify(json.dumps(secured))
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid_credential"


def _presentation(
    credentials: list[dict[str, Any]], *, challenge: str | None, domain: str | None = None
) -> dict[str, Any]:
    method = keys.did_key(HOLDER.public_key())
    presentation = {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "holder": method.partition("#")[0],
        "verifiableCredential": credentials,
    }
    if challenge is None:
        return presentation
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2026-11-23T06:00:00Z",
        "verificationMethod": method,
        "proofPurpose": "authentication",
        "challenge": challenge,
        **({} if domain is None else {"domain": domain}),
    }
    return _sign_with_options(presentation, options)


def _sign_with_options(document: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """A holder's proof with a challenge and domain (which `add_proof` does not set)."""
    suite = SUITES["eddsa-rdfc-2022"]
    config = {**options, "@context": document["@context"]}
    signer = keys.FileSigner(HOLDER)
    data = suite.hash_data(document, config, signer.algorithm, canonicalizer(default_loader()))
    value = "z" + keys.base58btc.encode(signer.sign(data, suite.scheme(signer.algorithm)))
    return {**document, "proof": {**options, "proofValue": value}}


def test_signed_presentation_with_the_right_challenge(w3c: W3cService) -> None:
    secured = w3c.issue(credential()).json()["verifiableCredential"]
    presentation = _presentation([secured], challenge="c-123", domain="verifier.example")
    answer = w3c.post(
        "/presentations/verify",
        {
            "verifiablePresentation": presentation,
            "options": {"challenge": "c-123", "domain": "verifier.example"},
        },
        "verify",
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["credentialResults"][0]["verified"] is True


def test_signed_presentation_with_a_wrong_challenge_fails(w3c: W3cService) -> None:
    secured = w3c.issue(credential()).json()["verifiableCredential"]
    presentation = _presentation([secured], challenge="c-123")
    answer = w3c.post(
        "/presentations/verify",
        {"verifiablePresentation": presentation, "options": {"challenge": "other"}},
        "verify",
    )
    assert answer.status_code == 400
    assert [c["name"] for c in answer.json()["checks"] if c["status"] == "failed"] == ["challenge"]


def test_unsigned_presentation_verifies_its_credentials(w3c: W3cService) -> None:
    secured = w3c.issue(credential()).json()["verifiableCredential"]
    good = w3c.post(
        "/presentations/verify",
        {
            "verifiablePresentation": _presentation([secured], challenge=None),
            "options": {"challenge": "c"},
        },
        "verify",
    )
    assert good.status_code == 200, good.text
    tampered = copy.deepcopy(secured)
    tampered["credentialSubject"]["name"] = "Someone Else"
    bad = w3c.post(
        "/presentations/verify",
        {"verifiablePresentation": _presentation([tampered], challenge=None)},
        "verify",
    )
    assert bad.status_code == 400
    assert bad.json()["credentialResults"][0]["subIndication"] == "SIG_CRYPTO_FAILURE"


def test_presentation_breaking_a_rule_is_refused(w3c: W3cService) -> None:
    answer = w3c.post(
        "/presentations/verify",
        {
            "verifiablePresentation": {
                "@context": [V2],
                "type": ["VerifiablePresentation"],
                "holder": "not a url",
            }
        },
        "verify",
    )
    assert answer.status_code == 400
    assert answer.json()["checks"][0]["name"] == "presentation"


def test_undefined_type_under_a_null_vocab_is_data_loss_not_a_crash(
    conformance: W3cService,
) -> None:
    body = credential(
        **{"@context": [V2, {"@vocab": None}], "type": ["VerifiableCredential", "Undefined"]}
    )
    refused = conformance.issue(body)
    assert refused.status_code == 400, refused.text
    assert "DATA_LOSS" in refused.json()["detail"]


# The vc-api suites' "JWT" groups (vc-api-issuer-test-suite tests/11-issuer-jwt.js,
# vc-api-verifier-test-suite tests/11-vc-jwt.js): VC 1.1 input with the Ed25519Signature2020
# context and no issuanceDate (mock-data/vc.js), issued by a did:key the service holds; then
# each mutation below must be refused with a 400 or 422.
ED25519_2020 = "https://w3id.org/security/suites/ed25519-2020/v1"
_ABSENT = object()
JWT_GROUP_MUTATIONS = [
    *[((name,), _ABSENT) for name in ("@context", "type", "issuer", "credentialSubject", "proof")],
    *[
        (("proof", name), _ABSENT)
        for name in ("type", "created", "verificationMethod", "proofValue", "proofPurpose")
    ],
    *[(("@context",), v) for v in ("string", {}, None, 10, True)],
    *[(("@context",), [v]) for v in ([], None, 10, True)],
    *[(("type",), v) for v in ("string", {}, None, 10, True)],
    *[(("type",), [v]) for v in ([], {}, None, 10, True)],
    *[(("issuer",), v) for v in ([], None, 10, True)],
    *[(("credentialSubject",), v) for v in ("string", None, 10, True, [])],
    *[(("proof",), v) for v in ("string", None, 10, True, [])],
]


def _suite_v11(issuer: str) -> dict[str, Any]:
    return {
        "@context": [V1, ED25519_2020],
        "type": ["VerifiableCredential"],
        "id": "urn:uuid:7f9c2a51-3f1e-4b8a-9d55-2f0c6a1e0b11",
        "issuer": keys.did_key(PRIVATE[issuer].public_key()).partition("#")[0],
        "credentialSubject": {"id": "did:key:z6MkhTNL7i2etLerDK8Acz5t528giE5KA4p75T6ka1E1D74r"},
    }


def test_issue_v11_without_issuance_date_is_dated_when_signed(w3c: W3cService) -> None:
    """VC 1.1 requires issuanceDate of the credential issued, not of the request: the VC API
    suites send 1.1 input without one and expect it issued (it was a 400 here)."""
    issued = w3c.issue(_suite_v11("org.example.ed"))
    assert issued.status_code == 201, issued.text
    secured = issued.json()["verifiableCredential"]
    assert secured["issuanceDate"] == NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert secured["proof"]["type"] == "DataIntegrityProof"
    assert w3c.verify(secured).status_code == 200


def test_issue_keeps_a_given_issuance_date_and_still_checks_it(w3c: W3cService) -> None:
    given = {**_suite_v11("org.example.ed"), "issuanceDate": "2026-01-01T00:00:00Z"}
    secured = w3c.issue(given).json()["verifiableCredential"]
    assert secured["issuanceDate"] == "2026-01-01T00:00:00Z"
    late = {**given, "expirationDate": "2025-01-01T00:00:00Z"}
    refused = w3c.issue(late)
    assert refused.status_code == 400
    assert "validity-period" in refused.json()["detail"]


def test_issue_v2_without_valid_from_is_not_dated(w3c: W3cService) -> None:
    """2.0 makes validFrom optional: nothing is added to a 2.0 credential."""
    secured = w3c.issue(credential()).json()["verifiableCredential"]
    assert "validFrom" not in secured and "issuanceDate" not in secured


def _mutated(secured: dict[str, Any], path: tuple[str, ...], value: object) -> dict[str, Any]:
    mutated = copy.deepcopy(secured)
    parent = mutated
    for name in path[:-1]:
        parent = parent[name]
    if value is _ABSENT:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return mutated


def test_vc_api_suite_mutations_of_an_issued_v11_credential_are_refused(
    conformance: W3cService,
) -> None:
    """One service for all the suite's mutations (each is a request, not a test of its own)."""
    issued = conformance.issue(_suite_v11("org.example.ed"))
    assert issued.status_code == 201, issued.text
    secured = issued.json()["verifiableCredential"]
    assert conformance.verify(secured).status_code == 200
    accepted = [
        (path, value)
        for path, value in JWT_GROUP_MUTATIONS
        if conformance.verify(_mutated(secured, path, value)).status_code not in (400, 422)
    ]
    assert accepted == []


@pytest.mark.parametrize("policy", ["default", "conformance"])
def test_an_empty_proof_set_is_no_proof_even_for_a_registered_issuer(
    w3c: W3cService, conformance: W3cService, policy: str
) -> None:
    """`proof: []` from a registered issuer verified (no proof failed, so every proof was
    vacuously by the issuer's key); found by the vc-api verifier suite's JWT group."""
    service = w3c if policy == "default" else conformance
    secured = service.issue(_suite_v11("org.example.ed")).json()["verifiableCredential"]
    answer = service.verify({**secured, "proof": []})
    assert answer.status_code == 400, answer.text
    assert "carries no proof" in answer.text


RELATED = json.loads(
    (
        Path(__file__).parent.parent / "vectors" / "vcdm2" / "related-resource-digests.json"
    ).read_text()
)


def test_related_resource_digests_as_the_data_model_suite_sends_them(
    w3c: W3cService, conformance: W3cService
) -> None:
    """The suite's digests are of its (2024) copy of credentials/v2, which only the conformance
    policy pins; a wrong digest of a held resource is refused (it was signed before)."""
    right = {"id": RELATED["id"], "digestSRI": RELATED["digestSRI"]}
    wrong = {"id": RELATED["id"], "digestMultibase": RELATED["wrongDigestMultibase"]}
    assert conformance.issue(credential(relatedResource=[right])).status_code == 201
    for service in (conformance, w3c):
        refused = service.issue(credential(relatedResource=[wrong]))
        assert refused.status_code == 400, refused.text
        assert refused.json()["detail"].startswith("integrity:")
    assert w3c.issue(credential(relatedResource=[right])).status_code == 400
