"""The strict JSON reader at the boundary of the JSON formats."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vc_engine.formats.safe_json import UnsafeJson, loads_object

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6))
def test_round_trip(value: dict[str, object]) -> None:
    encoded = json.dumps(value, ensure_ascii=False).encode()
    assert loads_object(encoded, max_bytes=len(encoded)) == value


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"a": 1, "a": 2}', "appears twice"),
        (b"[1, 2]", "not an object"),
        (b'"text"', "not an object"),
        (b'{"a": NaN}', "NaN"),
        (b'{"a": Infinity}', "Infinity"),
        (b'{"a": "\xff"}', "not UTF-8"),
        (b'{"a": ', "not well-formed"),
        (b"", "not well-formed"),
        (b'{"a": 1' + b"9" * 5000 + b"}", "not acceptable"),
    ],
    ids=[
        "duplicate-key",
        "array",
        "string",
        "nan",
        "infinity",
        "invalid-utf8",
        "truncated",
        "empty",
        "huge-integer",
    ],
)
def test_refused(data: bytes, reason: str) -> None:
    with pytest.raises(UnsafeJson, match=reason):
        loads_object(data, max_bytes=1_000_000)


def test_ten_thousand_deep_is_refused() -> None:
    deep = b'{"a":' * 10_000 + b"1" + b"}" * 10_000
    with pytest.raises(UnsafeJson, match="nested deeper"):
        loads_object(deep, max_bytes=1_000_000)


def test_deeper_than_the_limit_but_parseable_is_refused() -> None:
    data = b'{"a":' * 70 + b"1" + b"}" * 70
    with pytest.raises(UnsafeJson, match="nested deeper than 64"):
        loads_object(data, max_bytes=1_000_000)
    assert loads_object(data, max_bytes=1_000_000, max_depth=80)


def test_oversized_is_refused_before_parsing() -> None:
    with pytest.raises(UnsafeJson, match="limit"):
        loads_object(b"{}" + b" " * 100, max_bytes=50)
