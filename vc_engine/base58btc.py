"""Base58btc (the Bitcoin alphabet), the encoding of Multikeys and Data Integrity proof values.

One table look-up per character: the `base58` package searches the alphabet for every character,
which costs a verifier more than the signature check it precedes. Tests compare this codec with
that package on random inputs.
"""

from __future__ import annotations

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_VALUE = {character: value for value, character in enumerate(ALPHABET)}


def encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, digit = divmod(number, 58)
        digits.append(ALPHABET[digit])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(digits))


def decode(text: str) -> bytes:
    """Raise ValueError for any character outside the alphabet."""
    number = 0
    try:
        for character in text:
            number = number * 58 + _VALUE[character]
    except KeyError:
        raise ValueError("not a base58btc character") from None
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")
