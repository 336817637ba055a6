"""What every `vc-engine` command shares: the settings of the root command, opening the
registry, the clock, reading times and keys from the command line, and failing with one line.

This is the entry point, so it is where the clock is read (`now`); nothing below it does.
Errors a user can fix print one red line and exit non-zero (2 for a usage error).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from vc_engine import keys
from vc_engine.cli.plain import (
    DEFAULT_STATUS_BASE_URL as DEFAULT_STATUS_BASE_URL,
)
from vc_engine.cli.plain import (
    CommandError,
    parse_time,
    policy_for,
    registry_at,
    say_error,
)
from vc_engine.cli.plain import console as console
from vc_engine.cli.plain import default_registry_url as default_registry_url
from vc_engine.cli.plain import errors as errors
from vc_engine.cli.plain import now as now
from vc_engine.i18n import LANGUAGES
from vc_engine.policy_files import PolicyFile
from vc_engine.store import Registry

if TYPE_CHECKING:
    from vc_engine.issuance.batch.workers import KeySource


def _language(value: str | None) -> str | None:
    if value is not None and value not in LANGUAGES:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(LANGUAGES)}")
    return value


LanguageOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        callback=_language,
        help=f"Say the report in this language: {', '.join(LANGUAGES)} (default en; with "
        "--json, each check's message is added in it).",
    ),
]


@dataclass(frozen=True)
class Settings:
    """The root command's options, for every subcommand (`ctx.obj`)."""

    registry_url: str
    status_base_url: str


def settings(ctx: typer.Context) -> Settings:
    found: Settings = ctx.obj
    return found


def fail(message: str, code: int = 1) -> NoReturn:
    say_error(message)
    raise typer.Exit(code)


@contextmanager
def open_registry(ctx: typer.Context) -> Iterator[Registry]:
    """The registry named on the command line, created or migrated; an engine error inside
    the block is printed and ends the command."""
    try:
        with registry_at(settings(ctx).registry_url) as registry:
            yield registry
    except CommandError as error:
        fail(error.message, error.code)


def migrated(ctx: typer.Context) -> str:
    """The registry URL, its schema created or migrated (for commands that open it later)."""
    with open_registry(ctx):
        pass
    return settings(ctx).registry_url


def instant(text: str | None, option: str) -> datetime | None:
    """An ISO 8601 time with its zone from an option, in UTC; a usage error otherwise."""
    if text is None:
        return None
    try:
        return parse_time(text, option)
    except CommandError as error:
        fail(error.message, error.code)


def load_signer(path: Path) -> keys.FileSigner:
    """A PEM private key; its passphrase, if any, from the environment (never a flag)."""
    try:
        return keys.FileSigner(keys.load_private_key(path, keys.passphrase_from_environment()))
    except keys.KeyMaterialError as error:
        fail(str(error))


def key_source(key: str, pkcs11_module: str | None) -> KeySource:
    """A PKCS#11 URI, or a PEM file whose passphrase, if it has one, comes from the
    environment or a prompt: never from a command-line value. Raises `KeyMaterialError`.

    The batch machinery is imported here, when a command signs, not when the CLI starts."""
    from vc_engine.issuance.batch.workers import PemKey
    from vc_engine.keys.pkcs11 import Pkcs11Key, is_pkcs11_uri

    if is_pkcs11_uri(key):
        return Pkcs11Key.from_environment(key, pkcs11_module)
    path = Path(key)
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        raise keys.KeyMaterialError(f"private key file {path} does not exist") from None
    passphrase: bytes | None = None
    if keys.pem_is_encrypted(pem):
        passphrase = keys.passphrase_from_environment()
        if passphrase is None:
            if not sys.stdin.isatty():
                raise keys.KeyMaterialError(
                    f"{path} is encrypted: set {keys.PASSPHRASE_VARIABLE} or run interactively"
                )
            passphrase = typer.prompt(f"passphrase for {path}", hide_input=True).encode()
    keys.load_private_key_pem(pem, passphrase, name=str(path))
    return PemKey(pem, passphrase)


def environment_flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")


PolicyOption = Annotated[
    str | None,
    typer.Option(
        "--policy",
        envvar="VC_ENGINE_POLICY",
        help="Validation policy: default, elocker-legacy, conformance, or a TOML file.",
    ),
]


def policy_file(spec: str | None, registry: Registry | None) -> PolicyFile:
    """The policy named on the command line, with the contexts pinned in `registry` (when one
    is given); a policy that cannot be read ends the command."""
    try:
        return policy_for(spec, registry)
    except CommandError as error:
        fail(error.message, error.code)
