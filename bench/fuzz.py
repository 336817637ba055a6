"""Coverage-guided fuzzing of every parser entry point (tests/fuzz/targets.py) with atheris.

Each target runs in its own process, on a copy of its kept corpus, for `--runs` executions (or
`--seconds`), libFuzzer's per-input timeout set to `--timeout`. Afterwards every input of the
grown corpus is replayed here and timed, to find the slowest. Prints per target: executions,
crashes (libFuzzer's crash-/timeout-/oom- files), corpus size before and after, the slowest
input and its time; ends with one JSON line. With `--keep`, the grown corpora (libFuzzer keeps
only inputs that add coverage) are added to tests/fuzz/corpus.

    .venv/bin/python bench/fuzz.py --runs 1000000            # the issue's figure, per target
    .venv/bin/python bench/fuzz.py --seconds 20 --keep       # grow the kept corpora a little
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FUZZ = ROOT / "tests" / "fuzz"
CORPUS = FUZZ / "corpus"
sys.path[:0] = [str(FUZZ), str(ROOT / "tests")]

from targets import TARGETS  # noqa: E402

_EXECS = re.compile(rb"stat::number_of_executed_units:\s*(\d+)")


def run_target(name: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    corpus = work / name / "corpus"
    crashes = work / name / "crashes"
    crashes.mkdir(parents=True)
    shutil.copytree(CORPUS / name, corpus) if (CORPUS / name).is_dir() else corpus.mkdir()
    before = len(list(corpus.iterdir()))
    limit = [f"-runs={args.runs}"] if args.seconds is None else [f"-max_total_time={args.seconds}"]
    command = [
        sys.executable,
        str(FUZZ / "fuzz.py"),
        name,
        str(corpus),
        *limit,
        f"-timeout={args.timeout}",
        "-rss_limit_mb=2048",
        "-max_len=65536",
        f"-artifact_prefix={crashes}/",
        "-print_final_stats=1",
    ]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, cwd=work, check=False)
    elapsed = time.monotonic() - started
    found = _EXECS.findall(done.stderr)
    artifacts = sorted(p.name for p in crashes.iterdir())
    slowest, slowest_ms = _slowest(name, corpus)
    if args.keep and not artifacts:
        _keep(name, corpus)
    return {
        "target": name,
        "executions": int(found[-1]) if found else 0,
        "seconds": round(elapsed, 1),
        "exitCode": done.returncode,
        "crashes": len(artifacts),
        "artifacts": [str(crashes / a) for a in artifacts],
        "corpusBefore": before,
        "corpusAfter": len(list(corpus.iterdir())),
        "slowestInput": slowest,
        "slowestMs": slowest_ms,
        "log": done.stderr.decode("utf-8", "replace")[-2000:] if done.returncode else "",
    }


def _slowest(name: str, corpus: Path) -> tuple[str | None, float]:
    """Replay every input (best of three runs each) and return the slowest one."""
    target = TARGETS[name]
    worst: tuple[str | None, float] = (None, 0.0)
    for path in sorted(corpus.iterdir()):
        data = path.read_bytes()
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            target(data)
            best = min(best, time.perf_counter() - started)
        if best * 1000 > worst[1]:
            worst = (path.name, round(best * 1000, 2))
    return worst


def _keep(name: str, grown: Path) -> None:
    """Add the inputs the run kept (libFuzzer keeps only those that grew coverage, each named
    by its SHA-1) to the committed corpus."""
    kept = CORPUS / name
    kept.mkdir(parents=True, exist_ok=True)
    for path in grown.iterdir():
        if not (kept / path.name).exists():
            shutil.copyfile(path, kept / path.name)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=None, help="instead of --runs")
    parser.add_argument("--timeout", type=int, default=2, help="libFuzzer per-input timeout, s")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", action="store_true", help="merge grown corpora back")
    parser.add_argument("targets", nargs="*", default=list(TARGETS))
    args = parser.parse_args()
    unknown = set(args.targets) - set(TARGETS)
    if unknown:
        raise SystemExit(f"unknown targets {sorted(unknown)}; known: {', '.join(TARGETS)}")
    with (
        tempfile.TemporaryDirectory(prefix="vc-fuzz-") as temporary,
        ThreadPoolExecutor(args.jobs) as pool,
    ):
        results = list(pool.map(lambda n: run_target(n, args, Path(temporary)), args.targets))
        for result in results:
            print(
                f"{result['target']:22} {result['executions']:>10,} execs in "
                f"{result['seconds']:>7.1f} s  crashes {result['crashes']}  corpus "
                f"{result['corpusBefore']}->{result['corpusAfter']}  slowest "
                f"{result['slowestMs']:.1f} ms ({result['slowestInput']})"
            )
            if result["crashes"] or result["exitCode"]:
                print(result["log"])
                for artifact in result["artifacts"]:
                    saved = ROOT / "fuzz-artifacts" / result["target"]
                    saved.mkdir(parents=True, exist_ok=True)
                    shutil.copy(artifact, saved)
    summary = {
        "bench": "fuzz",
        "targets": {
            r["target"]: {k: r[k] for k in ("executions", "crashes", "slowestMs", "corpusAfter")}
            for r in results
        },
        "totalExecutions": sum(r["executions"] for r in results),
        "crashes": sum(r["crashes"] for r in results),
        "slowestMs": max(r["slowestMs"] for r in results),
    }
    print(json.dumps(summary))
    if summary["crashes"] or any(r["exitCode"] for r in results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
