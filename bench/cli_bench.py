"""`vc-engine verify FILE` as a clerk runs it: a whole process, against the cost of starting
Python with the cryptography and XML libraries (`python -c "import cryptography, lxml"`).

    .venv/bin/python bench/cli_bench.py [--runs N] [--profile [N]]

Sets up a registry with one issuer and one eddsa-jcs-2022 credential through the command
itself, then runs, in turn, the command (through its entry point), the same verification
through the typer application (what every run paid before the entry point's quick path), and
the baseline; each run's CPU time (user + system, from the kernel's accounting of the child)
and wall time. Prints the medians and the ratios to the baseline, paired run by run; ends with
one JSON line. Target (issue 14): the command's time <= 2x the baseline's.

`--profile N` prints the N imports that cost the command most (`python -X importtime`): at
this scale the time is in what a process loads, not in what it computes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "records"
BASELINE = [sys.executable, "-c", "import cryptography, lxml"]
ENTRY = "import sys\nfrom vc_engine.cli.main import main\nsys.argv[:] = sys.argv[1:]\nmain()\n"
TYPER = "import sys\nfrom vc_engine.cli import app\napp(sys.argv[1:], prog_name='vc-engine')\n"


def command(*args: str) -> list[str]:
    """The installed entry point, run as the console script runs it."""
    return [sys.executable, "-c", ENTRY, "vc-engine", *args]


def typer_command(*args: str) -> list[str]:
    return [sys.executable, "-c", TYPER, *args]


def prepare(work: Path) -> tuple[str, Path]:
    """A registry with one issuer and one credential it issued; (registry URL, credential)."""
    registry = f"sqlite:///{work / 'registry.db'}"
    issuer = "in.gov.wb.kmc"

    def run(*args: str) -> str:
        done = subprocess.run(
            command("--registry", registry, *args), capture_output=True, text=True, check=True
        )
        return done.stdout

    run("registry", "init")
    run("keys", "generate", "--alg", "ed25519", "--out", str(work / "key"))
    run("issuer", "add", issuer, "--name", "Kolkata Municipal Corporation", "--doctype", "BTHCER")
    run("issuer", "add-key", issuer, "--cert", str(work / "key" / "cert.pem"))
    records = work / "one.csv"
    lines = (FIXTURES / "BTHCER.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    records.write_text("".join(lines[:2]), encoding="utf-8")
    run(
        "issue", "--issuer", issuer, "--key", str(work / "key" / "private.pem"),
        "--doctype", "BTHCER", "--records", str(records), "--format", "vc-di",
        "--cryptosuite", "eddsa-jcs-2022", "--workers", "1", "--out", str(work / "out"),
    )  # fmt: skip
    return registry, next((work / "out").glob("*.vc.json"))


def timed(argv: list[str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one run of `argv`, which must exit 0."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{argv} exited {process.returncode}")
    return usage.ru_utime + usage.ru_stime, wall


def import_profile(argv: list[str], top: int) -> None:
    done = subprocess.run(
        [argv[0], "-X", "importtime", *argv[1:]], capture_output=True, text=True, check=True
    )
    rows = []
    for line in done.stderr.splitlines():
        found = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if found and len(found.group(2)) <= 6:
            rows.append((int(found.group(1)), len(found.group(2)) // 2, found.group(3)))
    print(f"the {top} costliest imports of one run (cumulative µs, nesting level):")
    for micros, level, name in sorted(rows, reverse=True)[:top]:
        print(f"{micros:10,} {level:2} {'  ' * level}{name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--profile", nargs="?", const=25, default=0, type=int, metavar="N")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        registry, credential = prepare(Path(directory))
        verify = ["--registry", registry, "verify", str(credential)]
        subjects = {
            "command": command(*verify),
            "typer_path": typer_command(*verify),
            "baseline": BASELINE,
        }
        for argv in subjects.values():  # warm the file cache
            timed(argv)
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in subjects}
        for _ in range(args.runs):
            for name, argv in subjects.items():
                runs[name].append(timed(argv))
        if args.profile:
            import_profile(command(*verify), args.profile)
    load = os.getloadavg()[0]
    figures: dict[str, float | int] = {"runs": args.runs, "load_average_1min": round(load, 2)}
    for name, measured in runs.items():
        figures[f"{name}_cpu_s"] = round(statistics.median(c for c, _ in measured), 4)
        figures[f"{name}_wall_s"] = round(statistics.median(w for _, w in measured), 4)
    for name in ("command", "typer_path"):
        for kind, index in (("cpu", 0), ("wall", 1)):
            pairs = zip(runs[name], runs["baseline"], strict=True)
            ratio = statistics.median(a[index] / b[index] for a, b in pairs)
            figures[f"{name}_{kind}_ratio_to_baseline"] = round(ratio, 2)
    figures["target_ratio"] = 2
    for name in subjects:
        cpu, wall = figures[name + "_cpu_s"], figures[name + "_wall_s"]
        line = f"{name:12} cpu {cpu:7.3f} s   wall {wall:7.3f} s"
        if name != "baseline":
            line += (
                f"   {figures[name + '_cpu_ratio_to_baseline']:5.1f}x the baseline (cpu),"
                f" {figures[name + '_wall_ratio_to_baseline']:5.1f}x (wall)"
            )
        print(line)
    print(f"load average (1 min): {load:.2f}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
