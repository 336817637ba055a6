"""Expanded JSON-LD to RDF quads, for the shapes credentials have, without pyld's node map.

pyld turns an expanded document into RDF in two passes over generic structures: a node map
(flattening, relabelling blank nodes, merging nodes that share an id) and then triples as
dictionaries, which `canonical` turns into N-Quads terms. For a tree of node objects whose
values are node objects, node references and plain literals, the quads can be written in one
walk: the node map only merges (a dataset is a set, so a union of the same quads) and names
anonymous nodes (RDFC-1.0 relabels them all, so only which nodes are distinct matters).

`quads` answers None for anything outside that subset (lists, named graphs, reverse
properties, `@included`, `@index`, directions, JSON literals, doubles), and the caller takes
pyld's general path: the differential tests compare both with pyld's own `to_rdf`.
What pyld silently skips (subjects, predicates and objects that are not absolute IRIs by its
pattern, blank-node predicates) is skipped here the same way.
"""

from __future__ import annotations

import re
from typing import Any

from pyld.nquads import escape

from vc_engine.formats.vc_di.rdfc import Quad

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = XSD + "string"
_XSD_DOUBLE = XSD + "double"
_BOOLEAN = "^^<" + XSD + "boolean>"
_INTEGER = "^^<" + XSD + "integer>"
_ABSOLUTE = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")
"""pyld's test for an absolute IRI (or blank node), which decides what it writes."""
_NODE_KEYS = frozenset({"@id", "@type"})
_VALUE_KEYS = frozenset({"@value", "@type", "@language"})


class _Outside(Exception):
    """The document has a shape this writer leaves to pyld."""


class _Labels:
    """Blank node labels: the document's own ones renamed, new ones for anonymous nodes, from
    one counter (as pyld's issuer does), so no two distinct nodes share a label."""

    __slots__ = ("count", "renamed")

    def __init__(self) -> None:
        self.count = 0
        self.renamed: dict[str, str] = {}

    def fresh(self) -> str:
        self.count += 1
        return f"_:b{self.count - 1}"

    def of(self, existing: str) -> str:
        label = self.renamed.get(existing)
        if label is None:
            label = self.renamed[existing] = self.fresh()
        return label


def quads(expanded: Any) -> list[Quad] | None:
    """The default graph's quads of an expanded document, or None when it has a shape this
    writer does not handle."""
    out: list[Quad] = []
    labels = _Labels()
    try:
        if not isinstance(expanded, list):
            raise _Outside
        for node in expanded:
            _node(node, out, labels)
    except _Outside:
        return None
    return out


def _node(node: Any, out: list[Quad], labels: _Labels) -> str:
    """Write a node object's quads; its subject term (an IRI, or a blank node label)."""
    if not isinstance(node, dict) or "@value" in node:
        raise _Outside
    given = node.get("@id")
    if given is None:
        subject = labels.fresh()
    elif not isinstance(given, str):
        raise _Outside
    elif given.startswith("_:"):
        subject = labels.of(given)
    else:
        subject = given
    writes = _ABSOLUTE.match(subject) is not None
    term = subject if subject.startswith("_:") else "<" + subject + ">"
    for key, values in node.items():
        if key.startswith("@"):
            if key not in _NODE_KEYS:
                raise _Outside
            if key == "@type":
                if not isinstance(values, list):
                    raise _Outside
                for type_ in values:
                    if not isinstance(type_, str):
                        raise _Outside
                    type_term = _resource(labels.of(type_) if type_.startswith("_:") else type_)
                    if writes and type_term is not None:
                        out.append((term, RDF_TYPE, type_term, ""))
            continue
        if not isinstance(values, list):
            raise _Outside
        predicate = None
        if _ABSOLUTE.match(key) is not None and not key.startswith("_:"):
            predicate = "<" + key + ">"
        for value in values:
            if not isinstance(value, dict):
                raise _Outside
            obj: str | None
            if "@value" in value:
                obj = _literal(value, labels)
            else:
                obj = _resource(_node(value, out, labels))
            if writes and predicate is not None and obj is not None:
                out.append((term, predicate, obj, ""))
    return subject


def _resource(identifier: str) -> str | None:
    """An IRI or blank node as a term; None for what pyld skips (not an absolute IRI)."""
    if identifier.startswith("_:"):
        return identifier
    if _ABSOLUTE.match(identifier) is None:
        return None
    return "<" + identifier + ">"


def _literal(value: dict[str, Any], labels: _Labels) -> str:
    """A value object as an N-Quads literal, as pyld's `_object_to_rdf` writes it."""
    if not value.keys() <= _VALUE_KEYS:
        raise _Outside
    raw = value["@value"]
    datatype = value.get("@type")
    if datatype is not None:
        if not isinstance(datatype, str) or "@language" in value or datatype == _XSD_DOUBLE:
            raise _Outside
        if datatype.startswith("_:"):
            raise _Outside
        suffix = "^^<" + datatype + ">" if datatype != _XSD_STRING else ""
    if isinstance(raw, bool):
        text = "true" if raw else "false"
        return '"' + text + '"' + (_BOOLEAN if datatype is None else suffix)
    if isinstance(raw, int):
        if abs(raw) >= 10**21:
            raise _Outside
        return '"' + str(raw) + '"' + (_INTEGER if datatype is None else suffix)
    if not isinstance(raw, str):
        raise _Outside
    literal = '"' + str(escape(raw)) + '"'
    if "@language" in value:
        language = value["@language"]
        if not isinstance(language, str):
            raise _Outside
        return literal + "@" + language if language else literal
    return literal + ("" if datatype is None else suffix)
