"""Data Integrity proofs against the W3C vectors, the attacks we defend against, and round trips.

Each vector directory (one holding a `proofConfig*.json`) is its own case; each signed file too.
The examples and citizenship contexts the vectors need are pinned for the tests only
(tests/vectors/w3c/contexts), never shipped: the examples context's @vocab would absorb any term.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import base58
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyld import jsonld

from vc_engine import keys
from vc_engine.formats.vc_di.canonical import JsonLdCanonicalizer, ProtectedTermError
from vc_engine.formats.vc_di.contexts import ContextLoader, PinnedContext, default_loader
from vc_engine.formats.vc_di.cryptosuites import SUITES
from vc_engine.formats.vc_di.jcs import LimitExceededError, MalformedJsonLdError, jcs
from vc_engine.formats.vc_di.proofs import (
    ProofOutcome,
    add_proof,
    verify_proof,
    verify_proof_set,
)
from vc_engine.model import CheckStatus, SubIndication

from paths import VECTORS

W3C = VECTORS / "w3c"
CONTEXTS = default_loader().including(W3C / "contexts")
CANONICALIZER = JsonLdCanonicalizer(CONTEXTS)
VC_V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
CREATED = datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC)

VECTOR_DIRS = sorted(p.parent for p in W3C.rglob("proofConfig*.json") if "set-chain" not in str(p))
PRODUCED_DIRS = [  # Ed25519Signature2020 is verified, never produced
    d
    for d in VECTOR_DIRS
    if "cryptosuite" in json.loads(next(d.glob("signed*.json")).read_text())["proof"]
]
SIGNED_SINGLE = sorted(
    p for p in W3C.rglob("signed*.json") if not isinstance(json.loads(p.read_text())["proof"], list)
)
SIGNED_SETS = sorted(
    p for p in W3C.rglob("signed*.json") if isinstance(json.loads(p.read_text())["proof"], list)
)


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(W3C)) for p in paths]


def _no_key(_: str) -> keys.PublicKey | None:
    return None


def _load(path: Path) -> Any:
    return json.loads(path.read_text())


def _one(directory: Path, pattern: str) -> Path:
    (match,) = directory.glob(pattern)
    return match


def _key_pair(directory: Path) -> dict[str, str]:
    for folder in (directory, directory.parent):
        found = sorted(folder.glob("*eyPair.json"))
        if found:
            return dict(_load(found[0]))
    raise AssertionError(f"no key pair for {directory}")


def _published_key(signed: Path) -> keys.PublicKey:
    """The vector's published public key that the signed file's proof names."""
    method = _load(signed)["proof"]["verificationMethod"]
    pairs = [_load(p) for p in signed.parent.glob("*eyPairs.json")]
    candidates = [_key_pair(signed.parent)] if not pairs else list(pairs[0].values())
    (multikey,) = [p["publicKeyMultibase"] for p in candidates if p["publicKeyMultibase"] in method]
    return keys.multikey_decode(multikey)


def _secret(pair: dict[str, str]) -> str:
    return pair.get("privateKeyMultibase") or pair["secretKeyMultibase"]


def _input_document(directory: Path) -> Any:
    name = (
        "employmentAuth.json" if (directory / "employmentAuth.json").exists() else "unsigned.json"
    )
    return _load(directory / name)


def _hash_name(directory: Path) -> str:
    return "sha384" if "p384" in directory.parts[-1] + str(directory) else "sha256"


def _transform(directory: Path) -> str:
    return "jcs" if "jcs" in str(directory) else "rdfc"


def _canonical(document: Any, directory: Path) -> str:
    if _transform(directory) == "jcs":
        return jcs(document).decode()
    return CANONICALIZER.nquads(document, hash_name=_hash_name(directory))


# --- the vectors ---------------------------------------------------------------------------


@pytest.mark.parametrize("directory", VECTOR_DIRS, ids=_ids(VECTOR_DIRS))
def test_vector_intermediates_are_reproduced(directory: Path) -> None:
    hash_name = _hash_name(directory)
    canonical_document = _canonical(_input_document(directory), directory)
    canonical_proof = _canonical(_load(_one(directory, "proofConfig*.json")), directory)
    assert canonical_document == _one(directory, "canonDoc*.txt").read_text()
    assert canonical_proof == _one(directory, "proofCanon*.txt").read_text()
    document_hash = hashlib.new(hash_name, canonical_document.encode()).hexdigest()
    proof_hash = hashlib.new(hash_name, canonical_proof.encode()).hexdigest()
    assert document_hash == _one(directory, "docHash*.txt").read_text().strip()
    assert proof_hash == _one(directory, "proofHash*.txt").read_text().strip()
    assert proof_hash + document_hash == _one(directory, "combinedHash*.txt").read_text().strip()


@pytest.mark.parametrize("directory", VECTOR_DIRS, ids=_ids(VECTOR_DIRS))
def test_vector_signature_is_reproduced(directory: Path) -> None:
    pair = _key_pair(directory)
    public_key = keys.multikey_decode(pair["publicKeyMultibase"])
    private_key = keys.private_multikey_decode(_secret(pair))
    assert keys.key_id(private_key.public_key()) == keys.key_id(public_key)
    combined = bytes.fromhex(_one(directory, "combinedHash*.txt").read_text().strip())
    signature = bytes.fromhex(_one(directory, "sigHex*.txt").read_text().strip())
    scheme = keys.default_scheme(keys.algorithm_of(public_key))
    assert _one(directory, "sigBTC58*.txt").read_text().strip() == (
        "z" + base58.b58encode(signature).decode()
    )
    if scheme is keys.SignatureScheme.EDDSA:  # deterministic: byte for byte
        assert keys.FileSigner(private_key).sign(combined, scheme) == signature
    assert keys.verify_signature(public_key, signature, combined, scheme)


@pytest.mark.parametrize("directory", PRODUCED_DIRS, ids=_ids(PRODUCED_DIRS))
def test_add_proof_reproduces_the_vector(directory: Path) -> None:
    signed = _load(_one(directory, "signed*.json"))
    proof = signed["proof"]
    signer = keys.FileSigner(keys.private_multikey_decode(_secret(_key_pair(directory))))
    ours = add_proof(
        _input_document(directory),
        cryptosuite=proof["cryptosuite"],
        signer=signer,
        verification_method=proof["verificationMethod"],
        created=datetime.fromisoformat(proof["created"]),
        contexts=CONTEXTS,
    )
    if signer.algorithm is keys.KeyAlgorithm.ED25519:
        assert ours == signed
    assert verify_proof(ours, resolve=_no_key, contexts=CONTEXTS).facts is not None


@pytest.mark.parametrize("path", SIGNED_SINGLE, ids=_ids(SIGNED_SINGLE))
def test_signed_vector_verifies(path: Path) -> None:
    outcome = verify_proof(_load(path), resolve=_no_key, contexts=CONTEXTS)
    assert [c.status for c in outcome.checks] == [CheckStatus.PASSED] * 2
    assert outcome.facts is not None
    assert outcome.created == CREATED
    assert outcome.facts.key_id == keys.key_id(_published_key(path))
    assert outcome.unsecured == {k: v for k, v in _load(path).items() if k != "proof"}


@pytest.mark.parametrize("path", SIGNED_SINGLE, ids=_ids(SIGNED_SINGLE))
def test_tampered_vector_fails(path: Path) -> None:
    document = _load(path)
    document["validFrom"] = "2023-01-02T00:00:00Z"
    outcome = verify_proof(document, resolve=_no_key, contexts=CONTEXTS)
    assert outcome.checks[-1].code is SubIndication.SIG_CRYPTO_FAILURE
    assert outcome.unsecured is None and outcome.facts is None


@pytest.mark.parametrize("path", SIGNED_SETS, ids=_ids(SIGNED_SETS))
def test_proof_set_or_chain_verifies(path: Path) -> None:
    outcomes = verify_proof_set(_load(path), resolve=_no_key, contexts=CONTEXTS)
    assert len(outcomes) == len(_load(path)["proof"])
    assert all(o.facts is not None for o in outcomes)


@pytest.mark.parametrize("path", SIGNED_SETS, ids=_ids(SIGNED_SETS))
def test_proof_set_is_refused_where_one_proof_is_expected(path: Path) -> None:
    outcome = verify_proof(_load(path), resolve=_no_key, contexts=CONTEXTS)
    assert outcome.checks[-1].code is SubIndication.FORMAT_FAILURE


def test_chain_fails_when_a_referenced_proof_is_altered() -> None:
    document = _load(W3C / "eddsa-rdfc-2022-proof-set-chain" / "signedProofChain2.json")
    document["proof"][2]["created"] = "2023-02-26T22:06:39Z"  # the 4th proof references the 3rd
    outcomes = verify_proof_set(document, resolve=_no_key, contexts=CONTEXTS)
    assert [o.facts is not None for o in outcomes] == [True, True, False, False]


def test_chain_fails_when_a_referenced_proof_is_removed() -> None:
    document = _load(W3C / "eddsa-rdfc-2022-proof-set-chain" / "signedProofChain1.json")
    del document["proof"][1]
    outcomes = verify_proof_set(document, resolve=_no_key, contexts=CONTEXTS)
    assert outcomes[-1].checks[-1].code is SubIndication.FORMAT_FAILURE


# --- bad inputs, each with its exact code ---------------------------------------------------


def _vector() -> dict[str, Any]:
    return dict(_load(W3C / "eddsa-rdfc-2022" / "signedDataInt.json"))


def _code(document: Any, resolve: Any = _no_key, contexts: ContextLoader = CONTEXTS) -> Any:
    outcome = verify_proof(document, resolve=resolve, contexts=contexts)
    assert outcome.unsecured is None and outcome.facts is None
    failed = [c for c in outcome.checks if c.status is CheckStatus.FAILED]
    assert len(failed) == 1
    return failed[0].code


def test_missing_proof_is_a_format_failure() -> None:
    document = _vector()
    del document["proof"]
    assert _code(document) is SubIndication.FORMAT_FAILURE


def test_unknown_cryptosuite_is_a_constraints_failure() -> None:
    document = _vector()
    document["proof"]["cryptosuite"] = "eddsa-rdfc-2099"
    assert _code(document) is SubIndication.CRYPTO_CONSTRAINTS_FAILURE


def test_unknown_proof_type_is_a_constraints_failure() -> None:
    document = _vector()
    document["proof"]["type"] = "RsaSignature2018"
    assert _code(document) is SubIndication.CRYPTO_CONSTRAINTS_FAILURE


@pytest.mark.parametrize(
    "proof_value",
    [
        "u" + "A" * 86,  # multibase base64url, not base58btc
        "z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4",  # truncated
        "z" + base58.b58encode(bytes(65)).decode(),  # wrong length
        "z0OIl",  # not in the base58 alphabet
        42,
    ],
    ids=["not-base58btc", "truncated", "wrong-length", "bad-alphabet", "not-a-string"],
)
def test_bad_proof_value_is_a_format_failure(proof_value: object) -> None:
    document = _vector()
    document["proof"]["proofValue"] = proof_value
    assert _code(document) is SubIndication.FORMAT_FAILURE


def test_other_proof_purpose_is_a_format_failure() -> None:
    document = _vector()
    document["proof"]["proofPurpose"] = "authentication"
    assert _code(document) is SubIndication.FORMAT_FAILURE


def test_key_of_the_wrong_type_is_a_constraints_failure() -> None:
    p256 = keys.generate_private_key(keys.KeyAlgorithm.P256).public_key()
    document = _vector()
    document["proof"]["verificationMethod"] = "did:web:issuer.example#key-1"
    assert _code(document, resolve=lambda _: p256) is SubIndication.CRYPTO_CONSTRAINTS_FAILURE


def test_unknown_verification_method_is_no_chain_found() -> None:
    document = _vector()
    document["proof"]["verificationMethod"] = "did:web:issuer.example#key-1"
    assert _code(document) is SubIndication.NO_CERTIFICATE_CHAIN_FOUND


def test_did_key_with_a_different_fragment_is_no_chain_found() -> None:
    document = _vector()
    other = keys.multikey_encode(keys.generate_private_key(keys.KeyAlgorithm.ED25519).public_key())
    method = document["proof"]["verificationMethod"]
    document["proof"]["verificationMethod"] = method.split("#")[0] + "#" + other
    assert _code(document) is SubIndication.NO_CERTIFICATE_CHAIN_FOUND


def test_resolver_key_is_used_for_other_methods() -> None:
    document = _vector()
    method = document["proof"]["verificationMethod"]
    key = keys.did_key_public_key(method)
    document["proof"]["verificationMethod"] = "did:web:issuer.example#key-1"
    outcome = verify_proof(document, resolve=lambda m: key, contexts=CONTEXTS)
    # Same key, but the verification method is part of what was signed.
    assert outcome.checks[-1].code is SubIndication.SIG_CRYPTO_FAILURE


def test_naive_created_is_a_format_failure() -> None:
    document = _vector()
    document["proof"]["created"] = "2023-02-24T23:36:38"
    assert _code(document) is SubIndication.FORMAT_FAILURE


def test_unknown_context_fails_naming_the_url() -> None:
    document = _vector()
    document["@context"] = [VC_V2, "https://evil.example/context"]
    outcome = verify_proof(document, resolve=_no_key, contexts=CONTEXTS)
    assert outcome.checks[-1].code is SubIndication.FORMAT_FAILURE
    assert "https://evil.example/context" in outcome.checks[-1].message


def test_context_file_with_a_wrong_digest_fails_naming_the_url() -> None:
    pinned = dict(CONTEXTS.pinned)
    entry = pinned[EXAMPLES_V2]
    pinned[EXAMPLES_V2] = PinnedContext(entry.url, entry.path, "0" * 64)
    outcome = verify_proof(_vector(), resolve=_no_key, contexts=ContextLoader(pinned))
    assert outcome.checks[-1].code is SubIndication.FORMAT_FAILURE
    assert EXAMPLES_V2 in outcome.checks[-1].message


def test_inline_context_fails_naming_its_place() -> None:
    document = _vector()
    document["@context"] = [VC_V2, {"alumniOf": "https://evil.example/alumniOf"}]
    outcome = verify_proof(document, resolve=_no_key, contexts=CONTEXTS)
    assert outcome.checks[-1].code is SubIndication.FORMAT_FAILURE
    assert "@context[1]" in outcome.checks[-1].message


def test_nested_inline_context_is_refused() -> None:
    document = _vector()
    document["credentialSubject"]["@context"] = {"alumniOf": "https://evil.example/alumniOf"}
    outcome = verify_proof(document, resolve=_no_key, contexts=CONTEXTS)
    assert outcome.checks[-1].code is SubIndication.FORMAT_FAILURE
    assert "/credentialSubject/@context" in outcome.checks[-1].message


def test_protected_term_redefinition_is_a_format_failure(tmp_path: Path) -> None:
    """A pinned context that redefines VC v2's protected `name` (pinning is no licence to
    change what a protected term means)."""
    url = "https://evil.example/redefine"
    loader = _loader_with(tmp_path, url, {"@context": {"name": "https://evil.example/name"}})
    signed = add_proof(
        {
            "@context": [VC_V2],
            "type": ["VerifiableCredential"],
            "issuer": "did:example:issuer",
            "name": "A credential",
            "credentialSubject": {"id": "did:example:subject"},
        },
        cryptosuite="eddsa-rdfc-2022",
        signer=ED25519_SIGNER,
        verification_method=keys.did_key(ED25519_SIGNER.public_key),
        created=CREATED,
    )
    signed["@context"] = [VC_V2, url]
    outcome = verify_proof(signed, resolve=_no_key, contexts=loader)
    assert outcome.checks[-1].code is SubIndication.FORMAT_FAILURE
    assert "redefine a protected term" in outcome.checks[-1].message
    with pytest.raises(ProtectedTermError):
        JsonLdCanonicalizer(loader).nquads({k: v for k, v in signed.items() if k != "proof"})


def test_undefined_term_is_a_format_failure() -> None:
    unsecured = {
        "@context": [VC_V2],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:subject", "undefinedTerm": "dropped?"},
    }
    with pytest.raises(MalformedJsonLdError):
        add_proof(
            unsecured,
            cryptosuite="eddsa-rdfc-2022",
            signer=ED25519_SIGNER,
            verification_method=keys.did_key(ED25519_SIGNER.public_key),
            created=CREATED,
        )


def test_undefined_type_is_a_format_failure() -> None:
    document = _vector()
    document["type"] = ["VerifiableCredential", "NoSuchType"]
    outcome = verify_proof({**document, "@context": [VC_V2]}, resolve=_no_key, contexts=CONTEXTS)
    assert outcome.checks[-1].code is SubIndication.FORMAT_FAILURE


def test_json_nested_ten_thousand_deep_fails_cleanly() -> None:
    document = _vector()
    deep: dict[str, Any] = {}
    cursor = deep
    for _ in range(10_000):
        cursor["alumniOf"] = {}
        cursor = cursor["alumniOf"]
    document["credentialSubject"] = deep
    assert _code(document) is SubIndication.FORMAT_FAILURE


def test_dataset_poisoning_fails_quickly() -> None:
    """A ring of blank nodes that all look alike forces RDFC-1.0's N-degree hashing to explore
    permutations without end; the work budget stops it."""
    ring = [{"id": f"_:n{i}", "knows": {"id": f"_:n{(i + 1) % 40}"}} for i in range(40)]
    ring += [{"id": f"_:m{i}", "knows": {"id": f"_:m{(i + 1) % 40}"}} for i in range(40)]
    document = _vector()
    document["credentialSubject"] = {"id": "did:example:abcdefgh", "knows": ring}
    result: list[ProofOutcome] = []
    worker = threading.Thread(
        target=lambda: result.append(verify_proof(document, resolve=_no_key, contexts=CONTEXTS)),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "canonicalization hung on a poisoned dataset"
    assert result[0].checks[-1].code is SubIndication.FORMAT_FAILURE
    assert "poisoning" in result[0].checks[-1].message
    with pytest.raises(LimitExceededError):
        CANONICALIZER.nquads({k: v for k, v in document.items() if k != "proof"})


@pytest.mark.parametrize(
    "secured",
    [[], "text", {"proof": "z"}, {"proof": {"type": 7}}, {"proof": [1, 2]}, {"proof": None}],
    ids=["list", "string", "proof-string", "type-number", "proof-numbers", "proof-null"],
)
def test_malformed_input_never_raises(secured: Any) -> None:
    outcome = verify_proof(secured, resolve=_no_key, contexts=CONTEXTS)
    assert outcome.checks[-1].status is CheckStatus.FAILED


# --- round trips ---------------------------------------------------------------------------

ED25519_SIGNER = keys.FileSigner(keys.generate_private_key(keys.KeyAlgorithm.ED25519))
SIGNERS = {
    algorithm: keys.FileSigner(keys.generate_private_key(algorithm))
    for algorithm in (keys.KeyAlgorithm.ED25519, keys.KeyAlgorithm.P256, keys.KeyAlgorithm.P384)
}
SUITE_KEYS = [
    (suite.name, algorithm)
    for suite in SUITES.values()
    for algorithm in sorted(suite.key_algorithms)
]

_terms = st.from_regex(r"[a-z][a-zA-Z]{0,8}", fullmatch=True).filter(
    lambda t: t not in {"id", "type"}
)
_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
_values = st.recursive(
    _text | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1),
    lambda inner: (
        st.dictionaries(_terms, inner, min_size=1, max_size=4)
        | st.lists(inner, min_size=1, max_size=3)
    ),
    max_leaves=12,
)
_subjects = st.dictionaries(_terms, _values, min_size=1, max_size=6)


def _credential(subject: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": [VC_V2, EXAMPLES_V2],
        "type": ["VerifiableCredential", "ExampleAlumniCredential"],
        "issuer": "did:example:issuer",
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject", **subject},
    }


@pytest.mark.parametrize("suite,algorithm", SUITE_KEYS, ids=[f"{s}-{a}" for s, a in SUITE_KEYS])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject=_subjects)
def test_sign_then_verify_round_trips(
    suite: str, algorithm: keys.KeyAlgorithm, subject: dict[str, Any]
) -> None:
    signer = SIGNERS[algorithm]
    signed = add_proof(
        _credential(subject),
        cryptosuite=suite,
        signer=signer,
        verification_method=keys.did_key(signer.public_key),
        created=CREATED,
        contexts=CONTEXTS,
    )
    outcome = verify_proof(signed, resolve=_no_key, contexts=CONTEXTS)
    assert outcome.facts is not None, outcome.checks
    assert outcome.unsecured == _credential(subject)
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["id"] = "did:example:someone-else"
    assert verify_proof(tampered, resolve=_no_key, contexts=CONTEXTS).facts is None


@settings(max_examples=60, deadline=None)
@given(subject=_subjects)
def test_rdfc_matches_pyld_byte_for_byte(subject: dict[str, Any]) -> None:
    document = _credential(subject)
    expected = jsonld.normalize(
        copy.deepcopy(document),
        {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": CONTEXTS},
    )
    assert CANONICALIZER.nquads(document) == expected


@settings(max_examples=60, deadline=None)
@given(document=st.dictionaries(st.text(max_size=8), _values, max_size=5), proof=_values)
def test_verify_never_raises(document: dict[str, Any], proof: Any) -> None:
    document["@context"] = [VC_V2, EXAMPLES_V2]
    document["proof"] = proof
    outcome = verify_proof(document, resolve=_no_key, contexts=CONTEXTS)
    assert outcome.checks[-1].status is CheckStatus.FAILED


def _loader_with(directory: Path, url: str, document: dict[str, Any]) -> ContextLoader:
    """CONTEXTS plus one more pinned context, listed in its own index.json."""
    data = json.dumps(document).encode()
    (directory / "extra.jsonld").write_bytes(data)
    index = {url: {"file": "extra.jsonld", "sha256": hashlib.sha256(data).hexdigest()}}
    (directory / "index.json").write_text(json.dumps(index))
    return CONTEXTS.including(directory)
