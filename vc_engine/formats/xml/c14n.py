"""The two node-sets an enveloped signature canonicalizes: SignedInfo, and the document without
its signature.

lxml (libxml2) writes inclusive and exclusive Canonical XML 1.0. Canonical XML 1.1 differs from
1.0 only in the `xml:` attributes a document subset inherits from the ancestors it omits, and
only SignedInfo is such a subset here, so 1.1 is 1.0 with 1.1's inheritance rule applied to the
SignedInfo apex. The profile (dsig.py) has already made sure that the only namespace declaration
in scope inside the Signature is the XML Signature namespace on the Signature element.
"""

from __future__ import annotations

import copy

from lxml import etree

from vc_engine.formats.xml.algorithms import Canonicalization, format_failure

_XML = "{http://www.w3.org/XML/1998/namespace}"
_INHERITED_IN_11 = (_XML + "lang", _XML + "space")
"""Canonical XML 1.1 inherits these; xml:id is not inherited, and xml:base is fixed up."""


def canonical_signed_info(signed_info: etree._Element, method: Canonicalization) -> bytes:
    """C14N of SignedInfo as its own apex.

    lxml's in-place C14N of a nested subtree writes spurious `xmlns=""` on default-namespace
    descendants, and so does its C14N of a copy that still has a tail (whitespace after
    SignedInfo, as xmlsec writes it), so a detached copy without its tail is canonicalized
    instead, once the copy carries what
    inclusive C14N inherits from the omitted ancestors: with 1.0 every `xml:` attribute, with
    1.1 `xml:lang` and `xml:space`. An inherited `xml:base` would need 1.1's URI fix-up; no
    document we verify has one, so it is refused under every method rather than guessed.
    Comments inside SignedInfo are part of it under the #WithComments methods.

    When no ancestor carries an `xml:` attribute and the XML Signature namespace has a prefix
    (as every document we issue has it), there is nothing to inherit and no default namespace
    to misdeclare: lxml then canonicalizes SignedInfo where it stands, without the copy
    (the differential tests compare both ways with xmlsec1 and signxml).
    """
    if _nothing_to_inherit(signed_info):
        return etree.tostring(
            signed_info,
            method="c14n",
            exclusive=method.exclusive,
            with_comments=method.with_comments,
        )
    return canonical_detached(signed_info, method)


def canonical_detached(signed_info: etree._Element, method: Canonicalization) -> bytes:
    """C14N of a detached copy of SignedInfo that carries what it inherits: the general way,
    for any SignedInfo in the profile (`canonical_signed_info` takes it when it must)."""
    apex = copy.deepcopy(signed_info)
    apex.tail = None
    if not method.exclusive:
        for ancestor in signed_info.iterancestors():
            if ancestor.get(_XML + "base") is not None:
                raise format_failure("xml:base above SignedInfo is not supported")
            for key, value in ancestor.attrib.items():
                name = str(key)
                inherited = name in _INHERITED_IN_11 if method.version_11 else name.startswith(_XML)
                if inherited and apex.get(name) is None:
                    apex.set(name, value)
    return etree.tostring(
        apex, method="c14n", exclusive=method.exclusive, with_comments=method.with_comments
    )


def _nothing_to_inherit(signed_info: etree._Element) -> bool:
    """True when SignedInfo's canonical form needs nothing from its ancestors but the prefixed
    namespace declarations lxml carries over itself."""
    if signed_info.prefix is None:
        return False
    return not any(
        str(key).startswith(_XML)
        for ancestor in signed_info.iterancestors()
        for key in ancestor.attrib
    )


def canonical_without(
    root: etree._Element, signature: etree._Element, method: Canonicalization
) -> bytes:
    """The enveloped-signature transform, then C14N: the bytes the reference digest covers.

    A same-document reference (URI="") selects the document without its comments, so comments
    are never digested, whatever the method says (XML Signature 1.1, 4.4.3.3): `with_comments`
    is not read here. No element of this node-set has an omitted parent, so Canonical XML 1.0
    and 1.1 write the same bytes. The tail text after the signature is not part of the
    signature and stays in the document. `root` is changed: the signature is detached.
    """
    previous = signature.getprevious()
    tail = signature.tail or ""
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        root.text = (root.text or "") + tail
    root.remove(signature)
    return etree.tostring(
        root.getroottree(), method="c14n", exclusive=method.exclusive, with_comments=False
    )
