"""The `vc-engine` entry point: a quick path for verifying one document, typer for the rest.

Starting typer costs more than verifying a document does (it loads pydantic, and the root
command looks up the HTTP service's plugins); a clerk verifying one file should not pay for it.
`main` reads the command line itself when it is plainly a `verify` call (the root's `--registry`
and `--status-base-url`, then `verify` with FILE or `--qr TEXT`, `--pdf`, `--json`, `--at`,
`--policy`, `--lang`, each at most once) and hands anything else (help, an unknown or repeated
option, a value typer would refuse) to the typer application, which answers as it always has.
Both run `verifying.verify_and_say`, so the report and the exit code do not depend on the path
taken.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT_OPTIONS = frozenset({"--registry", "--status-base-url"})
"""The root command's options (verifying reads only the registry's URL)."""

VERIFY_OPTIONS = frozenset({"--qr", "--pdf", "--at", "--policy", "--lang"})
"""`verify`'s options that take a value."""

JSON_FLAG = "--json"


@dataclass(frozen=True)
class QuickVerify:
    """A `verify` call read from the command line, every value as typer would have read it."""

    registry_url: str | None
    file: Path | None
    qr_text: str | None
    pdf: Path | None
    as_json: bool
    at: str | None
    policy_name: str | None
    language: str | None


def read_quick_verify(argv: Sequence[str]) -> QuickVerify | None:
    """The `verify` call `argv` makes, or None when it is anything typer should read."""
    root: dict[str, str] = {}
    values: dict[str, str] = {}
    positional: list[str] = []
    as_json = in_verify = False
    words = iter(argv)
    for word in words:
        if not word.startswith("-") or word == "-":
            if in_verify:
                positional.append(word)
            elif word == "verify":
                in_verify = True
            else:
                return None
            continue
        if in_verify and word == JSON_FLAG and not as_json:
            as_json = True
            continue
        name, equals, value = word.partition("=")
        known, found = (VERIFY_OPTIONS, values) if in_verify else (ROOT_OPTIONS, root)
        if name not in known or name in found:
            return None
        if not equals:
            following = next(words, None)
            if following is None or following.startswith("-"):
                return None
            value = following
        found[name] = value
    if not in_verify or len(positional) > 1 or (positional == []) == ("--qr" not in values):
        return None
    from vc_engine.i18n import LANGUAGES

    language = values.get("--lang")
    if language is not None and language not in LANGUAGES:
        return None
    return QuickVerify(
        registry_url=root.get("--registry") or os.environ.get("VC_ENGINE_REGISTRY") or None,
        file=Path(positional[0]) if positional else None,
        qr_text=values.get("--qr"),
        pdf=Path(values["--pdf"]) if "--pdf" in values else None,
        as_json=as_json,
        at=values.get("--at"),
        policy_name=values.get("--policy") or os.environ.get("VC_ENGINE_POLICY") or None,
        language=language,
    )


def run_quick_verify(call: QuickVerify) -> int:
    """What `vc-engine verify` does for `call`: the report printed, the exit code returned."""
    from vc_engine.cli.plain import CommandError, default_registry_url, now, parse_time, say_error
    from vc_engine.cli.verifying import verify_and_say

    try:
        when = now() if call.at is None else parse_time(call.at, "--at")
        return verify_and_say(
            call.registry_url or default_registry_url(),
            when,
            call.file,
            call.qr_text,
            pdf=call.pdf,
            as_json=call.as_json,
            policy_name=call.policy_name,
            language=call.language,
        )
    except CommandError as error:
        say_error(error.message)
        return error.code


def main() -> None:
    call = read_quick_verify(sys.argv[1:])
    if call is None:
        from vc_engine.cli.root import app

        app()
    else:
        sys.exit(run_quick_verify(call))
