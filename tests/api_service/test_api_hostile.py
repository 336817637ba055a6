"""Every hostile document of the format and pipeline tests, sent through the HTTP service: each
gets a non-PASSED report or a 4xx problem, never a 500, and the service stays up.

The cases restate the attacks of test_signed_xml.py, test_vc_jwt.py and test_data_integrity.py
as bytes on the wire (one named case each); a property test adds arbitrary bytes under every
content type.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vc_engine import keys
from vc_engine.formats import vc_di, vc_jwt
from vc_engine.formats.xml import dsig as xmldsig
from vc_engine.policy import INDIA

from factory import NOW, canonical_unsigned, forge, hmac_signing, rsa_signing
from factory import valid_birth_certificate as birth_certificate
from service import ATTACKER, KMC, Service, signed_birth_certificate

ED25519 = keys.FileSigner(keys.generate_private_key(keys.KeyAlgorithm.ED25519))
METHOD = (
    f"did:key:{keys.multikey_encode(ED25519.public_key)}#{keys.multikey_encode(ED25519.public_key)}"
)


def b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def jwt(header: dict[str, Any] | bytes, payload: dict[str, Any] | bytes | None = None) -> bytes:
    raw_header = header if isinstance(header, bytes) else json.dumps(header).encode()
    if payload is None:
        payload = json.loads(json.dumps(vc_json_credential())) | {"iat": int(NOW.timestamp())}
    raw_payload = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    signing_input = b64(raw_header) + b"." + b64(raw_payload)
    return signing_input + b"." + b64(ED25519.sign(signing_input, keys.SignatureScheme.EDDSA))


def vc_json_credential() -> dict[str, Any]:
    from vc_engine.formats.vc_json import to_credential

    return to_credential(birth_certificate(), INDIA)


def genuine_jwt() -> bytes:
    return vc_jwt.issue(birth_certificate(), ED25519, kid=METHOD, civil_timezone=INDIA)


def genuine_di() -> dict[str, Any]:
    data = vc_di.issue(
        birth_certificate(), ED25519, verification_method=METHOD, civil_timezone=INDIA
    )
    parsed: dict[str, Any] = json.loads(data)
    return parsed


def di_with(change: Callable[[dict[str, Any]], None]) -> bytes:
    credential = genuine_di()
    change(credential)
    return json.dumps(credential, ensure_ascii=False).encode()


def xml_signature(data: bytes) -> bytes:
    found = re.search(rb"<ds:Signature .*</ds:Signature>", data, flags=re.S)
    assert found is not None
    return found.group(0)


def _pasted_certificate() -> bytes:
    encoded = base64.b64encode(KMC.certificate_der)
    return re.sub(
        rb"(<ds:X509Certificate>)[^<]*(</ds:X509Certificate>)",
        lambda m: m.group(1) + encoded + m.group(2),
        signed_birth_certificate(ATTACKER, holder={"name": "Mallory"}),
    )


def _flipped_digest() -> bytes:
    data = signed_birth_certificate()
    digest = re.search(rb"<ds:DigestValue>([^<]+)</ds:DigestValue>", data)
    assert digest is not None
    raw = base64.b64decode(digest.group(1))
    return data.replace(digest.group(1), base64.b64encode(bytes([raw[0] ^ 1]) + raw[1:]))


def _wrapped_signature() -> bytes:
    forged = canonical_unsigned(birth_certificate(holder={"name": "Mallory", "gender": "M"}))
    return forged.replace(
        b"</Certificate>", xml_signature(signed_birth_certificate()) + b"</Certificate>"
    )


def _forged(method: str, digest: str, sign, certificate: bytes | None) -> bytes:
    return forge(
        canonical_unsigned(birth_certificate()),
        method=method,
        digest=digest,
        sign=sign,
        certificate_der=certificate,
    )


BOMB = "".join(f'<!ENTITY e{i} "{("&e" + str(i - 1) + ";") * 10}">' for i in range(1, 12))

XML_CASES: dict[str, Callable[[], bytes]] = {
    "tampered-text": lambda: signed_birth_certificate().replace(b"Kolkata", b"Howrah", 1),
    "tampered-signed-info": _flipped_digest,
    "signature-removed": lambda: re.sub(
        rb"<ds:Signature .*</ds:Signature>", b"", signed_birth_certificate(), flags=re.S
    ),
    "two-signatures": lambda: signed_birth_certificate().replace(
        b"</Certificate>", xml_signature(signed_birth_certificate()) + b"</Certificate>"
    ),
    "wrapped-in-new-root": lambda: (
        b"<Envelope>" + signed_birth_certificate().split(b"\n", 1)[1] + b"</Envelope>"
    ),
    "signature-wrapping": _wrapped_signature,
    "trusted-certificate-over-forged-signature": _pasted_certificate,
    "forger-key": lambda: signed_birth_certificate(ATTACKER),
    "external-entity": lambda: (
        b'<?xml version="1.0"?><!DOCTYPE Certificate [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<Certificate>&x;</Certificate>"
    ),
    "entity-expansion-bomb": lambda: (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e0 "lol">{BOMB}]><d>&e11;</d>'
    ).encode(),
    "hmac-signature": lambda: _forged(
        "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256",
        xmldsig.SHA256,
        hmac_signing(KMC.certificate_der),
        KMC.certificate_der,
    ),
    "sha1-only": lambda: _forged(
        xmldsig.RSA_SHA1, xmldsig.SHA1, rsa_signing(KMC, hashes.SHA1()), KMC.certificate_der
    ),
    "no-certificate": lambda: _forged(
        xmldsig.RSA_SHA256, xmldsig.SHA256, rsa_signing(KMC, hashes.SHA256()), None
    ),
    "fragment-reference": lambda: signed_birth_certificate().replace(
        b'Reference URI=""', b'Reference URI="#x"'
    ),
    "signature-value-not-base64": lambda: re.sub(
        rb"<ds:SignatureValue>[^<]+", b"<ds:SignatureValue>@@*@@", signed_birth_certificate()
    ),
    "namespace-on-root": lambda: signed_birth_certificate().replace(
        b"<Certificate ", b'<Certificate xmlns:x="urn:x" ', 1
    ),
    "deep-nesting": lambda: b"<a>" * 10_000 + b"</a>" * 10_000,
    "unclosed": lambda: b"<Certificate>",
    "utf16": lambda: b"\xff\xfe<\x00a\x00/\x00>\x00",
    "invalid-utf8-xml": lambda: b"<a>\xff</a>",
}

JWT_CASES: dict[str, Callable[[], bytes]] = {
    "tampered-payload": lambda: (
        lambda p: (
            p[0]
            + b"."
            + b64(base64.urlsafe_b64decode(p[1] + b"==").replace(b"Amit", b"Amir"))
            + b"."
            + p[2]
        )
    )(genuine_jwt().strip().split(b".")),
    "alg-none": lambda: (
        b64(b'{"alg":"none","typ":"vc+jwt"}')
        + b"."
        + b64(json.dumps(vc_json_credential()).encode())
        + b"."
    ),
    "hs256-with-public-key": lambda: jwt({"alg": "HS256", "typ": "vc+jwt", "kid": METHOD}),
    "crit-header": lambda: jwt({"alg": "EdDSA", "typ": "vc+jwt", "kid": METHOD, "crit": ["x"]}),
    "missing-typ": lambda: jwt({"alg": "EdDSA", "kid": METHOD}),
    "typ-jwt": lambda: jwt({"alg": "EdDSA", "typ": "JWT", "kid": METHOD}),
    "kid-not-a-string": lambda: jwt({"alg": "EdDSA", "typ": "vc+jwt", "kid": 7}),
    "jwk-with-private-members": lambda: jwt(
        {
            "alg": "EdDSA",
            "typ": "vc+jwt",
            "jwk": {"kty": "OKP", "crv": "Ed25519", "x": "AA", "d": "AA"},
        }
    ),
    "two-parts": lambda: b".".join(genuine_jwt().split(b".")[:2]),
    "four-parts": lambda: genuine_jwt().strip() + b".AAAA",
    "jwe": lambda: b"eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d",
    "padded-base64": lambda: genuine_jwt().strip().replace(b".", b"=.", 1),
    "header-not-json": lambda: jwt(b"eyJ not json"),
    "header-array": lambda: jwt(b'["alg"]'),
    "duplicate-alg": lambda: jwt(b'{"alg":"EdDSA","alg":"none","typ":"vc+jwt"}'),
    "deep-header": lambda: jwt(b'{"alg":"EdDSA","x":' + b"[" * 5000 + b"]" * 5000 + b"}"),
    "payload-array": lambda: jwt({"alg": "EdDSA", "typ": "vc+jwt", "kid": METHOD}, b"[1]"),
    "payload-not-utf8": lambda: jwt({"alg": "EdDSA", "typ": "vc+jwt", "kid": METHOD}, b"\xff\xfe"),
    "exp-a-string": lambda: jwt(
        {"alg": "EdDSA", "typ": "vc+jwt", "kid": METHOD}, vc_json_credential() | {"exp": "soon"}
    ),
    "time-beyond-the-calendar": lambda: jwt(
        {"alg": "EdDSA", "typ": "vc+jwt", "kid": METHOD}, vc_json_credential() | {"iat": 10**20}
    ),
}

JSON_CASES: dict[str, Callable[[], bytes]] = {
    "tampered-claim": lambda: di_with(
        lambda c: c["credentialSubject"].__setitem__("name", "Amir Halder")
    ),
    "proof-removed": lambda: di_with(lambda c: c.pop("proof")),
    "unknown-cryptosuite": lambda: di_with(lambda c: c["proof"].__setitem__("cryptosuite", "x")),
    "proof-value-junk": lambda: di_with(lambda c: c["proof"].__setitem__("proofValue", "z!!")),
    "proof-value-a-number": lambda: di_with(lambda c: c["proof"].__setitem__("proofValue", 5)),
    "unknown-context": lambda: di_with(
        lambda c: c["@context"].append("https://evil.example/context.jsonld")
    ),
    "inline-context": lambda: di_with(
        lambda c: c["@context"].append({"name": "https://evil.example/name"})
    ),
    "proof-set": lambda: di_with(lambda c: c.__setitem__("proof", [c["proof"], c["proof"]])),
    "duplicate-keys": lambda: b'{"id": "a", "id": "b"}',
    "nan": lambda: b'{"a": NaN}',
    "huge-integer": lambda: b'{"a": ' + b"9" * 5000 + b"}",
    "ten-thousand-deep": lambda: b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    "not-json": lambda: b"{not json",
}

CONTENT_TYPE = {
    "xml": "application/xml",
    "jwt": "application/vc+jwt",
    "json": "application/vc+ld+json",
}
CASES = [
    pytest.param(kind, make, id=f"{kind}-{name}")
    for kind, table in (("xml", XML_CASES), ("jwt", JWT_CASES), ("json", JSON_CASES))
    for name, make in table.items()
]


def _still_up(service: Service) -> None:
    assert service.http.get("/healthz").json() == {"status": "ok"}


@pytest.mark.parametrize(("kind", "make"), CASES)
def test_hostile_document_is_never_passed_and_never_a_500(
    service: Service, kind: str, make: Callable[[], bytes]
) -> None:
    data = make()
    response = service.http.post(
        "/v1/verify",
        content=data,
        headers={"Content-Type": CONTENT_TYPE[kind], **service.auth("verify")},
    )
    assert response.status_code == 200 or 400 <= response.status_code < 500, response.text
    if response.status_code == 200:
        assert response.json()["indication"] != "PASSED"
        assert "TOP-SECRET" not in response.text and "root:" not in response.text
    _still_up(service)


@pytest.mark.parametrize(("kind", "make"), CASES)
def test_hostile_document_through_the_vc_api(
    service: Service, kind: str, make: Callable[[], bytes]
) -> None:
    data = make()
    if kind == "json":  # embedded as it is: the request itself may then be malformed JSON
        body = b'{"verifiableCredential": ' + data + b"}"
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = "data:application/xml;base64," + base64.b64encode(data).decode()
        body = json.dumps({"verifiableCredential": text}).encode()
    response = service.http.post(
        "/credentials/verify",
        content=body,
        headers={"Content-Type": "application/json", **service.auth("verify")},
    )
    assert 400 <= response.status_code < 500, response.text
    if response.headers["content-type"] == "application/json":
        assert response.json()["verified"] is False
    _still_up(service)


MEDIA = [
    "application/xml",
    "application/json",
    "application/vc+ld+json",
    "application/vc+jwt",
    "multipart/form-data; boundary=x",
    "text/plain",
    "",
]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=st.binary(max_size=2000), media=st.sampled_from(MEDIA))
def test_arbitrary_bytes_under_any_content_type_are_never_a_500(
    service: Service, body: bytes, media: str
) -> None:
    headers = {**service.auth("verify"), "Content-Type": media}
    for path in ("/v1/verify", "/credentials/verify", "/v1/issue", "/v1/issuers"):
        response = service.http.post(path, content=body, headers=headers)
        assert response.status_code < 500, (path, response.text)
