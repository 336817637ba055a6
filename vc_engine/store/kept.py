"""Issued renditions kept for later fetching, and the documents' fields to find them by.

The e-locker fetches a document days or years after it was issued (Pull Doc), so an issuer that
serves it keeps the exact bytes it signed: one row per document and format (`xml-dsig`, `vc-di`,
`vc-jwt`, and `pdf` when that rendition is issued), with its media type and SHA-256, written in
the issuance register's transaction (`keep`), so a kept rendition is always a registered one.
Beside them, each document's scalar fields (holder and claims, and `docId`), normalised by
`vc_engine.doctypes.holders.normalise`, so the e-locker's search (Pull URI) is an index look-up.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, LargeBinary, and_, cast, insert, literal, null, select, union_all

from vc_engine.store.engine import Database
from vc_engine.store.reads import read_only
from vc_engine.store.schema import document_fields, issuances, kept_renditions


@dataclass(frozen=True)
class KeptRendition:
    format: str
    media_type: str
    content: bytes
    sha256: str


@dataclass(frozen=True)
class KeptDocument:
    """What is kept of one issued document: its renditions and its normalised fields."""

    document_id: str
    renditions: tuple[KeptRendition, ...]
    fields: Mapping[str, str]


def keep(conn: Connection, documents: Sequence[KeptDocument]) -> None:
    """Write `documents` on `conn`, inside the transaction that registers them."""
    renditions = [
        {
            "document_id": d.document_id,
            "format": r.format,
            "media_type": r.media_type,
            "content": r.content,
            "sha256": r.sha256,
        }
        for d in documents
        for r in d.renditions
    ]
    if renditions:
        conn.execute(insert(kept_renditions), renditions)
    fields = [
        {"document_id": d.document_id, "field": name, "value": value}
        for d in documents
        for name, value in d.fields.items()
    ]
    if fields:
        conn.execute(insert(document_fields), fields)


class KeptStore(Database):
    """Reading what `keep` wrote."""

    def find(
        self, issuer_id: str, doctype: str, criteria: Mapping[str, str], *, limit: int = 2
    ) -> list[str]:
        """Ids of `issuer_id`'s documents of `doctype` whose fields equal every one of
        `criteria` (field name to normalised value), at most `limit` of them. No criteria find
        nothing: a search must name what it searches for."""
        if not criteria:
            return []
        statement = select(issuances.c.document_id).where(
            issuances.c.issuer_id == issuer_id, issuances.c.doctype == doctype
        )
        for number, (name, value) in enumerate(sorted(criteria.items())):
            alias = document_fields.alias(f"f{number}")
            statement = statement.join(
                alias,
                and_(
                    alias.c.document_id == issuances.c.document_id,
                    alias.c.field == name,
                    alias.c.value == value,
                ),
            )
        with self._read() as conn:
            return list(conn.scalars(statement.order_by(issuances.c.document_id).limit(limit)))

    def document(
        self, document_id: str, formats: Collection[str], fields: Collection[str]
    ) -> tuple[dict[str, KeptRendition], dict[str, str]] | None:
        """The kept renditions of `document_id` in `formats` and its `fields` (normalised), or
        None when nothing is kept of it. One statement, one round trip (the request path)."""
        renditions = select(
            literal("rendition").label("kind"),
            kept_renditions.c.format.label("name"),
            kept_renditions.c.media_type.label("text"),
            kept_renditions.c.content.label("content"),
            kept_renditions.c.sha256.label("sha256"),
        ).where(
            kept_renditions.c.document_id == document_id,
            kept_renditions.c.format.in_(list(formats)),
        )
        values = select(
            literal("field").label("kind"),
            document_fields.c.field.label("name"),
            document_fields.c.value.label("text"),
            cast(null(), LargeBinary).label("content"),
            literal("").label("sha256"),
        ).where(
            document_fields.c.document_id == document_id,
            document_fields.c.field.in_(list(fields)),
        )
        with read_only(self._engine) as conn:
            rows = conn.execute(union_all(renditions, values)).all()
        if not rows:
            return None
        kept = {
            r.name: KeptRendition(r.name, r.text, r.content, r.sha256)
            for r in rows
            if r.kind == "rendition"
        }
        return kept, {r.name: r.text for r in rows if r.kind == "field"}
