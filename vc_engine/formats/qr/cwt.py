"""The QR payload: a CBOR Web Token (RFC 8392) signed as COSE_Sign1 (RFC 9052), in the manner
of the EU Digital COVID Certificate: `PREFIX` + Base45(zlib(COSE_Sign1)).

The protected header holds `alg` (ES256, ES384 or EdDSA) and `kid`, the registry's key id (the
SHA-256 of the key's SubjectPublicKeyInfo, 32 bytes). The payload is a CWT with `iss` (the
issuer id) and `iat`, and one private claim, `CLAIM`, holding the document: id, type, issuer
name, valid-from and valid-until dates, holder and claim values as text, and the status entries.
Dates stay dates (the issuer's calendar), never instants, as in every other rendition.

Reading is bounded before anything is parsed: the text length, the compressed and decompressed
sizes, and the CBOR is checked member by member with exact types, so nothing a hostile QR code
holds reaches the Document unless the signature covered it and it has the one shape we write.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import cbor2

from vc_engine.formats import QR_PREFIX, Rejected, Resolver
from vc_engine.formats.qr import base45
from vc_engine.i18n import report as said
from vc_engine.keys import SignatureScheme, Signer, default_scheme, key_id, verify_signature
from vc_engine.model import (
    ClaimValue,
    Document,
    InstantError,
    SignatureFacts,
    StatusReference,
    SubIndication,
    bounded_instant,
    issuer_did,
)
from vc_engine.policy import Algorithms

PREFIX = QR_PREFIX.decode("ascii")
"""The versioned prefix: a reader that sees another version refuses it by name."""

MAX_TEXT_CHARS = 4296
"""The most characters a QR code (version 40, level L, alphanumeric) can hold."""

MAX_PAYLOAD_BYTES = 64 * 1024
"""The decompressed COSE_Sign1: a document's printable claims are a few hundred bytes."""

COSE_SIGN1_TAG = 18
CLAIM = -65537
"""The private CWT claim (RFC 8392 private-use range) holding the document."""

_ALG = 1
_CRIT = 2
_KID = 4
_ISS = 1
_IAT = 6
_COSE_ALGORITHMS = {
    -7: SignatureScheme.ES256,
    -35: SignatureScheme.ES384,
    -8: SignatureScheme.EDDSA,
}
_COSE_ID = {scheme: number for number, scheme in _COSE_ALGORITHMS.items()}
_CONTEXT = "Signature1"


@dataclass(frozen=True)
class OpenedQr:
    document: Document
    facts: SignatureFacts
    signed_at: datetime


def sign(document: Document, signer: Signer) -> bytes:
    """The QR text (ASCII) of `document`, signed by `signer` (ES256, ES384 or EdDSA)."""
    scheme = default_scheme(signer.algorithm)
    if scheme not in _COSE_ID:
        raise ValueError(f"a QR code is signed with ES256, ES384 or EdDSA keys, not {scheme}")
    protected = cbor2.dumps(
        {_ALG: _COSE_ID[scheme], _KID: bytes.fromhex(key_id(signer.public_key))}
    )
    payload = cbor2.dumps(
        {
            _ISS: document.issuer_id,
            _IAT: int(document.issued_at.timestamp()),
            CLAIM: _document_claim(document),
        }
    )
    signature = signer.sign(_to_be_signed(protected, payload), scheme)
    message = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))
    return (PREFIX + base45.encode(zlib.compress(message, 9))).encode("ascii")


def _document_claim(document: Document) -> dict[str, Any]:
    claim: dict[str, Any] = {
        "id": document.id,
        "t": document.doctype,
        "n": document.issuer_name,
        "vf": document.valid_from.isoformat(),
        "h": dict(document.holder),
        "c": {
            name: value if isinstance(value, str) else _table(value)
            for name, value in document.claims.items()
        },
    }
    if document.valid_until is not None:
        claim["vu"] = document.valid_until.isoformat()
    if document.status:
        claim["s"] = [[s.purpose, s.list_url, s.index] for s in document.status]
    return claim


def _table(rows: tuple[Mapping[str, str], ...]) -> list[list[str | None]]:
    """A table as its column names, then one array of values per row (None where a row has no
    value): the names are written once, not once a row."""
    columns = sorted({name for row in rows for name in row})
    return [list[str | None](columns), *([row.get(name) for name in columns] for row in rows)]


def _to_be_signed(protected: bytes, payload: bytes) -> bytes:
    """The COSE Sig_structure for COSE_Sign1 with no external data (RFC 9052 section 4.4)."""
    return cbor2.dumps([_CONTEXT, protected, b"", payload])


def open_qr(data: bytes, algorithms: Algorithms, resolve: Resolver) -> OpenedQr:
    """Check a QR text's signature and read back the Document it covered; `Rejected` says why
    not, as the first failing check."""
    message = _message(data)
    protected_bytes, payload_bytes, signature = _parts(message)
    protected = _map(_cbor(protected_bytes, "the protected header"), "the protected header")
    if _CRIT in protected:
        raise _constraint("the protected header names critical headers; none is understood")
    scheme = _COSE_ALGORITHMS.get(protected.get(_ALG))  # type: ignore[arg-type]
    if scheme is None or scheme.value not in algorithms.signatures:
        raise _constraint(f"the COSE algorithm {protected.get(_ALG)!r} is not accepted")
    kid = protected.get(_KID)
    if not isinstance(kid, bytes) or len(kid) != 32:
        raise _format("the protected header's kid must be the 32-byte registry key id")
    payload = _map(_cbor(payload_bytes, "the payload"), "the payload")
    issuer_id = payload.get(_ISS)
    if not isinstance(issuer_id, str) or not issuer_id:
        raise _format("the payload names no issuer (iss)")
    key = resolve(f"{issuer_did(issuer_id)}#{kid.hex()}")
    if key is None:
        raise Rejected(
            "signature",
            SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
            said.QR_KEY_UNREGISTERED(kid=kid.hex(), issuer=issuer_id),
        )
    if not verify_signature(key, signature, _to_be_signed(protected_bytes, payload_bytes), scheme):
        raise Rejected("signature", SubIndication.SIG_CRYPTO_FAILURE, said.QR_SIGNATURE_INVALID())
    document, signed_at = _document(payload, issuer_id)
    return OpenedQr(document, SignatureFacts(scheme.value, key_id(key)), signed_at)


def _message(data: bytes) -> Any:
    if len(data) > MAX_TEXT_CHARS + 64:
        raise _format(f"{len(data):,} bytes is more than a QR code holds")
    try:
        text = data.decode("ascii").strip()
    except UnicodeDecodeError:
        raise _format("a QR text is ASCII") from None
    if not text.startswith(PREFIX):
        raise _format(f"the QR text does not start with {PREFIX}")
    try:
        compressed = base45.decode(text[len(PREFIX) :])
    except base45.Base45Error as error:
        raise _format(f"not Base45: {error}") from None
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(compressed, MAX_PAYLOAD_BYTES)
    except zlib.error:
        raise _format("the payload is not zlib-compressed data") from None
    if inflater.unconsumed_tail or not inflater.eof:
        raise _format(f"the payload is truncated or inflates past {MAX_PAYLOAD_BYTES:,} bytes")
    if inflater.unused_data:
        raise _format("bytes follow the compressed payload")
    message = _cbor(raw, "the COSE message")
    if not isinstance(message, cbor2.CBORTag) or message.tag != COSE_SIGN1_TAG:
        raise _format("the payload is not a tagged COSE_Sign1 message")
    return message.value


def _parts(message: Any) -> tuple[bytes, bytes, bytes]:
    if not isinstance(message, list | tuple) or len(message) != 4:
        raise _format("a COSE_Sign1 message is an array of four members")
    protected, unprotected, payload, signature = message
    if not all(isinstance(part, bytes) for part in (protected, payload, signature)):
        raise _format("the protected header, payload and signature must be byte strings")
    if not isinstance(unprotected, Mapping) or unprotected:
        raise _format("the unprotected header must be an empty map")
    return protected, payload, signature


def _cbor(data: bytes, what: str) -> Any:
    try:
        return cbor2.loads(data)
    except (cbor2.CBORDecodeError, ValueError, TypeError, RecursionError, OverflowError):
        raise _format(f"{what} is not well-formed CBOR") from None


def _map(value: Any, what: str) -> Mapping[Any, Any]:
    if not isinstance(value, Mapping):
        raise _format(f"{what} must be a CBOR map")
    return value


def _document(payload: Mapping[Any, Any], issuer_id: str) -> tuple[Document, datetime]:
    iat = payload.get(_IAT)
    if not isinstance(iat, int) or isinstance(iat, bool):
        raise _format("the payload has no integer iat")
    try:
        issued_at = bounded_instant(datetime.fromtimestamp(iat, UTC), "iat")
    except (InstantError, OverflowError, OSError, ValueError):
        raise _format(f"iat {iat} is not a usable instant") from None
    claim = _map(payload.get(CLAIM), "the document claim")
    known = {"id", "t", "n", "vf", "vu", "h", "c", "s"}
    if set(claim) - known:
        raise _format("the document claim has members this version does not define")
    valid_until = claim.get("vu")
    document = Document(
        id=_text(claim.get("id"), "id"),
        doctype=_text(claim.get("t"), "t"),
        issuer_id=issuer_id,
        issuer_name=_text(claim.get("n"), "n"),
        issued_at=issued_at,
        valid_from=_date(claim.get("vf"), "vf"),
        valid_until=None if valid_until is None else _date(valid_until, "vu"),
        holder=_texts(claim.get("h"), "h"),
        claims=_claims(claim.get("c")),
        status=_status(claim.get("s", [])),
    )
    return document, issued_at


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise _format(f"the document's {what} must be non-empty text")
    return value


def _date(value: Any, what: str) -> date:
    text = _text(value, what)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _format(f"the document's {what} is not a YYYY-MM-DD date") from None


def _texts(value: Any, what: str) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise _format(f"{what} must map names to text")
    return dict(value)


def _claims(value: Any) -> dict[str, ClaimValue]:
    if not isinstance(value, Mapping):
        raise _format("the claims must be a map")
    claims: dict[str, ClaimValue] = {}
    for name, item in value.items():
        if not isinstance(name, str):
            raise _format("claim names are text")
        if isinstance(item, str):
            claims[name] = item
        elif isinstance(item, list) and item:
            claims[name] = _rows(name, item)
        else:
            raise _format(f"the claim {name} is neither text nor a table")
    return claims


def _rows(name: str, table: list[Any]) -> tuple[dict[str, str], ...]:
    columns, *rows = table
    if (
        not isinstance(columns, list)
        or not all(isinstance(column, str) for column in columns)
        or len(set(columns)) != len(columns)
    ):
        raise _format(f"the table {name} must start with its distinct column names")
    parsed = []
    for row in rows:
        if not isinstance(row, list) or len(row) != len(columns):
            raise _format(f"a row of {name} must have one value a column")
        if not all(value is None or isinstance(value, str) for value in row):
            raise _format(f"the values of {name} are text")
        parsed.append({c: v for c, v in zip(columns, row, strict=True) if v is not None})
    return tuple(parsed)


def _status(value: Any) -> tuple[StatusReference, ...]:
    if not isinstance(value, list):
        raise _format("the status entries must be an array")
    entries = []
    for entry in value:
        if (
            not isinstance(entry, list)
            or len(entry) != 3
            or not isinstance(entry[0], str)
            or not isinstance(entry[1], str)
            or not isinstance(entry[2], int)
            or isinstance(entry[2], bool)
            or entry[2] < 0
        ):
            raise _format("a status entry is [purpose, list URL, index]")
        entries.append(StatusReference(entry[0], entry[1], entry[2]))
    return tuple(entries)


def _format(message: str) -> Rejected:
    return Rejected("qr-format", SubIndication.FORMAT_FAILURE, said.QR_REFUSED(detail=message))


def _constraint(message: str) -> Rejected:
    return Rejected(
        "crypto-constraints",
        SubIndication.CRYPTO_CONSTRAINTS_FAILURE,
        said.CONSTRAINTS_REFUSED(detail=message),
    )
