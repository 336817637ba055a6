"""Base58btc (the Bitcoin alphabet), the encoding of Multikeys and Data Integrity proof values.

Base58 is a change of radix, so a naive codec costs time quadratic in the length: one bignum
multiply-and-add per character. Two things keep ours cheap on hostile input:

* every caller states the most bytes a legal value can hold (a P-384 signature is 96 bytes, a
  P-384 Multikey 51), and `decode` refuses a longer text before reading a character of it;
* characters are taken ten at a time (58**10 < 2**64): one bignum step per ten, so the work is
  linear in the text up to the capped size. The characters become digit values in one
  `bytes.translate` (anything outside the alphabet becomes 0xFF and is refused), so the loop
  adds small integers without a dictionary look-up each.

Tests compare this codec with the `base58` package on random inputs.
"""

from __future__ import annotations

import math

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_NOT_A_DIGIT = 0xFF
_DIGITS = bytes(
    ALPHABET.index(chr(byte)) if chr(byte) in ALPHABET else _NOT_A_DIGIT for byte in range(256)
)
_STEP = 10
_STEP_RADIX = 58**_STEP
_CHARACTERS_PER_BYTE = math.log(256) / math.log(58)


def max_length(max_bytes: int) -> int:
    """The longest base58btc text that can encode `max_bytes` bytes (all-zero bytes encode as
    one '1' each, fewer than any other value needs)."""
    return math.ceil(max_bytes * _CHARACTERS_PER_BYTE)


def encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, digit = divmod(number, 58)
        digits.append(ALPHABET[digit])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(digits))


def decode(text: str, *, max_bytes: int) -> bytes:
    """The bytes of `text`; ValueError for a character outside the alphabet, or for a text
    longer than any encoding of `max_bytes` bytes (checked first) or decoding to more."""
    if len(text) > max_length(max_bytes):
        raise ValueError(f"longer than any base58btc encoding of {max_bytes} bytes")
    if not text.isascii():
        raise ValueError("not a base58btc character")
    digits = text.encode("ascii").translate(_DIGITS)
    if _NOT_A_DIGIT in digits:
        raise ValueError("not a base58btc character")
    number = 0
    head = len(digits) % _STEP
    for digit in digits[:head]:
        number = number * 58 + digit
    for start in range(head, len(digits), _STEP):
        chunk = 0
        for digit in digits[start : start + _STEP]:
            chunk = chunk * 58 + digit
        number = number * _STEP_RADIX + chunk
    zeros = len(text) - len(text.lstrip("1"))
    decoded = b"\0" * zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")
    if len(decoded) > max_bytes:
        raise ValueError(f"decodes to more than {max_bytes} bytes")
    return decoded
