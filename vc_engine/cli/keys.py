"""`vc-engine keys`: making signing keys."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from cryptography.hazmat.primitives.serialization import Encoding

from vc_engine import keys
from vc_engine.cli.common import console, fail, now

app = typer.Typer(no_args_is_help=True, help="Make signing keys.")


@app.command("generate")
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
        fail(f"{private_path} exists; refusing to overwrite a private key")
    key = keys.generate_private_key(alg)
    moment = now()
    certificate = keys.self_signed_certificate(
        key, name, moment - timedelta(minutes=5), moment + timedelta(days=days)
    )
    keys.write_private_key(private_path, key, keys.passphrase_from_environment())

    cert_path.write_bytes(certificate.public_bytes(Encoding.PEM))
    console.print(f"{private_path}\n{cert_path}\nkey id {keys.key_id(key.public_key())}")


# issuers
