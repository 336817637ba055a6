"""The PDF file itself: numbered objects, written in one pass with a classic cross-reference
table. The page is written whole, signature dictionary included, so that signing is a digest
over the written bytes and a signature put in the space left for it (pades), instead of
reading the file back and appending an incremental update to it."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime


class Objects:
    """The objects of one file, numbered from 1 in the order they are reserved."""

    def __init__(self) -> None:
        self._bodies: list[bytes | None] = []

    def reserve(self) -> int:
        self._bodies.append(None)
        return len(self._bodies)

    def put(self, number: int, body: bytes) -> int:
        self._bodies[number - 1] = body
        return number

    def add(self, body: bytes) -> int:
        return self.put(self.reserve(), body)

    def stream(self, dictionary: bytes, data: bytes, *, compress: bool = True) -> int:
        """A stream object; compressed with Flate unless `dictionary` names its own filter."""
        if compress:
            data = zlib.compress(data, 6)
            dictionary += b"/Filter/FlateDecode"
        return self.add(b"<<%s/Length %d>>stream\n%s\nendstream" % (dictionary, len(data), data))

    def write(self, root: int, info: int, identity: bytes) -> tuple[bytes, list[int]]:
        """The file, and each object's offset in it (by number, from 1); `identity` is the
        file's /ID (16 bytes), which the caller derives from what the page shows (digesting the
        whole file for it would be one more pass over every byte)."""
        parts = [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"]
        offsets: list[int] = []
        position = len(parts[0])
        for number, body in enumerate(self._bodies, start=1):
            if body is None:
                raise ValueError(f"object {number} was reserved and never written")
            chunk = b"%d 0 obj\n%s\nendobj\n" % (number, body)
            offsets.append(position)
            parts.append(chunk)
            position += len(chunk)
        hexed = identity.hex().encode("ascii")
        table = [b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)]
        table += [b"%010d 00000 n \n" % offset for offset in offsets]
        trailer = (
            b"trailer\n<</Size %d/Root %d 0 R/Info %d 0 R/ID[<%s><%s>]>>\nstartxref\n%d\n%%%%EOF\n"
            % (
                len(offsets) + 1,
                root,
                info,
                hexed,
                hexed,
                position,
            )
        )
        return b"".join([*parts, *table, trailer]), offsets


def ref(number: int) -> bytes:
    return b"%d 0 R" % number


def text(value: str) -> bytes:
    """A PDF text string: literal when it is printable ASCII, else UTF-16BE with its mark."""
    if value.isascii() and value.isprintable():
        escaped = value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return b"(" + escaped.encode("ascii") + b")"
    return b"<feff" + value.encode("utf-16-be").hex().encode("ascii") + b">"


def name(value: str) -> bytes:
    """A PDF name, with every character outside the regular ones written as #xx."""
    out = bytearray(b"/")
    for byte in value.encode("utf-8"):
        if 0x21 <= byte <= 0x7E and byte not in b"#%/()<>[]{}":
            out.append(byte)
        else:
            out += b"#%02X" % byte
    return bytes(out)


def date(value: datetime) -> bytes:
    return b"(D:" + value.astimezone(UTC).strftime("%Y%m%d%H%M%SZ").encode("ascii") + b")"


def number(value: float) -> bytes:
    """A PDF number with at most three decimals and no trailing zeros."""
    formatted = f"{value:.3f}".rstrip("0").rstrip(".")
    return (formatted if formatted not in ("-0", "") else "0").encode("ascii")
