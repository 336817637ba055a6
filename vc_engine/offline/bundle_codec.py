"""The registry's records as the JSON of a trust bundle's payload, and back.

Instants are ISO 8601 in UTC with microseconds, so a record read back compares equal to the
registry's. Decoding runs only on a payload the root has signed; it is still strict (a missing
member or a wrong type is a `BundleRefused`, never a KeyError deep inside a verification).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from cryptography.hazmat.primitives.serialization import Encoding

from vc_engine import keys
from vc_engine.model import parse_instant
from vc_engine.offline.bundle_format import BundleRefused, Refusal
from vc_engine.revocation.status import (
    Action,
    DocumentEntries,
    DocumentState,
    DocumentStatus,
    Purpose,
    StatusEntry,
    StatusEvent,
)
from vc_engine.trust.records import (
    Authorisation,
    IssuanceRecord,
    IssuerRecord,
    IssuerStatus,
    KeyEvent,
    KeyStatus,
    RegisteredKey,
)

T = TypeVar("T")
IssuanceRow = list[Any]
"""[documentId, issuerId, doctype, keyId, sha256, issuedAt, recordedAt, [[format, sha256]...]]"""


def instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def optional_instant(value: datetime | None) -> str | None:
    return None if value is None else instant(value)


def issuer_json(record: IssuerRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "name": record.name,
        "status": record.status.value,
        "createdAt": instant(record.created_at),
        "statusSince": instant(record.status_since),
    }


def key_json(key: RegisteredKey) -> dict[str, Any]:
    certificate = key.certificate
    return {
        "keyId": key.key_id,
        "issuerId": key.issuer_id,
        "algorithm": key.algorithm.value,
        "publicKeyPem": keys.public_key_pem(key.public_key),
        "certificatePem": None
        if certificate is None
        else certificate.public_bytes(Encoding.PEM).decode("ascii"),
        "validFrom": instant(key.valid_from),
        "validUntil": optional_instant(key.valid_until),
        "addedAt": instant(key.added_at),
        "history": [
            {
                "status": e.status.value,
                "effectiveAt": instant(e.effective_at),
                "reason": e.reason,
                "recordedAt": instant(e.recorded_at),
            }
            for e in key.history
        ],
    }


def authorisation_json(record: Authorisation) -> dict[str, Any]:
    return {
        "issuerId": record.issuer_id,
        "doctype": record.doctype,
        "validFrom": instant(record.valid_from),
        "validUntil": optional_instant(record.valid_until),
    }


def issuance_row(record: IssuanceRecord) -> IssuanceRow:
    return [
        record.document_id,
        record.issuer_id,
        record.doctype,
        record.key_id,
        record.sha256,
        instant(record.issued_at),
        instant(record.recorded_at),
        [[name, digest] for name, digest in record.renditions],
    ]


def document_status_json(status: DocumentStatus) -> dict[str, Any]:
    return {
        "documentId": status.document_id,
        "state": status.state.value,
        "entries": [
            {"purpose": e.purpose.value, "listId": e.list_id, "index": e.index}
            for e in status.entries
        ],
        "history": [
            {
                "action": e.action.value,
                "effectiveAt": instant(e.effective_at),
                "recordedAt": instant(e.recorded_at),
            }
            for e in status.history
        ],
    }


# Decoding


def decoded(what: str, decode: Callable[[Any], T], value: Any) -> T:
    """`decode(value)`, any slip in the JSON turned into a refusal naming `what`."""
    try:
        return decode(value)
    except (KeyError, TypeError, ValueError, IndexError, keys.KeyMaterialError) as exc:
        raise BundleRefused(Refusal.MALFORMED, f"{what} cannot be read: {exc!r}") from None


def read_instant(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"an instant must be text, got {value!r}")
    return parse_instant(value, "an instant").astimezone(UTC)


def _optional_instant(value: Any) -> datetime | None:
    return None if value is None else read_instant(value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {value!r}")
    return value


def read_issuer(item: Mapping[str, Any]) -> IssuerRecord:
    return IssuerRecord(
        id=_text(item["id"]),
        name=_text(item["name"]),
        status=IssuerStatus(item["status"]),
        created_at=read_instant(item["createdAt"]),
        status_since=read_instant(item["statusSince"]),
    )


def read_key(item: Mapping[str, Any]) -> RegisteredKey:
    public_key = keys.load_public_key_pem(_text(item["publicKeyPem"]).encode("ascii"))
    key_id = _text(item["keyId"])
    if keys.key_id(public_key) != key_id:
        raise ValueError(f"key {key_id} carries another public key")
    certificate_pem = item["certificatePem"]
    return RegisteredKey(
        key_id=key_id,
        issuer_id=_text(item["issuerId"]),
        algorithm=keys.KeyAlgorithm(item["algorithm"]),
        public_key=public_key,
        certificate=None
        if certificate_pem is None
        else keys.load_certificate(_text(certificate_pem).encode("ascii")),
        valid_from=read_instant(item["validFrom"]),
        valid_until=_optional_instant(item["validUntil"]),
        added_at=read_instant(item["addedAt"]),
        history=tuple(
            KeyEvent(
                KeyStatus(e["status"]),
                read_instant(e["effectiveAt"]),
                _text(e["reason"]),
                read_instant(e["recordedAt"]),
            )
            for e in item["history"]
        ),
    )


def read_authorisation(item: Mapping[str, Any]) -> Authorisation:
    return Authorisation(
        issuer_id=_text(item["issuerId"]),
        doctype=_text(item["doctype"]),
        valid_from=read_instant(item["validFrom"]),
        valid_until=_optional_instant(item["validUntil"]),
    )


def read_issuance(row: IssuanceRow) -> IssuanceRecord:
    document_id, issuer_id, doctype, key_id, sha256, issued_at, recorded_at, renditions = row
    return IssuanceRecord(
        document_id=_text(document_id),
        issuer_id=_text(issuer_id),
        doctype=_text(doctype),
        sha256=_text(sha256),
        key_id=_text(key_id),
        issued_at=read_instant(issued_at),
        recorded_at=read_instant(recorded_at),
        renditions=tuple((_text(name), _text(digest)) for name, digest in renditions),
    )


def read_document_status(item: Mapping[str, Any]) -> DocumentStatus:
    document_id = _text(item["documentId"])
    by_purpose = {
        Purpose(e["purpose"]): StatusEntry(
            document_id, Purpose(e["purpose"]), _text(e["listId"]), int(e["index"])
        )
        for e in item["entries"]
    }
    return DocumentStatus(
        document_id=document_id,
        state=DocumentState(item["state"]),
        entries=DocumentEntries(by_purpose[Purpose.REVOCATION], by_purpose[Purpose.SUSPENSION]),
        history=tuple(
            StatusEvent(
                Action(e["action"]),
                read_instant(e["effectiveAt"]),
                None,
                None,
                read_instant(e["recordedAt"]),
            )
            for e in item["history"]
        ),
    )
