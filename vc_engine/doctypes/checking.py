"""A document type's field checks, compiled once per type version for verification.

`check_document` runs on every verification, and re-deriving each field's checks from its
`Field` there (a pattern looked up in `re`'s cache, sets of known names rebuilt, values that are
already in normal form normalised again and compared) cost more than the signature check.
Here each field gets one predicate, built once per `DocType`, that accepts only values already
written in normal form: the only values a valid document holds. A value the predicate does not
accept goes to the reference check (`field_problem`), which gives the verdict and the message.
So a predicate may refuse more than the reference, never less (tests/doctypes/test_checking.py
compares the two on generated documents); verdicts and messages are the reference's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from vc_engine.doctypes.spec import DocType
from vc_engine.doctypes.values import (
    FORBIDDEN,
    ISO_DATE,
    MAX_TABLE_ROWS,
    Field,
    FieldKind,
    RecordError,
    parse_value,
    plain,
)
from vc_engine.model import ClaimValue

Accepts = Callable[[object], bool]
"""True only for a value the reference check would accept unchanged."""

# The normal forms `values.scalar` writes: no leading zeros, no trailing fractional zeros.
_INTEGER = re.compile(r"0|[1-9][0-9]{0,8}")
_WHOLE = r"(?:0|[1-9][0-9]{0,11})"
_REMEMBERED = 1024
"""Accepted texts remembered per field, at most (a few hundred kB a field at worst)."""


def field_problem(spec: Field, values: Mapping[str, ClaimValue], printed: bool) -> str | None:
    """The reference check of one field of a signed document: its problem, or None."""
    try:
        parsed = parse_value(spec, values.get(spec.name), spec.name)
        if printed and not spec.printable:
            if parsed is not None:
                raise RecordError(spec.name, "is not printable; a QR code never has it")
            return None
        if parsed is None and spec.required:
            raise RecordError(spec.name, "is required")
        if spec.name in values and plain(parsed) != plain(values[spec.name]):
            raise RecordError(spec.name, "is not written in normal form")
    except RecordError as exc:
        return str(exc)
    return None


@dataclass(frozen=True)
class _FieldCheck:
    spec: Field
    accepts: Accepts
    absent_ok: bool
    """Whether a document without the field passes (optional, or left out of a QR code)."""
    present_ok: bool
    """False for a field a QR code never carries: a value given goes to the reference."""


@dataclass(frozen=True)
class _GroupCheck:
    """The holder fields or the claim fields of one type."""

    known: frozenset[str]
    fields: tuple[_FieldCheck, ...]

    def problems(
        self, values: Mapping[str, ClaimValue], printed: bool, name: str, found: list[str]
    ) -> bool:
        """Append the group's problems to `found` in the reference's order; True if none."""
        if not values.keys() <= self.known:
            for unknown in sorted(set(values) - self.known):
                found.append(f"{unknown}: not a field of a {name}")
        ok = True
        for check in self.fields:
            value = values.get(check.spec.name)
            if value is None:
                if check.absent_ok:
                    continue
            elif check.present_ok and check.accepts(value):
                continue
            problem = field_problem(check.spec, values, printed)
            if problem is not None:
                found.append(problem)
                ok = False
        return ok


@dataclass(frozen=True)
class CompiledFields:
    """Every field check of one type version, for documents and for QR codes."""

    name: str
    groups: tuple[_GroupCheck, _GroupCheck]
    printed_groups: tuple[_GroupCheck, _GroupCheck]

    def problems(
        self,
        holder: Mapping[str, ClaimValue],
        claims: Mapping[str, ClaimValue],
        printed: bool,
        found: list[str],
    ) -> bool:
        """Append every field problem to `found`; True if there were none."""
        holder_check, claims_check = self.printed_groups if printed else self.groups
        holder_ok = holder_check.problems(holder, printed, self.name, found)
        return claims_check.problems(claims, printed, self.name, found) and holder_ok


_COMPILED: dict[int, tuple[DocType, CompiledFields]] = {}
_MAX_COMPILED = 256


def compiled(doctype: DocType) -> CompiledFields:
    """The checks of `doctype`, built on first use. Keyed by identity (hashing a `DocType`
    hashes every field, on every call); the entry holds the type, so its id stays its own."""
    entry = _COMPILED.get(id(doctype))
    if entry is not None and entry[0] is doctype:
        return entry[1]
    built = CompiledFields(
        doctype.name,
        (_group(doctype.holder_fields, False), _group(doctype.claim_fields, False)),
        (_group(doctype.holder_fields, True), _group(doctype.claim_fields, True)),
    )
    if len(_COMPILED) >= _MAX_COMPILED:  # registry catalogues are rebuilt; keep the cache small
        _COMPILED.clear()
    _COMPILED[id(doctype)] = (doctype, built)
    return built


def _group(fields: tuple[Field, ...], printed: bool) -> _GroupCheck:
    checks = []
    for spec in fields:
        left_out = printed and not spec.printable
        checks.append(_FieldCheck(spec, accepts(spec), not spec.required or left_out, not left_out))
    return _GroupCheck(frozenset(f.name for f in fields), tuple(checks))


def accepts(spec: Field) -> Accepts:
    """The predicate for one field: true only for a value in the normal form `scalar` (or,
    for a table, `_table`) writes, which the reference then accepts unchanged."""
    if spec.kind is FieldKind.TABLE:
        return _table(spec)
    return _scalar(spec)


def _scalar(spec: Field) -> Accepts:
    return _remembered(_scalar_check(spec))


def _remembered(check: Accepts) -> Accepts:
    """`check`, remembering the text it accepted: a verdict depends on the text alone, and
    table cells (marks, grades, subject names) and many claims repeat across documents."""
    seen: set[str] = set()

    def accepts(value: object) -> bool:
        if type(value) is not str:  # a subclass of str could compare as another text
            return check(value)
        if value in seen:
            return True
        if not check(value):
            return False
        if len(seen) < _REMEMBERED:
            seen.add(value)
        return True

    return accepts


def _scalar_check(spec: Field) -> Accepts:
    limit = spec.max_length
    if spec.kind is FieldKind.TEXT:
        pattern = None if spec.pattern is None else re.compile(spec.pattern)
        if pattern is None:
            return lambda v: isinstance(v, str) and _normal_text(v, limit)
        return lambda v: (
            isinstance(v, str) and _normal_text(v, limit) and pattern.fullmatch(v) is not None
        )
    if spec.kind is FieldKind.DATE:
        return lambda v: (
            isinstance(v, str)
            and len(v) <= limit
            and ISO_DATE.fullmatch(v) is not None
            and _real_date(v)
        )
    if spec.kind is FieldKind.INTEGER:
        low, high = spec.minimum, spec.maximum
        return lambda v: (
            isinstance(v, str)
            and len(v) <= limit
            and _INTEGER.fullmatch(v) is not None
            and low <= int(v) <= high
        )
    if spec.kind is FieldKind.DECIMAL:
        return _decimal(spec)
    return _choices(spec)


def _decimal(spec: Field) -> Accepts:
    places = min(spec.scale, 6)  # `values._DECIMAL` reads at most six places
    fraction = rf"(?:\.[0-9]{{0,{places - 1}}}[1-9])?" if places > 0 else ""
    shape = re.compile(_WHOLE + fraction)
    low, high, limit = spec.minimum, spec.maximum, spec.max_length
    return lambda v: (
        isinstance(v, str)
        and len(v) <= limit
        and shape.fullmatch(v) is not None
        and low <= Decimal(v) <= high
    )


def _choices(spec: Field) -> Accepts:
    # A choice is written as the first choice it matches ignoring case; one that an earlier
    # choice shadows, or that normalising would change, is never written, so never accepted.
    written = frozenset(
        c for c in spec.choices if _first_choice(spec.choices, c) == c and _normal_text(c, 10**9)
    )
    limit = spec.max_length
    if spec.kind is FieldKind.ENUM:
        return lambda v: isinstance(v, str) and v in written and len(v) <= limit
    items = frozenset(c for c in written if "," not in c)

    def accepts_list(v: object) -> bool:
        if not isinstance(v, str) or not _normal_text(v, limit):
            return False
        parts = v.split(",")
        return len(set(parts)) == len(parts) and all(p in items for p in parts)

    return accepts_list


def _first_choice(choices: tuple[str, ...], value: str) -> str | None:
    folded = value.casefold()
    return next((c for c in choices if c.casefold() == folded), None)


def _table(spec: Field) -> Accepts:
    known = frozenset(c.name for c in spec.columns)
    columns = tuple((c.name, _scalar(c), c.required) for c in spec.columns)

    def accepts_rows(v: object) -> bool:
        if not isinstance(v, list | tuple) or not v or len(v) > MAX_TABLE_ROWS:
            return False
        for row in v:
            if not isinstance(row, Mapping) or not row.keys() <= known:
                return False
            for name, ok, required in columns:
                cell = row.get(name)
                if cell is None:
                    if required or name in row:
                        return False
                elif not ok(cell):
                    return False
        return True

    return accepts_rows


def _normal_text(value: str, limit: int) -> bool:
    """Whether `values.normalise` returns `value` unchanged and it is not empty."""
    if not value or len(value) > limit:
        return False
    if value.isascii():
        if not value.isprintable():
            return False
    elif FORBIDDEN.search(value) is not None or not unicodedata.is_normalized("NFC", value):
        return False
    return " ".join(value.split()) == value


def _real_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True
