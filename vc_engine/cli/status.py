"""`vc-engine revoke | suspend | reinstate | status` and `vc-engine status-list publish`.

A status change is recorded and its list re-signed and re-published in the same command, so a
verifier sees it at once. The issuer's key is therefore loaded and checked against the registry
before anything changes: a change that could not be published is not made.
"""

from __future__ import annotations

import getpass
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vc_engine import doctypes, keys
from vc_engine.cli.common import console, fail, load_signer, now, open_registry, settings
from vc_engine.errors import VcEngineError
from vc_engine.issuance.issuer import IssuanceRefused, Issuer, preflight
from vc_engine.issuance.status_lists import StatusLists, publish_lists
from vc_engine.policy import INDIA
from vc_engine.revocation.status import Action, DocumentStatus
from vc_engine.store import Registry, StatusStore

KEY_VARIABLE = "VC_ENGINE_SIGNING_KEY"

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
ReasonOption = Annotated[str, typer.Option("--reason")]

lists_app = typer.Typer(no_args_is_help=True, help="Publish the signed status lists.")


def revoke(
    ctx: typer.Context,
    document_id: str,
    reason: ReasonOption,
    key: KeyOption,
    actor: ActorOption = None,
) -> None:
    """Revoke a document, permanently, and re-publish its revocation list."""
    _change(ctx, Action.REVOKE, document_id, reason, key, actor)


def suspend(
    ctx: typer.Context,
    document_id: str,
    reason: ReasonOption,
    key: KeyOption,
    actor: ActorOption = None,
) -> None:
    """Suspend a document until it is reinstated, and re-publish its suspension list."""
    _change(ctx, Action.SUSPEND, document_id, reason, key, actor)


def reinstate(
    ctx: typer.Context,
    document_id: str,
    key: KeyOption,
    reason: ReasonOption = "reinstated",
    actor: ActorOption = None,
) -> None:
    """Lift a suspension (a revocation is final) and re-publish the suspension list."""
    _change(ctx, Action.REINSTATE, document_id, reason, key, actor)


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


@lists_app.command("publish")
def publish(ctx: typer.Context, issuer_id: str, key: KeyOption) -> None:
    """Re-sign and publish every status list of an issuer (run it well within the lists'
    time to live, so verifiers always hold a fresh list)."""
    signer = load_signer(key)
    at = now()
    with open_registry(ctx) as registry:
        issuer = _issuer(registry, issuer_id, signer, at)
        store = StatusStore(registry)
        lists = StatusLists(store, settings(ctx).status_base_url)
        published = publish_lists(lists, issuer, store.lists_of(issuer_id), at)
    console.print(f"published {len(published)} status lists of {issuer_id}")


def _change(
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
    signer = load_signer(key)
    at = now()
    with open_registry(ctx) as registry:
        issuer = _issuer(registry, issuer_id, signer, at)
        store = StatusStore(registry)
        try:
            store.change(
                document_id, action, reason=reason, actor=actor or getpass.getuser(), at=at
            )
        except VcEngineError as error:
            fail(str(error), 1)
        entries = store.entries_of(document_id)
        assert entries is not None, "a document whose status changed has entries"
        entry = entries.of(action.purpose)
        lists = StatusLists(store, settings(ctx).status_base_url)
        publish_lists(lists, issuer, [entry.list_id], at)
    console.print(
        f"{document_id}: {action.value} recorded; list {entry.list_id} re-signed and published"
    )


def _issuer(registry: Registry, issuer_id: str, signer: keys.FileSigner, at: datetime) -> Issuer:
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
