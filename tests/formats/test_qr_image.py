"""QR codes read from images: a clean PNG and a JPEG verify; a decompression bomb, an image
with no QR code, a QR code of something else and a broken file are FORMAT_FAILURE reports."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
import segno
from formats.test_qr import P256, POLICY, document, trust
from PIL import Image

from vc_engine import doctypes, keys
from vc_engine.formats import IMAGE, QR_CWT, detect_format, qr
from vc_engine.model import Indication, SubIndication
from vc_engine.verify import verify


def _png(text: str, scale: int = 4) -> bytes:
    out = io.BytesIO()
    segno.make_qr(text, error="q").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def _qr_text() -> str:
    return qr.issue(doctypes.printable_document(document()), keys.FileSigner(P256)).decode()


@pytest.mark.parametrize("kind", ["PNG", "JPEG"])
def test_a_qr_code_in_an_image_verifies(kind: str) -> None:
    image = Image.open(io.BytesIO(_png(_qr_text()))).convert("L")
    out = io.BytesIO()
    image.save(out, format=kind, quality=60)
    data = out.getvalue()
    assert detect_format(data) == IMAGE
    report = verify(data, trust(P256).snapshot(), POLICY)
    assert report.indication is Indication.PASSED, report.checks
    assert report.format == QR_CWT
    assert report.checks[0].name == "image"
    assert report.document is not None and report.document.id == document().id


def _bomb_png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (_bomb_png(100_000, 100_000), "pixels"),
        (_bomb_png(10_000, 5_000), "pixels"),
        (_png("https://example.org/not-a-document"), "no QR code"),
        (_png("VC2:SOMETHING"), "no QR code"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "cannot be read"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "cannot be read"),
    ],
    ids=["bomb", "large", "other-qr", "other-version", "broken-png", "broken-jpeg"],
)
def test_bad_images_are_format_failures(data: bytes, why: str) -> None:
    report = verify(data, trust(P256).snapshot(), POLICY)
    assert report.indication is Indication.FAILED
    assert report.sub_indication is SubIndication.FORMAT_FAILURE
    assert why in report.checks[0].message


def test_a_white_image_shows_no_qr_code() -> None:
    out = io.BytesIO()
    Image.new("L", (800, 600), 255).save(out, format="PNG")
    report = verify(out.getvalue(), trust(P256).snapshot(), POLICY)
    assert report.sub_indication is SubIndication.FORMAT_FAILURE
