"""The `vc-engine` command: registry administration, issuing, verifying, and the demo.

This is the entry point, so it is where the clock is read. Errors a user can fix print one red
line and exit non-zero; `verify` exits 0 PASSED, 1 FAILED, 3 INDETERMINATE, 2 usage error.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, NoReturn

import platformdirs
import typer
from rich.console import Console

from vc_engine import doctypes, keys
from vc_engine.cli import render
from vc_engine.cli.audit import register_audit_commands
from vc_engine.cli.status import register_status_commands
from vc_engine.errors import VcEngineError
from vc_engine.inputs import records
from vc_engine.issuance.batch import scheduler as batch
from vc_engine.issuance.batch.workers import KeySource, PemKey, SigningSpec
from vc_engine.issuance.issue import (
    IssuanceRefused,
    Issuer,
    StatusLists,
    preflight,
    renditions,
)
from vc_engine.keys.pkcs11 import Pkcs11Key, is_pkcs11_uri
from vc_engine.model import Indication, InstantError, bounded_instant
from vc_engine.policy import INDIA, VerificationPolicy
from vc_engine.store import StatusStore
from vc_engine.store.journal import Journal
from vc_engine.store.registry import Registry
from vc_engine.verify import verify as verify_document

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
registry_app = typer.Typer(no_args_is_help=True, help="Create and inspect the trust registry.")
keys_app = typer.Typer(no_args_is_help=True, help="Make signing keys.")
issuer_app = typer.Typer(no_args_is_help=True, help="Issuers, their keys and document types.")
app.add_typer(registry_app, name="registry")
app.add_typer(keys_app, name="keys")
app.add_typer(issuer_app, name="issuer")

console = Console()
errors = Console(stderr=True, soft_wrap=True)

EXIT_BY_INDICATION = {Indication.PASSED: 0, Indication.FAILED: 1, Indication.INDETERMINATE: 3}
DEFAULT_STATUS_BASE_URL = "https://status.vc-engine.org"
PASSPHRASE_VARIABLE = "VC_ENGINE_KEY_PASSPHRASE"  # noqa: S105 - a variable name, not a secret


@dataclass(frozen=True)
class Settings:
    registry_url: str
    status_base_url: str


def default_registry_url() -> str:
    directory = Path(platformdirs.user_data_dir("vc-engine"))
    return f"sqlite:///{directory / 'registry.db'}"


@app.callback()
def main(
    ctx: typer.Context,
    registry: Annotated[
        str | None,
        typer.Option(
            "--registry",
            envvar="VC_ENGINE_REGISTRY",
            help="Registry URL (sqlite:///FILE or postgresql+psycopg://...). "
            "Default: a SQLite file in your data directory.",
        ),
    ] = None,
    status_base_url: Annotated[
        str,
        typer.Option(
            "--status-base-url",
            envvar="VC_ENGINE_STATUS_BASE_URL",
            help="Where status lists are published: BASE/status-lists/LIST_ID.",
        ),
    ] = DEFAULT_STATUS_BASE_URL,
) -> None:
    ctx.obj = Settings(registry or default_registry_url(), status_base_url)


def _fail(message: str, code: int = 1) -> NoReturn:
    errors.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


@contextmanager
def _registry(ctx: typer.Context) -> Iterator[Registry]:
    settings: Settings = ctx.obj
    url = settings.registry_url
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    try:
        with Registry.open(url) as registry:
            registry.init()
            yield registry
    except VcEngineError as error:
        _fail(str(error))


def _now() -> datetime:
    return datetime.now(UTC)


def _instant(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        _fail(f"{option}: {text!r} is not an ISO 8601 time", 2)
    if value.tzinfo is None:
        _fail(f"{option}: {text!r} has no time zone; add Z or an offset like +05:30", 2)
    try:
        return bounded_instant(value, option).astimezone(UTC)
    except InstantError as error:
        _fail(str(error), 2)


# registry


@registry_app.command("init")
def registry_init(ctx: typer.Context) -> None:
    """Create the registry (or bring its schema up to date)."""
    with _registry(ctx):
        console.print(f"registry ready at {ctx.obj.registry_url}")


# keys


@keys_app.command("generate")
def keys_generate(
    alg: Annotated[keys.KeyAlgorithm, typer.Option("--alg", help="Key algorithm.")],
    out: Annotated[Path, typer.Option("--out", help="Directory for private.pem and cert.pem.")],
    name: Annotated[str, typer.Option(help="Certificate common name.")] = "vc-engine issuer",
    days: Annotated[int, typer.Option(help="Certificate validity in days.")] = 730,
) -> None:
    """Make a key pair: DIR/private.pem (mode 0600, encrypted when VC_ENGINE_KEY_PASSPHRASE is
    set) and a self-signed DIR/cert.pem to register and to embed in signed XML."""
    out.mkdir(parents=True, exist_ok=True)
    private_path, cert_path = out / "private.pem", out / "cert.pem"
    if private_path.exists():
        _fail(f"{private_path} exists; refusing to overwrite a private key")
    key = keys.generate_private_key(alg)
    now = _now()
    certificate = keys.self_signed_certificate(
        key, name, now - timedelta(minutes=5), now + timedelta(days=days)
    )
    passphrase = os.environ.get(PASSPHRASE_VARIABLE)
    keys.write_private_key(private_path, key, passphrase.encode() if passphrase else None)
    from cryptography.hazmat.primitives.serialization import Encoding

    cert_path.write_bytes(certificate.public_bytes(Encoding.PEM))
    console.print(f"{private_path}\n{cert_path}\nkey id {keys.key_id(key.public_key())}")


# issuers


@issuer_app.command("add")
def issuer_add(
    ctx: typer.Context,
    issuer_id: Annotated[str, typer.Argument(help="e.g. in.gov.wb.kmc")],
    name: Annotated[str, typer.Option("--name")],
    doctype: Annotated[list[str], typer.Option("--doctype", help="Document type code; repeat.")],
    valid_from: Annotated[str | None, typer.Option(help="Authorised from (ISO 8601).")] = None,
) -> None:
    """Add an issuer and the document types it may sign."""
    for code in doctype:
        _doctype(code)
    now = _now()
    start = _instant(valid_from, "--valid-from") or now
    with _registry(ctx) as registry:
        registry.add_issuer(issuer_id, name, at=now)
        for code in doctype:
            registry.authorise(issuer_id, code, valid_from=start)
    console.print(f"issuer {issuer_id} may issue {', '.join(doctype)}")


@issuer_app.command("authorise")
def issuer_authorise(
    ctx: typer.Context,
    issuer_id: str,
    doctype: Annotated[str, typer.Option("--doctype")],
    valid_from: Annotated[str | None, typer.Option()] = None,
    valid_until: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Allow an existing issuer one more document type."""
    _doctype(doctype)
    start = _instant(valid_from, "--valid-from") or _now()
    with _registry(ctx) as registry:
        registry.authorise(
            issuer_id, doctype, valid_from=start, valid_until=_instant(valid_until, "--valid-until")
        )
    console.print(f"issuer {issuer_id} may issue {doctype}")


@issuer_app.command("add-key")
def issuer_add_key(
    ctx: typer.Context,
    issuer_id: str,
    cert: Annotated[Path | None, typer.Option("--cert", help="PEM or DER certificate.")] = None,
    public_key_file: Annotated[
        Path | None, typer.Option("--public-key", help="PEM public key (SubjectPublicKeyInfo).")
    ] = None,
    jwk_file: Annotated[
        Path | None, typer.Option("--jwk", help="JSON file with a public JWK.")
    ] = None,
    multikey: Annotated[
        str | None, typer.Option("--multikey", help="publicKeyMultibase (z...) of the key.")
    ] = None,
    valid_from: Annotated[str | None, typer.Option()] = None,
    valid_until: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Register a signing key to an issuer, from exactly one of a certificate, a PEM public
    key, a JWK or a Multikey; prints its key id."""
    given = [o for o in (cert, public_key_file, jwk_file, multikey) if o is not None]
    if len(given) != 1:
        _fail("give exactly one of --cert, --public-key, --jwk, --multikey", 2)
    certificate = None
    try:
        if cert is not None:
            certificate = keys.load_certificate(cert.read_bytes())
            public_key = keys.certificate_public_key(certificate)
        elif public_key_file is not None:
            public_key = keys.load_public_key_pem(public_key_file.read_bytes())
        elif jwk_file is not None:
            public_key = keys.load_public_jwk(json.loads(jwk_file.read_text(encoding="utf-8")))
        else:
            assert multikey is not None
            public_key = keys.multikey_decode(multikey)
    except (OSError, ValueError, keys.KeyMaterialError) as error:
        _fail(str(error))
    with _registry(ctx) as registry:
        kid = registry.add_key(
            issuer_id,
            public_key,
            certificate=certificate,
            valid_from=_instant(valid_from, "--valid-from"),
            valid_until=_instant(valid_until, "--valid-until"),
            at=_now(),
        )
    console.print(kid)


@issuer_app.command("compromise-key")
def issuer_compromise_key(
    ctx: typer.Context,
    issuer_id: str,
    key_id: str,
    at: Annotated[str, typer.Option("--at", help="Compromised from (ISO 8601, with zone).")],
    reason: Annotated[str, typer.Option("--reason")],
) -> None:
    """Record that a key was compromised from a moment on (which may be in the past)."""
    when = _instant(at, "--at")
    assert when is not None
    with _registry(ctx) as registry:
        registry.compromise_key(issuer_id, key_id, at=when, reason=reason, recorded_at=_now())
    console.print(f"key {key_id} compromised from {when.isoformat()}")


@issuer_app.command("show")
def issuer_show(ctx: typer.Context, issuer_id: str) -> None:
    """Show an issuer, its document types and its keys with their history."""
    with _registry(ctx) as registry:
        record = registry.get_issuer(issuer_id)
        if record is None:
            _fail(f"issuer {issuer_id} is not in the registry")
        render.issuer(
            console, record, registry.authorisations(issuer_id), registry.keys_of(issuer_id)
        )


# issuing and verifying


@app.command("issue")
def issue(
    ctx: typer.Context,
    issuer_id: Annotated[str, typer.Option("--issuer")],
    key: Annotated[
        str,
        typer.Option(
            "--key",
            help="PEM private key file (passphrase from VC_ENGINE_KEY_PASSPHRASE or a prompt), "
            "or a PKCS#11 URI 'pkcs11:token=NAME;object=LABEL' (PIN from VC_ENGINE_PKCS11_PIN).",
        ),
    ],
    doctype: Annotated[str, typer.Option("--doctype")],
    records_file: Annotated[Path, typer.Option("--records", help="CSV or JSON Lines file.")],
    out: Annotated[Path, typer.Option("--out", help="Output directory.")],
    cert: Annotated[
        Path | None, typer.Option("--cert", help="The key's certificate (signed XML needs it).")
    ] = None,
    format: Annotated[
        str, typer.Option("--format", help="Renditions to write: xml, vc-di, vc-jwt (comma list).")
    ] = "xml",
    cryptosuite: Annotated[
        str | None,
        typer.Option(
            help="Data Integrity cryptosuite (default: eddsa-rdfc-2022 / ecdsa-rdfc-2019)."
        ),
    ] = None,
    archive: Annotated[
        bool, typer.Option("--archive", help="Write ZIP archives of 10,000 documents each.")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Local signing processes (default: all cores)."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Sign on a Dask cluster, e.g. tcp://host:8786."),
    ] = None,
    pkcs11_module: Annotated[
        str | None,
        typer.Option(
            "--pkcs11-module",
            help="PKCS#11 library (default: $VC_ENGINE_PKCS11_MODULE, else SoftHSM2).",
        ),
    ] = None,
    block_size: Annotated[
        int, typer.Option("--block-size", min=1, help="Records per block (status, register).")
    ] = batch.DEFAULT_BLOCK_SIZE,
    archive_size: Annotated[
        int, typer.Option("--archive-size", min=1, help="Documents per ZIP archive.")
    ] = batch.DEFAULT_ARCHIVE_SIZE,
    show_progress: Annotated[
        bool | None, typer.Option("--progress/--no-progress", help="Progress bar (default: tty).")
    ] = None,
) -> None:
    """Sign every record of a file as a document, in every rendition asked for, as a resumable
    batch job: killed part-way, the same command carries on where it stopped."""
    spec = _doctype(doctype)
    if not records_file.is_file():
        _fail(f"records file {records_file} does not exist", 2)
    chosen = [f.strip() for f in format.split(",") if f.strip()]
    try:
        source = _key_source(key, pkcs11_module)
        certificate = None if cert is None else keys.load_certificate(cert.read_bytes())
        signer = source.open()
    except (OSError, keys.KeyMaterialError) as error:
        _fail(str(error))
    from cryptography.hazmat.primitives.serialization import Encoding

    with _registry(ctx) as registry:
        try:
            name = preflight(registry, issuer_id, keys.key_id(signer.public_key), spec.code, _now())
            issuer = Issuer(issuer_id, name, signer, certificate, INDIA, cryptosuite)
            renditions(chosen, issuer)
        except (IssuanceRefused, keys.KeyMaterialError) as refusal:
            _fail(str(refusal))
        signing = SigningSpec(
            issuer_id,
            name,
            spec.code,
            tuple(chosen),
            source,
            None if certificate is None else certificate.public_bytes(Encoding.DER),
            INDIA,
            cryptosuite,
        )
        job_id, lines = batch.job_id_for(
            records_file,
            issuer_id=issuer_id,
            doctype=spec.code,
            formats=chosen,
            out_dir=out,
            archive=archive,
        )
        total = max(0, lines - 1) if records_file.suffix.lower() == ".csv" else lines
        options = batch.BatchOptions(
            block_size=block_size,
            archive=archive,
            archive_size=archive_size,
            workers=workers,
            scheduler=scheduler,
        )
        with _progress_bar(show_progress, total) as progress:
            try:
                summary = batch.run_batch(
                    records.read_records(records_file),
                    job_id=job_id,
                    signing=signing,
                    registry=registry,
                    out_dir=out,
                    clock=_now,
                    status_lists=StatusLists(StatusStore(registry), ctx.obj.status_base_url),
                    options=options,
                    progress=progress,
                    total=total,
                )
            except records.RecordFileError as error:
                _fail(str(error), 2)
            except (batch.BatchError, IssuanceRefused, keys.KeyMaterialError) as error:
                _fail(str(error))
            except OSError as error:
                _fail(
                    f"the job stopped: {error.strerror or error} ({error.filename or out}); "
                    "what it registered is kept: run the same command again to resume"
                )
        for shown, rejected in enumerate(Journal(registry).rejections(summary.job_id)):
            if shown == 50:
                errors.print(f"... and more: see {summary.rejects}", highlight=False)
                break
            errors.print(f"[yellow]line {rejected.line}:[/] {rejected.reason}", highlight=False)
    console.print(
        f"issued {summary.issued} documents ({summary.issued * len(chosen)} files) into {out}; "
        f"rejected {summary.rejected} (job {summary.job_id}"
        f"{', resumed' if summary.resumed else ''}; manifest {summary.manifest})",
        highlight=False,
        soft_wrap=True,
    )
    if summary.rejected and not summary.issued:
        raise typer.Exit(1)


def _key_source(key: str, pkcs11_module: str | None) -> KeySource:
    """A PKCS#11 URI, or a PEM file whose passphrase, if it has one, comes from the
    environment or a prompt: never from a command-line value."""
    if is_pkcs11_uri(key):
        return Pkcs11Key.from_environment(key, pkcs11_module)
    path = Path(key)
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        raise keys.KeyMaterialError(f"private key file {path} does not exist") from None
    passphrase: bytes | None = None
    if keys.pem_is_encrypted(pem):
        text = os.environ.get(PASSPHRASE_VARIABLE)
        if text is None:
            if not sys.stdin.isatty():
                raise keys.KeyMaterialError(
                    f"{path} is encrypted: set {PASSPHRASE_VARIABLE} or run interactively"
                )
            text = typer.prompt(f"passphrase for {path}", hide_input=True)
        passphrase = text.encode()
    keys.load_private_key_pem(pem, passphrase, name=str(path))
    return PemKey(pem, passphrase)


@contextmanager
def _progress_bar(
    show: bool | None, total: int
) -> Iterator[Callable[[batch.BatchProgress], None] | None]:
    if not (console.is_terminal if show is None else show):
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("issuing"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]:>8} docs/s"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=errors,
    ) as bar:
        task = bar.add_task("issue", total=total or None, rate="-")
        marks: list[tuple[float, int]] = []

        def update(state: batch.BatchProgress) -> None:
            now = time.monotonic()
            marks.append((now, state.issued))
            del marks[:-50]
            since, issued = marks[0]
            rate = (state.issued - issued) / (now - since) if now > since else None
            bar.update(
                task,
                completed=state.records,
                total=max(state.records, total) or None,
                rate="-" if rate is None else f"{rate:,.0f}",
            )

        yield update


@app.command("verify")
def verify(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="The document: signed XML, a JSON-LD credential or a vc+jwt.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    at: Annotated[str | None, typer.Option(help="Verify as of this time (ISO 8601).")] = None,
) -> None:
    """Is this document equivalent to the original? Exit 0 PASSED, 1 FAILED, 3 INDETERMINATE."""
    policy = VerificationPolicy(at=_instant(at, "--at") or _now())
    try:
        with file.open("rb") as handle:
            data = handle.read(policy.limits.max_document_bytes + 1)
    except OSError as error:
        _fail(f"cannot read {file}: {error.strerror}", 2)
    with _registry(ctx) as registry:
        report = verify_document(data, registry.snapshot(), policy, StatusStore(registry))
    if as_json:
        sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        render.report(console, report, str(file))
    raise typer.Exit(EXIT_BY_INDICATION[report.indication])


register_status_commands(app, _registry, _fail, _now)
register_audit_commands(app, _registry, _fail, _now)


@app.command("demo")
def demo() -> None:
    """Issue and verify sample documents on a throwaway registry, and show attacks failing."""
    from vc_engine.cli.demo import run_demo

    run_demo(console, _now().replace(microsecond=0))


# the HTTP service (api/): thin commands over api.serve

client_app = typer.Typer(no_args_is_help=True, help="API clients of the HTTP service.")
app.add_typer(client_app, name="client")


@app.command("serve")
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
) -> None:
    """Run the HTTP API and the clerks' web page (uvicorn) against the registry."""
    from api.serve import run
    from api.settings import Settings as ServiceSettings

    with _registry(ctx):
        pass  # create or migrate once, before the workers start
    settings = ServiceSettings(
        registry_url=ctx.obj.registry_url,
        max_body_bytes=max_body,
        rate_per_second=rate,
        rate_burst=burst,
        signing_keys=signing_keys,
        public_url=public_url or f"http://{host}:{port}",
        bundle_key=bundle_key,
    )
    console.print(f"serving on http://{host}:{port} ({workers} worker(s))")
    run(settings, host=host, port=port, workers=workers)


@client_app.command("create")
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

    with _registry(ctx):
        pass
    try:
        client, token = create_client(ctx.obj.registry_url, name, scope, _now())
    except ValueError as error:
        _fail(str(error), 2)
    errors.print(f"client {client.id} ({client.name}): {' '.join(sorted(client.scopes))}")
    errors.print("the token below is shown once; send it as Authorization: Bearer TOKEN")
    sys.stdout.write(token + "\n")


@client_app.command("revoke")
def client_revoke(ctx: typer.Context, client_id: str) -> None:
    """Refuse a client from now on."""
    from api.access import UnknownClient
    from api.serve import revoke_client

    with _registry(ctx):
        pass
    try:
        revoke_client(ctx.obj.registry_url, client_id, _now())
    except UnknownClient as error:
        _fail(str(error))
    console.print(f"client {client_id} revoked")


@client_app.command("list")
def client_list(ctx: typer.Context) -> None:
    """List API clients (never their secrets)."""
    from api.serve import list_clients

    with _registry(ctx):
        pass
    for client in list_clients(ctx.obj.registry_url):
        state = "revoked" if client.revoked else "active"
        console.print(
            f"{client.id}  {state:7}  {client.name}  {' '.join(sorted(client.scopes))}",
            highlight=False,
        )


@app.command("audit-log")
def audit_log(
    ctx: typer.Context,
    client: Annotated[str | None, typer.Option(help="Only this client id.")] = None,
    document: Annotated[str | None, typer.Option(help="Only this document id.")] = None,
    since: Annotated[str | None, typer.Option(help="From this time (ISO 8601).")] = None,
    until: Annotated[str | None, typer.Option(help="Before this time (ISO 8601).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.", min=1)] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object a line.")] = False,
) -> None:
    """Who verified what, when, with what verdict (never the documents themselves)."""
    from api.serve import audit_entries

    with _registry(ctx):
        pass
    found = audit_entries(
        ctx.obj.registry_url,
        client_id=client,
        document_id=document,
        since=_instant(since, "--since"),
        until=_instant(until, "--until"),
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


def _doctype(code: str) -> doctypes.DocType:
    try:
        return doctypes.get_doctype(code)
    except doctypes.UnknownDocTypeError as error:
        _fail(str(error), 2)
