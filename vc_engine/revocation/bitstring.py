"""The bitstring of W3C Bitstring Status List v1.0 and its `encodedList` text form.

Bit order: entry i is bit `0x80 >> (i % 8)` of byte `i // 8` (index 0 is the left-most bit).
`encodedList` is 'u' (multibase base64url) + base64url, without padding, of the GZIP of the bytes.

`decode` is the boundary for lists that come from outside, so it is strict and bounded:
* the multibase prefix must be 'u'; anything else (no prefix, 'z', ...) is malformed;
* only the base64url alphabet is accepted, and **padding is refused**: the spec says "no padding",
  and accepting one spelling only means a list has one text form (no `=`-variants of the same
  list that a cache or a comparison would treat as different);
* the payload must be exactly one complete GZIP member, nothing after it;
* decompression is streamed and stops past `max_bytes`, so a few kilobytes of GZIP cannot make
  us allocate gigabytes (a gzip bomb);
* a list shorter than the minimum (131,072 entries, the spec's herd-privacy floor) is refused.
Every refusal is a `BitstringError` carrying the W3C error code.
"""

from __future__ import annotations

import base64
import gzip
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from vc_engine.errors import BadInput

MIN_ENTRIES = 131_072
"""The spec's minimum list length (16 KB of bits): smaller lists give too little herd privacy."""

MAX_DECODED_BYTES = 16 * 1024 * 1024
"""Default cap on a decoded list (134 million one-bit entries), far above any real list."""

_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
# 16 + MAX_WBITS: accept the GZIP wrapper only (not raw deflate, not zlib).
_GZIP_WBITS = 16 + zlib.MAX_WBITS


class StatusErrorCode(StrEnum):
    """The error codes of Bitstring Status List v1.0, section "Processing Errors"."""

    STATUS_RETRIEVAL_ERROR = "STATUS_RETRIEVAL_ERROR"
    STATUS_VERIFICATION_ERROR = "STATUS_VERIFICATION_ERROR"
    STATUS_LIST_LENGTH_ERROR = "STATUS_LIST_LENGTH_ERROR"
    MALFORMED_VALUE_ERROR = "MALFORMED_VALUE_ERROR"
    RANGE_ERROR = "RANGE_ERROR"


class BitstringError(BadInput):
    """A status list that cannot be decoded, or a look-up it cannot answer; `code` says which."""

    def __init__(self, code: StatusErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Bitstring:
    """An immutable list of bits, `len(data) * 8` of them."""

    data: bytes

    @classmethod
    def from_indices(cls, size: int, indices: Iterable[int]) -> Bitstring:
        """`size` bits (a multiple of 8), those at `indices` set."""
        if size < 0 or size % 8:
            raise ValueError(f"a bitstring holds whole bytes; {size} bits is not a multiple of 8")
        buffer = bytearray(size // 8)
        for index in indices:
            if not 0 <= index < size:
                raise _range_error(index, 1, size)
            buffer[index >> 3] |= 0x80 >> (index & 7)
        return cls(bytes(buffer))

    @property
    def size(self) -> int:
        return len(self.data) * 8

    def get(self, index: int) -> bool:
        return self.status(index) == 1

    def status(self, index: int, status_size: int = 1) -> int:
        """The `status_size`-bit entry at `index`, read most significant bit first (the order
        of @digitalbazaar/bitstring; the spec does not spell it out for sizes above 1)."""
        if status_size < 1:
            raise ValueError(f"statusSize must be at least 1, got {status_size}")
        start = index * status_size
        if index < 0 or start + status_size > self.size:
            raise _range_error(index, status_size, self.size)
        value = 0
        for bit in range(start, start + status_size):
            value = (value << 1) | ((self.data[bit >> 3] >> (7 - (bit & 7))) & 1)
        return value

    def set_indices(self) -> list[int]:
        """The indices of the set bits, ascending."""
        return [
            byte_index * 8 + bit
            for byte_index, byte in enumerate(self.data)
            if byte
            for bit in range(8)
            if byte & (0x80 >> bit)
        ]


def encode(bits: Bitstring) -> str:
    """The `encodedList` text: deterministic (GZIP mtime 0), so one list has one encoding."""
    compressed = gzip.compress(bits.data, compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode(
    text: str,
    *,
    min_entries: int = MIN_ENTRIES,
    status_size: int = 1,
    max_bytes: int = MAX_DECODED_BYTES,
) -> Bitstring:
    """Parse an `encodedList`, refusing everything the module docstring lists.

    `min_entries` counts entries of `status_size` bits each, as the spec's length check does.
    """
    if not text.startswith("u"):
        raise _malformed("encodedList must start with the multibase prefix 'u' (base64url)")
    compressed = _base64url(text[1:])
    data = _gunzip(compressed, max_bytes)
    entries = len(data) * 8 // status_size
    if entries < min_entries:
        raise BitstringError(
            StatusErrorCode.STATUS_LIST_LENGTH_ERROR,
            f"the status list holds {entries} entries; at least {min_entries} are required",
        )
    return Bitstring(data)


def _base64url(body: str) -> bytes:
    if "=" in body:
        raise _malformed("encodedList must be base64url without padding ('=' found)")
    if not _BASE64URL.fullmatch(body):
        raise _malformed("encodedList has characters outside the base64url alphabet")
    if len(body) % 4 == 1:
        raise _malformed("encodedList has an impossible base64url length")
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != body:
        raise _malformed("encodedList is not in canonical base64url (stray trailing bits)")
    return raw


def _gunzip(compressed: bytes, max_bytes: int) -> bytes:
    inflater = zlib.decompressobj(_GZIP_WBITS)
    try:
        data = inflater.decompress(compressed, max_bytes + 1)
    except zlib.error as exc:
        raise _malformed(f"encodedList is not GZIP data: {exc}") from None
    if len(data) > max_bytes or inflater.unconsumed_tail:
        raise _malformed(f"the status list decompresses to more than {max_bytes} bytes")
    if not inflater.eof:
        raise _malformed("the GZIP data of encodedList is truncated")
    if inflater.unused_data:
        raise _malformed("encodedList carries data after its GZIP member")
    return data


def _malformed(message: str) -> BitstringError:
    return BitstringError(StatusErrorCode.MALFORMED_VALUE_ERROR, message)


def _range_error(index: int, status_size: int, size: int) -> BitstringError:
    return BitstringError(
        StatusErrorCode.RANGE_ERROR,
        f"status index {index} (statusSize {status_size}) lies outside the list of {size} bits",
    )
