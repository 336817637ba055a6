"""The bitstring and its encodedList form: W3C vectors (one case per lookup), round trips, and
every malformed encoding by name."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vc_engine.revocation import (
    MIN_ENTRIES,
    Bitstring,
    BitstringError,
    StatusErrorCode,
    StatusListCache,
    decode,
    encode,
)

from paths import VECTORS as ALL_VECTORS

VECTORS = ALL_VECTORS / "bitstring-status-list"
CASES: list[dict[str, Any]] = json.loads((VECTORS / "derived" / "cases.json").read_text())
SPEC = VECTORS / "spec-examples"
SPEC_ZERO_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def lookups() -> list[Any]:
    return [
        pytest.param(case, lookup, id=f"{case['name']}[{lookup['statusListIndex']}]")
        for case in CASES
        for lookup in case.get("lookups", ())
    ]


def read_status(case: dict[str, Any], index: int) -> int:
    size = case["statusSize"]
    return decode(case["encodedList"], status_size=size).status(index, size)


# Vectors: derived/cases.json


@pytest.mark.parametrize(("case", "lookup"), lookups())
def test_vector_lookup(case: dict[str, Any], lookup: dict[str, Any]) -> None:
    index = int(lookup["statusListIndex"])
    if "error" in lookup:
        with pytest.raises(BitstringError) as raised:
            read_status(case, index)
        assert raised.value.code == StatusErrorCode(lookup["error"])
        return
    expected = lookup["status"]
    expected = int(expected, 16) if isinstance(expected, str) else expected
    assert read_status(case, index) == expected


BAD = next(case for case in CASES if case["name"] == "D-bad-encodings")
REFUSED = sorted(name for name in BAD["encodedList_variants"] if name != "ok")


def test_vector_bad_encodings_ok_variant_reads() -> None:
    bits = decode(BAD["encodedList_variants"]["ok"])
    assert (bits.status(3), bits.status(2)) == (1, 0)


@pytest.mark.parametrize("variant", REFUSED)
def test_vector_bad_encoding_is_refused(variant: str) -> None:
    """Padding included: we refuse it (see the module docstring of `bitstring`)."""
    with pytest.raises(BitstringError) as raised:
        decode(BAD["encodedList_variants"][variant])
    assert raised.value.code is StatusErrorCode.MALFORMED_VALUE_ERROR


# Vectors: the spec's examples


@pytest.mark.parametrize(
    "name", ["example3-BitstringStatusListCredential.json", "appendix-status-list-vc.json"]
)
def test_spec_list_is_131072_clear_bits(name: str) -> None:
    encoded = json.loads((SPEC / name).read_text())["credentialSubject"]["encodedList"]
    assert encoded == SPEC_ZERO_LIST
    bits = decode(encoded)
    assert bits == Bitstring(bytes(16384))
    assert bits.set_indices() == []


def spec_entries() -> list[Any]:
    params = []
    for name in [
        "example1-credentialStatus-revocation-and-suspension.json",
        "appendix-revocable-vc.json",
    ]:
        status = json.loads((SPEC / name).read_text())["credentialStatus"]
        for entry in status if isinstance(status, list) else [status]:
            params.append(pytest.param(entry, id=f"{name}[{entry['statusListIndex']}]"))
    return params


@pytest.mark.parametrize("entry", spec_entries())
def test_spec_entry_is_not_set_in_the_spec_list(entry: dict[str, Any]) -> None:
    assert decode(SPEC_ZERO_LIST).get(int(entry["statusListIndex"])) is False


def test_our_encoding_of_zeros_decodes_like_the_spec_one() -> None:
    ours = encode(Bitstring(bytes(16384)))
    assert ours.startswith("u") and "=" not in ours
    assert decode(ours) == decode(SPEC_ZERO_LIST)


# Round trips


@settings(max_examples=50, deadline=None)
@given(
    extra_bytes=st.integers(min_value=0, max_value=256),
    indices=st.sets(st.integers(min_value=0, max_value=MIN_ENTRIES - 1), max_size=200),
)
def test_encode_decode_round_trip(extra_bytes: int, indices: set[int]) -> None:
    size = MIN_ENTRIES + extra_bytes * 8
    bits = Bitstring.from_indices(size, indices)
    decoded = decode(encode(bits))
    assert decoded == bits
    assert decoded.set_indices() == sorted(indices)


@given(
    size_bytes=st.integers(min_value=1, max_value=64),
    data=st.data(),
)
def test_set_then_get(size_bytes: int, data: st.DataObject) -> None:
    size = size_bytes * 8
    indices = data.draw(st.sets(st.integers(min_value=0, max_value=size - 1)))
    bits = Bitstring.from_indices(size, indices)
    assert [i for i in range(size) if bits.get(i)] == sorted(indices)


def test_index_zero_is_the_most_significant_bit_of_byte_zero() -> None:
    assert Bitstring.from_indices(16, [0, 9]).data == bytes([0x80, 0x40])


def test_multi_bit_status_reads_most_significant_bit_first() -> None:
    bits = Bitstring(bytes([0b01_10_11_00]))
    assert [bits.status(i, 2) for i in range(4)] == [1, 2, 3, 0]


# Refusals, each by name


def multibase(raw: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def gzip_text(data: bytes) -> str:
    return multibase(gzip.compress(data, mtime=0))


@pytest.mark.parametrize("index", [-1, MIN_ENTRIES])
def test_lookup_outside_the_list_is_range_error(index: int) -> None:
    with pytest.raises(BitstringError) as raised:
        decode(SPEC_ZERO_LIST).get(index)
    assert raised.value.code is StatusErrorCode.RANGE_ERROR


def test_short_list_is_length_error() -> None:
    with pytest.raises(BitstringError) as raised:
        decode(gzip_text(bytes(MIN_ENTRIES // 8 - 1)))
    assert raised.value.code is StatusErrorCode.STATUS_LIST_LENGTH_ERROR


def test_gzip_bomb_is_refused_without_inflating_it() -> None:
    bomb = gzip_text(bytes(64 * 1024 * 1024))
    assert len(bomb) < 100_000
    with pytest.raises(BitstringError) as raised:
        decode(bomb)
    assert raised.value.code is StatusErrorCode.MALFORMED_VALUE_ERROR
    assert "more than" in str(raised.value)


def test_list_at_the_size_cap_is_accepted() -> None:
    assert (
        decode(gzip_text(bytes(MIN_ENTRIES // 8)), max_bytes=MIN_ENTRIES // 8).size == MIN_ENTRIES
    )


def non_canonical(text: str) -> str:
    """`text` with unused trailing bits of its last base64url character set."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    spare = {2: 0b1111, 3: 0b11}[len(text[1:]) % 4]
    last = alphabet.index(text[-1])
    assert last & spare == 0
    return text[:-1] + alphabet[last | 1]


# A valid list whose base64url text ends in a partial group, so it has spare bits to abuse.
ZEROS = next(
    text
    for text in (gzip_text(bytes(MIN_ENTRIES // 8) + bytes([n])) for n in range(1, 256))
    if len(text[1:]) % 4
)


@pytest.mark.parametrize(
    ("text", "because"),
    [
        pytest.param("", "multibase prefix", id="empty"),
        pytest.param("u", "truncated", id="prefix_only"),
        pytest.param(
            multibase(gzip.compress(bytes(MIN_ENTRIES // 8))[:-6]), "truncated", id="truncated_gzip"
        ),
        pytest.param(ZEROS + "AAAA", "after its GZIP member", id="trailing_data_after_gzip"),
        pytest.param(
            "u" + base64.urlsafe_b64encode(b"\x03\x00").decode().rstrip("="),
            "not GZIP",
            id="raw_deflate_not_gzip",
        ),
        pytest.param(
            SPEC_ZERO_LIST[:10] + " " + SPEC_ZERO_LIST[10:], "alphabet", id="whitespace_inside"
        ),
        pytest.param(SPEC_ZERO_LIST + "A", "impossible base64url length", id="impossible_length"),
        pytest.param(non_canonical(ZEROS), "canonical", id="non_canonical_trailing_bits"),
    ],
)
def test_malformed_encoding_is_refused(text: str, because: str) -> None:
    with pytest.raises(BitstringError, match=because) as raised:
        decode(text)
    assert raised.value.code is StatusErrorCode.MALFORMED_VALUE_ERROR


# The cache


def test_cache_decodes_each_list_once() -> None:
    cache = StatusListCache(capacity=2)
    first = cache.decode(SPEC_ZERO_LIST)
    assert cache.decode(SPEC_ZERO_LIST) is first
    other = encode(Bitstring.from_indices(MIN_ENTRIES, [5]))
    assert cache.decode(other).get(5)
    assert cache.decode(SPEC_ZERO_LIST) is first


def test_cache_evicts_the_least_recently_used() -> None:
    cache = StatusListCache(capacity=1)
    first = cache.decode(SPEC_ZERO_LIST)
    cache.decode(encode(Bitstring.from_indices(MIN_ENTRIES, [5])))
    assert cache.decode(SPEC_ZERO_LIST) is not first


def test_cache_does_not_remember_refusals() -> None:
    cache = StatusListCache()
    for _ in range(2):
        with pytest.raises(BitstringError):
            cache.decode("zNotBase64url")
