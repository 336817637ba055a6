"""Versions of document types: which version a document is checked against, and which new
version may be added.

A document carries its type's code but not a version (the signed layouts are fixed by the
e-locker and by VC 2.0), so the version is the one **in force when the document was issued**:
the latest version whose `in_force_from` is at or before the document's `issuedAt`. A type that
gains a field in version 2 therefore still accepts the documents issued under version 1.

Shipped versions (the definition files in the package) are in force from the beginning; a
version added to the registry is in force from the moment it was added.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType

from vc_engine.doctypes.catalogue import SHIPPED
from vc_engine.doctypes.definition import Definition, DefinitionError
from vc_engine.doctypes.generated import type_context
from vc_engine.doctypes.spec import DocType, UnknownDocTypeError
from vc_engine.doctypes.values import LANGUAGES, Field, quoted

BEGINNING = datetime(1900, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Version:
    """One version of a type and the instant from which documents are issued under it."""

    definition: Definition
    in_force_from: datetime

    @property
    def doctype(self) -> DocType:
        return self.definition.doctype

    def to_json(self) -> dict[str, object]:
        """What `doctype show` prints and the API returns: titles, fields, expiry, the pinned
        context and the definition's digest."""
        doctype = self.doctype
        context = type_context(doctype)
        return {
            "code": doctype.code,
            "version": doctype.version,
            "name": doctype.name,
            "title": {language: doctype.title(language) for language in LANGUAGES},
            "expiry": {"rule": str(doctype.validity), "months": doctype.term_months or None},
            "inForceFrom": self.in_force_from.isoformat(),
            "sha256": self.definition.sha256,
            "context": None if context is None else {"url": context.url, "sha256": context.sha256},
            "holder": [_field_json(f) for f in doctype.holder_fields],
            "claims": [_field_json(f) for f in doctype.claim_fields],
            "display": [f.name for f in doctype.display_order],
        }


def _field_json(spec: Field) -> dict[str, object]:
    described: dict[str, object] = {
        "field": spec.name,
        "type": str(spec.kind),
        "required": spec.required,
        "personal": spec.personal,
        "printable": spec.printable,
        "label": {language: spec.label(language) for language in LANGUAGES},
    }
    if spec.choices:
        described["choices"] = list(spec.choices)
    if spec.pattern:
        described["pattern"] = spec.pattern
    if spec.columns:
        described["columns"] = [_field_json(c) for c in spec.columns]
    return described


class Catalogue:
    """Every version of every known type: the shipped ones, plus any from the registry."""

    def __init__(self, versions: Iterable[Version]) -> None:
        grouped: dict[str, dict[int, Version]] = {}
        for version in versions:
            grouped.setdefault(version.doctype.code, {})[version.doctype.version] = version
        self._versions = MappingProxyType(
            {code: tuple(v for _, v in sorted(found.items())) for code, found in grouped.items()}
        )

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(sorted(self._versions))

    def versions(self, code: str) -> tuple[Version, ...]:
        found = self._versions.get(code)
        if found is None:
            known = ", ".join(self.codes)
            raise UnknownDocTypeError(f"unknown document type {quoted(code)}; known: {known}")
        return found

    def latest(self, code: str) -> DocType:
        return self.versions(code)[-1].doctype

    def version(self, code: str, number: int) -> DocType:
        for version in self.versions(code):
            if version.doctype.version == number:
                return version.doctype
        raise UnknownDocTypeError(f"{code} has no version {number}")

    def in_force(self, code: str, at: datetime) -> DocType:
        """The version documents issued at `at` were issued under (the first one for a document
        claiming to be older than every version)."""
        versions = self.versions(code)
        chosen = versions[0]
        for version in versions:
            if version.in_force_from <= at:
                chosen = version
        return chosen.doctype

    def with_versions(self, added: Iterable[Version]) -> Catalogue:
        return Catalogue([*(v for vs in self._versions.values() for v in vs), *added])

    def admit(self, definition: Definition, source: str) -> None:
        """Refuse a definition that cannot be the next version of its type: version 1 of a code
        already in use, or a version that is not the next number."""
        doctype = definition.doctype
        existing: Mapping[int, Version] = {
            v.doctype.version: v for v in self._versions.get(doctype.code, ())
        }
        if doctype.version == 1 and existing:
            name = existing[min(existing)].doctype.name
            raise DefinitionError(source, 0, f"the code {doctype.code} is in use by the {name}")
        expected = max(existing, default=0) + 1
        if doctype.version != expected:
            raise DefinitionError(
                source, 0, f"{doctype.code} is at version {expected - 1}; the next is {expected}"
            )


SHIPPED_CATALOGUE = Catalogue(
    Version(definition, BEGINNING)
    for versions in SHIPPED.values()
    for definition in versions.values()
)
"""The shipped definition files, each in force from the beginning."""


def generated_contexts(versions: Iterable[Version]) -> tuple[tuple[str, bytes], ...]:
    """(URL, document) of the generated JSON-LD context of each version that needs one: what
    a context loader must pin for types the package does not ship."""
    found = (type_context(v.doctype) for v in versions)
    return tuple((c.url, c.document) for c in found if c is not None)
