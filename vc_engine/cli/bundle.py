"""`vc-engine bundle export | verify`: the signed offline trust bundle.

`bundle verify` exits 0 when the bundle is accepted, 1 when it is refused (the reason is
printed), 3 when it is older than a bundle of the same root seen on this machine (INDETERMINATE:
fetch the newest), and 2 on a usage error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from vc_engine import keys
from vc_engine.cli.common import console, errors, fail, load_signer, now, open_registry
from vc_engine.offline.bundle import load_bundle, write_bundle
from vc_engine.offline.bundle_format import BundleRefused, Refusal
from vc_engine.offline.bundle_history import BundleHistory, default_history_path
from vc_engine.offline.bundle_snapshot import BundleSnapshot

app = typer.Typer(no_args_is_help=True, help="Signed offline trust bundles.")

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


@app.command("export")
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
    signer = load_signer(signing_key)
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
        f"{summary.keys} keys, {summary.ca_certificates} CA certificates, {summary.crls} CRLs, "
        f"{summary.documents:,} documents, {summary.status_lists} "
        f"status lists; next update {summary.next_update.isoformat()}; "
        f"root key {summary.root_key_id}",
        highlight=False,
    )


@app.command("verify")
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
    view = open_or_fail(lambda: load_bundle(file, root, at=now(), allow_expired=allow_expired))
    view.warnings = (*view.warnings, *admit(view, state, allow_rollback))
    for warning in view.warnings:
        errors.print(f"[yellow]warning:[/] {warning}", highlight=False)
    console.print(
        f"accepted: signed by root key {view.root_key_id}; created "
        f"{view.created.isoformat()}, next update {view.next_update.isoformat()}; "
        f"{len(view.issuers())} issuers, {len(view.keys())} keys, "
        f"{len(view.anchors().anchors)} CA certificates, {len(view.anchors().crls)} CRLs, "
        f"{view.documents:,} documents, {len(view.list_ids())} status lists",
        highlight=False,
    )


def admit(view: BundleSnapshot, state: Path | None, allow_rollback: bool) -> list[str]:
    """Check the bundle against those of its root seen on this machine (and remember it)."""
    history = BundleHistory(state or default_history_path())
    try:
        return history.admit(view.root_key_id, view.sequence, allow_rollback=allow_rollback)
    except BundleRefused as refusal:
        if refusal.code is Refusal.ROLLBACK:
            fail(f"INDETERMINATE: bundle refused ({refusal.code}): {refusal.reason}", 3)
        fail(f"bundle refused ({refusal.code}): {refusal.reason}", 2)


def open_or_fail(load: Callable[[], BundleSnapshot]) -> BundleSnapshot:
    try:
        return load()
    except OSError as error:
        fail(f"cannot read {error.filename}: {error.strerror}", 2)
    except keys.KeyMaterialError as error:
        fail(f"--root: {error}", 2)
    except BundleRefused as refusal:
        fail(f"bundle refused ({refusal.code}): {refusal.reason}", 1)
