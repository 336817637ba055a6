"""Document type versions added to the registry (`vc-engine doctype add`), kept forever.

Every version's definition text is stored as it was given, with its SHA-256, so a document
issued years ago is still checked against exactly the definition it was issued under. A version
is admitted only as the next version of its type (or version 1 of an unused code), and in one
transaction with that check, so two operators adding at once cannot both take a number.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from vc_engine.doctypes.definition import DefinitionError, read_definition
from vc_engine.doctypes.versions import (
    SHIPPED_CATALOGUE,
    Catalogue,
    Version,
    generated_contexts,
)
from vc_engine.store.contexts import PinnedContexts
from vc_engine.store.engine import read_transaction, write_transaction
from vc_engine.store.registry import Registry
from vc_engine.store.schema import doctype_versions


class DoctypeVersions:
    """The registry's document type versions, over the registry's database."""

    def __init__(self, registry: Registry) -> None:
        self._engine = registry.engine

    def catalogue(self) -> Catalogue:
        """The shipped definitions plus every version in the registry."""
        with read_transaction(self._engine) as conn:
            return _catalogue(conn)

    def added(self) -> list[Version]:
        """The versions added to the registry (not the shipped ones), by code and number."""
        with read_transaction(self._engine) as conn:
            return _stored(conn)

    def contexts(self) -> tuple[tuple[str, bytes], ...]:
        """(URL, document) of the JSON-LD context of every version added to the registry that
        needs one: the contexts its credentials name, which the package does not ship. Each is
        generated from the stored definition, so it is pinned by that definition's SHA-256."""
        return generated_contexts(self.added())

    def add(self, text: str, source: str, at: datetime) -> Version:
        """Read, check and store a definition as the next version of its type, in force from
        `at`; raises DefinitionError naming the line (or the file) and the reason."""
        definition = read_definition(text, source)
        version = Version(definition, at)
        try:
            with write_transaction(self._engine) as conn:
                _catalogue(conn).admit(definition, source)
                conn.execute(
                    insert(doctype_versions).values(
                        code=definition.doctype.code,
                        version=definition.doctype.version,
                        definition=text,
                        sha256=definition.sha256,
                        in_force_from=at,
                    )
                )
        except IntegrityError:
            doctype = definition.doctype
            reason = f"{doctype.code} version {doctype.version} was added meanwhile"
            raise DefinitionError(source, 0, reason) from None
        return version


def registry_contexts(registry: Registry) -> tuple[tuple[str, bytes], ...]:
    """The JSON-LD contexts the registry pins: an operator's (`vc-engine context add`), and
    those of the document type versions added to it."""
    return PinnedContexts(registry.engine).documents() + DoctypeVersions(registry).contexts()


def _catalogue(conn: Connection) -> Catalogue:
    return SHIPPED_CATALOGUE.with_versions(_stored(conn))


def _stored(conn: Connection) -> list[Version]:
    rows = conn.execute(
        select(doctype_versions).order_by(doctype_versions.c.code, doctype_versions.c.version)
    ).all()
    return [
        Version(read_definition(row.definition, f"{row.code} v{row.version}"), row.in_force_from)
        for row in rows
    ]
