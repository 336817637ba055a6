"""The vc+jwt format on its own: round trips, agreement with jwcrypto both ways, and one named test
per hostile or malformed token, each asserting the exact sub-indication.

No registry here: `resolve` is a dict lookup standing in for the trust stage's key lookup.
"""

from __future__ import annotations

import base64
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from jwcrypto import jwk, jws

from vc_engine import keys
from vc_engine.formats.vc_jwt import JwtOutcome, open_credential, sign_credential
from vc_engine.model import CheckStatus, SubIndication

MAX = 1024 * 1024
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=365)
KID = "did:web:kmc.wb.gov.in#key-1"
ALGORITHMS = {
    "EdDSA": keys.KeyAlgorithm.ED25519,
    "ES256": keys.KeyAlgorithm.P256,
    "ES384": keys.KeyAlgorithm.P384,
    "RS256": keys.KeyAlgorithm.RSA2048,
}


SIGNERS = {alg: keys.FileSigner(keys.generate_private_key(a)) for alg, a in ALGORITHMS.items()}


def signer(alg: str = "EdDSA") -> keys.FileSigner:
    """One key per algorithm for the whole run: RSA generation is slow."""
    return SIGNERS[alg]


def attacker() -> keys.FileSigner:
    return keys.FileSigner(keys.generate_private_key(keys.KeyAlgorithm.ED25519))


def credential(**changes: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:0b7d7a1c-4f4e-4a7c-9d0e-2a6c3b1f8e11",
        "type": ["VerifiableCredential", "BirthCertificate"],
        "issuer": {"id": "did:web:kmc.wb.gov.in", "name": "Kolkata Municipal Corporation"},
        "validFrom": "2026-11-23T06:00:00Z",
        "credentialSubject": {"name": "Asha Roy", "dateOfBirth": "2026-11-01"},
    }
    value.update(changes)
    return {k: v for k, v in value.items() if v is not None}


def resolver(known: keys.FileSigner) -> Callable[[str], keys.PublicKey | None]:
    return {KID: known.public_key}.get


def issued(alg: str = "EdDSA", **changes: Any) -> bytes:
    return sign_credential(
        credential(**changes), signer(alg), kid=KID, issued_at=NOW, expires_at=LATER
    )


def b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def forge(
    header: dict[str, Any] | bytes,
    payload: dict[str, Any] | bytes | None = None,
    *,
    by: keys.FileSigner | None = None,
    scheme: keys.SignatureScheme = keys.SignatureScheme.EDDSA,
) -> bytes:
    """A token with any header and payload, signed by `by` (default: the real EdDSA key)."""
    raw_header = header if isinstance(header, bytes) else json.dumps(header).encode()
    if payload is None:
        payload = {**credential(), "iat": int(NOW.timestamp())}
    raw_payload = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    signing_input = b64(raw_header) + b"." + b64(raw_payload)
    return signing_input + b"." + b64((by or signer()).sign(signing_input, scheme))


def header(**changes: Any) -> dict[str, Any]:
    value: dict[str, Any] = {"alg": "EdDSA", "typ": "vc+jwt", "kid": KID}
    value.update(changes)
    return {k: v for k, v in value.items() if v is not None}


def outcome(
    token: bytes, resolve: Callable[[str], keys.PublicKey | None] | None = None
) -> JwtOutcome:
    return open_credential(token, max_bytes=MAX, resolve=resolve or resolver(signer()))


def failure(
    token: bytes, resolve: Callable[[str], keys.PublicKey | None] | None = None
) -> SubIndication | None:
    """The code of the first check that did not pass; None when the token verified."""
    result = outcome(token, resolve)
    failed = [c for c in result.checks if c.status is not CheckStatus.PASSED]
    assert (result.credential is None) == bool(failed)
    assert (result.facts is None) == bool(failed)
    return failed[0].code if failed else None


def did_key(public_key: keys.PublicKey) -> str:
    """did:key URL for a key, written independently of the module under test."""
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        raw = b"\xed\x01" + public_key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
    else:
        assert isinstance(public_key, ec.EllipticCurvePublicKey)
        prefix = {"secp256r1": b"\x80\x24", "secp384r1": b"\x81\x24", "secp256k1": b"\xe7\x01"}
        raw = prefix[public_key.curve.name] + public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    number, text = int.from_bytes(raw, "big"), ""
    while number:
        number, digit = divmod(number, 58)
        text = alphabet[digit] + text
    multibase = "z" + "1" * (len(raw) - len(raw.lstrip(b"\0"))) + text
    return f"did:key:{multibase}#{multibase}"


def public_jwk(public_key: keys.PublicKey) -> dict[str, Any]:
    """Exported by jwcrypto, so the header is not read back by the code that wrote it."""
    exported: dict[str, Any] = json.loads(jwk.JWK.from_pyca(public_key).export_public())
    return exported


def certificate_b64(s: keys.FileSigner) -> str:
    cert = keys.self_signed_certificate(s.private_key, "KMC", NOW, LATER)
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


# --- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_signed_credential_opens_to_the_same_credential(alg: str) -> None:
    result = outcome(issued(alg), resolver(signer(alg)))
    assert [c.status for c in result.checks] == [CheckStatus.PASSED] * 4
    assert result.credential == credential()
    assert result.facts is not None
    assert result.facts.algorithm == alg
    assert result.facts.key_id == keys.key_id(signer(alg).public_key)
    assert (result.issued_at, result.expires_at, result.not_before) == (NOW, LATER, None)


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_header_and_registered_claims_are_as_specified(alg: str) -> None:
    head, payload, _ = issued(alg).split(b".")
    assert json.loads(base64.urlsafe_b64decode(head + b"==")) == {
        "alg": alg,
        "typ": "vc+jwt",
        "kid": KID,
    }
    claims = json.loads(base64.urlsafe_b64decode(payload + b"=="))
    assert claims["iat"] == int(NOW.timestamp()) and claims["exp"] == int(LATER.timestamp())
    assert claims["iss"] == "did:web:kmc.wb.gov.in"
    assert claims["jti"] == credential()["id"]
    assert "vc" not in claims


def test_credential_without_id_or_expiry_has_no_jti_or_exp() -> None:
    token = sign_credential(
        credential(id=None, issuer="did:web:kmc.wb.gov.in"),
        signer(),
        kid=KID,
        issued_at=NOW,
        expires_at=None,
    )
    claims = json.loads(base64.urlsafe_b64decode(token.split(b".")[1] + b"=="))
    assert "jti" not in claims and "exp" not in claims and claims["iss"] == "did:web:kmc.wb.gov.in"
    assert outcome(token).expires_at is None


def test_not_before_is_reported() -> None:
    payload = {**credential(), "iat": int(NOW.timestamp()), "nbf": int(LATER.timestamp())}
    result = outcome(forge(header(), payload))
    assert result.not_before == LATER and result.credential == credential()


@pytest.mark.parametrize("alg", ["EdDSA", "ES256", "ES384"])
def test_did_key_kid_is_decoded_without_the_resolver(alg: str) -> None:
    kid = did_key(signer(alg).public_key)
    token = sign_credential(credential(), signer(alg), kid=kid, issued_at=NOW, expires_at=None)
    result = outcome(token, resolve=lambda _: pytest.fail("did:key must not be resolved"))
    assert result.facts is not None
    assert result.facts.key_id == keys.key_id(signer(alg).public_key)


def test_embedded_jwk_is_used_when_there_is_no_kid_and_its_key_id_is_reported() -> None:
    stranger = attacker()
    token = forge(header(kid=None, jwk=public_jwk(stranger.public_key)), by=stranger)
    result = outcome(token, resolve=lambda _: None)
    assert result.facts is not None
    assert result.facts.key_id == keys.key_id(stranger.public_key)


def test_embedded_x5c_is_used_when_there_is_no_kid() -> None:
    stranger = attacker()
    token = forge(header(kid=None, x5c=[certificate_b64(stranger)]), by=stranger)
    result = outcome(token, resolve=lambda _: None)
    assert result.facts is not None
    assert result.facts.key_id == keys.key_id(stranger.public_key)
    assert result.facts.certificate_der is not None


def test_kid_with_agreeing_jwk_verifies() -> None:
    assert failure(forge(header(jwk=public_jwk(signer().public_key)))) is None


def test_full_media_type_is_accepted_as_typ() -> None:
    assert failure(forge(header(typ="application/vc+jwt"))) is None


def test_trailing_newline_of_a_file_is_ignored() -> None:
    assert failure(issued() + b"\n") is None


@pytest.mark.parametrize(
    "change",
    [
        {"type": ["BirthCertificate"]},
        {"@context": None},
        {"iat": 1},
    ],
    ids=["no-vc-type", "no-context", "claim-clash"],
)
def test_signing_refuses_what_it_could_not_open(change: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        sign_credential(credential(**change), signer(), kid=KID, issued_at=NOW, expires_at=None)


def test_signing_refuses_naive_time() -> None:
    with pytest.raises(ValueError):
        sign_credential(
            credential(), signer(), kid=KID, issued_at=datetime(2026, 1, 1), expires_at=None
        )


# --- differential: jwcrypto -------------------------------------------------------------------


def jwcrypto_verifies(token: bytes, public_key: keys.PublicKey) -> bool:
    obj = jws.JWS()
    try:
        obj.deserialize(token.decode("ascii"))
        obj.verify(jwk.JWK.from_pyca(public_key))
    except (jws.InvalidJWSSignature, jws.InvalidJWSObject):
        return False
    return True


def jwcrypto_token(alg: str, payload: dict[str, Any]) -> bytes:
    obj = jws.JWS(json.dumps(payload).encode())
    private = jwk.JWK.from_pyca(signer(alg).private_key)
    obj.add_signature(private, None, protected=json.dumps(header(alg=alg)))
    token: str = obj.serialize(compact=True)
    return token.encode("ascii")


def tamper(token: bytes) -> bytes:
    head, payload, signature = token.split(b".")
    claims = json.loads(base64.urlsafe_b64decode(payload + b"=="))
    claims["credentialSubject"]["name"] = "Someone Else"
    return b".".join((head, b64(json.dumps(claims).encode()), signature))


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_our_tokens_verify_in_jwcrypto(alg: str) -> None:
    assert jwcrypto_verifies(issued(alg), signer(alg).public_key)


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_jwcrypto_tokens_verify_here(alg: str) -> None:
    token = jwcrypto_token(alg, {**credential(), "iat": int(NOW.timestamp())})
    result = outcome(token, resolver(signer(alg)))
    assert result.credential == credential() and result.issued_at == NOW


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_our_tampered_tokens_fail_in_both(alg: str) -> None:
    token = tamper(issued(alg))
    assert not jwcrypto_verifies(token, signer(alg).public_key)
    assert failure(token, resolver(signer(alg))) is SubIndication.SIG_CRYPTO_FAILURE


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_jwcrypto_tampered_tokens_fail_in_both(alg: str) -> None:
    token = tamper(jwcrypto_token(alg, {**credential(), "iat": int(NOW.timestamp())}))
    assert not jwcrypto_verifies(token, signer(alg).public_key)
    assert failure(token, resolver(signer(alg))) is SubIndication.SIG_CRYPTO_FAILURE


subject_values = st.dictionaries(
    st.text(alphabet="abcdefghXYZ_", min_size=1, max_size=8).filter(lambda k: k != "id"),
    st.text(max_size=24) | st.integers(min_value=-(2**53), max_value=2**53) | st.booleans(),
    max_size=5,
)


@settings(max_examples=60, deadline=None)
@given(
    alg=st.sampled_from(["EdDSA", "ES256"]),
    subject=subject_values,
    flip=st.none() | st.tuples(st.integers(min_value=0), st.integers(min_value=1, max_value=255)),
)
def test_a_generated_token_we_accept_verifies_in_jwcrypto_too(
    alg: str, subject: dict[str, Any], flip: tuple[int, int] | None
) -> None:
    """jwcrypto signs a credential with generated claims; a byte of the token may then be
    changed. Whenever we accept the token, jwcrypto verifies it, and an unchanged token passes
    in both. (We refuse more than jwcrypto does: non-canonical base64url, a wrong typ.)"""
    payload = {**credential(credentialSubject=subject or None), "iat": int(NOW.timestamp())}
    token = bytearray(jwcrypto_token(alg, payload))
    if flip is not None:
        where, change = flip
        token[where % len(token)] ^= change
    theirs = token.isascii() and jwcrypto_verifies(bytes(token), signer(alg).public_key)
    ours = failure(bytes(token), resolver(signer(alg))) is None
    if flip is None:
        assert ours and theirs
    assert not ours or theirs


# --- algorithm and header constraints ---------------------------------------------------------


def test_alg_none_is_refused() -> None:
    head = b64(json.dumps(header(alg="none")).encode())
    body = b64(json.dumps({**credential(), "iat": 1}).encode())
    token = head + b"." + body + b"."
    assert failure(token) is SubIndication.CRYPTO_CONSTRAINTS_FAILURE


def test_hs256_keyed_with_the_public_key_is_refused_without_hmac(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    public_pem = keys.public_key_pem(signer("RS256").public_key).encode()
    obj = jws.JWS(json.dumps({**credential(), "iat": 1}).encode())
    oct_key = jwk.JWK(kty="oct", k=b64(public_pem).decode())
    obj.add_signature(oct_key, None, protected=json.dumps(header(alg="HS256")))
    token = obj.serialize(compact=True).encode()

    def no_hmac(*_: object, **__: object) -> None:
        pytest.fail("HMAC must never run")

    monkeypatch.setattr(hmac, "new", no_hmac)
    monkeypatch.setattr(hmac, "digest", no_hmac)
    resolve = lambda _: pytest.fail("the key must not even be looked up")  # noqa: E731
    assert failure(token, resolve) is SubIndication.CRYPTO_CONSTRAINTS_FAILURE


@pytest.mark.parametrize("alg", ["PS256", "ES512", "RS512", "ES256K", "HS512", "NONE"])
def test_alg_outside_the_list_is_refused(alg: str) -> None:
    assert failure(forge(header(alg=alg))) is SubIndication.CRYPTO_CONSTRAINTS_FAILURE


def test_missing_alg_is_a_format_failure() -> None:
    assert failure(forge(header(alg=None))) is SubIndication.FORMAT_FAILURE


def test_alg_that_is_not_a_string_is_a_format_failure() -> None:
    assert failure(forge(header(alg=["EdDSA"]))) is SubIndication.FORMAT_FAILURE


def test_es256_header_over_an_ed25519_key_is_refused() -> None:
    assert failure(forge(header(alg="ES256"))) is SubIndication.CRYPTO_CONSTRAINTS_FAILURE


def test_eddsa_header_over_an_rsa_key_is_refused() -> None:
    token = forge(header(alg="EdDSA"))
    assert failure(token, resolver(signer("RS256"))) is SubIndication.CRYPTO_CONSTRAINTS_FAILURE


def test_es384_header_over_a_p256_key_is_refused() -> None:
    token = forge(header(alg="ES384"), by=signer("ES256"), scheme=keys.SignatureScheme.ES256)
    assert failure(token, resolver(signer("ES256"))) is SubIndication.CRYPTO_CONSTRAINTS_FAILURE


def test_rsa_1024_key_is_refused() -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    signing_input = b64(json.dumps(header(alg="RS256")).encode()) + b"." + b64(b"{}")
    signature = weak.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    token = signing_input + b"." + b64(signature)
    assert failure(token, {KID: weak.public_key()}.get) is (
        SubIndication.CRYPTO_CONSTRAINTS_FAILURE
    )


def test_crit_header_is_refused() -> None:
    token = forge(header(crit=["b64"], b64=False))
    assert failure(token) is SubIndication.CRYPTO_CONSTRAINTS_FAILURE


def test_missing_typ_is_refused() -> None:
    assert failure(forge(header(typ=None))) is SubIndication.FORMAT_FAILURE


def test_typ_jwt_is_refused() -> None:
    assert failure(forge(header(typ="JWT"))) is SubIndication.FORMAT_FAILURE


def test_legacy_typ_vc_ld_jwt_is_refused() -> None:
    assert failure(forge(header(typ="vc+ld+jwt"))) is SubIndication.FORMAT_FAILURE


# --- key resolution ---------------------------------------------------------------------------


def test_unresolvable_kid_is_no_certificate_chain() -> None:
    assert failure(issued(), lambda _: None) is SubIndication.NO_CERTIFICATE_CHAIN_FOUND


def test_header_without_any_key_hint_is_no_certificate_chain() -> None:
    assert failure(forge(header(kid=None))) is SubIndication.NO_CERTIFICATE_CHAIN_FOUND


def test_kid_that_is_not_a_string_is_a_format_failure() -> None:
    assert failure(forge(header(kid=7))) is SubIndication.FORMAT_FAILURE


def test_jwk_with_private_members_is_refused() -> None:
    private = json.loads(jwk.JWK.from_pyca(signer().private_key).export_private())
    token = forge(header(kid=None, jwk=private))
    assert failure(token) is SubIndication.FORMAT_FAILURE


def test_symmetric_jwk_is_refused() -> None:
    token = forge(header(kid=None, jwk={"kty": "oct", "alg": "EdDSA"}))
    assert failure(token) is SubIndication.CRYPTO_CONSTRAINTS_FAILURE


def test_jwk_that_is_not_a_key_is_a_format_failure() -> None:
    token = forge(header(kid=None, jwk={"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}))
    assert failure(token) is SubIndication.FORMAT_FAILURE


def test_kid_and_jwk_that_disagree_are_refused() -> None:
    token = forge(header(jwk=public_jwk(attacker().public_key)))
    assert failure(token) is SubIndication.FORMAT_FAILURE


def test_kid_and_x5c_that_disagree_are_refused() -> None:
    token = forge(header(x5c=[certificate_b64(attacker())]))
    assert failure(token) is SubIndication.FORMAT_FAILURE


def test_x5c_that_is_not_base64_is_a_format_failure() -> None:
    token = forge(header(kid=None, x5c=["not base64!"]))
    assert failure(token) is SubIndication.FORMAT_FAILURE


def test_did_key_whose_fragment_names_another_key_is_refused() -> None:
    own = did_key(signer().public_key).split("#")[0]
    other = did_key(attacker().public_key).split("#")[1]
    assert failure(forge(header(kid=f"{own}#{other}"))) is SubIndication.FORMAT_FAILURE


def test_did_key_without_fragment_is_refused() -> None:
    own = did_key(signer().public_key).split("#")[0]
    assert failure(forge(header(kid=own))) is SubIndication.FORMAT_FAILURE


def test_did_key_that_is_not_base58_is_a_format_failure() -> None:
    assert failure(forge(header(kid="did:key:z0OIl#z0OIl"))) is SubIndication.FORMAT_FAILURE


def test_did_key_of_an_unsupported_key_type_is_refused() -> None:
    secp256k1 = ec.generate_private_key(ec.SECP256K1()).public_key()
    token = forge(header(kid=did_key(secp256k1)))
    assert failure(token) is SubIndication.FORMAT_FAILURE


def test_overlong_did_key_is_refused_before_decoding() -> None:
    multibase = "z" + "2" * 100_000
    token = forge(header(kid=f"did:key:{multibase}#{multibase}"))
    assert failure(token) is SubIndication.FORMAT_FAILURE


def test_jwk_of_an_unaccepted_curve_is_refused() -> None:
    token = forge(header(kid=None, jwk={"kty": "OKP", "crv": "Ed448", "x": "AAAA"}))
    assert failure(token) is SubIndication.CRYPTO_CONSTRAINTS_FAILURE


# --- signature --------------------------------------------------------------------------------


def test_tampered_payload_fails_the_signature() -> None:
    assert failure(tamper(issued())) is SubIndication.SIG_CRYPTO_FAILURE


def test_signature_by_another_key_fails() -> None:
    assert failure(forge(header(), by=attacker())) is SubIndication.SIG_CRYPTO_FAILURE


def test_empty_signature_fails() -> None:
    head, body, _ = issued().split(b".")
    assert failure(head + b"." + body + b".") is SubIndication.SIG_CRYPTO_FAILURE


# --- structure and encoding -------------------------------------------------------------------


def test_two_parts_are_a_format_failure() -> None:
    assert failure(issued().rsplit(b".", 1)[0]) is SubIndication.FORMAT_FAILURE


def test_four_parts_are_a_format_failure() -> None:
    assert failure(issued() + b".AAAA") is SubIndication.FORMAT_FAILURE


def test_jwe_is_a_format_failure() -> None:
    head = b64(b'{"alg":"RSA-OAEP","enc":"A256GCM","typ":"vc+jwt"}')
    assert failure(head + b".AAAA.AAAA.AAAA.AAAA") is SubIndication.FORMAT_FAILURE


def test_json_serialization_is_a_format_failure() -> None:
    head, body, signature = issued().split(b".")
    general = json.dumps(
        {
            "payload": body.decode(),
            "signatures": [{"protected": head.decode(), "signature": signature.decode()}],
        }
    ).encode()
    assert failure(general) is SubIndication.FORMAT_FAILURE


def test_unsecured_json_serialization_is_a_format_failure() -> None:
    unsecured = json.dumps({"payload": b64(json.dumps(credential()).encode()).decode()})
    assert failure(unsecured.encode()) is SubIndication.FORMAT_FAILURE


def test_padded_base64_is_a_format_failure() -> None:
    head, body, signature = issued().split(b".")
    padded = base64.urlsafe_b64encode(base64.urlsafe_b64decode(signature + b"=="))
    assert padded.endswith(b"=")
    assert failure(b".".join((head, body, padded))) is SubIndication.FORMAT_FAILURE


def test_standard_base64_characters_are_a_format_failure() -> None:
    token = issued()
    assert failure(token.replace(b"_", b"/").replace(b"-", b"+") + b"+/") is (
        SubIndication.FORMAT_FAILURE
    )


def test_truncated_base64_is_a_format_failure() -> None:
    head, body, signature = issued().split(b".")
    cut = signature[: (len(signature) // 4) * 4 + 1]
    assert failure(b".".join((head, body, cut))) is SubIndication.FORMAT_FAILURE


def test_stray_trailing_bits_are_a_format_failure() -> None:
    head, body, signature = issued().split(b".")
    assert len(signature) % 4 == 2  # 64 bytes: the last character carries 4 unused bits
    last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".index(
        chr(signature[-1])
    )
    stray = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[last | 1]
    token = b".".join((head, body, signature[:-1] + bytes([stray])))
    assert failure(token) is SubIndication.FORMAT_FAILURE


def test_header_that_is_not_json_is_a_format_failure() -> None:
    assert failure(forge(b"alg=EdDSA")) is SubIndication.FORMAT_FAILURE


def test_header_that_is_a_json_array_is_a_format_failure() -> None:
    assert failure(forge(b'["EdDSA"]')) is SubIndication.FORMAT_FAILURE


def test_header_with_duplicate_alg_is_a_format_failure() -> None:
    raw = b'{"alg":"HS256","alg":"EdDSA","typ":"vc+jwt","kid":"' + KID.encode() + b'"}'
    assert failure(forge(raw)) is SubIndication.FORMAT_FAILURE


def test_header_nested_too_deep_is_a_format_failure() -> None:
    deep: Any = "x"
    for _ in range(20):
        deep = {"a": deep}
    assert failure(forge(header(ext=deep))) is SubIndication.FORMAT_FAILURE


def test_payload_that_is_a_json_array_is_a_format_failure() -> None:
    assert failure(forge(header(), b"[1,2]")) is SubIndication.FORMAT_FAILURE


def test_payload_with_duplicate_keys_is_a_format_failure() -> None:
    raw = json.dumps(credential())[:-1] + ', "id": "urn:uuid:other"}'
    assert failure(forge(header(), raw.encode())) is SubIndication.FORMAT_FAILURE


def test_payload_nested_too_deep_is_a_format_failure() -> None:
    deep: Any = "x"
    for _ in range(100):
        deep = [deep]
    payload = {**credential(), "credentialSubject": {"deep": deep}}
    assert failure(forge(header(), payload)) is SubIndication.FORMAT_FAILURE


def test_payload_that_is_not_utf8_is_a_format_failure() -> None:
    assert failure(forge(header(), b'{"a":"\xff"}')) is SubIndication.FORMAT_FAILURE


def test_token_over_the_size_limit_is_a_format_failure() -> None:
    token = issued()
    result = open_credential(token, max_bytes=len(token) - 1, resolve=resolver(signer()))
    assert result.checks[-1].code is SubIndication.FORMAT_FAILURE


# --- the payload as a credential --------------------------------------------------------------


@pytest.mark.parametrize("claim", ["iat", "exp", "nbf"])
def test_time_claim_that_is_a_string_is_a_format_failure(claim: str) -> None:
    payload = {**credential(), claim: "2026-11-23T06:00:00Z"}
    assert failure(forge(header(), payload)) is SubIndication.FORMAT_FAILURE


def test_time_claim_that_is_a_boolean_is_a_format_failure() -> None:
    assert failure(forge(header(), {**credential(), "exp": True})) is (SubIndication.FORMAT_FAILURE)


def test_time_claim_beyond_the_calendar_is_a_format_failure() -> None:
    assert failure(forge(header(), {**credential(), "exp": 10**20})) is (
        SubIndication.FORMAT_FAILURE
    )


def test_fractional_numeric_date_is_read() -> None:
    result = outcome(forge(header(), {**credential(), "iat": NOW.timestamp() + 0.5}))
    assert result.issued_at == NOW + timedelta(seconds=0.5)


def test_payload_without_context_is_a_format_failure() -> None:
    assert failure(forge(header(), credential(**{"@context": None}))) is (
        SubIndication.FORMAT_FAILURE
    )


def test_payload_without_verifiable_credential_type_is_a_format_failure() -> None:
    assert failure(forge(header(), credential(type=["BirthCertificate"]))) is (
        SubIndication.FORMAT_FAILURE
    )


def test_vc_1_1_jwt_with_vc_claim_is_a_format_failure() -> None:
    payload = {"iss": "did:web:kmc.wb.gov.in", "iat": 1, "vc": credential()}
    assert failure(forge(header(), payload)) is SubIndication.FORMAT_FAILURE


def test_iss_that_differs_from_the_issuer_is_a_format_failure() -> None:
    payload = {**credential(), "iss": "did:web:elsewhere.example"}
    assert failure(forge(header(), payload)) is SubIndication.FORMAT_FAILURE


def test_jti_that_differs_from_the_id_is_a_format_failure() -> None:
    payload = {**credential(), "jti": "urn:uuid:other"}
    assert failure(forge(header(), payload)) is SubIndication.FORMAT_FAILURE


# --- properties -------------------------------------------------------------------------------

_RESERVED = {"@context", "type", "issuer", "iat", "exp", "nbf", "iss", "jti", "id"}
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(
    subject=st.dictionaries(st.text(max_size=12), json_values, max_size=6),
    extra=st.dictionaries(
        st.text(max_size=12).filter(lambda k: k not in _RESERVED), json_values, max_size=4
    ),
    alg=st.sampled_from(["EdDSA", "ES256"]),
)
def test_any_json_credential_round_trips(
    subject: dict[str, Any], extra: dict[str, Any], alg: str
) -> None:
    original = {**credential(credentialSubject=subject), **extra}
    token = sign_credential(original, signer(alg), kid=KID, issued_at=NOW, expires_at=LATER)
    assert outcome(token, resolver(signer(alg))).credential == original


TOKEN = issued()


@settings(max_examples=600, deadline=None)
@given(position=st.integers(min_value=0, max_value=len(TOKEN) - 1), byte=st.integers(0, 255))
def test_no_single_byte_change_verifies(position: int, byte: int) -> None:
    assume(TOKEN[position] != byte)
    mutated = TOKEN[:position] + bytes([byte]) + TOKEN[position + 1 :]
    result = outcome(mutated)
    assert result.credential is None and result.facts is None


@settings(max_examples=300, deadline=None)
@given(
    data=st.binary(max_size=300)
    | st.lists(st.binary(max_size=40).map(b64), min_size=1, max_size=6).map(b".".join)
)
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    result = outcome(data)
    assert result.credential is None
    assert result.checks[-1].code is not None


@settings(max_examples=200, deadline=None)
@given(
    members=st.dictionaries(
        st.sampled_from(["kty", "crv", "x", "y", "n", "e", "alg", "use", "key_ops", "kid"]),
        json_values | st.sampled_from(["OKP", "EC", "RSA", "Ed25519", "P-256", "AQAB", "AAAA"]),
    )
)
def test_arbitrary_jwk_headers_never_raise(members: dict[str, Any]) -> None:
    assert outcome(forge(header(kid=None, jwk=members))).credential is None
