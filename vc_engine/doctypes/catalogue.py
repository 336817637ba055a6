"""The document types shipped with the engine: definition files in vc_engine/data/doctypes.

Each file holds one version of one type (`CODE.vN.yaml`). `DOCTYPES` maps each code to its
latest version; `shipped_versions` keeps every version, because a document is checked against
the version it was issued under (see `versions`). Types added later by an operator live in the
registry (`vc-engine doctype add`), not here.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType

from vc_engine.doctypes.definition import Definition, DefinitionError, read_shipped_definition
from vc_engine.doctypes.generated import type_context
from vc_engine.doctypes.spec import DocType, UnknownDocTypeError
from vc_engine.doctypes.values import Field, quoted

DEFINITIONS = resources.files("vc_engine") / "data" / "doctypes"


def _read_shipped() -> dict[str, dict[int, Definition]]:
    found: dict[str, dict[int, Definition]] = {}
    for entry in sorted(DEFINITIONS.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith((".yaml", ".json")):
            continue
        definition = read_shipped_definition(entry.read_text("utf-8"), entry.name)
        doctype = definition.doctype
        expected = f"{doctype.code}.v{doctype.version}."
        if not entry.name.startswith(expected):
            raise DefinitionError(entry.name, 0, f"a file defining it must be named {expected}*")
        found.setdefault(doctype.code, {})[doctype.version] = definition
    return found


SHIPPED: Mapping[str, Mapping[int, Definition]] = MappingProxyType(
    {code: MappingProxyType(versions) for code, versions in _read_shipped().items()}
)
"""Every shipped version of every type, by code and version number."""

DOCTYPES: Mapping[str, DocType] = MappingProxyType(
    {code: versions[max(versions)].doctype for code, versions in SHIPPED.items()}
)
"""The latest shipped version of each type."""


def get_doctype(code: str) -> DocType:
    try:
        return DOCTYPES[code]
    except KeyError:
        known = ", ".join(sorted(DOCTYPES))
        raise UnknownDocTypeError(f"unknown document type {quoted(code)}; known: {known}") from None


def credential_context(doctype: DocType) -> str | None:
    """The URL of the type version's own JSON-LD context, which its credentials name after the
    core ones; None when the core contexts define all its terms (see `generated`)."""
    context = type_context(doctype)
    return None if context is None else context.url


BIRTH_CERTIFICATE = DOCTYPES["BTHCER"]
CASTE_CERTIFICATE = DOCTYPES["CASCR"]
MARK_SHEET = DOCTYPES["SSCMS"]
DRIVING_LICENCE = DOCTYPES["DRVLC"]


def _field(doctype: DocType, name: str) -> Field:
    return next(f for f in doctype.fields if f.name == name)


SUBJECT_COLUMNS = _field(MARK_SHEET, "subjects").columns
VEHICLE_CLASSES = _field(DRIVING_LICENCE, "vehicleClasses").choices
