"""The holder matcher: normalisation, the initials rule, one named case per rule, and
properties over generated names (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vc_engine.doctypes.holders import name_parts, names_match, normalise


@pytest.mark.parametrize(
    ("asked", "held"),
    [
        ("Ravi Kumar Sharma", "Ravi Kumar Sharma"),
        ("ravi kumar SHARMA", "Ravi Kumar Sharma"),
        ("  Ravi   Kumar\tSharma ", "Ravi Kumar Sharma"),
        ("R. K. Sharma", "Ravi Kumar Sharma"),
        ("R.K. Sharma", "Ravi Kumar Sharma"),
        ("R K Sharma", "Ravi Kumar Sharma"),
        ("Ravi K. Sharma", "Ravi Kumar Sharma"),
        ("Ravi Kumar Sharma", "R. K. Sharma"),
        ("\uff32\uff41\uff56\uff49 Kumar Sharma", "Ravi Kumar Sharma"),
        ("অমিত হালদার", "অমিত হালদার"),
        ("STRASSE Müller", "strasse müller"),
    ],
    ids=[
        "same",
        "case",
        "spacing",
        "initials-with-stops",
        "initials-joined-by-stops",
        "initials-without-stops",
        "one-initial",
        "initials-on-the-record",
        "full-width",
        "bengali",
        "case-folding",
    ],
)
def test_names_that_match(asked: str, held: str) -> None:
    assert names_match(asked, held)


@pytest.mark.parametrize(
    ("asked", "held"),
    [
        ("Ravi Sharma", "Ravi Kumar Sharma"),
        ("RK Sharma", "Ravi Kumar Sharma"),
        ("Sharma Ravi Kumar", "Ravi Kumar Sharma"),
        ("Ravi Kumar S.", "Ravi Kumar Sharma"),
        ("V. K. Sharma", "Ravi Kumar Sharma"),
        ("R. K. Verma", "Ravi Kumar Sharma"),
        ("R. K.", "R. K."),
        ("", ""),
        ("Sharma", "Ravi Kumar Sharma"),
        ("Rav Kumar Sharma", "Ravi Kumar Sharma"),
    ],
    ids=[
        "a-part-missing",
        "initials-as-one-part",
        "another-order",
        "initial-for-the-family-name",
        "wrong-initial",
        "other-family-name",
        "initials-only",
        "empty",
        "family-name-only",
        "a-prefix-is-not-an-initial",
    ],
)
def test_names_that_do_not_match(asked: str, held: str) -> None:
    assert not names_match(asked, held)


def test_normalise_folds_compatibility_forms_case_and_spacing() -> None:
    assert normalise("  \uff21\uff22\uff23\u00a0 def\n") == "abc def"


def test_normalise_makes_composed_and_decomposed_indic_text_equal() -> None:
    composed, decomposed = "\u0995\u09cb", "\u0995\u09c7\u09be"  # Bengali KO, two ways
    assert normalise(composed) == normalise(decomposed)


_parts = st.lists(
    st.text(st.characters(categories=("Lu", "Ll", "Lo")), min_size=2, max_size=8),
    min_size=2,
    max_size=4,
)


@given(_parts)
def test_a_name_matches_itself_and_its_respelling(parts: list[str]) -> None:
    name = " ".join(parts)
    held = name_parts(name)
    assert names_match(name, name) == (bool(held) and len(held[-1]) > 1)
    assert names_match(name.upper(), name) == names_match(name, name.upper())


@given(_parts)
def test_initials_for_every_given_name_match(parts: list[str]) -> None:
    full = " ".join(parts)
    held = name_parts(full)
    if len(held) != len(parts) or len(held[-1]) < 2:
        return  # normalisation split or shortened a part; covered by the named cases
    initials = " ".join(f"{part[0]}." for part in held[:-1]) + " " + held[-1]
    assert names_match(initials, full)
    assert names_match(full, initials)


@given(st.text(max_size=30), st.text(max_size=30))
def test_matching_is_symmetric_and_never_raises(a: str, b: str) -> None:
    assert names_match(a, b) == names_match(b, a)


@given(st.text(max_size=30))
def test_normalise_is_idempotent(text: str) -> None:
    assert normalise(normalise(text)) == normalise(text)


@given(_parts, st.integers(min_value=0, max_value=3))
def test_dropping_a_part_never_matches(parts: list[str], drop: int) -> None:
    full = " ".join(parts)
    held = name_parts(full)
    if len(held) < 2:
        return
    fewer = " ".join(part for i, part in enumerate(held) if i != drop % len(held))
    assert not names_match(fewer, full)
