"""W3C credentials that are not our documents, through the pipeline: the W3C Data Integrity
vectors (single proofs, proof sets, proof chains, JCS and RDFC) under each policy, trust models,
operator-pinned contexts, and 1.1 credentials."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from vc_engine import keys
from vc_engine.formats.vc_di.proofs import add_proof
from vc_engine.formats.w3c import open_data_integrity, policy_loader
from vc_engine.model import CheckStatus, Indication, SubIndication
from vc_engine.policy_files import load_policy
from vc_engine.trust.source import TrustSnapshot
from vc_engine.verify import verify

from factory import NOW
from paths import VECTORS

W3C = VECTORS / "w3c"
SIGNED = sorted(p for p in W3C.glob("*/signed*.json") if p.parent.name != "ecdsa-sd-2023")
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
EMPTY = TrustSnapshot(issuers=(), keys=(), authorisations=(), issuance=lambda _: None)
CONFORMANCE = load_policy("conformance").at(NOW)
DEFAULT = load_policy("default").at(NOW)


def load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def proofs(document: dict[str, Any]) -> list[Any]:
    proof = document["proof"]
    return proof if isinstance(proof, list) else [proof]


@pytest.mark.parametrize("path", SIGNED, ids=[f"{p.parent.name}/{p.name}" for p in SIGNED])
def test_w3c_vector_opens_under_the_conformance_contexts(path: Path) -> None:
    document = load(path)
    opened = open_data_integrity(document, CONFORMANCE, lambda _: None)
    assert all(c.status is CheckStatus.PASSED for c in opened.checks), opened.checks
    assert len(opened.signatures) == len(proofs(document))


@pytest.mark.parametrize("path", SIGNED, ids=[f"{p.parent.name}/{p.name}" for p in SIGNED])
def test_w3c_vector_tampered_fails_its_signature(path: Path) -> None:
    document = load(path)
    document["credentialSubject"] = {**document["credentialSubject"], "tampered": "yes"}
    opened = open_data_integrity(document, CONFORMANCE, lambda _: None)
    failed = [c for c in opened.checks if c.status is CheckStatus.FAILED]
    assert failed and failed[0].code in (
        SubIndication.SIG_CRYPTO_FAILURE,
        SubIndication.FORMAT_FAILURE,  # an undefined term: safe mode refuses before the proof
    )


@pytest.mark.parametrize("path", SIGNED, ids=[f"{p.parent.name}/{p.name}" for p in SIGNED])
def test_w3c_vector_through_the_pipeline(path: Path) -> None:
    data = path.read_bytes()
    # The default policy does not know the examples context: refused, as before policies.
    refused = verify(data, EMPTY, DEFAULT)
    assert (refused.indication, refused.sub_indication) == (
        Indication.FAILED,
        SubIndication.FORMAT_FAILURE,
    )
    # Conformance reads it; its issuer is an https URL nobody registered, which cannot be tied
    # to the did:key that signed without the network: it passes, saying only proofs were checked.
    report = verify(data, EMPTY, CONFORMANCE)
    assert report.indication is Indication.PASSED, report.checks
    assert any("not bound to the signing key" in w for w in report.warnings)
    assert report.policy is not None and report.policy.name == "conformance"


@pytest.mark.parametrize("path", SIGNED, ids=[f"{p.parent.name}/{p.name}" for p in SIGNED])
def test_w3c_vector_with_a_cut_proof_value_fails_under_conformance(path: Path) -> None:
    document = load(path)
    for proof in proofs(document):
        proof["proofValue"] = proof["proofValue"][:-1]
    report = verify(json.dumps(document).encode(), EMPTY, CONFORMANCE)
    assert report.indication is Indication.FAILED, report.checks


def test_a_proof_chain_without_the_proof_it_names_fails() -> None:
    document = load(W3C / "eddsa-rdfc-2022-proof-set-chain" / "signedProofChain1.json")
    chained = [p for p in document["proof"] if "previousProof" in p]
    assert chained
    document["proof"] = chained
    opened = open_data_integrity(document, CONFORMANCE, lambda _: None)
    assert opened.credential is None
    assert any("previousProof" in c.message for c in opened.checks)


def test_an_operator_pinned_context_is_read_under_the_default_policy() -> None:
    document = load(W3C / "eddsa-rdfc-2022" / "signedDataInt.json")
    assert open_data_integrity(document, DEFAULT, lambda _: None).credential is None
    pinned = (W3C / "contexts" / "credentials-examples-v2.jsonld").read_bytes()
    with_pin = load_policy("default").with_contexts(((EXAMPLES_V2, pinned),)).at(NOW)
    opened = open_data_integrity(document, with_pin, lambda _: None)
    assert opened.credential is not None, opened.checks
    tampered_pin = pinned.replace(b"https://www.w3.org/ns/credentials/examples#", b"urn:x:", 1)
    assert tampered_pin != pinned
    other = load_policy("default").with_contexts(((EXAMPLES_V2, tampered_pin),)).at(NOW)
    assert open_data_integrity(document, other, lambda _: None).credential is None


def _did_key_credential(version: str, **extra: Any) -> dict[str, Any]:
    signer = keys.generate_private_key(keys.KeyAlgorithm.ED25519)
    method = keys.did_key(signer.public_key())
    if version == "2.0":
        base: dict[str, Any] = {"@context": ["https://www.w3.org/ns/credentials/v2"]}
    else:
        base = {
            "@context": [
                "https://www.w3.org/2018/credentials/v1",
                "https://w3id.org/security/data-integrity/v2",
            ],
            "issuanceDate": "2026-01-01T00:00:00Z",
        }
    credential = {
        **base,
        "type": ["VerifiableCredential"],
        "issuer": method.partition("#")[0],
        "credentialSubject": {"id": "did:example:subject"},
        **extra,
    }
    return add_proof(
        credential,
        cryptosuite="eddsa-rdfc-2022",
        signer=keys.FileSigner(signer),
        verification_method=method,
        created=NOW,
        contexts=policy_loader(CONFORMANCE),
    )


@pytest.mark.parametrize("version", ["2.0", "1.1"])
def test_open_trust_passes_a_did_key_credential_and_says_it_is_unregistered(version: str) -> None:
    data = json.dumps(_did_key_credential(version)).encode()
    assert verify(data, EMPTY, DEFAULT).sub_indication is SubIndication.NOT_TRUSTED
    report = verify(data, EMPTY, CONFORMANCE)
    assert report.indication is Indication.PASSED, report.checks
    assert any("unregistered" in w for w in report.warnings)
    assert report.credential is not None


def test_a_did_key_issuer_must_have_made_the_proof() -> None:
    secured = _did_key_credential("2.0")
    someone = keys.did_key(keys.generate_private_key(keys.KeyAlgorithm.ED25519).public_key())
    unsecured = {k: v for k, v in secured.items() if k != "proof"}
    unsecured["issuer"] = someone.partition("#")[0]
    impostor = copy.deepcopy(secured)
    impostor["issuer"] = unsecured["issuer"]
    report = verify(json.dumps(impostor).encode(), EMPTY, CONFORMANCE)
    assert report.indication is Indication.FAILED


def test_an_expired_w3c_credential_is_expired() -> None:
    data = json.dumps(_did_key_credential("2.0", validUntil="2026-01-01T00:00:00Z")).encode()
    report = verify(data, EMPTY, CONFORMANCE)
    assert (report.indication, report.sub_indication) == (
        Indication.FAILED,
        SubIndication.EXPIRED,
    )


def test_a_foreign_status_entry_cannot_be_checked_offline() -> None:
    status = {"id": "https://example.org/s#1", "type": "ExampleStatus"}
    data = json.dumps(
        _did_key_credential(
            "2.0",
            **{"@context": ["https://www.w3.org/ns/credentials/v2", EXAMPLES_V2]},
            credentialStatus=status,
        )
    ).encode()
    report = verify(data, EMPTY, CONFORMANCE)
    assert report.indication is Indication.INDETERMINATE
    assert report.checks[-2].name == "status-unchecked"


PREVIOUS_PROOF = sorted((W3C / "previous-proof").glob("*.json"))


@pytest.mark.parametrize("path", PREVIOUS_PROOF, ids=[p.name for p in PREVIOUS_PROOF])
def test_proof_chains_with_a_witness_proof_under_open_trust(path: Path) -> None:
    report = verify(path.read_bytes(), EMPTY, CONFORMANCE)
    if "Ok-" in path.name:
        assert report.indication is Indication.PASSED, report.checks
        assert any("other than the issuer's" in w for w in report.warnings)
    else:
        assert (report.indication, report.sub_indication) == (
            Indication.FAILED,
            SubIndication.FORMAT_FAILURE,
        )


def test_a_did_key_issuer_that_made_none_of_the_proofs_is_not_trusted() -> None:
    document = load(W3C / "previous-proof" / "2.0-previousProofStringOk-SimpleSigned2.json")
    document["proof"] = [p for p in proofs(document) if "previousProof" not in p]
    assert len(document["proof"]) == 1  # only the witness's proof, which still verifies
    report = verify(json.dumps(document).encode(), EMPTY, CONFORMANCE)
    assert (report.indication, report.sub_indication) == (
        Indication.FAILED,
        SubIndication.NOT_TRUSTED,
    )


@pytest.mark.parametrize("proof", ["absent", None, [], "string", 10, True])
def test_an_unbound_issuer_without_a_proof_fails_under_open_trust(proof: object) -> None:
    document = load(W3C / "ecdsa-rdfc-2019-p256" / "signedECDSAP256.json")
    if proof == "absent":
        del document["proof"]
    else:
        document["proof"] = proof
    report = verify(json.dumps(document).encode(), EMPTY, CONFORMANCE)
    assert report.indication is Indication.FAILED, report.checks
