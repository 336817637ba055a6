"""Base45 (RFC 9285): bytes as the 45 characters of a QR code's alphanumeric mode.

Two bytes become three characters (one byte at the end becomes two), so a QR code holds the
signed payload in alphanumeric mode at 5.5 bits a character instead of 8 in byte mode.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_VALUE = {character: value for value, character in enumerate(ALPHABET)}


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
    character, or a group whose value does not fit its bytes (RFC 9285 section 4.2)."""
    if len(text) % 3 == 1:
        raise Base45Error(f"{len(text)} characters: a Base45 text never has 3n+1")
    out = bytearray()
    for start in range(0, len(text), 3):
        group = text[start : start + 3]
        try:
            digits = [_VALUE[character] for character in group]
        except KeyError:
            raise Base45Error(f"a character outside the Base45 alphabet near {start}") from None
        value = sum(digit * 45**power for power, digit in enumerate(digits))
        if len(digits) == 3:
            if value > 0xFFFF:
                raise Base45Error(f"the group at {start} is larger than two bytes")
            out += value.to_bytes(2, "big")
        else:
            if value > 0xFF:
                raise Base45Error(f"the final group at {start} is larger than one byte")
            out.append(value)
    return bytes(out)
