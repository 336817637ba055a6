"""The compiled field checks against the reference: the same problems, in the same order.

`reference_check_document` is `check_document` as it was before the checks were compiled
(every field parsed and compared on every call); the compiled one must give exactly its list of
problems for every document, valid or not, signed or printed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_doctypes import ISSUERS, convert, fixture_rows

from vc_engine.doctypes import DOCTYPES, Field, FieldKind, RecordError, check_document
from vc_engine.doctypes.checking import compiled
from vc_engine.doctypes.conversion import _check_validity
from vc_engine.doctypes.ids import DocumentIdError, parse_document_id
from vc_engine.doctypes.values import parse_value, plain
from vc_engine.doctypes.versions import SHIPPED_CATALOGUE
from vc_engine.model import Document


def reference_check_document(document: Document, *, printed: bool = False) -> list[str]:
    """`check_document` before compilation, verbatim but for the shipped catalogue."""
    doctype = SHIPPED_CATALOGUE.in_force(document.doctype, document.issued_at)
    problems: list[str] = []
    try:
        document_id = parse_document_id(document.id)
    except DocumentIdError as exc:
        problems.append(str(exc))
    else:
        if document_id.doctype != document.doctype:
            problems.append(
                f"the id {document.id} names type {document_id.doctype},"
                f" but the document is a {document.doctype}"
            )
        if document_id.issuer_id != document.issuer_id:
            problems.append(
                f"the id {document.id} names issuer {document_id.issuer_id},"
                f" but the document was issued by {document.issuer_id}"
            )
    try:
        _check_validity(doctype, document.valid_from, document.valid_until)
    except RecordError as exc:
        problems.append(str(exc))
    fields_ok = True
    for fields, values in (
        (doctype.holder_fields, document.holder),
        (doctype.claim_fields, document.claims),
    ):
        known = {f.name for f in fields}
        for name in sorted(set(values) - known):
            problems.append(f"{name}: not a field of a {doctype.name}")
        for spec in fields:
            try:
                parsed = parse_value(spec, values.get(spec.name), spec.name)
                if printed and not spec.printable:
                    if parsed is not None:
                        raise RecordError(spec.name, "is not printable; a QR code never has it")
                    continue
                if parsed is None and spec.required:
                    raise RecordError(spec.name, "is required")
                if spec.name in values and plain(parsed) != plain(values[spec.name]):
                    raise RecordError(spec.name, "is not written in normal form")
            except RecordError as exc:
                problems.append(str(exc))
                fields_ok = False
    if fields_ok:
        merged = {**document.holder, **document.claims}
        for rule in doctype.rules:
            try:
                rule(merged)
            except RecordError as exc:
                problems.append(str(exc))
    return problems


# The first rows of each fixture file, converted once: hypothesis mutates copies of them.
BASES = {code: [convert(r, code) for _, r in fixture_rows(code)[:20]] for code in ISSUERS}

_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**10),
    st.just(""),
    st.just([]),
    st.just({}),
    st.text(
        st.sampled_from([" ", "\t", "\n", "\u00a0", "\u0085", "\x00", "\u202e", "\u0301", "a"]),
        max_size=4,
    ),
)


def _near(text: str) -> st.SearchStrategy[str]:
    """Values one edit away from a valid one: case, spaces, zeros, decomposition, length."""
    return st.sampled_from(
        [
            text.upper(),
            text.lower(),
            text.swapcase(),
            f" {text}",
            f"{text} ",
            text.replace(" ", "  ", 1),
            f"0{text}",
            f"{text}0",
            f"{text}.0",
            f"{text}.",
            text.replace(",", ", "),
            f"{text},{text}",
            unicodedata.normalize("NFD", text),
            text * 30,
            text[:-1],
            text[1:],
        ]
    )


def _value(spec: Field) -> st.SearchStrategy[object]:
    """A value for `spec` likely to sit near the edge of what it accepts."""
    kind: st.SearchStrategy[object]
    if spec.kind is FieldKind.DATE:
        kind = st.one_of(
            st.dates(date(1, 1, 1), date(9999, 12, 31)).map(date.isoformat),
            st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
        )
    elif spec.kind is FieldKind.INTEGER:
        kind = st.one_of(
            st.integers(0, spec.maximum + 2).map(str),
            st.integers(max(spec.minimum - 2, 0), spec.minimum + 2).map(str),
            st.from_regex(r"[0-9 ]{0,11}", fullmatch=True),
        )
    elif spec.kind is FieldKind.DECIMAL:
        kind = st.one_of(
            st.integers(spec.maximum - 2, spec.maximum + 2).map(str),
            st.integers(0, 2).map(lambda n: f"{spec.maximum}.{n}"),
            st.integers(0, 7).flatmap(
                lambda places: st.decimals(0, spec.maximum * 11, places=places).map(
                    lambda d: format(d, "f")
                )
            ),
            st.from_regex(r"[0-9]{0,13}(\.[0-9]{0,8})?", fullmatch=True),
        )
    elif spec.kind is FieldKind.ENUM:
        kind = st.sampled_from(spec.choices)
    elif spec.kind is FieldKind.ENUM_LIST:
        kind = st.lists(st.sampled_from(spec.choices), min_size=1, max_size=4).map(",".join)
    elif spec.kind is FieldKind.TABLE:
        kind = st.lists(
            st.fixed_dictionaries({c.name: _value(c) for c in spec.columns}), max_size=3
        ).map(tuple)
    else:
        free = st.text(st.sampled_from("aZ09 -/.,'&()" + "অআক" + "\u0300"), max_size=12)
        kind = free
        if spec.pattern is not None:
            kind = st.one_of(free, st.from_regex(spec.pattern, fullmatch=True))
    if spec.kind is FieldKind.TABLE:
        return st.one_of(_JUNK, kind)
    near = kind.filter(lambda v: isinstance(v, str) and v != "").flatmap(lambda v: _near(str(v)))
    return st.one_of(_JUNK, kind, near, near)


def _rows(spec: Field, rows: object) -> st.SearchStrategy[object]:
    """A table changed one row or cell at a time."""
    if not isinstance(rows, tuple) or not rows:
        return _value(spec)
    columns = {c.name: c for c in spec.columns}

    @st.composite
    def changed(draw: st.DrawFn) -> object:
        out = [dict(row) for row in rows]
        index = draw(st.integers(0, len(out) - 1))
        hows = ["cell", "null", "null", "drop", "extra", "twice", "many", "none", "list"]
        how = draw(st.sampled_from(hows))
        if how == "null":  # an optional cell given as null is not the absent cell
            out[index][draw(st.sampled_from(sorted(columns)))] = None
        elif how == "cell":
            name = draw(st.sampled_from(sorted(columns)))
            out[index][name] = draw(_value(columns[name]))
        elif how == "drop":
            out[index].pop(draw(st.sampled_from(sorted(columns))), None)
        elif how == "extra":
            out[index]["colour"] = "blue"
        elif how == "twice":
            out.append(dict(out[index]))
        elif how == "many":
            out = out * 60
        elif how == "none":
            return ()
        else:
            return [*out[:index], "not a row", *out[index + 1 :]]
        return tuple(out)

    return changed()


@st.composite
def documents(draw: st.DrawFn, code: str) -> Document:
    document = draw(st.sampled_from(BASES[code]))
    doctype = DOCTYPES[code]
    groups: dict[str, dict[str, object]] = {
        "holder": dict(document.holder),
        "claims": dict(document.claims),
    }
    by_group = {"holder": doctype.holder_fields, "claims": doctype.claim_fields}
    for _ in range(draw(st.integers(0, 3))):
        group = draw(st.sampled_from(["holder", "claims"]))
        values = groups[group]
        spec = draw(st.sampled_from(by_group[group]))
        how = draw(st.sampled_from(["value", "delete", "unknown", "rows", "borrow"]))
        if how == "value":
            values[spec.name] = draw(_value(spec))
        elif how == "delete":
            values.pop(spec.name, None)
        elif how == "unknown":
            values[draw(st.sampled_from(["colour", "Name", "zzz"]))] = "x"
        elif how == "rows":
            values[spec.name] = draw(_rows(spec, values.get(spec.name)))
        else:  # a well-formed value of another field, often of another kind
            other = draw(st.sampled_from(doctype.fields))
            source = groups["holder"] if other in doctype.holder_fields else groups["claims"]
            if other.name in source:
                values[spec.name] = source[other.name]
    valid_until = draw(st.sampled_from([document.valid_until, None, date(2030, 1, 1)]))
    return replace(
        document,
        holder=groups["holder"],  # type: ignore[arg-type]
        claims=groups["claims"],  # type: ignore[arg-type]
        valid_until=valid_until,
    )


@pytest.mark.parametrize("code", ISSUERS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), printed=st.booleans())
def test_compiled_checks_give_the_reference_problems(
    code: str, printed: bool, data: st.DataObject
) -> None:
    document = data.draw(documents(code))
    assert check_document(document, printed=printed) == reference_check_document(
        document, printed=printed
    )


@pytest.mark.parametrize("code", ISSUERS)
def test_every_fixture_document_passes_both_checks(code: str) -> None:
    for document in BASES[code]:
        for printed in (False, True):
            expected = reference_check_document(document, printed=printed)
            assert check_document(document, printed=printed) == expected


def test_a_type_is_compiled_once_and_each_version_apart() -> None:
    doctype = DOCTYPES["SSCMS"]
    assert compiled(doctype) is compiled(doctype)
    other = replace(doctype, version=2)
    assert compiled(other) is not compiled(doctype)


def test_the_compiled_checks_accept_every_fixture_value_without_the_reference() -> None:
    """The fast path is taken for what valid documents hold (else nothing was gained)."""
    for code, documents_ in BASES.items():
        doctype = DOCTYPES[code]
        for document in documents_:
            values = {**document.holder, **document.claims}
            for spec in doctype.fields:
                if spec.name in values:
                    accepts = compiled(doctype).groups[spec in doctype.claim_fields]
                    check = next(c for c in accepts.fields if c.spec is spec)
                    assert check.accepts(values[spec.name]), (code, spec.name)


FIELDS = [
    (code, spec.name)
    for code in ISSUERS
    for spec in DOCTYPES[code].fields
    if spec.kind is not FieldKind.TABLE
]
TABLES = [
    (code, spec.name)
    for code in ISSUERS
    for spec in DOCTYPES[code].fields
    if spec.kind is FieldKind.TABLE
]


@pytest.mark.parametrize(("code", "name"), FIELDS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), printed=st.booleans())
def test_each_field_gives_the_reference_problems(
    code: str, name: str, printed: bool, data: st.DataObject
) -> None:
    """One field at a time, so every field's edges are reached in every type."""
    doctype = DOCTYPES[code]
    document = data.draw(st.sampled_from(BASES[code]))
    spec = next(f for f in doctype.fields if f.name == name)
    group = "claims" if spec in doctype.claim_fields else "holder"
    values: dict[str, object] = dict(getattr(document, group))
    values[name] = data.draw(_value(spec))
    if group == "holder":
        document = replace(document, holder=values)  # type: ignore[arg-type]
    else:
        document = replace(document, claims=values)  # type: ignore[arg-type]
    expected = reference_check_document(document, printed=printed)
    assert check_document(document, printed=printed) == expected


@pytest.mark.parametrize(("code", "name"), TABLES)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), printed=st.booleans())
def test_each_table_gives_the_reference_problems(
    code: str, name: str, printed: bool, data: st.DataObject
) -> None:
    """Tables one row or cell at a time: the rows hold most of a mark sheet's checks."""
    doctype = DOCTYPES[code]
    document = data.draw(st.sampled_from(BASES[code]))
    spec = next(f for f in doctype.fields if f.name == name)
    group = "claims" if spec in doctype.claim_fields else "holder"
    values: dict[str, object] = dict(getattr(document, group))
    values[name] = data.draw(st.one_of(_rows(spec, values.get(name)), _value(spec)))
    if group == "holder":
        document = replace(document, holder=values)  # type: ignore[arg-type]
    else:
        document = replace(document, claims=values)  # type: ignore[arg-type]
    expected = reference_check_document(document, printed=printed)
    assert check_document(document, printed=printed) == expected
