"""The lane-parallel Base45 decoder (formats.qr.base45) against the reference it replaced: the
per-group arithmetic of RFC 9285 section 4.2, one group at a time. On any text over the
alphabet (and over a few characters outside it) both give the same bytes or both refuse."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from vc_engine.formats.qr import base45


def _reference(text: str) -> bytes | None:
    """RFC 9285's decoding, group by group; None where the text is not Base45."""
    if len(text) % 3 == 1 or any(c not in base45.ALPHABET for c in text):
        return None
    out = bytearray()
    for start in range(0, len(text), 3):
        digits = [base45.ALPHABET.index(c) for c in text[start : start + 3]]
        value = sum(digit * 45**power for power, digit in enumerate(digits))
        if value > (0xFFFF if len(digits) == 3 else 0xFF):
            return None
        out += value.to_bytes(len(digits) - 1, "big")
    return bytes(out)


def _decoded(text: str) -> bytes | None:
    try:
        return base45.decode(text)
    except base45.Base45Error:
        return None


@settings(max_examples=500)
@given(st.text(alphabet=base45.ALPHABET + "a~é", max_size=120))
def test_the_lane_decoder_equals_the_group_arithmetic(text: str) -> None:
    assert _decoded(text) == _reference(text)


@settings(max_examples=300)
@given(st.text(alphabet=":/.ZYX", max_size=60))
def test_overflowing_groups_are_refused_like_the_reference(text: str) -> None:
    """The alphabet's top digits make groups past 0xFFFF (":::" is 91124)."""
    assert _decoded(text) == _reference(text)


@given(st.binary(max_size=2000))
def test_what_is_encoded_decodes_as_the_reference_does(data: bytes) -> None:
    text = base45.encode(data)
    assert base45.decode(text) == _reference(text) == data
