"""The arrows of DESIGN.md, as the import-linter contracts in pyproject.toml: a module that
imports against them fails this test (and so CI), naming the import."""

from __future__ import annotations

from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent


def test_every_import_follows_the_arrows_of_the_design(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    output = capsys.readouterr().out
    assert code == 0, output
    assert "0 broken" in output
