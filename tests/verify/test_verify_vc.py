"""Hostile JSON-LD credentials and vc+jwt through the whole pipeline, on both stores.

Each case asserts the exact indication and sub-indication; none may raise out of `verify`.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

import pytest

from vc_engine import keys
from vc_engine.formats import vc_di, vc_jwt
from vc_engine.formats.vc_di.proofs import add_proof
from vc_engine.formats.vc_json import to_credential
from vc_engine.issuance.issuer import Issuer
from vc_engine.model import Indication, SubIndication
from vc_engine.policy import INDIA, VerificationPolicy
from vc_engine.store import Registry
from vc_engine.trust.did import verification_method
from vc_engine.verify import verify

from factory import NOW, fixture_document

ISSUER = "in.gov.dl.transport"
OTHER = "in.gov.wb.kmc"
POLICY = VerificationPolicy(at=NOW)
ED25519 = keys.generate_private_key(keys.KeyAlgorithm.ED25519)
OTHER_KEY = keys.generate_private_key(keys.KeyAlgorithm.ED25519)
STRANGER = keys.generate_private_key(keys.KeyAlgorithm.ED25519)


@pytest.fixture
def trusted(registry: Registry) -> Registry:
    since = NOW - timedelta(days=30)
    for issuer_id, key in ((ISSUER, ED25519), (OTHER, OTHER_KEY)):
        registry.add_issuer(issuer_id, issuer_id, at=since)
        registry.authorise(issuer_id, "DRVLC", valid_from=since)
        registry.add_key(
            issuer_id,
            key.public_key(),
            certificate=None,
            valid_from=since,
            valid_until=None,
            at=since,
        )
    return registry


def licence():  # type: ignore[no-untyped-def]
    return fixture_document("DRVLC", ISSUER, "Transport Department, Delhi")


def issuer(key: keys.PrivateKey = ED25519) -> Issuer:
    return Issuer(ISSUER, "Transport Department, Delhi", keys.FileSigner(key), None, INDIA)


def credential(key: keys.PrivateKey = ED25519, suite: str = "eddsa-rdfc-2022") -> dict[str, Any]:
    signer = issuer(key)
    data = vc_di.issue(
        licence(),
        signer.signer,
        verification_method=signer.verification_method,
        civil_timezone=INDIA,
        cryptosuite=suite,
    )
    return json.loads(data)


def token(key: keys.PrivateKey = ED25519, **overrides: Any) -> bytes:
    signer = issuer(key)
    return vc_jwt.sign_credential(
        to_credential(licence(), INDIA),
        signer.signer,
        kid=overrides.pop("kid", signer.verification_method),
        issued_at=overrides.pop("issued_at", licence().issued_at),
        expires_at=overrides.pop("expires_at", None),
    )


def outcome(
    registry: Registry, data: bytes | dict[str, Any]
) -> tuple[Indication, SubIndication | None]:
    raw = data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode()
    report = verify(raw, registry, POLICY)
    return report.indication, report.sub_indication


FAILED = Indication.FAILED


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_genuine_credential_passes(trusted: Registry, suite: str) -> None:
    assert outcome(trusted, credential(suite=suite)) == (Indication.PASSED, None)


def test_genuine_jwt_passes(trusted: Registry) -> None:
    assert outcome(trusted, token()) == (Indication.PASSED, None)


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_tampered_claim(trusted: Registry, suite: str) -> None:
    changed = credential(suite=suite)
    changed["credentialSubject"]["certificateData"]["bloodGroup"] = "AB-"
    assert outcome(trusted, changed) == (FAILED, SubIndication.SIG_CRYPTO_FAILURE)


def test_proof_value_truncated(trusted: Registry) -> None:
    changed = credential()
    changed["proof"]["proofValue"] = changed["proof"]["proofValue"][:-10]
    assert outcome(trusted, changed) == (FAILED, SubIndication.FORMAT_FAILURE)


def test_proof_value_not_base58(trusted: Registry) -> None:
    changed = credential()
    changed["proof"]["proofValue"] = "z" + "0OIl" * 22
    assert outcome(trusted, changed) == (FAILED, SubIndication.FORMAT_FAILURE)


def test_proof_from_another_credential(trusted: Registry) -> None:
    donor = credential()
    changed = credential()
    changed["credentialSubject"]["name"] = "Someone Else"
    changed["proof"] = copy.deepcopy(donor["proof"])
    assert outcome(trusted, changed) == (FAILED, SubIndication.SIG_CRYPTO_FAILURE)


def test_wrong_cryptosuite_name(trusted: Registry) -> None:
    changed = credential()
    changed["proof"]["cryptosuite"] = "eddsa-2022"
    assert outcome(trusted, changed) == (FAILED, SubIndication.CRYPTO_CONSTRAINTS_FAILURE)


def test_proof_created_in_the_future(trusted: Registry) -> None:
    signer = issuer()
    future = add_proof(
        to_credential(licence(), INDIA),
        cryptosuite="eddsa-rdfc-2022",
        signer=signer.signer,
        verification_method=signer.verification_method,
        created=NOW + timedelta(days=2),
    )
    assert outcome(trusted, future) == (FAILED, SubIndication.NOT_YET_VALID)


def test_verification_method_of_another_issuer(trusted: Registry) -> None:
    """A key genuinely registered, but to another issuer, cannot sign for this one."""
    assert outcome(trusted, credential(OTHER_KEY)) == (FAILED, SubIndication.NOT_TRUSTED)


def test_key_not_in_the_registry(trusted: Registry) -> None:
    assert outcome(trusted, credential(STRANGER)) == (
        FAILED,
        SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
    )


def test_did_web_method_resolves_from_the_registry_only(trusted: Registry) -> None:
    kid = verification_method(ISSUER, keys.key_id(ED25519.public_key()))
    assert outcome(trusted, token(kid=kid)) == (Indication.PASSED, None)
    unknown = verification_method(ISSUER, "0" * 64)
    assert outcome(trusted, token(kid=unknown)) == (
        FAILED,
        SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
    )


def test_unknown_context(trusted: Registry) -> None:
    changed = credential()
    changed["@context"] = [*changed["@context"], "https://evil.example/context.jsonld"]
    assert outcome(trusted, changed) == (FAILED, SubIndication.FORMAT_FAILURE)


@pytest.mark.parametrize("term", ["id", "type"])
def test_context_redefining_a_protected_term(trusted: Registry, term: str) -> None:
    changed = credential()
    changed["@context"] = [*changed["@context"], {term: "https://evil.example/" + term}]
    assert outcome(trusted, changed) == (FAILED, SubIndication.FORMAT_FAILURE)


def test_json_nested_ten_thousand_deep(trusted: Registry) -> None:
    deep = b'{"a":' * 10_000 + b"1" + b"}" * 10_000
    assert outcome(trusted, deep) == (FAILED, SubIndication.FORMAT_FAILURE)


def test_duplicate_keys(trusted: Registry) -> None:
    data = json.dumps(credential(), ensure_ascii=False)
    duplicated = data.replace(
        '"documentType": "DRVLC"', '"documentType": "DRVLC", "documentType": "BTHCER"'
    )
    assert duplicated != data
    assert outcome(trusted, duplicated.encode()) == (FAILED, SubIndication.FORMAT_FAILURE)


def test_fifty_megabyte_body(trusted: Registry) -> None:
    body = b'{"padding": "' + b"x" * (50 * 1024 * 1024) + b'"}'
    assert outcome(trusted, body) == (FAILED, SubIndication.FORMAT_FAILURE)


def b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def test_jwt_alg_none(trusted: Registry) -> None:
    _, payload, _ = token().split(b".")
    forged = b64(b'{"alg":"none","typ":"vc+jwt"}') + b"." + payload + b"."
    assert outcome(trusted, forged) == (FAILED, SubIndication.CRYPTO_CONSTRAINTS_FAILURE)


def test_jwt_hs256_keyed_with_the_public_key(trusted: Registry) -> None:
    _, payload, _ = token().split(b".")
    kid = issuer().verification_method
    header = b64(json.dumps({"alg": "HS256", "typ": "vc+jwt", "kid": kid}).encode())
    public = ED25519.public_key().public_bytes_raw()
    mac = hmac.new(public, header + b"." + payload, hashlib.sha256).digest()
    assert outcome(trusted, header + b"." + payload + b"." + b64(mac)) == (
        FAILED,
        SubIndication.CRYPTO_CONSTRAINTS_FAILURE,
    )


def test_jwt_tampered_payload(trusted: Registry) -> None:
    header, payload, signature = token().split(b".")
    claims = json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))
    claims["credentialSubject"]["name"] = "Someone Else"
    forged = header + b"." + b64(json.dumps(claims).encode()) + b"." + signature
    assert outcome(trusted, forged) == (FAILED, SubIndication.SIG_CRYPTO_FAILURE)


def test_jwt_expired_exp(trusted: Registry) -> None:
    expired = token(issued_at=NOW - timedelta(days=10), expires_at=NOW - timedelta(days=1))
    assert outcome(trusted, expired) == (FAILED, SubIndication.EXPIRED)


def test_jwt_unregistered_jwk_header(trusted: Registry) -> None:
    signer = keys.FileSigner(STRANGER)
    header = {"alg": "EdDSA", "typ": "vc+jwt", "jwk": keys.public_jwk(STRANGER.public_key())}
    claims = {**to_credential(licence(), INDIA), "iat": int(licence().issued_at.timestamp())}
    signing_input = b64(json.dumps(header).encode()) + b"." + b64(json.dumps(claims).encode())
    forged = signing_input + b"." + b64(signer.sign(signing_input, keys.SignatureScheme.EDDSA))
    assert outcome(trusted, forged) == (FAILED, SubIndication.NO_CERTIFICATE_CHAIN_FOUND)
