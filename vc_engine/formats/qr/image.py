"""The QR code in a photo or scan (PNG or JPEG), read with zxing-cpp.

A hostile image is bounded before its pixels are decoded: the container must be PNG or JPEG,
its header's pixel count at most `MAX_PIXELS` (so the decoded raster, at most 3 bytes a pixel,
is bounded too: a decompression bomb is refused from its header, in microseconds), and Pillow's
own text-chunk limits bound PNG metadata. A JPEG is decoded for its luminance only; a large
photo is searched on a reduced copy first and the symbol decoded from the full-size pixels
around where it was found.
"""

from __future__ import annotations

import io
import warnings

import zxingcpp
from PIL import Image, UnidentifiedImageError

from vc_engine.formats import QR_PREFIX, Rejected
from vc_engine.i18n import report as said
from vc_engine.model import SubIndication

MAX_PIXELS = 40_000_000
"""A 40-megapixel photo is larger than any phone takes today."""

WORKING_PIXELS = 1_000_000
"""Above this size the symbol is first located on a smaller copy, then decoded from the
full-size pixels around it: decoding a whole 12-megapixel photo costs several times that."""

_FORMATS = ("PNG", "JPEG")
_QR_CODE = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


def decode_qr(data: bytes) -> bytes:
    """The text of the engine's QR code in the image; `Rejected` (FORMAT_FAILURE) when the image
    is no PNG or JPEG, is too large, or shows no QR code of ours."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=_FORMATS) as image:
                return _read(image)
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
            raise _failure(f"the image cannot be read: {type(error).__name__}") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _failure(
                "the image has more pixels than any photo (a decompression bomb)"
            ) from None


def _read(image: Image.Image) -> bytes:
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise _failure(f"the image is {width}x{height} pixels; at most {MAX_PIXELS:,} are read")
    if image.format == "JPEG":
        image.draft("L", image.size)  # decode the luminance only: all a QR code needs
    grey = image.convert("L")
    found = _located(grey) if width * height > WORKING_PIXELS else None
    if found is None:
        found = scan_image(grey)
    if found is None:
        raise _failure("the image shows no QR code of this engine")
    return found


def _located(grey: Image.Image) -> bytes | None:
    """Find the symbol on a quarter-size copy (a printed QR code is often too small there to
    decode, but not to locate), then decode it from the full-size pixels around it."""
    factor = max(2, int((grey.width * grey.height / WORKING_PIXELS) ** 0.5))
    small = grey.reduce(factor)
    for barcode in zxingcpp.read_barcodes(small, formats=_QR_CODE, return_errors=True):
        if barcode.valid and barcode.bytes.startswith(QR_PREFIX):
            return bytes(barcode.bytes)
        corners = barcode.position
        points = (corners.top_left, corners.top_right, corners.bottom_left, corners.bottom_right)
        xs = [p.x * factor for p in points]
        ys = [p.y * factor for p in points]
        margin = (max(xs) - min(xs) + max(ys) - min(ys)) // 4 + 8
        box = (
            max(0, min(xs) - margin),
            max(0, min(ys) - margin),
            min(grey.width, max(xs) + margin),
            min(grey.height, max(ys) + margin),
        )
        found = scan_image(grey.crop(box))
        if found is not None:
            return found
    return None


def scan_image(image: Image.Image) -> bytes | None:
    """The engine's QR text in a decoded image, or None."""
    for barcode in zxingcpp.read_barcodes(image, formats=_QR_CODE):
        if barcode.bytes.startswith(QR_PREFIX):
            return bytes(barcode.bytes)
    return None


def _failure(message: str) -> Rejected:
    return Rejected("image", SubIndication.FORMAT_FAILURE, said.IMAGE_REFUSED(detail=message))
