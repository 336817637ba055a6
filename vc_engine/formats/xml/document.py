"""The e-locker issued-document schema: a `Document` as a `Certificate` element and back.

```
<Certificate type="BTHCER" number="in.gov.wb.kmc-BTHCER-2026000123" issueDate="2026-11-23"
             issuedAt="2026-11-23T04:30:00Z" validFromDate="2026-11-23" expiryDate="" status="A">
  <IssuedBy><Organization code="in.gov.wb.kmc" name="Kolkata Municipal Corporation"/></IssuedBy>
  <IssuedTo><Person name="..." nameLocal="..." dateOfBirth="..."/></IssuedTo>
  <CertificateData>
    <placeOfBirth>Kolkata</placeOfBirth>               a text claim
    <subjects type="table"><Row code="BEN" marks="88"/></subjects>    a table claim
  </CertificateData>
  <Status>                                             the status list entries, signed too
    <Entry purpose="revocation" list="https://.../status-lists/LIST" index="94567"/>
  </Status>
</Certificate>
```

Reading is strict: any element, attribute or text outside this shape is refused, so nothing
unexpected can ride along inside signed content. `issuedAt` is the signing time the trust stage
judges keys by; `status` is informational only and never overrides a status list.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from lxml import etree

from vc_engine.errors import BadInput
from vc_engine.model import ClaimValue, Document, InstantError, StatusReference, parse_instant

ROOT = "Certificate"
_TABLE_MARK = "table"
_ROW = "Row"
_STATUS = "Status"
_ENTRY = "Entry"
_ROOT_ATTRIBUTES = frozenset(
    {"type", "number", "issueDate", "issuedAt", "validFromDate", "expiryDate", "status"}
)


class MalformedDocument(BadInput):
    """The signed content does not follow the issued-document schema."""


def to_element(document: Document, issue_date: date) -> etree._Element:
    """Build the unsigned `Certificate` element; `issue_date` is the civil date of issue."""
    root = etree.Element(
        ROOT,
        {
            "type": document.doctype,
            "number": document.id,
            "issueDate": issue_date.isoformat(),
            "issuedAt": _format_instant(document.issued_at),
            "validFromDate": document.valid_from.isoformat(),
            "expiryDate": "" if document.valid_until is None else document.valid_until.isoformat(),
            "status": "A",
        },
    )
    issued_by = etree.SubElement(root, "IssuedBy")
    etree.SubElement(
        issued_by, "Organization", {"code": document.issuer_id, "name": document.issuer_name}
    )
    issued_to = etree.SubElement(root, "IssuedTo")
    etree.SubElement(issued_to, "Person", dict(document.holder))
    data = etree.SubElement(root, "CertificateData")
    for name, value in document.claims.items():
        if isinstance(value, str):
            etree.SubElement(data, name).text = value
        else:
            table = etree.SubElement(data, name, {"type": _TABLE_MARK})
            for row in value:
                etree.SubElement(table, _ROW, dict(row))
    if document.status:
        status = etree.SubElement(root, _STATUS)
        for reference in document.status:
            etree.SubElement(
                status,
                _ENTRY,
                {
                    "purpose": reference.purpose,
                    "list": reference.list_url,
                    "index": str(reference.index),
                },
            )
    etree.indent(root, space="  ")
    return root


def from_element(root: etree._Element) -> Document:
    """Read a `Document` from a signed `Certificate` element (signature already removed)."""
    if root.tag != ROOT:
        raise MalformedDocument(f"the root element is <{root.tag}>, expected <{ROOT}>")
    attributes = _attributes(root)
    unknown = set(attributes) - _ROOT_ATTRIBUTES
    if unknown:
        raise MalformedDocument(f"unexpected attributes on <{ROOT}>: {', '.join(sorted(unknown))}")
    children = _element_children(root, ROOT)
    tags = [c.tag for c in children]
    if tags[:3] != ["IssuedBy", "IssuedTo", "CertificateData"] or tags[3:] not in ([], [_STATUS]):
        raise MalformedDocument(
            f"<{ROOT}> must hold IssuedBy, IssuedTo, CertificateData and optionally {_STATUS}, "
            "in that order"
        )
    issued_by, issued_to, data = children[:3]
    organization = _single_leaf(issued_by, "Organization")
    person = _single_leaf(issued_to, "Person")
    valid_until = _attribute(attributes, "expiryDate")
    claims = _claims(data)
    status = _status(children[3]) if len(children) == 4 else ()
    try:
        return Document(
            id=_attribute(attributes, "number"),
            doctype=_attribute(attributes, "type"),
            issuer_id=_attribute(_attributes(organization), "code"),
            issuer_name=_attribute(_attributes(organization), "name"),
            issued_at=_parse_instant(_attribute(attributes, "issuedAt")),
            valid_from=date.fromisoformat(_attribute(attributes, "validFromDate")),
            valid_until=date.fromisoformat(valid_until) if valid_until else None,
            holder=_attributes(person),
            claims=claims,
            status=status,
        )
    except ValueError as exc:
        raise MalformedDocument(f"a date in <{ROOT}> is malformed: {exc}") from None


def _claims(data: etree._Element) -> dict[str, ClaimValue]:
    claims: dict[str, ClaimValue] = {}
    for element in _element_children(data, "CertificateData"):
        name = str(element.tag)
        if name in claims:
            raise MalformedDocument(f"claim <{name}> appears twice")
        if element.get("type") == _TABLE_MARK and len(element.attrib) == 1:
            rows = _element_children(element, name)
            if any(r.tag != _ROW or len(r) for r in rows):
                raise MalformedDocument(f"table <{name}> may hold only empty <{_ROW}> elements")
            claims[name] = tuple(_attributes(r) for r in rows)
        elif len(element) == 0 and not element.attrib:
            claims[name] = element.text or ""
        else:
            raise MalformedDocument(f"claim <{name}> must be text or a table")
    return claims


def _status(element: etree._Element) -> tuple[StatusReference, ...]:
    references = []
    for entry in _element_children(element, _STATUS):
        attributes = _attributes(entry)
        index = attributes.get("index", "")
        if entry.tag != _ENTRY or len(entry) or set(attributes) != {"purpose", "list", "index"}:
            raise MalformedDocument(f"<{_STATUS}> may hold only <{_ENTRY} purpose list index/>")
        if not index.isascii() or not index.isdigit():
            raise MalformedDocument(f"status index {index!r} is not a whole number")
        references.append(StatusReference(attributes["purpose"], attributes["list"], int(index)))
    return tuple(references)


def _element_children(parent: etree._Element, where: str) -> list[etree._Element]:
    """Child elements, refusing text, comments or processing instructions between them."""
    children: list[etree._Element] = []
    if parent.text and parent.text.strip():
        raise MalformedDocument(f"unexpected text inside <{where}>")
    for child in parent:
        if not isinstance(child.tag, str):
            raise MalformedDocument(f"unexpected comment or instruction inside <{where}>")
        if child.tail and child.tail.strip():
            raise MalformedDocument(f"unexpected text inside <{where}>")
        children.append(child)
    return children


def _single_leaf(parent: etree._Element, tag: str) -> etree._Element:
    children = _element_children(parent, str(parent.tag))
    if len(children) != 1 or children[0].tag != tag or len(children[0]) or children[0].text:
        raise MalformedDocument(f"<{parent.tag}> must hold exactly one empty <{tag}>")
    return children[0]


def _attributes(element: etree._Element) -> dict[str, str]:
    return {str(k): str(v) for k, v in element.attrib.items()}


def _attribute(attributes: dict[str, str], name: str) -> str:
    value = attributes.get(name)
    if value is None:
        raise MalformedDocument(f"attribute {name!r} is missing")
    return value


def _format_instant(instant: datetime) -> str:
    if instant.tzinfo is None:
        raise ValueError("issued_at must be timezone-aware")
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_instant(text: str) -> datetime:
    try:
        return parse_instant(text, "issuedAt").astimezone(UTC)
    except InstantError as exc:
        raise MalformedDocument(str(exc)) from None
