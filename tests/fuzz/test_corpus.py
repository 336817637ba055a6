"""Every input the fuzzers kept (tests/fuzz/corpus/<target>/) replayed on every test run: a
parser that once survived an input keeps surviving it, and the inputs that once crashed one
(`found-*`) stay fixed."""

from __future__ import annotations

from pathlib import Path

import pytest
from targets import TARGETS

CORPUS = Path(__file__).resolve().parent / "corpus"
INPUTS = sorted(
    (target, path) for target in TARGETS for path in (CORPUS / target).glob("*") if path.is_file()
)


def test_every_target_has_a_corpus() -> None:
    assert {target for target, _ in INPUTS} == set(TARGETS)


@pytest.mark.parametrize(("target", "path"), INPUTS, ids=[f"{t}/{p.name[:24]}" for t, p in INPUTS])
def test_the_target_survives_its_kept_input(target: str, path: Path) -> None:
    TARGETS[target](path.read_bytes())
