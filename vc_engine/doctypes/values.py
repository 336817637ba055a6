"""Field values: what each kind of field accepts, and the one normal form it is written in
(see the package docstring for the rules and why they matter)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from vc_engine.errors import BadInput
from vc_engine.model import ClaimRow, ClaimValue

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

_DIGITS = re.compile(r"[0-9]{1,9}")

_DECIMAL = re.compile(r"([0-9]{1,12})(?:\.([0-9]{1,6}))?")

# Field names become XML element and attribute names and JSON-LD terms: keep them plain.
_FIELD_NAME = re.compile(r"[a-z][A-Za-z0-9]{0,39}")
# Unicode categories Cc (C0 and C1 controls) and Cs (surrogates), and the bidi controls: one
# regular expression instead of a per-character category look-up on the verification path.
FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
MAX_TABLE_ROWS = 50
_MAX_SHOWN = 60


class RecordError(BadInput):
    """One field of a record is wrong; `reason` is written for the person who fixes the record."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class FieldKind(StrEnum):
    TEXT = "text"
    DATE = "date"
    """YYYY-MM-DD, a real calendar date."""
    INTEGER = "integer"
    """Non-negative, written without leading zeros."""
    DECIMAL = "decimal"
    """Non-negative, at most `scale` places after the point; written without leading zeros or
    trailing fractional zeros ("01200.50" -> "1200.5")."""
    ENUM = "enum"
    """One of `choices`; matched ignoring case, written as the choice is spelt."""
    ENUM_LIST = "enum-list"
    """Comma-separated distinct `choices`, written joined by "," in the order given."""
    TABLE = "table"
    """Rows of the scalar `columns`; a claim only, never a holder field."""


@dataclass(frozen=True)
class Field:
    """One holder or claim field: its name in records and documents, and what a value must be."""

    name: str
    kind: FieldKind
    required: bool = True
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    """For TEXT: a regular expression the whole normalised value must match."""
    minimum: int = 0
    maximum: int = 999_999_999
    max_length: int = 200
    scale: int = 2
    """For DECIMAL: the most digits allowed after the point."""
    columns: tuple[Field, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict, hash=False)
    """What a reader is shown for the field, by language ("en", "bn", "hi")."""
    personal: bool = False
    """Personal data: shown to a clerk only when asked, left out where it is not needed."""
    printable: bool = True
    """Carried in the QR code of a printed document."""

    def label(self, language: str = "en") -> str:
        """The label in `language`, else in English, else the field name spelt out."""
        return self.labels.get(language) or self.labels.get("en") or spelt_out(self.name)

    def __post_init__(self) -> None:
        if not _FIELD_NAME.fullmatch(self.name):
            raise ValueError(f"{self.name!r} cannot be a field name")
        if (self.kind in (FieldKind.ENUM, FieldKind.ENUM_LIST)) != bool(self.choices):
            raise ValueError(f"{self.name}: choices belong to enum fields, and enums need them")
        if (self.kind is FieldKind.TABLE) != bool(self.columns):
            raise ValueError(f"{self.name}: columns belong to table fields, and tables need them")
        if any(c.kind is FieldKind.TABLE for c in self.columns):
            raise ValueError(f"{self.name}: a table column cannot itself be a table")


LANGUAGES = ("en", "bn", "hi")
"""The languages of labels and titles: English, Bengali, Hindi."""


def spelt_out(name: str) -> str:
    """A field name as words: "dateOfBirth" -> "Date of birth"."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).lower()
    return words[:1].upper() + words[1:]


def parse_fields(fields: Sequence[Field], record: Mapping[str, object]) -> dict[str, ClaimValue]:
    values: dict[str, ClaimValue] = {}
    for spec in fields:
        value = parse_value(spec, record.get(spec.name), spec.name)
        if value is not None:
            values[spec.name] = value
        elif spec.required:
            raise RecordError(spec.name, "is required")
    return values


def parse_value(spec: Field, raw: object, where: str) -> ClaimValue | None:
    """The normal form of one value, or None when it is absent."""
    if spec.kind is FieldKind.TABLE:
        return _table(spec, raw, where)
    return scalar(spec, raw, where)


def scalar(spec: Field, raw: object, where: str) -> str | None:
    if raw is None:
        return None
    if spec.kind is FieldKind.INTEGER and isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str):
        raise RecordError(where, f"must be text, not {type(raw).__name__}")
    value = normalise(raw, where, spec.max_length)
    if not value:
        return None
    if spec.kind is FieldKind.TEXT:
        if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
            raise RecordError(where, f"{quoted(value)} does not match {spec.pattern}")
        return value
    if spec.kind is FieldKind.DATE:
        try:
            if not ISO_DATE.fullmatch(value):
                raise ValueError
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise RecordError(where, f"{quoted(value)} is not a date YYYY-MM-DD") from None
    if spec.kind is FieldKind.INTEGER:
        if not _DIGITS.fullmatch(value):
            raise RecordError(where, f"{quoted(value)} is not a whole number")
        number = int(value)
        if not spec.minimum <= number <= spec.maximum:
            raise RecordError(where, f"{number} is not between {spec.minimum} and {spec.maximum}")
        return str(number)
    if spec.kind is FieldKind.DECIMAL:
        return _decimal(spec, value, where)
    if spec.kind is FieldKind.ENUM:
        return _choice(spec, value, where)
    items = [_choice(spec, item.strip(), where) for item in value.split(",")]
    if len(set(items)) != len(items):
        raise RecordError(where, f"{quoted(value)} lists a value twice")
    return ",".join(items)


def _decimal(spec: Field, value: str, where: str) -> str:
    found = _DECIMAL.fullmatch(value)
    if found is None:
        raise RecordError(where, f"{quoted(value)} is not a decimal number like 1200.50")
    whole, fraction = str(int(found.group(1))), (found.group(2) or "").rstrip("0")
    if len(fraction) > spec.scale:
        raise RecordError(where, f"{quoted(value)} has more than {spec.scale} decimal places")
    if not spec.minimum <= Decimal(f"{whole}.{fraction or 0}") <= spec.maximum:
        raise RecordError(where, f"{value} is not between {spec.minimum} and {spec.maximum}")
    return f"{whole}.{fraction}" if fraction else whole


def _choice(spec: Field, value: str, where: str) -> str:
    for choice in spec.choices:
        if choice.casefold() == value.casefold():
            return choice
    raise RecordError(where, f"{quoted(value)} is not one of {', '.join(spec.choices)}")


def _table(spec: Field, raw: object, where: str) -> tuple[ClaimRow, ...] | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError):
            raise RecordError(where, "is not a JSON array of objects") from None
    if not isinstance(raw, list | tuple) or not all(isinstance(r, Mapping) for r in raw):
        raise RecordError(where, "must be a list of rows, each an object")
    if len(raw) > MAX_TABLE_ROWS:
        raise RecordError(where, f"has {len(raw)} rows; at most {MAX_TABLE_ROWS} are allowed")
    known = tuple(c.name for c in spec.columns)
    rows: list[ClaimRow] = []
    for number, source in enumerate(raw, start=1):
        cell = f"{where}[{number}]"
        for key in source:
            if key not in known:
                raise RecordError(f"{cell}.{key}", f"is not a column; known: {', '.join(known)}")
        row: dict[str, str] = {}
        for column in spec.columns:
            value = scalar(column, source.get(column.name), f"{cell}.{column.name}")
            if value is not None:
                row[column.name] = value
            elif column.required:
                raise RecordError(f"{cell}.{column.name}", "is required")
        rows.append(row)
    return tuple(rows) or None


def normalise(raw: str, where: str, max_length: int) -> str:
    if raw.isascii():  # already NFC; after collapsing, printable ASCII holds nothing FORBIDDEN
        value = " ".join(raw.split())
        if not value.isprintable():
            _refuse_forbidden(value, where)
    else:
        if not unicodedata.is_normalized("NFC", raw):
            raw = unicodedata.normalize("NFC", raw)
        value = " ".join(raw.split())
        _refuse_forbidden(value, where)
    if len(value) > max_length:
        raise RecordError(where, f"is longer than {max_length} characters")
    return value


def _refuse_forbidden(value: str, where: str) -> None:
    forbidden = FORBIDDEN.search(value)
    if forbidden is not None:
        code = ord(forbidden.group())
        raise RecordError(where, f"contains the control character U+{code:04X}")


def plain(value: object) -> object:
    """A value in comparable form: table rows as plain dicts, whatever mapping type held them."""
    if isinstance(value, tuple | list):
        return [dict(row) if isinstance(row, Mapping) else row for row in value]
    return value


def table_json(rows: Sequence[ClaimRow]) -> str:
    return json.dumps([dict(row) for row in rows], ensure_ascii=False, separators=(",", ":"))


def quoted(value: str) -> str:
    """A value quoted for a message, cut short so a huge input cannot flood a log."""
    if len(value) > _MAX_SHOWN:
        return repr(value[:_MAX_SHOWN] + "…")
    return repr(value)
