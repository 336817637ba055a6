"""What every benchmark here shares: a best-of-three rate, a registry with one issuer, and the
fixture documents, so each script measures its own subject and nothing else differs."""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import io
import os
import pstats
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import TextIO, TypeVar

from vc_engine import doctypes, keys
from vc_engine.inputs import records
from vc_engine.model import Document
from vc_engine.store import Registry

Result = TypeVar("Result")

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "records"


_profile_top = 0
"""Functions to print per measurement (0: no profiling), set by `use_profile_switch`."""


def add_profile_switch(parser: argparse.ArgumentParser) -> None:
    """`--profile [N]`: after each rate, print the N functions that took the most time."""
    parser.add_argument(
        "--profile",
        nargs="?",
        const=20,
        default=0,
        type=int,
        metavar="N",
        help="profile the last round of every measurement and print its top N functions "
        "(that round is not timed)",
    )


def use_profile_switch(args: argparse.Namespace) -> None:
    global _profile_top
    _profile_top = args.profile


def profiling() -> bool:
    return _profile_top > 0


def profile_top() -> int:
    return _profile_top


def profiled_call(action: Callable[[], Result], label: str) -> Result:
    """`action()`, under cProfile when `--profile` was given (top functions go to stderr)."""
    if not _profile_top:
        return action()
    profiler = cProfile.Profile()
    result = profiler.runcall(action)
    print_stats(profiler, label, sys.stderr)
    return result


def rate(count: int, action: Callable[[], object], label: str = "") -> float:
    """Calls per second of `action`, best of three rounds of `count` calls.

    With `--profile` the third round runs under cProfile and is left out of the timing, so
    the benches consume their input cycles exactly as without it.
    """
    best = float("inf")
    for round_number in range(3):
        if _profile_top and round_number == 2:
            print_profile(label or getattr(action, "__qualname__", "action"), count, action)
            continue
        start = time.perf_counter()
        for _ in range(count):
            action()
        best = min(best, time.perf_counter() - start)
    return count / best


def print_profile(label: str, count: int, action: Callable[[], object]) -> None:
    """Run `action` `count` times under cProfile; print the top functions by own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        action()
    profiler.disable()
    print_stats(profiler, f"{label}, {count} calls", sys.stdout)


def print_stats(profiler: cProfile.Profile, label: str, stream: TextIO) -> None:
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(pstats.SortKey.TIME).print_stats(_profile_top)
    body = out.getvalue()
    start = body.find("   ncalls")
    print(f"--- profile: {label}; top {_profile_top} functions by own time", file=stream)
    print(body[start:].rstrip() if start >= 0 else body.rstrip(), file=stream)


def fixture_documents(
    doctype: str, issuer_id: str, issuer_name: str, issued_at: datetime, count: int
) -> list[Document]:
    """`count` distinct documents cycling through the fixture records of one type."""
    spec = doctypes.get_doctype(doctype)
    base = [
        doctypes.record_to_document(
            record, spec, issuer_id=issuer_id, issuer_name=issuer_name, issued_at=issued_at
        )
        for _, record in islice(records.read_records(FIXTURES / f"{doctype}.csv"), 300)
        if isinstance(record, dict)
    ]
    return [
        dataclasses.replace(
            base[i % len(base)], id=doctypes.make_document_id(issuer_id, doctype, f"B{i:08d}")
        )
        for i in range(count)
    ]


def enrol(
    registry: Registry,
    issuer_id: str,
    doctype: str,
    public_key: keys.PublicKey,
    since: datetime,
) -> None:
    """One issuer, authorised for one document type, with one key, all from `since`."""
    registry.add_issuer(issuer_id, issuer_id, at=since)
    registry.authorise(issuer_id, doctype, valid_from=since)
    registry.add_key(
        issuer_id,
        public_key,
        certificate=None,
        valid_from=since,
        valid_until=since + timedelta(days=3650),
        at=since,
    )


Wrk = Callable[[float, float], dict[str, float]]
"""Runs wrk with a think time (ms) per connection for some seconds; its figures (`wrk_figures`)."""


def wrk_figures(out: str, counters: tuple[str, ...] = ()) -> dict[str, float]:
    """wrk's report as numbers: requests/s, requests, socket errors, non-2xx answers, p50/p90/p99
    latency in ms, and each `NAME count` line the Lua script printed for `counters`."""
    figures: dict[str, float] = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "requests": float(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
    }
    for name in counters:
        figures[name.lower()] = float(re.search(rf"{name} (\d+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    figures["socket_errors"] = float(sum(int(g) for g in errors.groups())) if errors else 0.0
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    figures["non_2xx"] = float(non_2xx.group(1)) if non_2xx else 0.0
    for percentile in ("50", "90", "99"):
        found = re.search(rf"\s{percentile}%\s+([\d.]+)(us|ms|s)\b", out)
        if found:
            scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]
            figures[f"p{percentile}_ms"] = float(found.group(1)) * scale
    return figures


def hold_at_share(
    wrk: Wrk,
    connections: int,
    peak: dict[str, float],
    seconds: float,
    *,
    share: float = 0.8,
    calibration_seconds: float = 5.0,
) -> dict[str, float]:
    """wrk's figures while holding about `share` of the `peak` rate for `seconds`.

    Each connection waits a think time between its requests, so a connection's cycle is the
    think time plus the latency, and the rate is connections / cycle. The think time starts from
    the peak's median latency, and two short calibration runs correct it with the latency seen
    at the lower rate (which is shorter than at the peak)."""
    target = share * peak["rps"]
    cycle_ms = 1000.0 * connections / target
    delay = max(0.0, cycle_ms - peak.get("p50_ms", 0.0))
    for _ in range(2):
        seen = wrk(delay, calibration_seconds)
        latency = 1000.0 * connections / max(seen["rps"], 1e-9) - delay
        delay = max(0.0, cycle_ms - latency)
    return wrk(delay, seconds)


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Stop a `vc-engine serve` started in its own session: SIGINT to its process group (a
    graceful shutdown, as an operator would), SIGKILL when it has not gone within 20 s."""
    os.killpg(server.pid, signal.SIGINT)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def say_steady(steady: dict[str, float], peak: dict[str, float], seconds: float) -> None:
    """One line: the rate held, its share of the maximum, and the latencies at it."""
    share = steady["rps"] / peak["rps"]
    print(
        f"at {steady['rps']:,.0f}/s ({share:.0%} of maximum) for {seconds:.0f} s: "
        f"p50 {steady.get('p50_ms')} ms, p99 {steady.get('p99_ms')} ms"
    )
