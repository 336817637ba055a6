"""The Pull URI and Pull Doc messages, read with the hardened parser and written byte-exact.

Element and attribute names are the specification's: `PullURIRequest` / `PullDocRequest` with
attributes `ver`, `ts`, `txn`, `orgId`, `format` (`xml`, `pdf` or `both`; absent means `pdf`)
around one `DocDetails` of text elements (`DocType`, `DigiLockerId`, `UID`, `FullName`, `DOB`,
`Photo`, `UDF1`...; `URI` in Pull Doc). Answers are `PullURIResponse` / `PullDocResponse` with a
`ResponseStatus` (attribute `Status` 1 found, 0 error, 9 pending, as its text too, and `ts` and
`txn` echoed) and a `DocDetails`. Elements may be in no namespace or any namespace (the
e-locker's samples declare a prefix they never use); names are read by their local part.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from vc_engine.errors import BadInput
from vc_engine.formats.xml.safe import UnsafeXml, parse
from vc_engine.policy import XmlLimits

PULL_URI = "PullURI"
PULL_DOC = "PullDoc"
FORMATS = ("xml", "pdf", "both")
DEFAULT_FORMAT = "pdf"

FOUND, ERROR, PENDING = 1, 0, 9

_LIMITS = XmlLimits(max_nodes=64, max_attributes=8, max_namespaces=4, max_depth=4)
_FIELDS = {
    PULL_URI: re.compile(r"DocType|DigiLockerId|UID|FullName|DOB|Photo|UDF[1-9][0-9]?"),
    PULL_DOC: re.compile(r"URI|DigiLockerId|UID|FullName|DOB|Photo"),
}
_REQUIRED = {PULL_URI: ("DocType", "DigiLockerId"), PULL_DOC: ("URI", "DigiLockerId")}
_ATTRIBUTE_MAX = 100
_NAMESPACE = "http://tempuri.org/"


class MalformedRequest(BadInput):
    """Not a request of the specification's shape; the message says what is wrong."""


@dataclass(frozen=True)
class PullRequest:
    api: str
    ver: str
    ts: str
    txn: str
    org_id: str
    format: str
    details: tuple[tuple[str, str], ...]
    """`DocDetails`' elements as sent, in order (each name at most once)."""

    def get(self, name: str) -> str | None:
        return next((value for key, value in self.details if key == name), None)

    @property
    def wants_xml(self) -> bool:
        return self.format in ("xml", "both")

    @property
    def wants_pdf(self) -> bool:
        return self.format in ("pdf", "both")


def read_request(api: str, body: bytes, max_bytes: int) -> PullRequest:
    """The request in `body`, or MalformedRequest with the reason."""
    try:
        root = parse(body, max_bytes=max_bytes, limits=_LIMITS)
    except UnsafeXml as error:
        raise MalformedRequest(str(error)) from None
    if _local(root) != f"{api}Request":
        raise MalformedRequest(f"the root element must be {api}Request, not {_local(root)}")
    attributes = {_text(k).rsplit("}", 1)[-1]: _text(v) for k, v in root.attrib.items()}
    for name in ("ts", "txn", "orgId"):
        if not attributes.get(name, "").strip():
            raise MalformedRequest(f"the {name} attribute is missing or empty")
    for name, value in attributes.items():
        if len(value) > _ATTRIBUTE_MAX:
            raise MalformedRequest(f"the {name} attribute is longer than {_ATTRIBUTE_MAX}")
    format = attributes.get("format", "").strip() or DEFAULT_FORMAT
    if format not in FORMATS:
        raise MalformedRequest(f"format must be xml, pdf or both, not {format!r}")
    children = [child for child in root if isinstance(child.tag, str)]
    if len(children) != 1 or _local(children[0]) != "DocDetails":
        raise MalformedRequest(f"{api}Request must hold exactly one DocDetails")
    return PullRequest(
        api=api,
        ver=attributes.get("ver", ""),
        ts=attributes["ts"].strip(),
        txn=attributes["txn"].strip(),
        org_id=attributes["orgId"].strip(),
        format=format,
        details=_details(api, children[0]),
    )


def _details(api: str, element: etree._Element) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    for child in element:
        if not isinstance(child.tag, str):
            continue  # a comment or processing instruction
        name = _local(child)
        if not _FIELDS[api].fullmatch(name):
            raise MalformedRequest(f"DocDetails has no element {name} in {api}")
        if name in seen:
            raise MalformedRequest(f"DocDetails repeats {name}")
        if len(child):
            raise MalformedRequest(f"{name} must hold text only")
        seen.add(name)
        found.append((name, (child.text or "").strip()))
    for name in _REQUIRED[api]:
        if not dict(found).get(name):
            raise MalformedRequest(f"DocDetails must give {name}")
    return tuple(found)


def write_response(
    api: str,
    status: int,
    *,
    ts: str = "",
    txn: str = "",
    details: Sequence[tuple[str, str]] = (),
) -> bytes:
    """`PullURIResponse` or `PullDocResponse`; `DocDetails` is written when `details` has any."""
    root = etree.Element(f"{api}Response", nsmap={"ns2": _NAMESPACE})
    state = etree.SubElement(root, "ResponseStatus", Status=str(status), ts=ts, txn=txn)
    state.text = str(status)
    if details:
        holder = etree.SubElement(root, "DocDetails")
        for name, value in details:
            etree.SubElement(holder, name).text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _text(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value
