"""Run one fuzzing target under atheris (libFuzzer): `python tests/fuzz/fuzz.py TARGET [ARGS]`,
ARGS as libFuzzer takes them (a corpus directory, -runs=N, -max_total_time=S, -timeout=S, ...).

The engine is imported under atheris' instrumentation, so coverage of its Python code guides the
search. A crash is an uncaught exception (or an assertion) in the target: libFuzzer writes the
input as crash-<sha1> in the working directory and exits non-zero.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))

with atheris.instrument_imports(include=["vc_engine", "targets"]):
    from targets import TARGETS


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        raise SystemExit(f"usage: fuzz.py TARGET [libFuzzer args]; targets: {', '.join(TARGETS)}")
    target = TARGETS[sys.argv[1]]
    atheris.Setup([sys.argv[0], *sys.argv[2:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
