"""What the command's code shares that needs no command-line framework: the two consoles, a
failure the user can fix as a value (`CommandError`), the clock, reading a time, opening the
registry and choosing the policy.

`common` turns a `CommandError` into typer's exit; the quick path of `vc-engine verify`
(`main`) says it the same way without typer, so both print the same line and exit the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import platformdirs
from rich.console import Console

from vc_engine.errors import VcEngineError
from vc_engine.model import InstantError, bounded_instant
from vc_engine.policy_files import PolicyFile, load_policy
from vc_engine.store import Registry
from vc_engine.store.doctype_versions import registry_contexts

console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)

DEFAULT_STATUS_BASE_URL = "https://status.vc-engine.org"


class CommandError(Exception):
    """A failure the user can fix: one line to print, and the exit code (2 for usage)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def say_error(message: str) -> None:
    """The one red line every failed command prints on standard error."""
    errors.print(f"[bold red]error:[/] {message}", highlight=False)


def default_registry_url() -> str:
    directory = Path(platformdirs.user_data_dir("vc-engine"))
    return f"sqlite:///{directory / 'registry.db'}"


def now() -> datetime:
    return datetime.now(UTC)


def parse_time(text: str, option: str) -> datetime:
    """An ISO 8601 time with its zone from an option, in UTC; a usage error otherwise."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option}: {text!r} is not an ISO 8601 time", 2) from None
    if value.tzinfo is None:
        zone = "add Z or an offset like +05:30"
        raise CommandError(f"{option}: {text!r} has no time zone; {zone}", 2)
    try:
        return bounded_instant(value, option).astimezone(UTC)
    except InstantError as error:
        raise CommandError(str(error), 2) from None


@contextmanager
def registry_at(url: str) -> Iterator[Registry]:
    """The registry at `url`, created or migrated; an engine error inside the block is a
    `CommandError`."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    try:
        with Registry.open(url) as registry:
            registry.init()
            yield registry
    except VcEngineError as error:
        raise CommandError(str(error)) from None


def policy_for(spec: str | None, registry: Registry | None) -> PolicyFile:
    """The policy named on the command line, with the contexts pinned in `registry` (when one
    is given); a policy that cannot be read is a usage error."""
    try:
        chosen = load_policy(spec)
        if registry is not None:
            chosen = chosen.with_contexts(registry_contexts(registry))
    except VcEngineError as error:
        raise CommandError(str(error), 2) from None
    return chosen
