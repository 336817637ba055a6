"""Definition files: one version of one document type written as data (YAML or JSON).

A definition is read in three passes, and the first fault stops it with the line it is on:

1. YAML (a JSON file is YAML too) is composed into nodes, so every value keeps its line; a key
   repeated in one mapping is refused (YAML would silently keep the last one);
2. the published JSON Schema (`vc_engine/data/schemas/doctype-definition.schema.json`) checks
   the shape: known keys, the three languages of every title and label, the field types;
3. what a schema cannot say: distinct field names, patterns that compile, enumerations with
   choices, rules that name fields of the right kind, a display order listing every field.

The result is a `DocType` together with the exact text it came from and that text's SHA-256,
which the registry stores for every version.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from vc_engine.doctypes.rules import RuleError, build_rule
from vc_engine.doctypes.spec import DocType, Validity
from vc_engine.doctypes.values import Field, FieldKind
from vc_engine.errors import BadInput

SCHEMA_FILE = "doctype-definition.schema.json"
SCHEMA_ID = "https://vc-engine.org/schemas/doctype-definition/v1"

_KINDS = {
    "text": FieldKind.TEXT,
    "date": FieldKind.DATE,
    "integer": FieldKind.INTEGER,
    "decimal": FieldKind.DECIMAL,
    "enumeration": FieldKind.ENUM,
    "enumeration-list": FieldKind.ENUM_LIST,
    "table": FieldKind.TABLE,
}
_VALIDITY = {
    "never": Validity.PERMANENT,
    "recorded": Validity.UNTIL_RECORDED,
    "term": Validity.TERM,
}
_MAX_DEFINITION_BYTES = 256 * 1024

Path = tuple[str | int, ...]


class DefinitionError(BadInput):
    """A definition is refused; `line` (1-based, 0 when unknown) and `reason` say why."""

    def __init__(self, source: str, line: int, reason: str) -> None:
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {reason}")
        self.source = source
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class Definition:
    """A document type as read from its definition, with the text it was read from."""

    doctype: DocType
    text: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@cache
def definition_schema() -> dict[str, Any]:
    """The published JSON Schema every definition must satisfy."""
    text = (resources.files("vc_engine") / "data" / "schemas" / SCHEMA_FILE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def read_definition(text: str, source: str = "<definition>") -> Definition:
    """Read and check one definition; raises DefinitionError with the line and the reason."""
    if len(text.encode("utf-8")) > _MAX_DEFINITION_BYTES:
        raise DefinitionError(source, 0, f"longer than {_MAX_DEFINITION_BYTES} bytes")
    import jsonschema  # here: the shipped definitions, read at import, do not need it

    data, lines = _parse(text, source, yaml.SafeLoader)
    validator = jsonschema.Draft202012Validator(definition_schema())
    errors = list(validator.iter_errors(data))
    # A failed `allOf` also leaves its properties "unevaluated": that is an echo, not the cause.
    causes = [e for e in errors if e.validator != "unevaluatedProperties"] or errors
    error = jsonschema.exceptions.best_match(causes)
    if error is not None:
        path = tuple(error.absolute_path)
        raise DefinitionError(source, _line(lines, path), f"{_where(path)}{error.message}")
    return Definition(_build(data, lines, source), text)


def read_shipped_definition(text: str, source: str) -> Definition:
    """A definition the package ships, read when `vc_engine.doctypes` is first imported.

    These files are ours: tests read each through `read_definition` (schema and all) and
    require the same `Definition`, so here libyaml parses them and the JSON Schema check is
    left out; every command, verifying one file included, would otherwise pay for both."""
    data, lines = _parse(text, source, getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return Definition(_build(data, lines, source), text)


def _parse(text: str, source: str, reader: Any) -> tuple[Any, dict[Path, int]]:
    try:
        loader = reader(text)
        node = loader.get_single_node()
        if node is None:
            raise DefinitionError(source, 1, "the definition is empty")
        lines: dict[Path, int] = {}
        _lines(node, (), lines, set(), source)
        return loader.construct_document(node), lines
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else 0
        raise DefinitionError(source, line, f"not valid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise DefinitionError(source, 0, f"not valid YAML: {exc}") from None


def _lines(
    node: yaml.Node, path: Path, lines: dict[Path, int], visited: set[int], source: str
) -> None:
    """Note the line of every value by its path; refuse repeated keys and aliases (an alias
    can make a small file expand to an enormous one; the anchor's line is given)."""
    line = node.start_mark.line + 1
    if id(node) in visited:
        raise DefinitionError(source, line, "anchors and aliases are not allowed")
    visited.add(id(node))
    lines[path] = line
    if isinstance(node, yaml.MappingNode):
        keys: set[object] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in keys:
                raise DefinitionError(source, key_node.start_mark.line + 1, f"{key!r} given twice")
            keys.add(key)
            _lines(value_node, (*path, key), lines, visited, source)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _lines(item, (*path, index), lines, visited, source)


def _line(lines: Mapping[Path, int], path: Path) -> int:
    while path not in lines:
        path = path[:-1]
    return lines[path]


def _where(path: Path) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".") + (
        ": " if path else ""
    )


def _build(data: Mapping[str, Any], lines: Mapping[Path, int], source: str) -> DocType:
    def refuse(path: Path, reason: str) -> DefinitionError:
        return DefinitionError(source, _line(lines, path), f"{_where(path)}{reason}")

    seen: dict[str, Path] = {}
    holder = _fields(data["holder"], ("holder",), seen, refuse)
    claims = _fields(data["claims"], ("claims",), seen, refuse)
    by_name = {f.name: f for f in holder + claims}
    rules = []
    for index, rule in enumerate(data.get("rules", [])):
        try:
            rules.append(build_rule(rule, by_name))
        except RuleError as exc:
            raise refuse(("rules", index), str(exc)) from None
    display = tuple(data.get("display", ()))
    if display and sorted(display) != sorted(by_name):
        missing = sorted(set(by_name) - set(display)) or sorted(
            {n for n in display if display.count(n) > 1 or n not in by_name}
        )
        raise refuse(("display",), f"must list every field once; check {', '.join(missing)}")
    expiry = data["expiry"]
    try:
        return DocType(
            code=data["code"],
            name=data["name"],
            holder_fields=holder,
            claim_fields=claims,
            validity=_VALIDITY[expiry["rule"]],
            rules=tuple(rules),
            titles=dict(data["title"]),
            version=data["version"],
            term_months=expiry.get("months", 0),
            display=display,
        )
    except ValueError as exc:
        raise refuse((), str(exc)) from None


def _fields(
    items: Sequence[Mapping[str, Any]],
    path: Path,
    seen: dict[str, Path],
    refuse: Any,
) -> tuple[Field, ...]:
    fields = []
    for index, item in enumerate(items):
        here = (*path, index)
        name = item["field"]
        if name in seen:
            first = _where(seen[name]).rstrip(": ")
            raise refuse((*here, "field"), f"the field {name!r} is already defined at {first}")
        if name in ("docId", "validFrom", "validUntil"):
            raise refuse((*here, "field"), f"{name!r} is a record column every type has")
        seen[name] = here
        fields.append(_field(item, here, refuse))
    return tuple(fields)


def _field(item: Mapping[str, Any], here: Path, refuse: Any) -> Field:
    kind = _KINDS[item["type"]]
    pattern = item.get("pattern")
    if pattern is not None:
        if kind is not FieldKind.TEXT:
            raise refuse((*here, "pattern"), "a pattern applies to text fields only")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise refuse((*here, "pattern"), f"the pattern does not compile: {exc}") from None
    if (kind in (FieldKind.ENUM, FieldKind.ENUM_LIST)) != ("choices" in item):
        raise refuse(here, "choices belong to enumerations, and enumerations need them")
    if (kind is FieldKind.TABLE) != ("columns" in item):
        raise refuse(here, "columns belong to tables, and tables need them")
    columns: tuple[Field, ...] = ()
    if kind is FieldKind.TABLE:
        columns = _fields(item["columns"], (*here, "columns"), {}, refuse)
    minimum, maximum = item.get("minimum", 0), item.get("maximum", 999_999_999)
    if minimum > maximum:
        raise refuse((*here, "minimum"), f"{minimum} is more than the maximum {maximum}")
    return Field(
        name=item["field"],
        kind=kind,
        required=item.get("required", True),
        choices=tuple(item.get("choices", ())),
        pattern=pattern,
        minimum=minimum,
        maximum=maximum,
        max_length=item.get("maxLength", 200),
        scale=item.get("scale", 2),
        columns=columns,
        labels=dict(item["label"]),
        personal=item.get("personal", False),
        printable=item.get("printable", True),
    )
