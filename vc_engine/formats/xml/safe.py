"""A hardened XML parser for documents that come from strangers.

No DTD is ever read, so no entity can be expanded (no XXE, no "billion laughs") and nothing is
fetched from the network. Inputs are refused before parsing when they are too large, are not
UTF-8, or declare a document type at all: a government document has no reason to carry one. A
document that declares another encoding than UTF-8, or another XML version than 1.0, is refused
too: the e-locker profile is UTF-8 XML 1.0, and a parser that honours the declaration would read
other characters than a reader of the profile.

After parsing, the tree's shape is bounded (`policy.XmlLimits`) before anything else reads it:
canonicalization is quadratic in some of these dimensions and cannot be interrupted once
started, so a document outside the bounds is refused in the time it took to parse it. The cheap
byte counts below bound most dimensions from above; the tree is walked only for what they cannot
rule out.
"""

from __future__ import annotations

import re
import threading

from lxml import etree

from vc_engine.errors import BadInput
from vc_engine.policy import XmlLimits

_BOMS_NOT_UTF8 = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")
_DECLARED_ENCODING = re.compile(
    rb"\A(?:\xef\xbb\xbf)?<\?xml\s[^>]*?encoding\s*=\s*[\"']([^\"']{0,40})"
)


class UnsafeXml(BadInput):
    """The input is not XML we are willing to parse; the message says why, for a person."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
        collect_ids=False,
    )


_local = threading.local()


def _thread_parser() -> etree.XMLParser:
    """lxml parsers must not be shared between threads; keep one per thread."""
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = _parser()
    return parser


def parse(data: bytes, *, max_bytes: int, limits: XmlLimits) -> etree._Element:
    """Parse `data` into an element tree within `limits`, or raise `UnsafeXml` with a reason.

    libxml2 without XML_PARSE_HUGE also caps nesting depth (256) and text node size, so a
    crafted input cannot make the parser itself run away.
    """
    if not data.strip():
        raise UnsafeXml("the document is empty")
    check_size(data, max_bytes)
    if data.startswith(_BOMS_NOT_UTF8) or b"\x00" in data:
        raise UnsafeXml("only UTF-8 XML is accepted")
    declared = _DECLARED_ENCODING.match(data)
    if declared is not None:
        _require_utf8(declared.group(1).decode("ascii", "replace"))
    # A DOCTYPE is refused outright, before libxml2 sees its internal subset.
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise UnsafeXml("document type declarations (DTDs, entities) are not allowed")
    try:
        root = etree.fromstring(data, parser=_thread_parser())
    except etree.XMLSyntaxError as exc:
        raise UnsafeXml(f"not well-formed XML: {exc.msg}") from None
    except ValueError as exc:
        raise UnsafeXml(f"not parseable XML: {exc}") from None
    docinfo = root.getroottree().docinfo
    if (
        getattr(docinfo, "doctype", "")
        or docinfo.internalDTD is not None
        or docinfo.externalDTD is not None
    ):
        raise UnsafeXml("document type declarations (DTDs, entities) are not allowed")
    _require_utf8(docinfo.encoding or "UTF-8")
    if docinfo.xml_version != "1.0":
        raise UnsafeXml(f"the document declares XML {docinfo.xml_version!r}; only 1.0 is accepted")
    check_shape(root, data, limits)
    return root


def check_size(data: bytes, max_bytes: int) -> None:
    """Refuse `data` longer than `max_bytes`."""
    if len(data) > max_bytes:
        raise UnsafeXml(f"the document is {len(data):,} bytes; the limit is {max_bytes:,}")


def plain_markup(data: bytes) -> bool:
    """True when `data` holds no comment and no processing instruction besides its XML
    declaration (in bytes that parse, `<!--` and `<?` begin nothing else, or sit in a CDATA
    section, which only makes this answer a cautious False).

    Then the parsed tree holds exactly what its canonical form holds: comments, which C14N of
    a same-document reference drops, are what could split a text node in the tree and not in
    the digested bytes."""
    if b"<!--" in data:
        return False
    head = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    declared = head.startswith(b"<?xml") and head[5:6] in (b" ", b"\t", b"\r", b"\n")
    return data.count(b"<?") == (1 if declared else 0)


def check_shape(root: etree._Element, data: bytes, limits: XmlLimits) -> None:
    """Refuse a tree outside `limits` (`data` is the text it was parsed from)."""
    if _DEEPER_THAN.get(limits.max_depth) is None:
        _DEEPER_THAN[limits.max_depth] = etree.XPath(
            "boolean(/" + "/*" * (limits.max_depth + 1) + ")"
        )
    if _DEEPER_THAN[limits.max_depth](root):
        raise UnsafeXml(f"elements are nested deeper than {limits.max_depth} levels")
    # Every node starts with '<', every attribute has an '=', every declaration says 'xmlns':
    # a count over the bytes is an upper bound, exact enough for the documents we expect.
    check_nodes = data.count(b"<") > limits.max_nodes
    check_attributes = data.count(b"=") > limits.max_attributes
    if check_nodes or check_attributes:
        nodes = 0
        for node in root.iter():
            nodes += 1
            if len(node.attrib) > limits.max_attributes:
                raise UnsafeXml(f"an element has more than {limits.max_attributes} attributes")
        if nodes > limits.max_nodes:
            raise UnsafeXml(f"the document has more than {limits.max_nodes:,} nodes")
    if data.count(b"xmlns") > limits.max_namespaces:
        for element in root.iter(tag=etree.Element):
            if len(element.nsmap) > limits.max_namespaces:
                raise UnsafeXml(
                    f"more than {limits.max_namespaces} namespace declarations are in scope"
                )
    if len(data) > limits.max_text and _text_length(root) > limits.max_text:
        raise UnsafeXml(f"the document holds more than {limits.max_text:,} characters of text")


_DEEPER_THAN: dict[int, etree.XPath] = {}


def _require_utf8(declared: str) -> None:
    if declared.upper() != "UTF-8":
        shown = declared.upper()[:40]
        raise UnsafeXml(f"the document declares encoding {shown!r}; only UTF-8 is accepted")


def _text_length(root: etree._Element) -> int:
    total = 0
    for node in root.iter():
        total += len(node.text or "") + len(node.tail or "")
        total += sum(len(value) for value in node.attrib.values())
    return total
