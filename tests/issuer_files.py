"""Write fixture records the way issuers keep them: an Excel workbook a clerk typed (numbers
and dates as Excel numbers and dates) and unsigned e-locker Certificate XML."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from lxml import etree
from openpyxl import Workbook

from vc_engine.doctypes import DocType, FieldKind


def write_workbook(
    path: Path, doctype: DocType, records: Sequence[dict[str, object]], sheet: str = "Records"
) -> None:
    """One sheet of `records` (plus an empty "Notes" sheet first, so the choice matters)."""
    kinds = {f.name: f.kind for f in doctype.fields}
    workbook = Workbook()  # as Excel saves: text in the shared-strings table, not inline
    notes = workbook.active
    assert notes is not None
    notes.title = "Notes"
    notes.append(["Sheet kept by the clerk; not records."])
    rows = workbook.create_sheet(sheet)
    columns = list(records[0])
    rows.append(columns)
    for record in records:
        rows.append([_typed(kinds.get(c), record[c]) for c in columns])
    workbook.save(path)


def _typed(kind: FieldKind | None, value: object) -> object:
    if not isinstance(value, str) or value == "":
        return None if value == "" else value
    if kind is FieldKind.INTEGER:
        return int(value)
    if kind is FieldKind.DATE:
        return date.fromisoformat(value)
    return value


def certificate(doctype: DocType, record: dict[str, object]) -> etree._Element:
    """The unsigned Certificate element an issuer's system would export for `record`."""
    element = etree.Element("Certificate", {"type": doctype.code, "number": str(record["docId"])})
    for column, attribute in (("validFrom", "validFromDate"), ("validUntil", "expiryDate")):
        if record.get(column):
            element.set(attribute, str(record[column]))
    etree.SubElement(etree.SubElement(element, "IssuedBy"), "Organization", name="Issuer")
    person = etree.SubElement(etree.SubElement(element, "IssuedTo"), "Person")
    for spec in doctype.holder_fields:
        if record.get(spec.name):
            person.set(spec.name, str(record[spec.name]))
    data = etree.SubElement(element, "CertificateData")
    for spec in doctype.claim_fields:
        value = record.get(spec.name)
        if not value:
            continue
        if spec.kind is FieldKind.TABLE:
            table = etree.SubElement(data, spec.name, type="table")
            for row in json.loads(str(value)):
                etree.SubElement(table, "Row", {k: str(v) for k, v in row.items()})
        else:
            etree.SubElement(data, spec.name).text = str(value)
    return element


def write_certificates(path: Path, doctype: DocType, records: Sequence[dict[str, object]]) -> None:
    root = etree.Element("Certificates")
    for record in records:
        root.append(certificate(doctype, record))
    etree.ElementTree(root).write(path, xml_declaration=True, encoding="UTF-8", pretty_print=True)
