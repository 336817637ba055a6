"""`vc-engine issuer`: issuers, their keys and the document types they may issue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from vc_engine import doctypes, keys
from vc_engine.cli import render
from vc_engine.cli.common import console, fail, instant, now, open_registry
from vc_engine.model import start_of_second
from vc_engine.store import Registry
from vc_engine.store.doctype_versions import DoctypeVersions

app = typer.Typer(no_args_is_help=True, help="Issuers, their keys and document types.")


def known_doctype(registry: Registry, code: str) -> doctypes.DocType:
    """The type's latest version, shipped or added to the registry (`vc-engine doctype add`)."""
    try:
        return DoctypeVersions(registry).catalogue().latest(code)
    except doctypes.UnknownDocTypeError as error:
        fail(str(error), 2)


@app.command("add")
def issuer_add(
    ctx: typer.Context,
    issuer_id: Annotated[str, typer.Argument(help="e.g. in.gov.wb.kmc")],
    name: Annotated[str, typer.Option("--name")],
    doctype: Annotated[list[str], typer.Option("--doctype", help="Document type code; repeat.")],
    valid_from: Annotated[str | None, typer.Option(help="Authorised from (ISO 8601).")] = None,
) -> None:
    """Add an issuer and the document types it may sign."""
    moment = now()
    start = instant(valid_from, "--valid-from") or start_of_second(moment)
    with open_registry(ctx) as registry:
        for code in doctype:
            known_doctype(registry, code)
        registry.add_issuer(issuer_id, name, at=moment)
        for code in doctype:
            registry.authorise(issuer_id, code, valid_from=start)
    console.print(f"issuer {issuer_id} may issue {', '.join(doctype)}")


@app.command("authorise")
def issuer_authorise(
    ctx: typer.Context,
    issuer_id: str,
    doctype: Annotated[str, typer.Option("--doctype")],
    valid_from: Annotated[str | None, typer.Option()] = None,
    valid_until: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Allow an existing issuer one more document type."""
    start = instant(valid_from, "--valid-from") or start_of_second(now())
    with open_registry(ctx) as registry:
        known_doctype(registry, doctype)
        registry.authorise(
            issuer_id, doctype, valid_from=start, valid_until=instant(valid_until, "--valid-until")
        )
    console.print(f"issuer {issuer_id} may issue {doctype}")


@app.command("add-key")
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
        fail("give exactly one of --cert, --public-key, --jwk, --multikey", 2)
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
        fail(str(error))
    with open_registry(ctx) as registry:
        kid = registry.add_key(
            issuer_id,
            public_key,
            certificate=certificate,
            valid_from=instant(valid_from, "--valid-from"),
            valid_until=instant(valid_until, "--valid-until"),
            at=now(),
        )
    console.print(kid)


@app.command("add-subject")
def issuer_add_subject(
    ctx: typer.Context,
    issuer_id: str,
    organisation: Annotated[
        str, typer.Option("--organisation", help="The subject's O, as its certificates spell it.")
    ],
    serial: Annotated[
        str | None, typer.Option("--serial", help="Only the certificate with this serial (hex).")
    ] = None,
    key_id: Annotated[
        str | None, typer.Option("--key-id", help="Only certificates of this key (key id).")
    ] = None,
) -> None:
    """Trust the issuer through certificates: those whose subject organisation is this one (and,
    if given, with this serial or key) that chain to a registered root (`trust-anchor add`)."""
    try:
        serial_number = None if serial is None else int(serial.removeprefix("0x"), 16)
    except ValueError:
        fail(f"--serial {serial!r} is not a hexadecimal serial number", 2)
    with open_registry(ctx) as registry:
        subject = registry.add_certificate_subject(
            issuer_id, organisation, serial_number=serial_number, key_id=key_id, at=now()
        )
    console.print(f"issuer {issuer_id} is trusted by {subject.describe()}", highlight=False)


@app.command("compromise-key")
def issuer_compromise_key(
    ctx: typer.Context,
    issuer_id: str,
    key_id: str,
    at: Annotated[str, typer.Option("--at", help="Compromised from (ISO 8601, with zone).")],
    reason: Annotated[str, typer.Option("--reason")],
) -> None:
    """Record that a key was compromised from a moment on (which may be in the past)."""
    when = instant(at, "--at")
    assert when is not None
    with open_registry(ctx) as registry:
        registry.compromise_key(issuer_id, key_id, at=when, reason=reason, recorded_at=now())
    console.print(f"key {key_id} compromised from {when.isoformat()}")


@app.command("show")
def issuer_show(ctx: typer.Context, issuer_id: str) -> None:
    """Show an issuer, its document types, its keys with their history, and the certificate
    subjects it is trusted by."""
    with open_registry(ctx) as registry:
        record = registry.get_issuer(issuer_id)
        if record is None:
            fail(f"issuer {issuer_id} is not in the registry")
        render.issuer(
            console, record, registry.authorisations(issuer_id), registry.keys_of(issuer_id)
        )
        for subject in registry.certificate_subjects(issuer_id):
            console.print(f"trusted by certificates of {subject.describe()}", highlight=False)


# issuing and verifying
