"""Unsigned e-locker Certificate XML, as issuers' existing systems export it, read as records.

A file holds one `<Certificate>` or many (under any root element), or a directory holds such
files (`*.xml`, read in name order). Each Certificate is mapped onto the document type's record
columns the way the engine writes its own signed XML (formats.xml.document):

* `number` -> ``docId``; `validFromDate` -> ``validFrom``; `expiryDate` -> ``validUntil``;
* every attribute of `IssuedTo/Person` -> a holder field of that name;
* every child of `CertificateData` -> a claim of that name: its text, or for
  ``<name type="table">`` its `<Row>` elements' attributes as table rows.

The other attributes (`type`, `issueDate`, `status`) and `IssuedBy` are the signer's to write,
so they are ignored. A Certificate is numbered by the line it starts on; in a directory, by its
place among all the directory's Certificates, and every refusal names its file and line. The
file is parsed as a stream (each Certificate is dropped once read), without DTDs, entities or
network access.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from vc_engine.inputs.records import BadLine, InputLine, Located, RecordFileError

CERTIFICATE = "Certificate"
_TABLE = "table"


def read_certificates(path: Path) -> Iterator[InputLine]:
    """Stream the Certificates of an XML file, or of every .xml file in a directory."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".xml" and p.is_file())
        if not files:
            raise RecordFileError(f"{path.name}: the directory holds no .xml files")
        # Numbered across the directory (lines restart in each file); a refusal names the file.
        number = 0
        for file in files:
            for line, record in _file(file, f"{file.name}: "):
                number += 1
                where = f"{file.name}: <{CERTIFICATE}> at line {line}"
                yield number, record if isinstance(record, BadLine) else Located(record, where)
    else:
        yield from _file(path, "")


def _file(path: Path, prefix: str) -> Iterator[InputLine]:
    """One file's Certificates; `prefix` names the file in reasons when a directory is read."""
    found, broken = 0, False
    with path.open("rb") as raw:
        events = etree.iterparse(
            raw,
            events=("start", "end"),
            tag=CERTIFICATE,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
        )
        try:
            for event, element in events:
                if event == "start":
                    if found == 0 and element.getroottree().docinfo.doctype:
                        raise RecordFileError(f"{path.name}: a DOCTYPE is not allowed")
                    continue
                found += 1
                yield element.sourceline or 0, _record(element, prefix)
                element.clear(keep_tail=False)
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]  # the Certificates already read: memory stays flat
        except etree.XMLSyntaxError as exc:
            line, broken = exc.lineno or 0, True
            yield line, BadLine(f"{prefix}not well-formed XML at line {line}: {exc.msg}")
    if found == 0 and not broken:
        raise RecordFileError(f"{path.name}: no <{CERTIFICATE}> element")


_HEADER = (("number", "docId"), ("validFromDate", "validFrom"), ("expiryDate", "validUntil"))


def _record(certificate: etree._Element, prefix: str) -> dict[str, object] | BadLine:
    """One Certificate's record, in one walk over its children (an lxml call costs more than
    the CSV reader spends on a whole row, so each element is visited once)."""
    record: dict[str, object] = {}
    attributes = certificate.attrib
    for attribute, column in _HEADER:
        value = attributes.get(attribute)
        if value:
            record[column] = value
    people: list[etree._Element] = []
    data: list[etree._Element] = []
    for part in certificate:
        if part.tag == "IssuedTo":
            people.extend(person for person in part if person.tag == "Person")
        elif part.tag == "CertificateData":
            data.append(part)
    if len(people) != 1 or len(data) != 1:
        return BadLine(
            f"{_where(certificate, prefix)} must hold one IssuedTo/Person and one CertificateData"
        )
    record.update((str(key), str(value)) for key, value in people[0].attrib.items())
    for claim in data[0]:
        name = claim.tag
        if not isinstance(name, str):
            continue
        if name in record:
            return BadLine(f"{_where(certificate, prefix)}: {name} is given twice")
        if claim.get("type") == _TABLE:
            rows = [{str(k): str(v) for k, v in row.attrib.items()} for row in claim]
            if any(row.tag != "Row" for row in claim if isinstance(row.tag, str)):
                return BadLine(
                    f"{_where(certificate, prefix)}: table {name} may hold only <Row> elements"
                )
            record[name] = rows
        elif len(claim):
            return BadLine(f"{_where(certificate, prefix)}: claim {name} must be text or a table")
        else:
            record[name] = claim.text or ""
    return record


def _where(certificate: etree._Element, prefix: str) -> str:
    return f"{prefix}<{CERTIFICATE}> at line {certificate.sourceline}"
