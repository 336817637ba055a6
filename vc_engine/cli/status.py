"""The status commands of `vc-engine`: revoke, suspend, reinstate, status, status-list publish.

A status change is recorded and its list re-signed and re-published in the same command, so a
verifier sees it at once. The issuer's key is therefore loaded and checked against the registry
before anything changes: a change that could not be published is not made.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from vc_engine import doctypes, keys
from vc_engine.issuance.issue import IssuanceRefused, Issuer, StatusLists, preflight, publish_lists
from vc_engine.policy import INDIA
from vc_engine.revocation.status import Action, DocumentStatus
from vc_engine.store import StatusStore
from vc_engine.store.errors import RegistryError
from vc_engine.store.registry import Registry

OpenRegistry = Callable[[typer.Context], AbstractContextManager[Registry]]
Fail = Callable[[str, int], NoReturn]
Clock = Callable[[], datetime]

KEY_VARIABLE = "VC_ENGINE_SIGNING_KEY"
console = Console(soft_wrap=True)

KeyOption = Annotated[
    Path,
    typer.Option(
        "--key",
        envvar=KEY_VARIABLE,
        help="The issuer's PEM private key, to re-sign the status list.",
    ),
]
ActorOption = Annotated[
    str | None, typer.Option("--actor", help="Who makes the change (default: your user name).")
]


def register_status_commands(
    app: typer.Typer, open_registry: OpenRegistry, fail: Fail, now: Clock
) -> None:
    def change(
        ctx: typer.Context,
        action: Action,
        document_id: str,
        reason: str,
        key: Path,
        actor: str | None,
    ) -> None:
        try:
            issuer_id = doctypes.parse_document_id(document_id).issuer_id
        except doctypes.DocumentIdError as error:
            fail(str(error), 2)
        signer = _load_signer(key, fail)
        at = now()
        with open_registry(ctx) as registry:
            issuer = _issuer(registry, issuer_id, signer, at, fail)
            store = StatusStore(registry)
            try:
                store.change(
                    document_id, action, reason=reason, actor=actor or getpass.getuser(), at=at
                )
            except RegistryError as error:
                fail(str(error), 1)
            entries = store.entries_of(document_id)
            assert entries is not None, "a document whose status changed has entries"
            entry = entries.of(action.purpose)
            lists = StatusLists(store, ctx.obj.status_base_url)
            publish_lists(lists, issuer, [entry.list_id], at)
        console.print(
            f"{document_id}: {action.value} recorded; list {entry.list_id} re-signed and published"
        )

    @app.command("revoke")
    def revoke(
        ctx: typer.Context,
        document_id: str,
        reason: Annotated[str, typer.Option("--reason")],
        key: KeyOption,
        actor: ActorOption = None,
    ) -> None:
        """Revoke a document, permanently, and re-publish its revocation list."""
        change(ctx, Action.REVOKE, document_id, reason, key, actor)

    @app.command("suspend")
    def suspend(
        ctx: typer.Context,
        document_id: str,
        reason: Annotated[str, typer.Option("--reason")],
        key: KeyOption,
        actor: ActorOption = None,
    ) -> None:
        """Suspend a document until it is reinstated, and re-publish its suspension list."""
        change(ctx, Action.SUSPEND, document_id, reason, key, actor)

    @app.command("reinstate")
    def reinstate(
        ctx: typer.Context,
        document_id: str,
        key: KeyOption,
        reason: Annotated[str, typer.Option("--reason")] = "reinstated",
        actor: ActorOption = None,
    ) -> None:
        """Lift a suspension (a revocation is final) and re-publish the suspension list."""
        change(ctx, Action.REINSTATE, document_id, reason, key, actor)

    @app.command("status")
    def status(
        ctx: typer.Context,
        document_id: str,
        as_json: Annotated[bool, typer.Option("--json")] = False,
    ) -> None:
        """A document's current status and its full history: who, when, why."""
        with open_registry(ctx) as registry:
            found = StatusStore(registry).status(document_id)
        if found is None:
            fail(f"{document_id} has no status entries: it was not issued here", 1)
        if as_json:
            sys.stdout.write(json.dumps(_status_json(found), indent=2) + "\n")
        else:
            _print_status(found)

    lists_app = typer.Typer(no_args_is_help=True, help="Publish the signed status lists.")
    app.add_typer(lists_app, name="status-list")

    @lists_app.command("publish")
    def publish(ctx: typer.Context, issuer_id: str, key: KeyOption) -> None:
        """Re-sign and publish every status list of an issuer (run it well within the lists'
        time to live, so verifiers always hold a fresh list)."""
        signer = _load_signer(key, fail)
        at = now()
        with open_registry(ctx) as registry:
            issuer = _issuer(registry, issuer_id, signer, at, fail)
            store = StatusStore(registry)
            lists = StatusLists(store, ctx.obj.status_base_url)
            published = publish_lists(lists, issuer, store.lists_of(issuer_id), at)
        console.print(f"published {len(published)} status lists of {issuer_id}")


def _load_signer(path: Path, fail: Fail) -> keys.FileSigner:
    passphrase = os.environ.get("VC_ENGINE_KEY_PASSPHRASE")
    try:
        return keys.FileSigner(
            keys.load_private_key(path, passphrase.encode() if passphrase else None)
        )
    except keys.KeyMaterialError as error:
        fail(str(error), 1)


def _issuer(
    registry: Registry, issuer_id: str, signer: keys.FileSigner, at: datetime, fail: Fail
) -> Issuer:
    try:
        name = preflight(registry, issuer_id, keys.key_id(signer.public_key), None, at)
    except IssuanceRefused as refusal:
        fail(str(refusal), 1)
    return Issuer(issuer_id, name, signer, None, INDIA)


def _status_json(found: DocumentStatus) -> dict[str, object]:
    return {
        "documentId": found.document_id,
        "state": found.state.value,
        "entries": [
            {"purpose": e.purpose.value, "list": e.list_id, "index": e.index} for e in found.entries
        ],
        "history": [
            {
                "action": e.action.value,
                "effectiveAt": e.effective_at.isoformat(),
                "reason": e.reason,
                "actor": e.actor,
                "recordedAt": e.recorded_at.isoformat(),
            }
            for e in found.history
        ],
    }


def _print_status(found: DocumentStatus) -> None:
    console.print(f"{found.document_id}: [bold]{found.state.value}[/]", highlight=False)
    for entry in found.entries:
        console.print(f"  {entry.purpose.value} list {entry.list_id}, index {entry.index}")
    table = Table("action", "effective", "by", "reason", "recorded", title="history")
    for event in found.history:
        table.add_row(
            event.action.value,
            event.effective_at.isoformat(),
            event.actor,
            event.reason,
            event.recorded_at.isoformat(),
        )
    console.print(table)
