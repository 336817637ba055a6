"""W3C Data Integrity proofs: add one to a JSON-LD document, and verify one.

What `verify_proof` establishes: the document minus `proof` and the proof options (all but
`proofValue`) are exactly what the key named by `verificationMethod` signed, under a suite we
accept, with proof purpose `assertionMethod`. What it leaves to the caller: whether that key may
speak for the issuer (the registry), and whether `created` is plausible (returned, not judged).
The key comes from did:key itself (the key is the identifier) or from the caller's `resolve`;
nothing is fetched.

It never raises for a bad document: every refusal is a failed `Check` with its sub-indication.
A document carries exactly one proof here; `verify_proof_set` handles proof sets and chains.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from vc_engine.formats import Rejected, Resolver
from vc_engine.formats.vc_di.contexts import ContextError, ContextLoader, default_loader
from vc_engine.formats.vc_di.cryptosuites import (
    DATA_INTEGRITY_PROOF,
    LEGACY_SUITES,
    SUITES,
    Cryptosuite,
)
from vc_engine.formats.vc_di.jcs import CanonicalizationError, ContextRefusedError
from vc_engine.i18n import report as said
from vc_engine.keys import (
    KeyAlgorithm,
    KeyMaterialError,
    PublicKey,
    Signer,
    algorithm_of,
    base58btc,
    did_key_public_key,
    key_id,
    verify_signature,
)
from vc_engine.model import Check, InstantError, SignatureFacts, SubIndication, parse_instant
from vc_engine.policy import DEFAULT_LIMITS, Algorithms, Limits

if TYPE_CHECKING:
    from vc_engine.formats.vc_di.canonical import JsonLdCanonicalizer

ACCEPTED = Algorithms()

ASSERTION_METHOD = "assertionMethod"
MAX_SIGNATURE_BYTES = 96
"""The longest signature of any suite we verify: ECDSA P-384's r||s."""


@dataclass(frozen=True)
class ProofOutcome:
    """The proof stage's answer. `unsecured` (the document without `proof`) and `facts` are set
    only when the proof verified; `created` is the proof's creation time when it could be read."""

    checks: tuple[Check, ...]
    unsecured: dict[str, Any] | None
    facts: SignatureFacts | None
    created: datetime | None


@lru_cache(maxsize=16)
def canonicalizer(loader: ContextLoader, limits: Limits = DEFAULT_LIMITS) -> JsonLdCanonicalizer:
    """One per loader and limits: it keeps the processed contexts, most of the cost.

    The JSON-LD processor is imported here, when an RDFC proof first needs it: JCS proofs
    never do (see `_hash_data`)."""
    from vc_engine.formats.vc_di.canonical import JsonLdCanonicalizer

    return JsonLdCanonicalizer(loader, limits)


def _hash_data(
    suite: Cryptosuite,
    unsecured: Mapping[str, Any],
    config: Mapping[str, Any],
    algorithm: KeyAlgorithm,
    loader: ContextLoader,
    limits: Limits,
) -> bytes:
    if suite.transform == "jcs":
        return suite.jcs_hash_data(unsecured, config, algorithm, limits.max_json_depth)
    return suite.hash_data(unsecured, config, algorithm, canonicalizer(loader, limits))


def add_proof(
    unsecured: Mapping[str, Any],
    *,
    cryptosuite: str,
    signer: Signer,
    verification_method: str,
    created: datetime,
    proof_purpose: str = ASSERTION_METHOD,
    contexts: ContextLoader | None = None,
) -> dict[str, Any]:
    """A copy of `unsecured` with a DataIntegrityProof made by `signer`.

    Raises `ValueError` for misuse (a document that already has a proof, an unknown suite, a
    naive time), `KeyMaterialError` for a key the suite cannot use, and `CanonicalizationError`
    for a document that is not strict JSON-LD over pinned contexts.
    """
    suite = SUITES.get(cryptosuite)
    if suite is None:
        raise ValueError(f"unknown cryptosuite {cryptosuite!r}; we sign with {sorted(SUITES)}")
    if "proof" in unsecured:
        raise ValueError("the document already carries a proof")
    if created.tzinfo is None:
        raise ValueError("created must be timezone-aware")
    algorithm = signer.algorithm
    if algorithm not in suite.key_algorithms:
        raise KeyMaterialError(f"{cryptosuite} cannot sign with a {algorithm} key")
    loader = contexts or default_loader()
    try:
        loader.context_urls(unsecured)
    except ContextError as exc:
        raise ContextRefusedError(exc) from None
    proof: dict[str, Any] = {
        "type": DATA_INTEGRITY_PROOF,
        "cryptosuite": cryptosuite,
        "created": created.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    if suite.transform == "jcs" and "@context" in unsecured:
        proof["@context"] = copy.deepcopy(unsecured["@context"])
    config = _proof_config(suite, unsecured, proof)
    hash_data = _hash_data(suite, unsecured, config, algorithm, loader, DEFAULT_LIMITS)
    signature = signer.sign(hash_data, suite.scheme(algorithm))
    proof["proofValue"] = "z" + base58btc.encode(signature)
    return {**copy.deepcopy(dict(unsecured)), "proof": proof}


def verify_proof(
    secured: Mapping[str, Any],
    *,
    resolve: Resolver,
    contexts: ContextLoader | None = None,
    algorithms: Algorithms = ACCEPTED,
    limits: Limits = DEFAULT_LIMITS,
) -> ProofOutcome:
    """Verify the one proof on `secured`; see the module docstring for what that means."""
    if not isinstance(secured, Mapping):
        return _refused(_format("a secured document must be a JSON object"), None)
    proof = secured.get("proof")
    if proof is None:
        return _refused(_format("the document carries no proof"), None)
    if isinstance(proof, list):
        return _refused(_format(f"the document carries {len(proof)} proofs; exactly one"), None)
    unsecured = {key: value for key, value in secured.items() if key != "proof"}
    return _verify_one(unsecured, proof, resolve, contexts or default_loader(), algorithms, limits)


def verify_proof_set(
    secured: Mapping[str, Any],
    *,
    resolve: Resolver,
    contexts: ContextLoader | None = None,
    algorithms: Algorithms = ACCEPTED,
    limits: Limits = DEFAULT_LIMITS,
    proof_purpose: str = ASSERTION_METHOD,
) -> tuple[ProofOutcome, ...]:
    """Verify each proof of a proof set or chain (VC Data Integrity 4.5), one outcome each,
    each for `proof_purpose` (`authentication` for a presentation's proofs).

    A proof naming `previousProof` (an id or a list of ids) is verified over the document whose
    `proof` is exactly the proofs it names, so removing one of those makes it fail; other proofs
    are verified over the document without `proof`.
    """
    if not isinstance(secured, Mapping) or "proof" not in secured:
        return (
            verify_proof(
                secured, resolve=resolve, contexts=contexts, algorithms=algorithms, limits=limits
            ),
        )
    proofs = secured["proof"]
    proofs = proofs if isinstance(proofs, list) else [proofs]
    loader = contexts or default_loader()
    unsecured = {key: value for key, value in secured.items() if key != "proof"}
    by_id = {p["id"]: p for p in proofs if isinstance(p, dict) and isinstance(p.get("id"), str)}
    outcomes = []
    for proof in proofs:
        previous = proof.get("previousProof") if isinstance(proof, dict) else None
        if previous is None:
            outcomes.append(
                _verify_one(unsecured, proof, resolve, loader, algorithms, limits, proof_purpose)
            )
            continue
        wanted = [previous] if isinstance(previous, str) else previous
        if not isinstance(wanted, list) or not all(
            isinstance(w, str) and w in by_id for w in wanted
        ):
            outcomes.append(_refused(_format("previousProof names a proof that is absent"), None))
            continue
        chained = {**unsecured, "proof": [by_id[w] for w in wanted]}
        outcome = _verify_one(chained, proof, resolve, loader, algorithms, limits, proof_purpose)
        if outcome.unsecured is not None:
            outcome = ProofOutcome(outcome.checks, unsecured, outcome.facts, outcome.created)
        outcomes.append(outcome)
    return tuple(outcomes)


def _format(message: str) -> Rejected:
    return Rejected(
        "proof-format", SubIndication.FORMAT_FAILURE, said.PROOF_FORMAT_REFUSED(detail=message)
    )


def _constraint(message: str) -> Rejected:
    detail = said.CONSTRAINTS_REFUSED(detail=message)
    return Rejected("crypto-constraints", SubIndication.CRYPTO_CONSTRAINTS_FAILURE, detail)


def _refused(rejected: Rejected, created: datetime | None) -> ProofOutcome:
    return ProofOutcome((rejected.check,), None, None, created)


def _verify_one(
    unsecured: dict[str, Any],
    proof: object,
    resolve: Resolver,
    loader: ContextLoader,
    algorithms: Algorithms,
    limits: Limits,
    proof_purpose: str = ASSERTION_METHOD,
) -> ProofOutcome:
    created: datetime | None = None
    checks: list[Check] = []
    try:
        # 1. The proof is one object of a type and suite we accept, for assertionMethod.
        if not isinstance(proof, dict):
            raise _format("proof must be a JSON object")
        suite = _suite_of(proof, algorithms)
        created = _created(proof)
        if proof.get("proofPurpose") != proof_purpose:
            raise _format(f"proofPurpose must be {proof_purpose!r}")
        method = proof.get("verificationMethod")
        if not isinstance(method, str):
            raise _format("verificationMethod must be a URL string")
        signature = _proof_value(proof)
        # 2. The document names only pinned contexts (before any JSON-LD processing).
        loader.context_urls(unsecured)
        # 3. The verification method names a key of a kind the suite uses.
        key = _resolve(method, resolve)
        algorithm = algorithm_of(key)
        if algorithm not in suite.key_algorithms:
            raise _constraint(f"{suite.name} does not use {algorithm} keys")
        if len(signature) != suite.signature_length(algorithm):
            raise _format(
                f"proofValue holds {len(signature)} bytes; a {algorithm} signature has "
                f"{suite.signature_length(algorithm)}"
            )
        scheme = suite.scheme(algorithm)
        if scheme.value not in algorithms.signatures:
            raise _constraint(f"{scheme.value} signatures are not accepted by this policy")
        constraints = said.CONSTRAINTS_DI(suite=suite.name, algorithm=algorithm)
        checks.append(Check.passed("crypto-constraints", constraints))
        # 4. The key signed the canonical proof configuration and document.
        options = {k: v for k, v in proof.items() if k != "proofValue"}
        config = _proof_config(suite, unsecured, options)
        hash_data = _hash_data(suite, unsecured, config, algorithm, loader, limits)
        if not verify_signature(key, signature, hash_data, scheme):
            raise Rejected(
                "signature",
                SubIndication.SIG_CRYPTO_FAILURE,
                said.SIGNATURE_PROOF_MISMATCH(),
            )
    except Rejected as rejected:
        return ProofOutcome((*checks, rejected.check), None, None, created)
    except (ContextError, CanonicalizationError) as exc:
        refused = said.CANONICALIZATION_REFUSED(detail=exc)
        check = Check.failed("canonicalization", SubIndication.FORMAT_FAILURE, refused)
        return ProofOutcome((*checks, check), None, None, created)
    except RecursionError:
        too_deep = said.CANONICALIZATION_TOO_DEEP()
        check = Check.failed("canonicalization", SubIndication.FORMAT_FAILURE, too_deep)
        return ProofOutcome((*checks, check), None, None, created)
    except UnicodeError:
        surrogate = said.CANONICALIZATION_SURROGATE()
        check = Check.failed("canonicalization", SubIndication.FORMAT_FAILURE, surrogate)
        return ProofOutcome((*checks, check), None, None, created)
    checks.append(
        Check.passed("signature", said.SIGNATURE_PROOF_VALID(suite=suite.name, method=method))
    )
    kid = _did_key_id(method) if method.startswith("did:key:") else key_id(key)
    facts = SignatureFacts(algorithm=scheme.value, key_id=kid)
    return ProofOutcome(tuple(checks), unsecured, facts, created)


def _suite_of(proof: Mapping[str, Any], algorithms: Algorithms) -> Cryptosuite:
    proof_type = proof.get("type")
    if proof_type == DATA_INTEGRITY_PROOF:
        name = proof.get("cryptosuite")
        suite = SUITES.get(name) if isinstance(name, str) else None
        if suite is None:
            raise _constraint(f"unknown cryptosuite {str(name)[:60]!r}")
    else:
        suite = LEGACY_SUITES.get(proof_type) if isinstance(proof_type, str) else None
        if suite is None:
            raise _constraint(f"unknown proof type {str(proof_type)[:60]!r}")
    if suite.name not in algorithms.cryptosuites:
        raise _constraint(f"{suite.name} proofs are not accepted by this policy")
    return suite


def _created(proof: Mapping[str, Any]) -> datetime | None:
    value = proof.get("created")
    if value is None:
        return None
    if not isinstance(value, str):
        raise _format("created must be an XML Schema dateTime string")
    try:
        return parse_instant(value, "created")
    except InstantError as exc:
        raise _format(str(exc)) from None


def _proof_value(proof: Mapping[str, Any]) -> bytes:
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise _format("proofValue must be a multibase base58btc ('z') string")
    try:
        return base58btc.decode(value[1:], max_bytes=MAX_SIGNATURE_BYTES)
    except ValueError as exc:
        raise _format(f"proofValue is not a signature of a suite we accept: {exc}") from None


def _resolve(method: str, resolve: Resolver) -> PublicKey:
    try:
        key = did_key_public_key(method) if method.startswith("did:key:") else resolve(method)
    except KeyMaterialError as exc:
        key, reason = None, str(exc)
    else:
        reason = "no key is known for it"
    if key is None:
        raise Rejected(
            "verification-method",
            SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
            said.METHOD_UNKNOWN(method=repr(method), reason=reason),
        )
    return key


@lru_cache(maxsize=1024)
def _did_key_id(method: str) -> str:
    """The key id of a did:key verification method `_resolve` accepted (the key, and so its
    id, is in the URL; issuers sign thousands of documents with one)."""
    return key_id(did_key_public_key(method))


def _proof_config(
    suite: Cryptosuite, unsecured: Mapping[str, Any], options: Mapping[str, Any]
) -> dict[str, Any]:
    """What is hashed for the proof. RDFC suites give it the document's @context. JCS suites
    hash the proof's own @context, which must then be the document's: the spec would let a
    shorter proof context cut the document's context, and with it the meaning of what is
    signed, so we accept only the two being equal."""
    if suite.transform == "rdfc":
        return {**options, "@context": unsecured.get("@context")}
    if options.get("@context") != unsecured.get("@context"):
        raise _format("the proof's @context must equal the document's @context")
    return dict(options)
