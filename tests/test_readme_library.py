"""The README's "Using it as a library" example runs as written, so the public surface it
shows (`vc_engine.__all__`) cannot drift from the text."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import vc_engine

README = Path(__file__).resolve().parent.parent / "README.md"


def library_example() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Using it as a library", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found is not None, "the README has no library example"
    return found.group(1)


def test_the_readme_library_example_issues_and_verifies(tmp_path: Path) -> None:
    script = tmp_path / "example.py"
    script.write_text(library_example(), encoding="utf-8")
    ran = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == ["PASSED", "in.gov.wb.kmc-BTHCER-2026000123"]


def test_every_public_name_resolves_and_nothing_else_does() -> None:
    for name in vc_engine.__all__:
        assert getattr(vc_engine, name) is not None
    assert set(vc_engine.__all__) <= set(dir(vc_engine))
    try:
        vc_engine.not_a_name  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as error:
        assert "not_a_name" in str(error)
    else:
        raise AssertionError("an unknown name resolved")
