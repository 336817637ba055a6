"""Records to documents and back, and the same rules applied to a signed document."""

from __future__ import annotations

import calendar
import difflib
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from vc_engine.doctypes.checking import compiled
from vc_engine.doctypes.ids import DOC_ID, DocumentIdError, make_document_id, parse_document_id
from vc_engine.doctypes.spec import DocType, UnknownDocTypeError, Validity
from vc_engine.doctypes.values import (
    Field,
    FieldKind,
    RecordError,
    normalise,
    parse_fields,
    quoted,
    scalar,
    table_json,
)
from vc_engine.doctypes.versions import SHIPPED_CATALOGUE, Catalogue
from vc_engine.model import Document
from vc_engine.policy import INDIA

_DOC_ID_FIELD = Field("docId", FieldKind.TEXT, max_length=40)

_VALID_FROM = Field("validFrom", FieldKind.DATE, required=False)

_VALID_UNTIL = Field("validUntil", FieldKind.DATE, required=False)


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
    issuer_name = normalise(issuer_name, "issuer_name", 200)
    if not issuer_name:
        raise ValueError("issuer_name must not be empty")
    _refuse_unknown_columns(record, doctype)
    doc_id = scalar(_DOC_ID_FIELD, record.get("docId"), "docId")
    if doc_id is None:
        raise RecordError("docId", "is required")
    if not DOC_ID.fullmatch(doc_id):
        raise RecordError("docId", f"{quoted(doc_id)} must be 1 to 40 letters or digits")
    valid_from_text = scalar(_VALID_FROM, record.get("validFrom"), "validFrom")
    valid_until_text = scalar(_VALID_UNTIL, record.get("validUntil"), "validUntil")
    valid_from = (
        issued_at.astimezone(INDIA).date()
        if valid_from_text is None
        else date.fromisoformat(valid_from_text)
    )
    valid_until = None if valid_until_text is None else date.fromisoformat(valid_until_text)
    if doctype.validity is Validity.TERM and valid_until is None:
        valid_until = term_end(valid_from, doctype.term_months)
    _check_validity(doctype, valid_from, valid_until)
    # Holder fields are never tables (DocType refuses them), so every holder value is text.
    holder = {
        name: value
        for name, value in parse_fields(doctype.holder_fields, record).items()
        if isinstance(value, str)
    }
    claims = parse_fields(doctype.claim_fields, record)
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
        record[name] = value if isinstance(value, str) else table_json(value)
    return record


def check_document(
    document: Document, catalogue: Catalogue | None = None, *, printed: bool = False
) -> list[str]:
    """The document-type rules, applied to a signed document; one human problem per fault.

    The rules are those of the type version in force when the document was issued (see
    `versions`), from `catalogue` (default: the shipped definition files).

    Checks that the type is known, that the id names this type and this issuer, that every field
    is known, every required field present, and every value well-formed and in normal form (so a
    value differs from what `record_to_document` would write only if someone else wrote it).
    A `printed` document (a QR code) carries exactly the printable fields: a field that is not
    printable is then not required, and refused if present. The field checks are compiled once
    per type version (`checking`); they give exactly the problems of parsing every value again.
    """
    try:
        doctype = (catalogue or SHIPPED_CATALOGUE).in_force(document.doctype, document.issued_at)
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
    fields = compiled(doctype)
    fields_ok = fields.problems(document.holder, document.claims, printed, problems)
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
    if doctype.validity is Validity.TERM:
        last = term_end(valid_from, doctype.term_months)
        if valid_until is None:
            raise RecordError("validUntil", f"is required: a {doctype.name} expires")
        if not valid_from <= valid_until <= last:
            raise RecordError(
                "validUntil",
                f"{valid_until} is outside the {doctype.term_months}-month term ending {last}",
            )


def term_end(valid_from: date, months: int) -> date:
    """The last day of a term of `months` starting on `valid_from`: a 12-month term from
    2026-04-01 ends on 2027-03-31; a 1-month term from 2026-01-31 runs to 2026-02-28 (the month
    has no 31st), so its last day is 2026-02-27."""
    index = valid_from.year * 12 + valid_from.month - 1 + months
    year, month = divmod(index, 12)
    day = min(valid_from.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day) - timedelta(days=1)
