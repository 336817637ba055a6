"""Base45 (RFC 9285): bytes as the 45 characters of a QR code's alphanumeric mode.

Two bytes become three characters (one byte at the end becomes two), so a QR code holds the
signed payload in alphanumeric mode at 5.5 bits a character instead of 8 in byte mode.
"""

from __future__ import annotations

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

    No loop runs per group: the characters become digit values in one `bytes.translate`, each
    group's three digits are spread into 32-bit lanes of three big integers (slice assignment),
    and one sum c + 45d + 2025e computes every group's value at once, in its own lane (a value
    is below 2**17, so no lane carries into the next); the two bytes of each value are then
    sliced out of the lanes, and a value above two bytes shows as a non-zero third byte."""
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
    groups = whole // 3
    lanes = bytearray(4 * groups)
    lanes[0::4] = digits[0:whole:3]
    c = int.from_bytes(lanes, "little")
    lanes[0::4] = digits[1:whole:3]
    d = int.from_bytes(lanes, "little")
    lanes[0::4] = digits[2:whole:3]
    e = int.from_bytes(lanes, "little")
    values = (c + 45 * d + 2025 * e).to_bytes(4 * groups, "little")
    if values[2::4].count(0) != groups:
        raise Base45Error("a group is larger than two bytes")
    out = bytearray(2 * groups)
    out[0::2] = values[1::4]
    out[1::2] = values[0::4]
    if whole < len(digits):
        last = digits[whole] + 45 * digits[whole + 1]
        if last > 0xFF:
            raise Base45Error("the final group is larger than one byte")
        out.append(last)
    return bytes(out)
