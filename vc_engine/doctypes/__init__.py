"""Document types: the fields of each kind of document, and how an issuer's record becomes one.

A record is what an issuer's IT cell exports: a CSV row (every value text) or a JSON object. It is
checked against its `DocType` before anything is signed, because a signature makes a mistake
permanent:

* unknown columns are refused, so a misspelt column cannot silently drop a claim;
* every text value is normalised: Unicode NFC, whitespace runs (newlines too) collapsed to one
  space, ends trimmed. Nothing is ever transliterated: a Bengali or Devanagari name is signed in
  its own script. Collapsing matters because XML normalises whitespace inside attribute values,
  so a signed holder name with a newline would not read back as signed. Control characters and
  bidirectional overrides (which make a name display differently from what is signed) are refused;
* dates (YYYY-MM-DD), integers and enumerations are checked and written in one canonical form,
  so the same record always yields the same claims and the same `claims_digest`.

Record columns: ``docId`` (required), ``validFrom`` (optional, YYYY-MM-DD; defaults to the date of
issue in India), ``validUntil`` (YYYY-MM-DD; required for document types that expire, refused for
those that do not), then one column per holder field and per claim field, named as the field. An
empty cell, or JSON null, means the field is absent. A JSON record may give an integer field as a
JSON number.

A table claim (the subjects of a mark sheet) is one column holding a JSON array of objects, one per
row, e.g. ``[{"code":"MATH","name":"Mathematics","marks":"87","maxMarks":"100","grade":"AA"}]``.
CSV quoting keeps the commas and quotes inside it safe, and it survives any spreadsheet that
preserves cell text; in a JSON record the field may be that array itself.

`check_document` applies the same rules to a signed document at verification time: a document
signed by another issuer's software need never have passed through `record_to_document`.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType

from vc_engine.errors import BadInput
from vc_engine.model import ClaimRow, ClaimValue, Document
from vc_engine.policy import INDIA

_CODE = re.compile(r"[A-Z]{5,6}")
_ISSUER_ID = re.compile(r"[a-z0-9]+(?:\.[a-z0-9]+)+")
_DOC_ID = re.compile(r"[A-Za-z0-9]{1,40}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DIGITS = re.compile(r"[0-9]{1,9}")
# Field names become XML element and attribute names and JSON-LD terms: keep them plain.
_FIELD_NAME = re.compile(r"[a-z][A-Za-z0-9]{0,39}")
# Unicode categories Cc (C0 and C1 controls) and Cs (surrogates), and the bidi controls: one
# regular expression instead of a per-character category look-up on the verification path.
_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
_MAX_TABLE_ROWS = 50
_MAX_SHOWN = 60

RECORD_COLUMNS = ("docId", "validFrom", "validUntil")
"""The columns every record may have besides its document type's fields."""


class RecordError(BadInput):
    """One field of a record is wrong; `reason` is written for the person who fixes the record."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class DocumentIdError(BadInput):
    """A document id, or a part of one, does not follow `IssuerId-DocType-DocId`."""


class UnknownDocTypeError(BadInput):
    """No document type has this code."""


class FieldKind(StrEnum):
    TEXT = "text"
    DATE = "date"
    """YYYY-MM-DD, a real calendar date."""
    INTEGER = "integer"
    """Non-negative, written without leading zeros."""
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
    columns: tuple[Field, ...] = ()

    def __post_init__(self) -> None:
        if not _FIELD_NAME.fullmatch(self.name):
            raise ValueError(f"{self.name!r} cannot be a field name")
        if (self.kind in (FieldKind.ENUM, FieldKind.ENUM_LIST)) != bool(self.choices):
            raise ValueError(f"{self.name}: choices belong to enum fields, and enums need them")
        if (self.kind is FieldKind.TABLE) != bool(self.columns):
            raise ValueError(f"{self.name}: columns belong to table fields, and tables need them")
        if any(c.kind is FieldKind.TABLE for c in self.columns):
            raise ValueError(f"{self.name}: a table column cannot itself be a table")


Rule = Callable[[Mapping[str, ClaimValue]], None]
"""A check across fields, given the parsed holder and claim values together; raises RecordError."""


class Validity(StrEnum):
    PERMANENT = "permanent"
    """The document never expires: valid_until is None and a record may not give one."""
    UNTIL_RECORDED = "until-recorded"
    """The record must give validUntil (a driving licence expires on a date the issuer sets)."""


@dataclass(frozen=True)
class DocType:
    """A kind of document: which fields its holder and claims have, and how long it is valid."""

    code: str
    name: str
    holder_fields: tuple[Field, ...]
    """Facts about the person; rendered as the XML `IssuedTo/Person` attributes."""
    claim_fields: tuple[Field, ...]
    """Facts of this kind of document; rendered as the XML `CertificateData` children."""
    validity: Validity
    rules: tuple[Rule, ...] = ()

    def __post_init__(self) -> None:
        if not _CODE.fullmatch(self.code):
            raise ValueError(f"{self.code!r} is not a document type code (5 or 6 capitals)")
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names) or set(names) & set(RECORD_COLUMNS):
            raise ValueError(f"{self.code}: field names must be distinct and not {RECORD_COLUMNS}")
        if any(f.kind is FieldKind.TABLE for f in self.holder_fields):
            raise ValueError(f"{self.code}: holder fields are text, never tables")

    @property
    def fields(self) -> tuple[Field, ...]:
        return self.holder_fields + self.claim_fields

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column a record of this type may have, in the order a CSV file lists them."""
        return RECORD_COLUMNS + tuple(f.name for f in self.fields)


@dataclass(frozen=True)
class DocumentId:
    """The parts of an e-locker document id `IssuerId-DocType-DocId`."""

    issuer_id: str
    doctype: str
    doc_id: str

    def __str__(self) -> str:
        return f"{self.issuer_id}-{self.doctype}-{self.doc_id}"


def make_document_id(issuer_id: str, code: str, doc_id: str) -> str:
    """Join the parts, refusing any that would make the id ambiguous or unparseable."""
    if not _ISSUER_ID.fullmatch(issuer_id):
        raise DocumentIdError(
            f"issuer id {_shown(issuer_id)} must be lowercase dotted labels of letters and digits"
            " (e.g. in.gov.wb.kmc), without hyphens"
        )
    if not _CODE.fullmatch(code):
        raise DocumentIdError(f"document type {_shown(code)} must be 5 or 6 capital letters")
    if not _DOC_ID.fullmatch(doc_id):
        raise DocumentIdError(f"doc id {_shown(doc_id)} must be 1 to 40 letters or digits")
    return f"{issuer_id}-{code}-{doc_id}"


def parse_document_id(value: str) -> DocumentId:
    """Split an id; no part may contain a hyphen, so there is exactly one way to read it."""
    parts = value.split("-")
    if len(parts) != 3:
        raise DocumentIdError(
            f"document id {_shown(value)} must have the form IssuerId-DocType-DocId"
            " (e.g. in.gov.wb.kmc-BTHCER-2026000123)"
        )
    make_document_id(*parts)
    return DocumentId(*parts)


def get_doctype(code: str) -> DocType:
    try:
        return DOCTYPES[code]
    except KeyError:
        known = ", ".join(sorted(DOCTYPES))
        raise UnknownDocTypeError(f"unknown document type {_shown(code)}; known: {known}") from None


def record_to_document(
    record: Mapping[str, object],
    doctype: DocType,
    *,
    issuer_id: str,
    issuer_name: str,
    issued_at: datetime,
) -> Document:
    """Check and normalise one record into the `Document` the issuer will sign.

    Raises RecordError naming the first wrong field; DocumentIdError or ValueError for a wrong
    issuer id, an empty issuer name or a naive `issued_at` (misuse, not a bad record).
    """
    if issued_at.tzinfo is None or issued_at.utcoffset() is None:
        raise ValueError("issued_at must be timezone-aware")
    issuer_name = _normalise(issuer_name, "issuer_name", 200)
    if not issuer_name:
        raise ValueError("issuer_name must not be empty")
    _refuse_unknown_columns(record, doctype)
    doc_id = _scalar(_DOC_ID_FIELD, record.get("docId"), "docId")
    if doc_id is None:
        raise RecordError("docId", "is required")
    if not _DOC_ID.fullmatch(doc_id):
        raise RecordError("docId", f"{_shown(doc_id)} must be 1 to 40 letters or digits")
    valid_from_text = _scalar(_VALID_FROM, record.get("validFrom"), "validFrom")
    valid_until_text = _scalar(_VALID_UNTIL, record.get("validUntil"), "validUntil")
    valid_from = (
        issued_at.astimezone(INDIA).date()
        if valid_from_text is None
        else date.fromisoformat(valid_from_text)
    )
    valid_until = None if valid_until_text is None else date.fromisoformat(valid_until_text)
    _check_validity(doctype, valid_from, valid_until)
    # Holder fields are never tables (DocType refuses them), so every holder value is text.
    holder = {
        name: value
        for name, value in _parse_fields(doctype.holder_fields, record).items()
        if isinstance(value, str)
    }
    claims = _parse_fields(doctype.claim_fields, record)
    for rule in doctype.rules:
        rule({**holder, **claims})
    return Document(
        id=make_document_id(issuer_id, doctype.code, doc_id),
        doctype=doctype.code,
        issuer_id=issuer_id,
        issuer_name=issuer_name,
        issued_at=issued_at,
        valid_from=valid_from,
        valid_until=valid_until,
        holder=holder,
        claims=claims,
    )


def document_to_record(document: Document) -> dict[str, str]:
    """The CSV record that `record_to_document` turns back into this document's claims.

    For re-issuing or exporting signed documents; table claims are encoded as JSON text.
    """
    record = {
        "docId": parse_document_id(document.id).doc_id,
        "validFrom": document.valid_from.isoformat(),
    }
    if document.valid_until is not None:
        record["validUntil"] = document.valid_until.isoformat()
    record.update(document.holder)
    for name, value in document.claims.items():
        record[name] = value if isinstance(value, str) else _table_json(value)
    return record


def check_document(document: Document) -> list[str]:
    """The document-type rules, applied to a signed document; one human problem per fault.

    Checks that the type is known, that the id names this type and this issuer, that every field
    is known, every required field present, and every value well-formed and in normal form (so a
    value differs from what `record_to_document` would write only if someone else wrote it).
    """
    try:
        doctype = get_doctype(document.doctype)
    except UnknownDocTypeError as exc:
        return [str(exc)]
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
                parsed = _parse(spec, values.get(spec.name), spec.name)
                if parsed is None and spec.required:
                    raise RecordError(spec.name, "is required")
                if spec.name in values and _plain(parsed) != _plain(values[spec.name]):
                    raise RecordError(spec.name, "is not written in normal form")
            except RecordError as exc:
                problems.append(str(exc))
                fields_ok = False
    if fields_ok:  # the rules assume every value is well-formed
        merged = {**document.holder, **document.claims}
        for rule in doctype.rules:
            try:
                rule(merged)
            except RecordError as exc:
                problems.append(str(exc))
    return problems


def _refuse_unknown_columns(record: Mapping[str, object], doctype: DocType) -> None:
    known = doctype.columns
    for column in record:
        if column not in known:
            close = difflib.get_close_matches(str(column), known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise RecordError(str(column), f"is not a column of a {doctype.name}{hint}")


def _check_validity(doctype: DocType, valid_from: date, valid_until: date | None) -> None:
    if doctype.validity is Validity.PERMANENT and valid_until is not None:
        raise RecordError("validUntil", f"a {doctype.name} does not expire; leave it empty")
    if doctype.validity is Validity.UNTIL_RECORDED:
        if valid_until is None:
            raise RecordError("validUntil", f"is required: a {doctype.name} expires")
        if valid_until < valid_from:
            raise RecordError("validUntil", f"{valid_until} is before validFrom {valid_from}")


def _parse_fields(fields: Sequence[Field], record: Mapping[str, object]) -> dict[str, ClaimValue]:
    values: dict[str, ClaimValue] = {}
    for spec in fields:
        value = _parse(spec, record.get(spec.name), spec.name)
        if value is not None:
            values[spec.name] = value
        elif spec.required:
            raise RecordError(spec.name, "is required")
    return values


def _parse(spec: Field, raw: object, where: str) -> ClaimValue | None:
    """The normal form of one value, or None when it is absent."""
    if spec.kind is FieldKind.TABLE:
        return _table(spec, raw, where)
    return _scalar(spec, raw, where)


def _scalar(spec: Field, raw: object, where: str) -> str | None:
    if raw is None:
        return None
    if spec.kind is FieldKind.INTEGER and isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str):
        raise RecordError(where, f"must be text, not {type(raw).__name__}")
    value = _normalise(raw, where, spec.max_length)
    if not value:
        return None
    if spec.kind is FieldKind.TEXT:
        if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
            raise RecordError(where, f"{_shown(value)} does not match {spec.pattern}")
        return value
    if spec.kind is FieldKind.DATE:
        try:
            if not _ISO_DATE.fullmatch(value):
                raise ValueError
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise RecordError(where, f"{_shown(value)} is not a date YYYY-MM-DD") from None
    if spec.kind is FieldKind.INTEGER:
        if not _DIGITS.fullmatch(value):
            raise RecordError(where, f"{_shown(value)} is not a whole number")
        number = int(value)
        if not spec.minimum <= number <= spec.maximum:
            raise RecordError(where, f"{number} is not between {spec.minimum} and {spec.maximum}")
        return str(number)
    if spec.kind is FieldKind.ENUM:
        return _choice(spec, value, where)
    items = [_choice(spec, item.strip(), where) for item in value.split(",")]
    if len(set(items)) != len(items):
        raise RecordError(where, f"{_shown(value)} lists a value twice")
    return ",".join(items)


def _choice(spec: Field, value: str, where: str) -> str:
    for choice in spec.choices:
        if choice.casefold() == value.casefold():
            return choice
    raise RecordError(where, f"{_shown(value)} is not one of {', '.join(spec.choices)}")


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
    if len(raw) > _MAX_TABLE_ROWS:
        raise RecordError(where, f"has {len(raw)} rows; at most {_MAX_TABLE_ROWS} are allowed")
    known = tuple(c.name for c in spec.columns)
    rows: list[ClaimRow] = []
    for number, source in enumerate(raw, start=1):
        cell = f"{where}[{number}]"
        for key in source:
            if key not in known:
                raise RecordError(f"{cell}.{key}", f"is not a column; known: {', '.join(known)}")
        row: dict[str, str] = {}
        for column in spec.columns:
            value = _scalar(column, source.get(column.name), f"{cell}.{column.name}")
            if value is not None:
                row[column.name] = value
            elif column.required:
                raise RecordError(f"{cell}.{column.name}", "is required")
        rows.append(row)
    return tuple(rows) or None


def _normalise(raw: str, where: str, max_length: int) -> str:
    if not unicodedata.is_normalized("NFC", raw):
        raw = unicodedata.normalize("NFC", raw)
    value = " ".join(raw.split())
    forbidden = _FORBIDDEN.search(value)
    if forbidden is not None:
        code = ord(forbidden.group())
        raise RecordError(where, f"contains the control character U+{code:04X}")
    if len(value) > max_length:
        raise RecordError(where, f"is longer than {max_length} characters")
    return value


def _plain(value: object) -> object:
    """A value in comparable form: table rows as plain dicts, whatever mapping type held them."""
    if isinstance(value, tuple | list):
        return [dict(row) if isinstance(row, Mapping) else row for row in value]
    return value


def _table_json(rows: Sequence[ClaimRow]) -> str:
    return json.dumps([dict(row) for row in rows], ensure_ascii=False, separators=(",", ":"))


def _shown(value: str) -> str:
    """A value quoted for a message, cut short so a huge input cannot flood a log."""
    if len(value) > _MAX_SHOWN:
        return repr(value[:_MAX_SHOWN] + "…")
    return repr(value)


# --- cross-field rules -------------------------------------------------------------------------


def _registered_after_birth(values: Mapping[str, ClaimValue]) -> None:
    born, registered = values.get("dateOfBirth"), values.get("registrationDate")
    if isinstance(born, str) and isinstance(registered, str) and registered < born:
        raise RecordError("registrationDate", f"{registered} is before the birth on {born}")


def _subjects_consistent(values: Mapping[str, ClaimValue]) -> None:
    subjects, total = values.get("subjects"), values.get("total")
    if not isinstance(subjects, tuple):
        return
    seen: set[str] = set()
    for number, row in enumerate(subjects, start=1):
        if int(row["marks"]) > int(row["maxMarks"]):
            raise RecordError(
                f"subjects[{number}].marks", f"{row['marks']} is more than {row['maxMarks']}"
            )
        if row["code"] in seen:
            raise RecordError(f"subjects[{number}].code", f"{row['code']} is listed twice")
        seen.add(row["code"])
    added = sum(int(row["marks"]) for row in subjects)
    if isinstance(total, str) and int(total) != added:
        raise RecordError("total", f"{total} is not the sum of the subject marks ({added})")


# --- the document types ------------------------------------------------------------------------

_DOC_ID_FIELD = Field("docId", FieldKind.TEXT, max_length=40)
_VALID_FROM = Field("validFrom", FieldKind.DATE, required=False)
_VALID_UNTIL = Field("validUntil", FieldKind.DATE, required=False)

_NAME = Field("name", FieldKind.TEXT)
_NAME_LOCAL = Field("nameLocal", FieldKind.TEXT, required=False)
_DATE_OF_BIRTH = Field("dateOfBirth", FieldKind.DATE)
_GENDER = Field("gender", FieldKind.ENUM, choices=("M", "F", "T"))
_FATHER = Field("fatherName", FieldKind.TEXT)
_MOTHER = Field("motherName", FieldKind.TEXT)
_ADDRESS = Field("address", FieldKind.TEXT, max_length=400)
_DISTRICT = Field("district", FieldKind.TEXT)
_STATE = Field("state", FieldKind.TEXT)


def _optional(spec: Field) -> Field:
    return replace(spec, required=False)


BIRTH_CERTIFICATE = DocType(
    code="BTHCER",
    name="birth certificate",
    holder_fields=(
        _NAME,
        _NAME_LOCAL,
        _DATE_OF_BIRTH,
        _GENDER,
        _FATHER,
        _MOTHER,
        _optional(_ADDRESS),
    ),
    claim_fields=(
        Field("registrationNumber", FieldKind.TEXT, max_length=60),
        Field("registrationDate", FieldKind.DATE),
        Field("placeOfBirth", FieldKind.TEXT),
        Field("ward", FieldKind.INTEGER, required=False, minimum=1, maximum=999),
        _DISTRICT,
        _STATE,
    ),
    validity=Validity.PERMANENT,
    rules=(_registered_after_birth,),
)

CASTE_CERTIFICATE = DocType(
    code="CASCR",
    name="caste certificate",
    holder_fields=(
        _NAME,
        _NAME_LOCAL,
        _optional(_DATE_OF_BIRTH),
        _GENDER,
        _FATHER,
        _ADDRESS,
    ),
    claim_fields=(
        Field("caste", FieldKind.TEXT, max_length=100),
        Field("category", FieldKind.ENUM, choices=("SC", "ST", "OBC")),
        _DISTRICT,
        _STATE,
        Field("issuingAuthority", FieldKind.TEXT),
    ),
    validity=Validity.PERMANENT,
)

SUBJECT_COLUMNS = (
    Field("code", FieldKind.TEXT, max_length=10, pattern=r"[A-Z0-9]{2,10}"),
    Field("name", FieldKind.TEXT, max_length=80),
    Field("marks", FieldKind.INTEGER, maximum=1000),
    Field("maxMarks", FieldKind.INTEGER, minimum=1, maximum=1000),
    Field("grade", FieldKind.TEXT, required=False, max_length=4),
)

MARK_SHEET = DocType(
    code="SSCMS",
    name="class X mark sheet",
    holder_fields=(_NAME, _NAME_LOCAL, _DATE_OF_BIRTH, _FATHER, _optional(_MOTHER)),
    claim_fields=(
        Field("rollNumber", FieldKind.TEXT, max_length=30),
        Field("board", FieldKind.TEXT),
        Field("examYear", FieldKind.INTEGER, minimum=1950, maximum=2100),
        Field("school", FieldKind.TEXT),
        Field("result", FieldKind.ENUM, choices=("PASS", "COMPARTMENTAL", "FAIL")),
        Field("total", FieldKind.INTEGER, maximum=10_000),
        Field("subjects", FieldKind.TABLE, columns=SUBJECT_COLUMNS),
    ),
    validity=Validity.PERMANENT,
    rules=(_subjects_consistent,),
)

VEHICLE_CLASSES = (
    "MC50CC",
    "MCWOG",
    "MCWG",
    "LMV-NT",
    "LMV",
    "LMV-TR",
    "E-RICKSHAW",
    "MGV",
    "HMV",
    "HGMV",
    "HPMV",
    "TRANS",
)

DRIVING_LICENCE = DocType(
    code="DRVLC",
    name="driving licence",
    holder_fields=(_NAME, _NAME_LOCAL, _DATE_OF_BIRTH, _optional(_GENDER), _FATHER, _ADDRESS),
    claim_fields=(
        # State code, RTO number, year of issue, serial: the Sarathi (MoRTH) licence number.
        Field("licenceNumber", FieldKind.TEXT, pattern=r"[A-Z]{2}-?[0-9]{2} ?[0-9]{11}"),
        Field("vehicleClasses", FieldKind.ENUM_LIST, choices=VEHICLE_CLASSES),
        Field(
            "bloodGroup",
            FieldKind.ENUM,
            required=False,
            choices=("A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"),
        ),
        Field("rtoOffice", FieldKind.TEXT),
        _STATE,
    ),
    validity=Validity.UNTIL_RECORDED,
)

DOCTYPES: Mapping[str, DocType] = MappingProxyType(
    {d.code: d for d in (BIRTH_CERTIFICATE, CASTE_CERTIFICATE, MARK_SHEET, DRIVING_LICENCE)}
)
