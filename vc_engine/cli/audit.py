"""`vc-engine audit`: verify a whole archive offline against a signed trust bundle.

Thin: the work is in `offline.auditor`. Exits 0 when every file PASSED, 1 when any FAILED (or
the bundle is refused), 3 when none failed but some are INDETERMINATE (or the bundle is older
than one seen here), and 2 on a usage error.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from vc_engine.cli.bundle import RollbackOption, StateOption, admit, open_or_fail
from vc_engine.cli.common import (
    LanguageOption,
    PolicyOption,
    console,
    errors,
    fail,
    now,
    open_registry,
    policy_file,
)
from vc_engine.i18n import word
from vc_engine.model import Indication
from vc_engine.offline import auditor as auditing
from vc_engine.offline import report_html
from vc_engine.offline.bundle import BundleLoader, load_bundle


def audit(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="The archive to verify (recursively).")],
    bundle: Annotated[Path, typer.Option("--bundle", help="The signed trust bundle.")],
    root: Annotated[Path, typer.Option("--root", help="The registry root's certificate.")],
    report: Annotated[
        Path, typer.Option("--report", help="JSON report; the HTML goes beside it (.html).")
    ],
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="A Dask scheduler, tcp://host:8786.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Local processes (default: cores).")
    ] = None,
    allow_expired_bundle: Annotated[
        bool,
        typer.Option("--allow-expired-bundle", help="Accept a bundle past its next update."),
    ] = False,
    allow_rollback: RollbackOption = False,
    state: StateOption = None,
    policy_name: PolicyOption = None,
    language: LanguageOption = None,
) -> None:
    """Verify every document under DIR offline against a signed trust bundle, in parallel.
    Exit 0 all PASSED, 1 any FAILED, 3 otherwise some INDETERMINATE."""
    if not directory.is_dir():
        fail(f"{directory} is not a directory", 2)
    at = now()
    html_report = report.with_suffix(".html")
    # Opened here first, so a refused bundle stops the audit with its reason before any
    # worker starts; the workers open it again, with what was said of it here.
    first = open_or_fail(
        lambda: load_bundle(bundle, root, at=at, allow_expired=allow_expired_bundle)
    )
    admitted = admit(first, state, allow_rollback)
    loader = BundleLoader(
        bundle.resolve(), root.resolve(), at, allow_expired_bundle, tuple(admitted)
    )
    auditing.open_once(loader)
    files = auditing.collect(directory, exclude=(report, html_report, bundle))
    # The policy, with the contexts pinned in the registry when one is named (--registry or
    # VC_ENGINE_REGISTRY): read once, here; the audit itself stays offline.
    if ctx.find_root().params.get("registry_url") is None:
        policy = policy_file(policy_name, None).at(at)
    else:
        with open_registry(ctx) as registry:
            policy = policy_file(policy_name, registry).at(at)
    with _executor(scheduler, workers) as executor, _bar(len(files)) as advance:
        result = auditing.audit(files, loader, policy, executor, progress=advance)
    auditing.write_json(result, report, language)
    report_html.write_html(result, html_report)
    said = language or "en"
    totals = ", ".join(
        f"{n:,} {word(f'indication.{i}', said)}" for i, n in result.by_indication.items()
    )
    warning = word("cli.warning", said)
    for text in result.bundle.warnings:
        errors.print(f"[yellow]{warning}:[/] {text}", highlight=False)
    summary = word("cli.audit-totals", said, files=f"{len(files):,}", totals=totals)
    console.print(f"{summary}\n{report}\n{html_report}", highlight=False)
    counts = result.by_indication
    if counts[Indication.FAILED]:
        raise typer.Exit(1)
    if counts[Indication.INDETERMINATE]:
        raise typer.Exit(3)


@contextmanager
def _executor(scheduler: str | None, workers: int | None) -> Iterator[Executor]:
    if scheduler is None:
        # forkserver: workers never inherit a lock held by a thread here (the progress bar's).
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=workers or os.cpu_count(), mp_context=context) as pool:
            yield pool
        return
    from distributed import Client

    with Client(scheduler) as client:  # type: ignore[no-untyped-call]
        yield client.get_executor()


@contextmanager
def _bar(total: int) -> Iterator[Callable[[int], None]]:
    with Progress(
        TextColumn("verifying"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=errors,
        transient=False,
    ) as progress:
        task = progress.add_task("audit", total=total)
        yield lambda n: progress.advance(task, n)
