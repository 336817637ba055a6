"""The engine's fast paths must mean exactly what the well-kept libraries they bypass mean."""

from __future__ import annotations

import base58
import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from vc_engine.formats.vc_di.jcs import LimitExceededError, MalformedJsonLdError, jcs
from vc_engine.keys import base58btc


@given(st.binary(max_size=120))
def test_base58_encode_matches_the_base58_package(data: bytes) -> None:
    assert base58btc.encode(data) == base58.b58encode(data).decode("ascii")


@given(st.binary(max_size=120))
def test_base58_round_trip(data: bytes) -> None:
    assert base58btc.decode(base58btc.encode(data), max_bytes=len(data)) == data


@given(st.text(alphabet=base58btc.ALPHABET, max_size=100))
def test_base58_decode_matches_the_base58_package(text: str) -> None:
    expected = base58.b58decode(text.encode("ascii"))
    assert base58btc.decode(text, max_bytes=len(expected)) == expected


@given(st.binary(min_size=1, max_size=120))
def test_base58_refuses_a_value_longer_than_its_cap(data: bytes) -> None:
    with pytest.raises(ValueError):
        base58btc.decode(base58btc.encode(data), max_bytes=len(data) - 1)


@given(st.integers(min_value=0, max_value=200))
def test_base58_cap_admits_every_value_of_that_size(size: int) -> None:
    assert len(base58btc.encode(b"\xff" * size)) <= base58btc.max_length(size)
    assert len(base58btc.encode(b"\0" * size)) <= base58btc.max_length(size)


@pytest.mark.parametrize("text", ["0", "O", "I", "l", "+", "é", "z z"])
def test_base58_refuses_characters_outside_the_alphabet(text: str) -> None:
    with pytest.raises(ValueError):
        base58btc.decode(text, max_bytes=64)


json_scalars = (
    st.none() | st.booleans() | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1) | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=300)
@given(json_values)
def test_jcs_matches_rfc8785(value: object) -> None:
    """Including non-ASCII keys (UTF-16 ordering) and control characters in text."""
    try:
        expected = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        with pytest.raises(MalformedJsonLdError):
            jcs(value)
        return
    assert jcs(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        {"\U0001f600": 1, "\ue000": 2},  # UTF-16 order differs from code point order
        {"a": 1.5, "b": -0.0, "c": 1e21},
        {"big": 2**60},
        {"ctl": '\x00\x1f\x7f\b\f\n\r\t"\\'},
    ],
    ids=["astral-keys", "floats", "big-integer", "control-characters"],
)
def test_jcs_edge_cases(value: object) -> None:
    try:
        expected = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        with pytest.raises(MalformedJsonLdError):
            jcs(value)
        return
    assert jcs(value) == expected


any_json_scalars = (
    json_scalars
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=8)
)
any_json_values = st.recursive(
    any_json_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=6), children, max_size=4)
        | st.dictionaries(st.text(alphabet="abcXYZ_@", max_size=3), children, max_size=4)
    ),
    max_leaves=40,
)


@settings(max_examples=400)
@given(any_json_values)
def test_jcs_matches_rfc8785_on_numbers_it_must_hand_over(value: object) -> None:
    """Floats and integers past 2**53 leave the fast path: the answer must not change."""
    try:
        expected = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        with pytest.raises(MalformedJsonLdError):
            jcs(value)
        return
    assert jcs(value) == expected


def _nested(depth: int, leaf: object) -> object:
    value = leaf
    for level in range(depth):
        value = {"k": value} if level % 2 else [value]
    return value


@pytest.mark.parametrize("leaf", ["text", 1, 1.5, None, {}, []], ids=repr)
@pytest.mark.parametrize("depth", [3, 4, 5, 6])
def test_jcs_depth_limit_is_the_same_on_both_paths(depth: int, leaf: object) -> None:
    """The fast path and the rfc8785 path (a float leaf) refuse, or accept, the same nesting
    for a limit of 4: containers nested more than 4 deep are refused, whatever the leaf."""
    value = _nested(depth, leaf)
    try:
        jcs(value, max_depth=4)
    except LimitExceededError:
        refused = True
    else:
        refused = False
    assert refused == (depth > 4)
