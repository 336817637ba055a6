"""A `Document` as a W3C VC 2.0 credential (unsecured JSON-LD) and back.

```
{"@context": ["https://www.w3.org/ns/credentials/v2", "https://vc-engine.org/contexts/v1"],
 "id": "urn:elocker:in.gov.wb.kmc-BTHCER-2026000123",
 "type": ["VerifiableCredential", "ElockerDocument"],
 "documentType": "BTHCER",
 "issuer": {"id": "did:web:kmc.wb.gov.in", "name": "Kolkata Municipal Corporation"},
 "issuedAt": "2026-11-23T04:30:00Z",
 "validFrom": "2026-11-23T00:00:00+05:30",            the civil date's first moment
 "validUntil": "2036-11-22T23:59:59+05:30",           the civil expiry date's last second
 "credentialSubject": {"name": "...", ..., "certificateData": {"placeOfBirth": "...",
                       "subjects": [{"code": "BEN", "marks": "88"}]}}}
```

The holder's fields sit on the subject; the type-specific claims under `certificateData`; table
claims are JSON-LD lists, so their order is signed. Reading is strict: a credential with any other
shape, or a non-text claim, is refused, so every rendition of one original reads back to the same
`Document` and the same claims digest.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from vc_engine.errors import BadInput
from vc_engine.formats.related import UnreadableDigest, check_digest
from vc_engine.model import (
    ClaimValue,
    Document,
    InstantError,
    RelatedResource,
    StatusReference,
    issuer_did,
    issuer_id_of_did,
    parse_instant,
)

VC_V2 = "https://www.w3.org/ns/credentials/v2"
ENGINE_CONTEXT = "https://vc-engine.org/contexts/v1"
CONTEXTS = (VC_V2, ENGINE_CONTEXT)
TYPE_CONTEXT_BASE = "https://vc-engine.org/contexts/doctypes/"
"""A document type's own context, `<base><CODE>/v<N>`, follows the core ones when the type uses
terms the core context lacks (generated from its definition; see vc_engine.doctypes)."""
TYPES = ("VerifiableCredential", "ElockerDocument")
ID_PREFIX = "urn:elocker:"
_KEYS = frozenset(
    {
        "@context",
        "id",
        "type",
        "documentType",
        "issuer",
        "issuedAt",
        "validFrom",
        "validUntil",
        "credentialSubject",
        "credentialStatus",
        "relatedResource",
    }
)
_DATA = "certificateData"


class MalformedCredential(BadInput):
    """The signed credential does not have the shape this engine issues."""


def to_credential(
    document: Document, civil_timezone: tzinfo, type_context: str | None = None
) -> dict[str, Any]:
    """The credential of `document`; `type_context` is its type's own context URL, if any."""
    if type_context is not None and not _names_type(type_context, document.doctype):
        raise ValueError(f"{type_context!r} is not a context of type {document.doctype}")
    credential: dict[str, Any] = {
        "@context": [*CONTEXTS, *([type_context] if type_context else [])],
        "id": ID_PREFIX + document.id,
        "type": list(TYPES),
        "documentType": document.doctype,
        "issuer": {"id": issuer_did(document.issuer_id), "name": document.issuer_name},
        "issuedAt": _instant(document.issued_at),
        "validFrom": datetime.combine(document.valid_from, time(), civil_timezone).isoformat(),
        "credentialSubject": {
            **document.holder,
            _DATA: {
                name: value if isinstance(value, str) else [dict(row) for row in value]
                for name, value in document.claims.items()
            },
        },
    }
    if document.status:
        credential["credentialStatus"] = [reference.to_json() for reference in document.status]
    if document.related:
        credential["relatedResource"] = [resource.to_json() for resource in document.related]
    if document.valid_until is not None:
        last_second = datetime.combine(
            document.valid_until + timedelta(days=1), time(), civil_timezone
        ) - timedelta(seconds=1)
        credential["validUntil"] = last_second.isoformat()
    return credential


def from_credential(credential: dict[str, Any]) -> Document:
    """Read the `Document` back from a credential whose proof has already been checked."""
    unknown = set(credential) - _KEYS
    if unknown:
        raise MalformedCredential(f"unexpected properties: {', '.join(sorted(unknown))}")
    contexts = credential.get("@context")
    if not isinstance(contexts, list) or contexts[:2] != list(CONTEXTS) or len(contexts) > 3:
        raise MalformedCredential(
            f"@context must be exactly {list(CONTEXTS)}, then optionally the type's own context"
        )
    if len(contexts) == 3 and not _names_type(contexts[2], credential.get("documentType")):
        raise MalformedCredential(f"@context {contexts[2]!r} is not a context of this type")
    if credential.get("type") != list(TYPES):
        raise MalformedCredential(f"type must be exactly {list(TYPES)}")
    identifier = _text(credential, "id")
    if not identifier.startswith(ID_PREFIX):
        raise MalformedCredential(f"id must start with {ID_PREFIX}")
    issuer = credential.get("issuer")
    if not isinstance(issuer, dict) or set(issuer) != {"id", "name"}:
        raise MalformedCredential("issuer must be an object with exactly id and name")
    issuer_id = issuer_id_of_did(_text(issuer, "id"))
    if issuer_id is None:
        raise MalformedCredential(f"issuer id {issuer['id']!r} is not a did:web identifier")
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict) or not isinstance(subject.get(_DATA), dict):
        raise MalformedCredential(f"credentialSubject must be an object holding {_DATA}")
    holder = {name: _text(subject, name) for name in subject if name != _DATA}
    valid_until = credential.get("validUntil")
    return Document(
        id=identifier.removeprefix(ID_PREFIX),
        doctype=_text(credential, "documentType"),
        issuer_id=issuer_id,
        issuer_name=_text(issuer, "name"),
        issued_at=_parse_instant(_text(credential, "issuedAt"), "issuedAt").astimezone(UTC),
        valid_from=_civil_date(_text(credential, "validFrom"), "validFrom"),
        valid_until=None if valid_until is None else _expiry_date(valid_until),
        holder=holder,
        claims={name: _claim(name, value) for name, value in subject[_DATA].items()},
        status=_status(credential.get("credentialStatus", [])),
        related=_related(credential["relatedResource"]) if "relatedResource" in credential else (),
    )


def _names_type(url: object, doctype: object) -> bool:
    if not isinstance(url, str) or not isinstance(doctype, str):
        return False
    version = url.removeprefix(f"{TYPE_CONTEXT_BASE}{doctype}/v")
    return version != url and version.isascii() and version.isdigit() and version[0] != "0"


def _status(entries: object) -> tuple[StatusReference, ...]:
    """The credential's status entries, accepted only in the exact shape the engine writes."""
    if not isinstance(entries, list):
        raise MalformedCredential("credentialStatus must be a list of entries")
    references = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise MalformedCredential("a credentialStatus entry must be an object")
        index = entry.get("statusListIndex")
        if not isinstance(index, str) or not index.isascii() or not index.isdigit():
            raise MalformedCredential(f"statusListIndex {index!r} is not a whole number")
        reference = StatusReference(
            _text(entry, "statusPurpose"), _text(entry, "statusListCredential"), int(index)
        )
        if entry != reference.to_json():
            raise MalformedCredential("a credentialStatus entry is not a BitstringStatusListEntry")
        references.append(reference)
    return tuple(references)


def _related(entries: object) -> tuple[RelatedResource, ...]:
    """The files the issuer bound by digest, each exactly {id, mediaType, digestMultibase}, the
    digest one we can compare with (an unreadable one would otherwise pass for a mismatch)."""
    if not isinstance(entries, list) or not entries:
        raise MalformedCredential("relatedResource must be a non-empty list of entries")
    related = []
    for entry in entries:
        if not isinstance(entry, dict) or set(entry) != {"id", "mediaType", "digestMultibase"}:
            raise MalformedCredential(
                "a relatedResource entry must be an object with exactly id, mediaType and "
                "digestMultibase"
            )
        try:
            digest = check_digest(_text(entry, "digestMultibase"))
        except UnreadableDigest as error:
            named = str(entry["id"])[:100]
            raise MalformedCredential(f"relatedResource {named}: {error}") from None
        related.append(RelatedResource(_text(entry, "id"), _text(entry, "mediaType"), digest))
    return tuple(related)


def _claim(name: str, value: object) -> ClaimValue:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(
        isinstance(row, dict) and all(isinstance(v, str) for v in row.values()) for row in value
    ):
        return tuple(dict(row) for row in value)
    raise MalformedCredential(f"claim {name!r} must be text or a list of objects of text")


def _text(container: dict[str, Any], name: str) -> str:
    value = container.get(name)
    if not isinstance(value, str):
        raise MalformedCredential(f"{name} must be text")
    return value


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_instant(text: str, name: str) -> datetime:
    try:
        return parse_instant(text, name)
    except InstantError as exc:
        raise MalformedCredential(str(exc)) from None


def _civil_date(text: str, name: str) -> date:
    """The calendar date as written, in the offset the issuer wrote it in."""
    return _parse_instant(text, name).date()


def _expiry_date(value: object) -> date:
    if not isinstance(value, str):
        raise MalformedCredential("validUntil must be text")
    return (_parse_instant(value, "validUntil") + timedelta(seconds=1)).date() - timedelta(days=1)
