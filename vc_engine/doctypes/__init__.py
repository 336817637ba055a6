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

from vc_engine.doctypes.catalogue import (
    BIRTH_CERTIFICATE,
    CASTE_CERTIFICATE,
    DOCTYPES,
    DRIVING_LICENCE,
    MARK_SHEET,
    SUBJECT_COLUMNS,
    VEHICLE_CLASSES,
    credential_context,
    get_doctype,
)
from vc_engine.doctypes.conversion import check_document, document_to_record, record_to_document
from vc_engine.doctypes.ids import DocumentId, DocumentIdError, make_document_id, parse_document_id
from vc_engine.doctypes.printing import holder_language, printable_document
from vc_engine.doctypes.spec import RECORD_COLUMNS, DocType, Rule, UnknownDocTypeError, Validity
from vc_engine.doctypes.values import LANGUAGES, Field, FieldKind, RecordError

__all__ = [
    "BIRTH_CERTIFICATE",
    "CASTE_CERTIFICATE",
    "DOCTYPES",
    "DRIVING_LICENCE",
    "LANGUAGES",
    "MARK_SHEET",
    "RECORD_COLUMNS",
    "SUBJECT_COLUMNS",
    "VEHICLE_CLASSES",
    "DocType",
    "DocumentId",
    "DocumentIdError",
    "Field",
    "FieldKind",
    "RecordError",
    "Rule",
    "UnknownDocTypeError",
    "Validity",
    "check_document",
    "credential_context",
    "document_to_record",
    "get_doctype",
    "holder_language",
    "make_document_id",
    "parse_document_id",
    "printable_document",
    "record_to_document",
]
