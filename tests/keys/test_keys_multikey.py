"""Multikey, did:key and JWK helpers in `keys`, against the key pairs published with the W3C
Data Integrity vectors (Multikey <-> raw key) and round trips for the rest."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import base58
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from vc_engine import keys

from paths import VECTORS

W3C = VECTORS / "w3c"
KEY_PAIR_FILES = sorted(W3C.glob("*/*eyPair*.json"))


def _pairs(path: Path) -> list[dict[str, str]]:
    data = json.loads(path.read_text())
    return list(data.values()) if "publicKeyMultibase" not in data else [data]


KEY_PAIRS = [
    pytest.param(pair, id=f"{path.parent.name}-{index}")
    for path in KEY_PAIR_FILES
    for index, pair in enumerate(_pairs(path))
]
ALGORITHMS = [keys.KeyAlgorithm.ED25519, keys.KeyAlgorithm.P256, keys.KeyAlgorithm.P384]


def _secret(pair: dict[str, str]) -> str:
    return pair.get("privateKeyMultibase") or pair["secretKeyMultibase"]


@pytest.mark.parametrize("pair", KEY_PAIRS)
def test_vector_key_pair_decodes_and_re_encodes(pair: dict[str, str]) -> None:
    public_key = keys.multikey_decode(pair["publicKeyMultibase"])
    private_key = keys.private_multikey_decode(_secret(pair))
    assert keys.key_id(private_key.public_key()) == keys.key_id(public_key)
    assert keys.multikey_encode(public_key) == pair["publicKeyMultibase"]


@pytest.mark.parametrize("pair", KEY_PAIRS)
def test_secret_multikey_is_refused_as_public(pair: dict[str, str]) -> None:
    with pytest.raises(keys.KeyMaterialError, match="secret key"):
        keys.multikey_decode(_secret(pair))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "f" + "00" * 34,  # multibase base16, not base58btc
        "z0OIl",  # not base58
        "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ",  # truncated Ed25519
        "z" + base58.b58encode(b"\xe7\x01\x02" + bytes(32)).decode(),  # secp256k1 prefix
    ],
    ids=["empty", "base16", "bad-alphabet", "truncated", "secp256k1"],
)
def test_bad_multikey_is_refused(text: str) -> None:
    with pytest.raises(keys.KeyMaterialError):
        keys.multikey_decode(text)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_did_key_round_trips(algorithm: keys.KeyAlgorithm) -> None:
    public_key = keys.generate_private_key(algorithm).public_key()
    method = keys.did_key(public_key)
    assert keys.key_id(keys.did_key_public_key(method)) == keys.key_id(public_key)


def test_did_key_fragment_must_repeat_the_key() -> None:
    first = keys.multikey_encode(keys.generate_private_key(keys.KeyAlgorithm.ED25519).public_key())
    other = keys.multikey_encode(keys.generate_private_key(keys.KeyAlgorithm.ED25519).public_key())
    with pytest.raises(keys.KeyMaterialError, match="fragment"):
        keys.did_key_public_key(f"did:key:{first}#{other}")


@pytest.mark.parametrize("algorithm", [*ALGORITHMS, keys.KeyAlgorithm.RSA2048])
def test_public_jwk_round_trips(algorithm: keys.KeyAlgorithm) -> None:
    public_key = keys.generate_private_key(algorithm).public_key()
    jwk = keys.public_jwk(public_key)
    assert "d" not in jwk
    assert keys.key_id(keys.load_public_jwk(jwk)) == keys.key_id(public_key)


def _ed25519_jwk() -> dict[str, Any]:
    return dict(keys.public_jwk(keys.generate_private_key(keys.KeyAlgorithm.ED25519).public_key()))


@pytest.mark.parametrize(
    "jwk,message",
    [
        ({**_ed25519_jwk(), "d": "AAAA"}, "private members"),
        ({"kty": "oct", "k": "c2VjcmV0"}, "private members"),
        ({"kty": "oct"}, "symmetric"),
        ({"kty": "OKP", "crv": "X25519", "x": "AAAA"}, "OKP curve"),
        ({"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}, "32 bytes"),
        ({"kty": "EC", "crv": "P-521", "x": "AA", "y": "AA"}, "EC curve"),
        ({"kty": "EC", "crv": "P-256", "x": "A" * 43, "y": "A" * 43}, "not a point"),
        ({"kty": "OKP", "crv": "Ed25519", "x": "A=="}, "unpadded"),
        ({"kty": "XYZ"}, "unsupported JWK key type"),
    ],
    ids=[
        "private-d",
        "oct-with-k",
        "oct",
        "x25519",
        "short-ed25519",
        "p521",
        "off-curve",
        "padded",
        "unknown-kty",
    ],
)
def test_bad_jwk_is_refused(jwk: dict[str, Any], message: str) -> None:
    with pytest.raises(keys.KeyMaterialError, match=message):
        keys.load_public_jwk(jwk)


def test_small_rsa_jwk_is_refused() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    numbers = small.public_numbers()
    jwk = {
        "kty": "RSA",
        "n": base64.urlsafe_b64encode(numbers.n.to_bytes(128, "big")).rstrip(b"=").decode(),
        "e": "AQAB",
    }
    with pytest.raises(keys.KeyMaterialError, match="2048"):
        keys.load_public_jwk(jwk)


def test_ed25519_jwk_matches_rfc8037_example() -> None:
    # RFC 8037 appendix A.2: the public key of the example Ed25519 key.
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    public_key = keys.load_public_jwk(jwk)
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert raw.hex() == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    assert keys.public_jwk(public_key) == jwk
