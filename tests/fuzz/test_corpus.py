"""Every input the fuzzers kept (tests/fuzz/corpus/<target>/) replayed on every test run: a
parser that once survived an input keeps surviving it, and the inputs that once crashed one
(`found-*`) stay fixed."""

from __future__ import annotations

from pathlib import Path

import pytest
from targets import TARGETS

CORPUS = Path(__file__).resolve().parent / "corpus"


def kept_inputs(target: str) -> list[Path]:
    return sorted(path for path in (CORPUS / target).glob("*") if path.is_file())


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_the_target_survives_every_kept_input(target: str) -> None:
    inputs = kept_inputs(target)
    assert inputs, f"{target} has no kept corpus"
    for path in inputs:
        try:
            TARGETS[target](path.read_bytes())
        except Exception as error:
            raise AssertionError(f"{target}: {path.name} raised {error!r}") from error
