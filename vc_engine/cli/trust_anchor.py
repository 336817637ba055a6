"""`vc-engine trust-anchor`: the CA certificates issuers' certificates chain to, and their CRLs.

A self-signed certificate is a root (a trust anchor); any other must be signed by a CA already
registered (a licensed CA under the national root) and is used as an intermediate, so the
root's constraints still apply. CRLs are loaded here and never fetched at verify time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from cryptography import x509

from vc_engine import keys
from vc_engine.cli.common import console, fail, now, open_registry
from vc_engine.trust.anchors import subject_text

app = typer.Typer(no_args_is_help=True, help="CA certificates and their CRLs.")
crl_app = typer.Typer(no_args_is_help=True, help="Certificate revocation lists of the CAs.")
app.add_typer(crl_app, name="crl")


@app.command("add")
def anchor_add(
    ctx: typer.Context,
    cert: Annotated[Path, typer.Option("--cert", help="The CA's certificate, PEM or DER.")],
    name: Annotated[str, typer.Option("--name", help='e.g. "CCA India 2022".')],
) -> None:
    """Trust a CA certificate: a root, or a CA signed by a registered one."""
    try:
        certificate = keys.load_certificate(cert.read_bytes())
    except OSError as error:
        fail(f"cannot read {cert}: {error.strerror}", 2)
    except keys.KeyMaterialError as error:
        fail(f"{cert}: {error}", 2)
    with open_registry(ctx) as registry:
        anchor = registry.add_anchor(name, certificate, at=now())
    kind = "root" if anchor.root else "CA under a registered root"
    console.print(f"{anchor.name}: {kind}, sha256 {anchor.fingerprint}", highlight=False)


@app.command("list")
def anchor_list(ctx: typer.Context) -> None:
    """The registered CA certificates, one a line, tab-separated: name, kind, subject,
    validity, fingerprint."""
    with open_registry(ctx) as registry:
        anchors = registry.list_anchors()
    for anchor in anchors:
        certificate = anchor.certificate
        typer.echo(
            f"{anchor.name}\t{'root' if anchor.root else 'CA'}\t{subject_text(certificate)}\t"
            f"{certificate.not_valid_before_utc.date()}..{certificate.not_valid_after_utc.date()}"
            f"\t{anchor.fingerprint}"
        )


@app.command("remove")
def anchor_remove(
    ctx: typer.Context,
    anchor: Annotated[str, typer.Argument(help="The CA's name or SHA-256 fingerprint.")],
) -> None:
    """Stop trusting a CA certificate (the registry keeps the record of it)."""
    with open_registry(ctx) as registry:
        removed = registry.remove_anchor(anchor, at=now())
    console.print(f"removed {removed.name} (sha256 {removed.fingerprint})", highlight=False)


@crl_app.command("add")
def crl_add(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The CRL, PEM or DER.")],
) -> None:
    """Load a CRL signed by a registered CA."""
    try:
        data = file.read_bytes()
        if data.lstrip().startswith(b"-----BEGIN"):
            crl = x509.load_pem_x509_crl(data)
        else:
            crl = x509.load_der_x509_crl(data)
    except OSError as error:
        fail(f"cannot read {file}: {error.strerror}", 2)
    except ValueError as error:
        fail(f"{file} is not a CRL: {error}", 2)
    with open_registry(ctx) as registry:
        loaded = registry.add_crl(crl, at=now())
    console.print(
        f"loaded CRL of {crl.issuer.rfc4514_string()}: {len(crl)} revoked, issued "
        f"{loaded.this_update.isoformat()}, next update "
        f"{'none' if loaded.next_update is None else loaded.next_update.isoformat()}",
        highlight=False,
    )


@crl_app.command("list")
def crl_list(ctx: typer.Context) -> None:
    """The loaded CRLs, one a line, tab-separated: issuing CA, issue time, next update,
    entries, SHA-256."""
    with open_registry(ctx) as registry:
        names = {a.fingerprint: a.name for a in registry.list_anchors()}
        crls = registry.list_crls()
    for loaded in crls:
        next_update = "none" if loaded.next_update is None else loaded.next_update.isoformat()
        typer.echo(
            f"{names.get(loaded.ca_fingerprint, loaded.ca_fingerprint)}\t"
            f"{loaded.this_update.isoformat()}\t{next_update}\t{len(loaded.crl)} revoked\t"
            f"{loaded.sha256}"
        )
