"""Cross-field rules, written in a definition file as data and turned into checks here.

A rule is a small named shape rather than code, so a department can state one without a
release of the engine, and so every rule can be listed and explained. Each kind is checked at
definition time (its fields must exist and have the right kinds) and raises `RecordError`
naming the offending field when a record or a signed document breaks it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from vc_engine.doctypes.spec import Rule
from vc_engine.doctypes.values import Field, FieldKind, RecordError
from vc_engine.model import ClaimValue


class RuleError(ValueError):
    """A rule names a field that does not exist or does not have the kind it needs."""


def build_rule(spec: Mapping[str, str], fields: Mapping[str, Field]) -> Rule:
    """The check for one rule of a definition (already shaped by the definition schema)."""
    if spec["rule"] == "not-before":
        return _not_before(spec, fields)
    return _marks_table(spec, fields)


def _need(fields: Mapping[str, Field], name: str, *kinds: FieldKind) -> Field:
    found = fields.get(name)
    if found is None:
        raise RuleError(f"the rule names {name!r}, which is not a field")
    if found.kind not in kinds:
        wanted = " or ".join(kinds)
        raise RuleError(f"the rule needs {name!r} to be {wanted}, not {found.kind}")
    return found


def _not_before(spec: Mapping[str, str], fields: Mapping[str, Field]) -> Rule:
    _need(fields, spec["field"], FieldKind.DATE)
    _need(fields, spec["reference"], FieldKind.DATE)
    return NotBefore(spec["field"], spec["reference"], spec["says"])


def _marks_table(spec: Mapping[str, str], fields: Mapping[str, Field]) -> Rule:
    columns = {c.name: c for c in _need(fields, spec["table"], FieldKind.TABLE).columns}
    for column in (spec["key"], spec["value"], spec["limit"]):
        if not _need(columns, column, FieldKind.TEXT, FieldKind.INTEGER).required:
            raise RuleError(f"the rule needs the column {column!r} to be required")
    _need(columns, spec["value"], FieldKind.INTEGER)
    _need(columns, spec["limit"], FieldKind.INTEGER)
    _need(fields, spec["total"], FieldKind.INTEGER)
    return MarksTable(*(spec[n] for n in ("table", "key", "value", "limit", "total", "says")))


@dataclass(frozen=True)
class NotBefore:
    """The date in `later` may not be before the date in `earlier` (`says` names it)."""

    later: str
    earlier: str
    says: str

    def __call__(self, values: Mapping[str, ClaimValue]) -> None:
        value, reference = values.get(self.later), values.get(self.earlier)
        if isinstance(value, str) and isinstance(reference, str) and value < reference:
            raise RecordError(self.later, f"{value} is before {self.says} on {reference}")


@dataclass(frozen=True)
class MarksTable:
    """Rows of `table`: `value` at most `limit`, `key` distinct; `total` the sum of `value`.
    (Dataclasses rather than closures so a document type can be sent to a worker process.)"""

    table: str
    key: str
    value: str
    limit: str
    total: str
    says: str

    def __call__(self, values: Mapping[str, ClaimValue]) -> None:
        rows, stated = values.get(self.table), values.get(self.total)
        if not isinstance(rows, tuple):
            return
        seen: set[str] = set()
        for number, row in enumerate(rows, start=1):
            cell = f"{self.table}[{number}]"
            if int(row[self.value]) > int(row[self.limit]):
                reason = f"{row[self.value]} is more than {row[self.limit]}"
                raise RecordError(f"{cell}.{self.value}", reason)
            if row[self.key] in seen:
                raise RecordError(f"{cell}.{self.key}", f"{row[self.key]} is listed twice")
            seen.add(row[self.key])
        added = sum(int(row[self.value]) for row in rows)
        if isinstance(stated, str) and int(stated) != added:
            raise RecordError(self.total, f"{stated} is not the sum of {self.says} ({added})")
