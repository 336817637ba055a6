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
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import platformdirs
import typer
from rich.console import Console

from vc_engine import keys
from vc_engine.errors import VcEngineError
from vc_engine.i18n import LANGUAGES, translate, word
from vc_engine.model import Indication, InstantError, VerificationReport, bounded_instant
from vc_engine.policy_files import PolicyFile, load_policy
from vc_engine.store import Registry
from vc_engine.store.doctype_versions import registry_contexts

if TYPE_CHECKING:
    from vc_engine.issuance.batch.workers import KeySource

console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)

EXIT_BY_INDICATION = {Indication.PASSED: 0, Indication.FAILED: 1, Indication.INDETERMINATE: 3}
DEFAULT_STATUS_BASE_URL = "https://status.vc-engine.org"


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


def translated(report: VerificationReport, language: str) -> dict[str, Any]:
    """The report's JSON, each check's English message and code kept, its message in
    `language` beside them, and the verdict in words."""
    answer = report.to_json()
    answer["language"] = language
    answer["verdictText"] = word(f"verdict.{report.indication}.text", language)
    for check, shown in zip(report.checks, answer["checks"], strict=True):
        shown["translatedMessage"] = translate(check.said, language)
    return answer


@dataclass(frozen=True)
class Settings:
    """The root command's options, for every subcommand (`ctx.obj`)."""

    registry_url: str
    status_base_url: str


def default_registry_url() -> str:
    directory = Path(platformdirs.user_data_dir("vc-engine"))
    return f"sqlite:///{directory / 'registry.db'}"


def settings(ctx: typer.Context) -> Settings:
    found: Settings = ctx.obj
    return found


def fail(message: str, code: int = 1) -> NoReturn:
    errors.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


@contextmanager
def open_registry(ctx: typer.Context) -> Iterator[Registry]:
    """The registry named on the command line, created or migrated; an engine error inside
    the block is printed and ends the command."""
    url = settings(ctx).registry_url
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    try:
        with Registry.open(url) as registry:
            registry.init()
            yield registry
    except VcEngineError as error:
        fail(str(error))


def migrated(ctx: typer.Context) -> str:
    """The registry URL, its schema created or migrated (for commands that open it later)."""
    with open_registry(ctx):
        pass
    return settings(ctx).registry_url


def now() -> datetime:
    return datetime.now(UTC)


def instant(text: str | None, option: str) -> datetime | None:
    """An ISO 8601 time with its zone from an option, in UTC; a usage error otherwise."""
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        fail(f"{option}: {text!r} is not an ISO 8601 time", 2)
    if value.tzinfo is None:
        fail(f"{option}: {text!r} has no time zone; add Z or an offset like +05:30", 2)
    try:
        return bounded_instant(value, option).astimezone(UTC)
    except InstantError as error:
        fail(str(error), 2)


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
        chosen = load_policy(spec)
        if registry is not None:
            chosen = chosen.with_contexts(registry_contexts(registry))
    except VcEngineError as error:
        fail(str(error), 2)
    return chosen
