"""`vc-engine digilocker`: an issuer's e-locker Pull API key and search fields, and the log of
the Pull requests it received.

The API key the e-locker shares with the issuer comes from an environment variable
(`--key-env NAME`) or standard input (`--key-stdin`), never a flag, and is stored sealed
(`vc_engine.keys.sealed`) under the service's sealing key file (`--sealing-key`, or
VC_ENGINE_SEALING_KEY; created 0600 on first use in the data directory). `serve` must be given
the same file. The key is never printed or logged.

The search file (TOML, or JSON with the same shape) maps, per document type, the e-locker's
search parameters to the document's fields::

    [SSCMS]
    search = { UDF1 = "rollNumber", UDF2 = "examYear" }
    names = ["name", "nameLocal"]        # holder fields FullName is compared with (default)
    date_of_birth = "dateOfBirth"        # the holder field DOB is compared with (default)
    require = ["DOB"]                    # of FullName, DOB: must be sent (default: none)
"""

from __future__ import annotations

import json
import os
import re
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import platformdirs
import typer

from vc_engine import doctypes, keys
from vc_engine.cli.common import console, fail, instant, now, open_registry
from vc_engine.doctypes.versions import Catalogue
from vc_engine.errors import BadInput
from vc_engine.keys.sealed import create_sealing_key, load_sealing_key, seal
from vc_engine.store.digilocker import DigiLockerStore, DoctypeSearch
from vc_engine.store.doctype_versions import DoctypeVersions
from vc_engine.store.errors import UnknownIssuer

app = typer.Typer(no_args_is_help=True, help="The e-locker's issuer Pull API.")

SEALING_KEY_VARIABLE = "VC_ENGINE_SEALING_KEY"
_SEARCH_PARAMETER = re.compile(r"UDF[1-9][0-9]?")
_HOLDER_PARAMETERS = ("FullName", "DOB")
_MIN_KEY_BYTES = 16


class BadSearchFile(BadInput):
    """The search file does not fit the document types it names."""


def default_sealing_key() -> Path:
    return Path(platformdirs.user_data_dir("vc-engine")) / "sealing.key"


def sealing_key_path(given: Path | None) -> Path:
    """`given`, else VC_ENGINE_SEALING_KEY, else the data directory's file."""
    if given is not None:
        return given
    variable = os.environ.get(SEALING_KEY_VARIABLE)
    return Path(variable) if variable else default_sealing_key()


@app.command("configure")
def configure(
    ctx: typer.Context,
    issuer_id: Annotated[str, typer.Argument(help="The issuer, as in the registry.")],
    search_file: Annotated[
        Path, typer.Option("--search", help="TOML or JSON: search fields per document type.")
    ],
    key_env: Annotated[
        str | None,
        typer.Option("--key-env", help="Read the API key from this environment variable."),
    ] = None,
    key_stdin: Annotated[
        bool, typer.Option("--key-stdin", help="Read the API key from standard input.")
    ] = False,
    sealing_key: Annotated[
        Path | None,
        typer.Option(
            "--sealing-key", help="Sealing key file (default: $VC_ENGINE_SEALING_KEY or data dir)."
        ),
    ] = None,
) -> None:
    """Set ISSUER's e-locker API key and search fields (replacing what was set)."""
    api_key = _api_key(key_env, key_stdin)
    with open_registry(ctx) as registry:
        catalogue = DoctypeVersions(registry).catalogue()
    try:
        searches = read_search_file(search_file, catalogue)
    except (OSError, BadSearchFile) as error:
        fail(f"{search_file}: {error}", 2)
    path = sealing_key_path(sealing_key)
    try:
        if not path.exists():
            create_sealing_key(path)
            console.print(f"created the sealing key {path} (give it to serve: --sealing-key)")
        sealed = seal(load_sealing_key(path), api_key, issuer_id)
    except keys.KeyMaterialError as error:
        fail(str(error))
    with open_registry(ctx) as registry:
        try:
            DigiLockerStore(registry.engine).configure(
                issuer_id, sealed_key=sealed, doctypes=searches, at=now()
            )
        except UnknownIssuer as error:
            fail(str(error))
    console.print(f"{issuer_id} answers the Pull API for {', '.join(sorted(searches))}")


@app.command("requests")
def requests(
    ctx: typer.Context,
    issuer_id: Annotated[str | None, typer.Option("--issuer")] = None,
    since: Annotated[str | None, typer.Option(help="ISO 8601 instant.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 100,
) -> None:
    """The Pull requests received, newest first, as JSON lines (never the bodies)."""
    with open_registry(ctx) as registry:
        found = DigiLockerStore(registry.engine).requests(
            issuer_id=issuer_id, since=instant(since, "--since"), limit=limit
        )
    for entry in found:
        print(json.dumps(entry.to_json()))


def _api_key(key_env: str | None, key_stdin: bool) -> bytes:
    if (key_env is None) == (not key_stdin):
        fail("give the API key with exactly one of --key-env NAME or --key-stdin", 2)
    text = os.environ.get(key_env, "") if key_env is not None else sys.stdin.readline()
    key = text.strip().encode("utf-8")
    if len(key) < _MIN_KEY_BYTES:
        fail(f"the API key must be at least {_MIN_KEY_BYTES} bytes", 2)
    return key


def read_search_file(path: Path, catalogue: Catalogue) -> dict[str, DoctypeSearch]:
    """The search fields of `path`, checked against the latest versions of the document types
    they name (shipped or added to the registry)."""
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as error:
        raise BadSearchFile(f"not readable: {error}") from None
    if not isinstance(data, dict) or not data:
        raise BadSearchFile("give at least one document type")
    return {code: _doctype_search(catalogue, code, entry) for code, entry in data.items()}


def _doctype_search(catalogue: Catalogue, code: str, entry: Any) -> DoctypeSearch:
    try:
        spec = catalogue.latest(code)
    except doctypes.UnknownDocTypeError as error:
        raise BadSearchFile(str(error)) from None
    if not isinstance(entry, dict):
        raise BadSearchFile(f"[{code}] must be a table")
    unknown = set(entry) - {"search", "names", "date_of_birth", "require"}
    if unknown:
        raise BadSearchFile(f"[{code}] has no setting {', '.join(sorted(unknown))}")
    fields = {f.name: f for f in (*spec.holder_fields, *spec.claim_fields)}
    searchable = {"docId"} | {
        name for name, f in fields.items() if f.kind is not doctypes.FieldKind.TABLE
    }
    search = entry.get("search")
    if not isinstance(search, dict) or not search:
        raise BadSearchFile(f"[{code}] search must map UDF1... to fields")
    for parameter, field in search.items():
        if not _SEARCH_PARAMETER.fullmatch(parameter):
            raise BadSearchFile(f"[{code}] {parameter} is not a search parameter (UDF1...)")
        _field(code, field, searchable, parameter)
    names = entry.get("names", ["name", "nameLocal"])
    if not isinstance(names, list) or not names:
        raise BadSearchFile(f"[{code}] names must list holder fields")
    for name in names:
        _field(code, name, fields, "names")
    born = entry.get("date_of_birth", "dateOfBirth")
    _field(code, born, fields, "date_of_birth")
    require = entry.get("require", [])
    if not isinstance(require, list) or not set(require) <= set(_HOLDER_PARAMETERS):
        raise BadSearchFile(f"[{code}] require lists some of {', '.join(_HOLDER_PARAMETERS)}")
    return DoctypeSearch(dict(search), tuple(names), born, tuple(require))


def _field(code: str, name: object, known: Mapping[str, object] | set[str], setting: str) -> None:
    if not isinstance(name, str) or name not in known:
        raise BadSearchFile(f"[{code}] {setting}: {code} has no field {name!r}")
