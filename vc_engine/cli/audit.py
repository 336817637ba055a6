"""The auditor's commands of `vc-engine`: `bundle export`, `bundle verify` and `audit`.

Thin: the work is in `trust.bundle` and `audit`. `bundle verify` exits 0 when the bundle is
accepted and 1 when it is refused (the reason is printed); `audit` exits 0 when every file
PASSED, 1 when any FAILED (or the bundle is refused), 3 when none failed but some are
INDETERMINATE, and 2 on a usage error.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from vc_engine import keys
from vc_engine.model import Indication
from vc_engine.offline import auditor as auditing
from vc_engine.offline import report_html as audit_html
from vc_engine.offline.bundle import BundleLoader, load_bundle, write_bundle
from vc_engine.offline.bundle_format import BundleRefused, Refusal
from vc_engine.offline.bundle_history import BundleHistory, default_history_path
from vc_engine.offline.bundle_snapshot import BundleSnapshot
from vc_engine.policy import VerificationPolicy
from vc_engine.store.registry import Registry

OpenRegistry = Callable[[typer.Context], AbstractContextManager[Registry]]
Fail = Callable[[str, int], NoReturn]
Clock = Callable[[], datetime]

PASSPHRASE_VARIABLE = "VC_ENGINE_KEY_PASSPHRASE"  # noqa: S105 - a variable name, not a secret
_DURATION = re.compile(r"(\d+)([dhm])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}

RollbackOption = Annotated[
    bool,
    typer.Option(
        "--allow-rollback",
        help="Accept a bundle older than one of its root seen here before (with a warning).",
    ),
]
StateOption = Annotated[
    Path | None,
    typer.Option(
        "--state",
        envvar="VC_ENGINE_BUNDLE_STATE",
        help="Where the newest bundle seen per root is remembered "
        "(default: bundles-seen.json in your state directory).",
    ),
]

console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)


def parse_duration(text: str) -> timedelta:
    """`7d`, `12h`, `90m` or a sum of them (`1d12h`)."""
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"{text!r} is not a duration like 7d, 12h or 1d12h")
    total = timedelta()
    for number, unit in parts:
        total += timedelta(**{_UNITS[unit]: int(number)})
    if total <= timedelta(0):
        raise ValueError("the duration must be positive")
    return total


def register_audit_commands(
    app: typer.Typer, open_registry: OpenRegistry, fail: Fail, now: Clock
) -> None:
    bundle_app = typer.Typer(no_args_is_help=True, help="Signed offline trust bundles.")
    app.add_typer(bundle_app, name="bundle")

    @bundle_app.command("export")
    def bundle_export(
        ctx: typer.Context,
        out: Annotated[Path, typer.Option("--out", help="The bundle file to write.")],
        signing_key: Annotated[
            Path, typer.Option("--signing-key", help="The registry root's PEM private key.")
        ],
        next_update: Annotated[
            str, typer.Option("--next-update", help="Valid for this long: 1d, 12h, 1d12h.")
        ] = "1d",
    ) -> None:
        """Write the registry, its status lists and pinned contexts as one bundle signed by the
        registry root (Ed25519 or P-256), for audits with no network."""
        try:
            lifetime = parse_duration(next_update)
        except ValueError as error:
            fail(f"--next-update: {error}", 2)
        passphrase = os.environ.get(PASSPHRASE_VARIABLE)
        try:
            signer = keys.FileSigner(
                keys.load_private_key(signing_key, passphrase.encode() if passphrase else None)
            )
        except keys.KeyMaterialError as error:
            fail(str(error), 1)
        created = now()
        with open_registry(ctx) as registry:
            try:
                summary = write_bundle(
                    out,
                    registry,
                    signer,
                    created=created,
                    next_update=created + lifetime,
                )
            except keys.KeyMaterialError as error:
                fail(str(error), 1)
        for warning in summary.warnings:
            errors.print(f"[yellow]warning:[/] {warning}", highlight=False)
        console.print(
            f"wrote {out} ({summary.bytes_written:,} bytes): {summary.issuers} issuers, "
            f"{summary.keys} keys, {summary.documents:,} documents, {summary.status_lists} "
            f"status lists; next update {summary.next_update.isoformat()}; "
            f"root key {summary.root_key_id}",
            highlight=False,
        )

    @bundle_app.command("verify")
    def bundle_verify(
        file: Annotated[Path, typer.Argument(help="The bundle file.")],
        root: Annotated[Path, typer.Option("--root", help="The registry root's certificate.")],
        allow_expired: Annotated[
            bool, typer.Option("--allow-expired", help="Accept a bundle past its next update.")
        ] = False,
        allow_rollback: RollbackOption = False,
        state: StateOption = None,
    ) -> None:
        """Check a bundle: signed by the root, whole, untampered, not past its next update, and
        not older than one of the same root seen here before. Exit 0 accepted, 1 refused,
        3 older than one seen (INDETERMINATE: fetch the newest)."""
        view = _open(lambda: load_bundle(file, root, at=now(), allow_expired=allow_expired), fail)
        view.warnings = (*view.warnings, *_admit(view, state, allow_rollback, fail))
        for warning in view.warnings:
            errors.print(f"[yellow]warning:[/] {warning}", highlight=False)
        console.print(
            f"accepted: signed by root key {view.root_key_id}; created "
            f"{view.created.isoformat()}, next update {view.next_update.isoformat()}; "
            f"{len(view.issuers())} issuers, {len(view.keys())} keys, {view.documents:,} "
            f"documents, {len(view.list_ids())} status lists",
            highlight=False,
        )

    @app.command("audit")
    def audit(
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
    ) -> None:
        """Verify every document under DIR offline against a signed trust bundle, in parallel.
        Exit 0 all PASSED, 1 any FAILED, 3 otherwise some INDETERMINATE."""
        if not directory.is_dir():
            fail(f"{directory} is not a directory", 2)
        at = now()
        html_report = report.with_suffix(".html")
        # Opened here first, so a refused bundle stops the audit with its reason before any
        # worker starts; the workers open it again, with what was said of it here.
        first = _open(
            lambda: load_bundle(bundle, root, at=at, allow_expired=allow_expired_bundle), fail
        )
        admitted = _admit(first, state, allow_rollback, fail)
        loader = BundleLoader(
            bundle.resolve(), root.resolve(), at, allow_expired_bundle, tuple(admitted)
        )
        auditing.open_once(loader)
        files = auditing.collect(directory, exclude=(report, html_report, bundle))
        policy = VerificationPolicy(at=at)
        with _executor(scheduler, workers) as executor, _bar(len(files)) as advance:
            result = auditing.audit(files, loader, policy, executor, progress=advance)
        auditing.write_json(result, report)
        audit_html.write_html(result, html_report)
        totals = ", ".join(f"{n:,} {i}" for i, n in result.by_indication.items())
        for warning in result.bundle.warnings:
            errors.print(f"[yellow]warning:[/] {warning}", highlight=False)
        console.print(f"{len(files):,} files: {totals}\n{report}\n{html_report}", highlight=False)
        counts = result.by_indication
        if counts[Indication.FAILED]:
            raise typer.Exit(1)
        if counts[Indication.INDETERMINATE]:
            raise typer.Exit(3)


def _admit(view: BundleSnapshot, state: Path | None, allow_rollback: bool, fail: Fail) -> list[str]:
    """Check the bundle against those of its root seen on this machine (and remember it)."""
    history = BundleHistory(state or default_history_path())
    try:
        return history.admit(view.root_key_id, view.sequence, allow_rollback=allow_rollback)
    except BundleRefused as refusal:
        if refusal.code is Refusal.ROLLBACK:
            fail(f"INDETERMINATE: bundle refused ({refusal.code}): {refusal.reason}", 3)
        fail(f"bundle refused ({refusal.code}): {refusal.reason}", 2)


def _open(load: Callable[[], BundleSnapshot], fail: Fail) -> BundleSnapshot:
    try:
        return load()
    except OSError as error:
        fail(f"cannot read {error.filename}: {error.strerror}", 2)
    except keys.KeyMaterialError as error:
        fail(f"--root: {error}", 2)
    except BundleRefused as refusal:
        fail(f"bundle refused ({refusal.code}): {refusal.reason}", 1)


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
