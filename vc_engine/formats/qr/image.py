"""The QR code in a photo or scan (PNG or JPEG), read with zxing-cpp.

A hostile image is bounded before its pixels are decoded: the container must be PNG or JPEG,
its header's pixel count at most `MAX_PIXELS` (so the decoded raster, at most 3 bytes a pixel,
is bounded too: a decompression bomb is refused from its header, in microseconds), and Pillow's
own text-chunk limits bound PNG metadata. A large JPEG is decoded at a reduced scale straight
from its DCT coefficients (`draft`), which costs a fraction of a full decode and still leaves a
printed QR code several pixels a module; only when that finds nothing is the full size tried.
"""

from __future__ import annotations

import io
import warnings

import zxingcpp
from PIL import Image, UnidentifiedImageError

from vc_engine.formats import QR_PREFIX, Rejected
from vc_engine.model import SubIndication

MAX_PIXELS = 40_000_000
"""A 40-megapixel photo is larger than any phone takes today."""

WORKING_PIXELS = 3_000_000
"""The size a JPEG is first decoded at: enough for a QR code printed 35 mm wide on a page that
fills the photo."""

_FORMATS = ("PNG", "JPEG")
_QR_CODE = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


def decode_qr(data: bytes) -> bytes:
    """The text of the engine's QR code in the image; `Rejected` (FORMAT_FAILURE) when the image
    is no PNG or JPEG, is too large, or shows no QR code of ours."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=_FORMATS) as image:
                return _read(image, data)
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
            raise _failure(f"the image cannot be read: {type(error).__name__}") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _failure(
                "the image has more pixels than any photo (a decompression bomb)"
            ) from None


def _read(image: Image.Image, data: bytes) -> bytes:
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise _failure(
            f"the image is {width}x{height} pixels; at most {MAX_PIXELS:,} pixels are read"
        )
    if image.format == "JPEG" and width * height > WORKING_PIXELS:
        scale = (width * height / WORKING_PIXELS) ** 0.5
        image.draft("L", (int(width / scale), int(height / scale)))
        found = scan_image(image.convert("L"))
        if found is not None:
            return found
        image = Image.open(io.BytesIO(data), formats=_FORMATS)  # a draft cannot be undone
    found = scan_image(image.convert("L"))
    if found is None:
        raise _failure("the image shows no QR code of this engine")
    return found


def scan_image(image: Image.Image) -> bytes | None:
    """The engine's QR text in a decoded image, or None."""
    for barcode in zxingcpp.read_barcodes(image, formats=_QR_CODE):
        if barcode.bytes.startswith(QR_PREFIX):
            return bytes(barcode.bytes)
    return None


def _failure(message: str) -> Rejected:
    return Rejected("image", SubIndication.FORMAT_FAILURE, message)
