"""Coverage-guided fuzzing of every parser entry point, for a bounded time on each run
(`VC_ENGINE_FUZZ_SECONDS`, 4 s a target by default): atheris drives each target from a copy of
its kept corpus; any crash fails the test and leaves the input in the test's temporary
directory (and in the output), so it can be added to the corpus and fixed. The long runs (a
million executions a target) are `bench/fuzz.py`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from targets import TARGETS

HERE = Path(__file__).resolve().parent
SECONDS = int(os.environ.get("VC_ENGINE_FUZZ_SECONDS", "4"))


@pytest.mark.slow
@pytest.mark.parametrize("target", sorted(TARGETS))
def test_fuzzing_finds_no_crash(target: str, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(HERE / "corpus" / target, corpus)
    crashes = tmp_path / "crashes"
    crashes.mkdir()
    done = subprocess.run(
        [
            sys.executable,
            str(HERE / "fuzz.py"),
            target,
            str(corpus),
            f"-max_total_time={SECONDS}",
            "-timeout=2",
            "-rss_limit_mb=2048",
            "-max_len=65536",
            f"-artifact_prefix={crashes}/",
        ],
        capture_output=True,
        cwd=tmp_path,
        check=False,
        timeout=SECONDS * 4 + 60,
    )
    found = sorted(p.name for p in crashes.iterdir())
    assert done.returncode == 0 and not found, (
        f"{target}: {found} in {crashes}\n" + done.stderr.decode("utf-8", "replace")[-3000:]
    )
