"""Base45 (RFC 9285): bytes as the 45 characters of a QR code's alphanumeric mode.

Two bytes become three characters (one byte at the end becomes two), so a QR code holds the
signed payload in alphanumeric mode at 5.5 bits a character instead of 8 in byte mode.
"""

from __future__ import annotations

import struct

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_INVALID = b"\xff"
_DIGITS = bytes(ALPHABET.index(chr(b)) if chr(b) in ALPHABET else 0xFF for b in range(256))
"""Each ASCII byte's Base45 digit value, 0xFF for a byte outside the alphabet."""


class Base45Error(ValueError):
    """Text that is not Base45; the message says where."""


def encode(data: bytes) -> str:
    out: list[str] = []
    for start in range(0, len(data) - 1, 2):
        value = data[start] * 256 + data[start + 1]
        value, c = divmod(value, 45)
        e, d = divmod(value, 45)
        out += (ALPHABET[c], ALPHABET[d], ALPHABET[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out += (ALPHABET[c], ALPHABET[d])
    return "".join(out)


def decode(text: str) -> bytes:
    """The bytes `text` encodes; Base45Error for a character outside the alphabet, a dangling
    character, or a group whose value does not fit its bytes (RFC 9285 section 4.2).

    The characters become digit values in one `bytes.translate` and the groups are summed by
    slices, so a QR code's thousand characters decode in microseconds."""
    if len(text) % 3 == 1:
        raise Base45Error(f"{len(text)} characters: a Base45 text never has 3n+1")
    try:
        digits = text.encode("ascii").translate(_DIGITS)
    except UnicodeEncodeError:
        raise Base45Error("a character outside the Base45 alphabet") from None
    bad = digits.find(_INVALID)
    if bad >= 0:
        raise Base45Error(f"a character outside the Base45 alphabet at {bad}")
    whole = len(digits) - len(digits) % 3
    values = [
        c + 45 * d + 2025 * e
        for c, d, e in zip(digits[0:whole:3], digits[1:whole:3], digits[2:whole:3], strict=True)
    ]
    if values and max(values) > 0xFFFF:
        raise Base45Error("a group is larger than two bytes")
    out = struct.pack(f">{len(values)}H", *values)
    if whole < len(digits):
        last = digits[whole] + 45 * digits[whole + 1]
        if last > 0xFF:
            raise Base45Error("the final group is larger than one byte")
        out += bytes((last,))
    return out
