"""What a definition generates: the JSON Schema of a record, the signed XML's CertificateData
layout (an XML Schema), and the JSON-LD context of its credentials.

All three are pure functions of one `DocType` version, so they are the same wherever and
whenever they are generated; the context is serialised canonically (sorted keys, no spaces
beyond the indent) so its SHA-256 pins it.

The credential's core context (`https://vc-engine.org/contexts/v1`) is protected and already
defines the terms of the first four types. A type's own context defines only the terms the core
lacks, under the same vocabulary, so it never redefines a protected term; a type that needs no
new term names no context of its own, which keeps the credentials of the first four types
exactly as they were.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from lxml import etree

from vc_engine.doctypes.spec import RECORD_COLUMNS, DocType, Validity
from vc_engine.doctypes.values import Field, FieldKind

VOCABULARY = "https://vc-engine.org/vocab#"
CONTEXT_BASE = "https://vc-engine.org/contexts/doctypes/"
_XS = "http://www.w3.org/2001/XMLSchema"

CORE_TERMS = frozenset(
    {
        "ElockerDocument", "documentType", "issuedAt", "certificateData", "address",
        "bloodGroup", "board", "caste", "category", "code", "dateOfBirth", "district",
        "examYear", "fatherName", "gender", "grade", "issuingAuthority", "licenceNumber",
        "marks", "maxMarks", "motherName", "nameLocal", "placeOfBirth", "registrationDate",
        "registrationNumber", "result", "rollNumber", "rtoOffice", "school", "state", "subjects",
        "total", "vehicleClasses", "ward",
    }
)  # fmt: skip
"""The terms of the core context vc-engine-v1.jsonld, besides those of the VC 2.0 context
(which defines `name`); a test keeps this list equal to the shipped file."""
_VC_TERMS = frozenset({"name"})


# --- the record's JSON Schema -----------------------------------------------------------------


def record_schema(doctype: DocType) -> dict[str, Any]:
    """The JSON Schema of one record (a JSONL line) of this type version."""
    properties: dict[str, Any] = {
        "docId": {"type": "string", "pattern": "^[A-Za-z0-9]{1,40}$"},
        "validFrom": _date_schema(),
        "validUntil": _date_schema(),
    }
    required = ["docId"]
    if doctype.validity is Validity.UNTIL_RECORDED:
        required.append("validUntil")
    if doctype.validity is Validity.PERMANENT:
        properties["validUntil"] = {"type": "null"}
    for spec in doctype.fields:
        properties[spec.name] = _field_schema(spec)
        if spec.required:
            required.append(spec.name)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://vc-engine.org/schemas/records/{doctype.code}/v{doctype.version}",
        "title": f"A record of a {doctype.name} (version {doctype.version})",
        "type": "object",
        "additionalProperties": False,
        "required": required,
        "properties": properties,
    }


def _date_schema() -> dict[str, Any]:
    return {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}


def _field_schema(spec: Field) -> dict[str, Any]:
    described: dict[str, Any] = {"title": spec.label("en")}
    if spec.kind is FieldKind.TABLE:
        row = {
            "type": "object",
            "additionalProperties": False,
            "required": [c.name for c in spec.columns if c.required],
            "properties": {c.name: _field_schema(c) for c in spec.columns},
        }
        return {**described, "type": "array", "minItems": 1, "maxItems": 50, "items": row}
    if spec.kind is FieldKind.DATE:
        return {**described, **_date_schema()}
    if spec.kind is FieldKind.INTEGER:
        number = {"type": "integer", "minimum": spec.minimum, "maximum": spec.maximum}
        return {**described, "anyOf": [number, {"type": "string", "pattern": "^ *[0-9]+ *$"}]}
    if spec.kind is FieldKind.DECIMAL:
        decimal = f"^ *[0-9]{{1,12}}(\\.[0-9]{{1,{spec.scale}}}0*)? *$"
        return {**described, "type": "string", "pattern": decimal}
    if spec.kind is FieldKind.ENUM:
        return {**described, "type": "string", "enum": list(spec.choices)}
    text: dict[str, Any] = {**described, "type": "string", "maxLength": spec.max_length}
    if spec.pattern is not None:
        text["pattern"] = f"^(?:{spec.pattern})$"
    return text


# --- the CertificateData layout -------------------------------------------------------------


def certificate_layout(doctype: DocType) -> bytes:
    """An XML Schema for the `Person` and `CertificateData` elements of this type's signed XML:
    the holder fields as attributes of Person, each claim as a child of CertificateData, in the
    order the engine writes them, a table as `<name type="table">` of empty `<Row>`s."""
    schema = etree.Element(f"{{{_XS}}}schema", nsmap={"xs": _XS})
    schema.set("elementFormDefault", "unqualified")
    person = _element(schema, "Person")
    person_type = etree.SubElement(person, f"{{{_XS}}}complexType")
    for spec in doctype.holder_fields:
        _attribute(person_type, spec)
    data = _element(schema, "CertificateData")
    sequence = etree.SubElement(
        etree.SubElement(data, f"{{{_XS}}}complexType"), f"{{{_XS}}}sequence"
    )
    for spec in doctype.claim_fields:
        claim = _element(sequence, spec.name, minimum=0 if not spec.required else 1)
        if spec.kind is FieldKind.TABLE:
            table = etree.SubElement(claim, f"{{{_XS}}}complexType")
            rows = etree.SubElement(table, f"{{{_XS}}}sequence")
            row = _element(rows, "Row", maximum="50")
            row_type = etree.SubElement(row, f"{{{_XS}}}complexType")
            for column in spec.columns:
                _attribute(row_type, column)
            _fixed(table, "type", "table")
        else:
            claim.set("type", _xs_type(spec))
    etree.indent(schema, space="  ")
    return etree.tostring(schema, xml_declaration=True, encoding="UTF-8")


def _element(
    parent: etree._Element, name: str, *, minimum: int = 1, maximum: str = "1"
) -> etree._Element:
    element = etree.SubElement(parent, f"{{{_XS}}}element", name=name)
    if minimum != 1:
        element.set("minOccurs", str(minimum))
    if maximum != "1":
        element.set("maxOccurs", maximum)
    return element


def _attribute(parent: etree._Element, spec: Field) -> None:
    use = "required" if spec.required else "optional"
    etree.SubElement(parent, f"{{{_XS}}}attribute", name=spec.name, type=_xs_type(spec), use=use)


def _xs_type(spec: Field) -> str:
    return _XS_TYPES.get(spec.kind, "xs:string")


_XS_TYPES = {
    FieldKind.DATE: "xs:date",
    FieldKind.INTEGER: "xs:nonNegativeInteger",
    FieldKind.DECIMAL: "xs:decimal",
}


def _fixed(parent: etree._Element, name: str, value: str) -> None:
    etree.SubElement(
        parent, f"{{{_XS}}}attribute", name=name, type="xs:string", use="required", fixed=value
    )


# --- the JSON-LD context ---------------------------------------------------------------------


@dataclass(frozen=True)
class TypeContext:
    """A type version's own JSON-LD context: its URL, canonical bytes and their SHA-256."""

    url: str
    document: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.document).hexdigest()


def own_terms(doctype: DocType) -> tuple[Field, ...]:
    """The fields (and table columns) whose terms the core contexts do not define."""
    seen: dict[str, Field] = {}
    for spec in doctype.fields + tuple(c for f in doctype.fields for c in f.columns):
        if spec.name not in CORE_TERMS | _VC_TERMS | set(RECORD_COLUMNS):
            seen.setdefault(spec.name, spec)
    return tuple(seen[name] for name in sorted(seen))


def type_context(doctype: DocType) -> TypeContext | None:
    """The context this type version's credentials name after the core ones, or None when the
    core defines every term it uses."""
    terms = own_terms(doctype)
    if not terms:
        return None
    definitions: dict[str, Any] = {"@version": 1.1, "@protected": True}
    for spec in terms:
        term: dict[str, str] = {"@id": VOCABULARY + spec.name}
        if spec.kind is FieldKind.TABLE:
            term["@container"] = "@list"
        definitions[spec.name] = term
    document = json.dumps({"@context": definitions}, indent=2, sort_keys=True, ensure_ascii=False)
    return TypeContext(context_url(doctype.code, doctype.version), (document + "\n").encode())


def context_url(code: str, version: int) -> str:
    """The stable URL of a type version's context; `serve` answers it from the registry."""
    return f"{CONTEXT_BASE}{code}/v{version}"
