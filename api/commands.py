"""The HTTP service's commands of `vc-engine`: `serve`, `client create | revoke | list` and
`request-log`. The engine never imports the service: this module is registered as a plugin of
the command (entry point group `vc_engine.cli`), and imports the service only when one of its
commands runs, so the other commands start without FastAPI.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from vc_engine.cli.common import console, errors, fail, instant, migrated, now, settings
from vc_engine.cli.digilocker import sealing_key_path
from vc_engine.errors import VcEngineError
from vc_engine.policy_files import load_policy

client_app = typer.Typer(no_args_is_help=True, help="API clients of the HTTP service.")


def register(app: typer.Typer) -> None:
    """Add the service's commands to the `vc-engine` command."""
    app.command("serve")(serve)
    client_app.command("create")(client_create)
    client_app.command("revoke")(client_revoke)
    client_app.command("list")(client_list)
    app.add_typer(client_app, name="client")
    app.command("request-log")(request_log)


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1)] = 1,
    signing_keys: Annotated[
        Path | None,
        typer.Option(
            envvar="VC_ENGINE_SIGNING_KEYS",
            help="Directory of issuers' keys (DIR/<issuer-id>/private.pem, cert.pem) for the "
            "issuing routes.",
        ),
    ] = None,
    max_body: Annotated[int, typer.Option(help="Request body limit in bytes.")] = 2 * 1024 * 1024,
    rate: Annotated[float, typer.Option(help="Requests a second per client per process.")] = 200.0,
    burst: Annotated[int, typer.Option(help="Requests a client may burst.")] = 400,
    public_url: Annotated[
        str | None, typer.Option(help="The service's external URL (names status lists).")
    ] = None,
    bundle_key: Annotated[
        Path | None,
        typer.Option(
            envvar="VC_ENGINE_BUNDLE_KEY", help="Registry root's private key, for GET /v1/bundle."
        ),
    ] = None,
    keep_renditions: Annotated[
        bool,
        typer.Option(help="The issuing routes keep what they issue, for the Pull API."),
    ] = True,
    sealing_key: Annotated[
        Path | None,
        typer.Option(
            help="Key file sealing e-locker API keys (default: as `digilocker configure`)."
        ),
    ] = None,
    tls_cert: Annotated[
        Path | None,
        typer.Option(
            exists=True, dir_okay=False, help="Serve HTTPS with this PEM certificate (chain)."
        ),
    ] = None,
    tls_key: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="The PEM private key of --tls-cert."),
    ] = None,
    policy: Annotated[
        str | None,
        typer.Option(
            envvar="VC_ENGINE_POLICY",
            help="Validation policy: default, elocker-legacy, conformance, or a TOML file.",
        ),
    ] = None,
    durable_log: Annotated[
        bool,
        typer.Option(
            help="A verification answers only once its request-log entry is committed; with "
            "--no-durable-log, once it is queued (faster; a crash loses uncommitted entries).",
        ),
    ] = True,
    server: Annotated[
        str, typer.Option(help="HTTP server: uvicorn, or granian (faster under load).")
    ] = "uvicorn",
) -> None:
    """Run the HTTP API and the clerks' web page (uvicorn) against the registry."""
    from api.serve import SERVERS, Tls, run
    from api.settings import Settings as ServiceSettings

    if server not in SERVERS:
        fail(f"usage: --server is one of {', '.join(SERVERS)}, not {server!r}", 2)
    if (tls_cert is None) != (tls_key is None):
        fail("usage: --tls-cert and --tls-key go together: give both or neither", 2)
    tls = None if tls_cert is None or tls_key is None else Tls(tls_cert, tls_key)
    scheme = "http" if tls is None else "https"
    registry_url = migrated(ctx)  # create or migrate once, before the workers start
    service = ServiceSettings(
        registry_url=registry_url,
        max_body_bytes=max_body,
        rate_per_second=rate,
        rate_burst=burst,
        signing_keys=signing_keys,
        public_url=public_url or f"{scheme}://{host}:{port}",
        bundle_key=bundle_key,
        keep_renditions=keep_renditions,
        sealing_key=_existing(sealing_key_path(sealing_key)),
        policy=policy,
        durable_request_log=durable_log,
    )
    try:
        load_policy(policy)  # refuse a bad policy here, before any worker starts
    except VcEngineError as error:
        fail(str(error), 2)
    console.print(f"serving on {scheme}://{host}:{port} ({workers} worker(s), {server})")
    run(service, host=host, port=port, workers=workers, tls=tls, server=server)


def _existing(path: Path) -> Path | None:
    """The sealing key file when there is one (none: no issuer has configured the Pull API)."""
    return path if path.exists() else None


def client_create(
    ctx: typer.Context,
    name: str,
    scope: Annotated[
        list[str],
        typer.Option(
            "--scope",
            help="verify, audit, issue:<issuer>, revoke:<issuer>, registry:admin; repeat.",
        ),
    ],
) -> None:
    """Make an API client; prints its bearer token once (only a hash is stored)."""
    from api.serve import create_client

    migrated(ctx)
    try:
        client, token = create_client(settings(ctx).registry_url, name, scope, now())
    except ValueError as error:
        fail(str(error), 2)
    errors.print(f"client {client.id} ({client.name}): {' '.join(sorted(client.scopes))}")
    errors.print("the token below is shown once; send it as Authorization: Bearer TOKEN")
    sys.stdout.write(token + "\n")


def client_revoke(ctx: typer.Context, client_id: str) -> None:
    """Refuse a client from now on."""
    from api.access import UnknownClient
    from api.serve import revoke_client

    migrated(ctx)
    try:
        revoke_client(settings(ctx).registry_url, client_id, now())
    except UnknownClient as error:
        fail(str(error))
    console.print(f"client {client_id} revoked")


def client_list(ctx: typer.Context) -> None:
    """List API clients (never their secrets)."""
    from api.serve import list_clients

    migrated(ctx)
    for client in list_clients(settings(ctx).registry_url):
        state = "revoked" if client.revoked else "active"
        console.print(
            f"{client.id}  {state:7}  {client.name}  {' '.join(sorted(client.scopes))}",
            highlight=False,
        )


def request_log(
    ctx: typer.Context,
    client: Annotated[str | None, typer.Option(help="Only this client id.")] = None,
    document: Annotated[str | None, typer.Option(help="Only this document id.")] = None,
    since: Annotated[str | None, typer.Option(help="From this time (ISO 8601).")] = None,
    until: Annotated[str | None, typer.Option(help="Before this time (ISO 8601).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.", min=1)] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object a line.")] = False,
) -> None:
    """The request log: who verified what, when, with what verdict (never the documents)."""
    from api.serve import request_log_entries

    migrated(ctx)
    found = request_log_entries(
        settings(ctx).registry_url,
        client_id=client,
        document_id=document,
        since=instant(since, "--since"),
        until=instant(until, "--until"),
        limit=limit,
    )
    for entry in found:
        if as_json:
            sys.stdout.write(json.dumps(entry.to_json(), ensure_ascii=False) + "\n")
        else:
            sub = f"/{entry.sub_indication}" if entry.sub_indication else ""
            verdict = entry.indication + sub
            console.print(
                f"{entry.verified_at.isoformat()}  {entry.client_id}  {verdict:32}  "
                f"{entry.document_id or '-'}  {entry.document_sha256}",
                highlight=False,
            )
