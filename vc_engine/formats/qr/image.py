"""The QR code in a photo or scan (PNG or JPEG), read with zxing-cpp.

A hostile image is bounded before its pixels are decoded: the container must be PNG or JPEG,
its header's pixel count at most `MAX_PIXELS` (so the decoded raster, at most 3 bytes a pixel,
is bounded too: a decompression bomb is refused from its header, in microseconds), and Pillow's
own text-chunk limits bound PNG metadata. A JPEG is decoded for its luminance only.

A large JPEG is first decoded at half or a quarter of its size by the JPEG decoder's own DCT
scaling (`DRAFT_PIXELS`), which costs a third of decoding every pixel: a phone's photo of a
printed page usually shows the symbol large enough there. Only when that fails is the whole
photo decoded; the symbol is then decoded from the full-size pixels around where the reduced
decode saw it, or searched on the whole photo once, for a dark symbol on a light page, at its
own size; then as before on a reduced copy, and finally every way zxing-cpp knows. A symbol
seen but not decoded is tried again sharpened (`_cropped`).
"""

from __future__ import annotations

import io
import warnings

import zxingcpp
from PIL import Image, ImageFilter, UnidentifiedImageError

from vc_engine.formats import QR_PREFIX, Rejected
from vc_engine.i18n import report as said
from vc_engine.model import SubIndication

MAX_PIXELS = 40_000_000
"""A 40-megapixel photo is larger than any phone takes today."""

WORKING_PIXELS = 1_000_000
"""Above this size the symbol is first located on a smaller copy, then decoded from the
full-size pixels around it: decoding a whole 12-megapixel photo costs several times that."""

DRAFT_PIXELS = 2_500_000
"""The least a JPEG's reduced decode keeps: at 12 megapixels, half the width and height, where
a QR code photographed with its whole A4 page has more than a pixel a module."""

_FORMATS = ("PNG", "JPEG")
_SHARPEN = ImageFilter.UnsharpMask(radius=2, percent=150, threshold=0)
_QR_CODE = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


def decode_qr(data: bytes) -> bytes:
    """The text of the engine's QR code in the image; `Rejected` (FORMAT_FAILURE) when the image
    is no PNG or JPEG, is too large, or shows no QR code of ours."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=_FORMATS) as image:
                _bounded(image)
                found, seen = _drafted(image)
            if found is not None:
                return found
            with Image.open(io.BytesIO(data), formats=_FORMATS) as image:
                return _read(image, seen)
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
            raise _failure(f"the image cannot be read: {type(error).__name__}") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _failure(
                "the image has more pixels than any photo (a decompression bomb)"
            ) from None


def _bounded(image: Image.Image) -> None:
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise _failure(f"the image is {width}x{height} pixels; at most {MAX_PIXELS:,} are read")


_Box = tuple[int, int, int, int]


def _drafted(image: Image.Image) -> tuple[bytes | None, list[_Box]]:
    """The QR text read from a large JPEG decoded at a reduced scale, else None and where in
    the full-size image symbols were seen that did not decode there (a small image or a PNG
    is not tried: the caller decodes the whole image)."""
    width, height = image.size
    scale = 1
    while scale < 4 and width * height // (2 * scale) ** 2 >= DRAFT_PIXELS:
        scale *= 2
    if image.format != "JPEG" or scale == 1:
        return None, []
    image.draft("L", (width // scale, height // scale))
    reduced = image.convert("L")
    factor = width / reduced.width
    seen = []
    for barcode in _symbols(reduced, return_errors=True):
        if barcode.valid and barcode.bytes.startswith(QR_PREFIX):
            return bytes(barcode.bytes), []
        seen.append(_around(barcode.position, factor, (width, height)))
    return None, seen


def _read(image: Image.Image, seen: list[_Box]) -> bytes:
    width, height = image.size
    if image.format == "JPEG":
        image.draft("L", image.size)  # decode the luminance only: all a QR code needs
    grey = image.convert("L")
    found = next(filter(None, (_cropped(grey, box) for box in seen)), None)
    if found is None and width * height > WORKING_PIXELS:
        found = _quick(grey) or _located(grey)
    if found is None:
        found = scan_image(grey) or _sharpened(grey)
    if found is None:
        raise _failure("the image shows no QR code of this engine")
    return found


def _cropped(grey: Image.Image, box: _Box) -> bytes | None:
    """The symbol decoded from the pixels in `box`, sharpened when it does not decode as it
    is: a small printed symbol (under three pixels a module) blurred by the camera is found
    but read with more module errors than level Q corrects, until its edges are sharpened."""
    crop = grey.crop(box)
    return scan_image(crop) or scan_image(crop.filter(_SHARPEN))


def _sharpened(grey: Image.Image) -> bytes | None:
    """The last try, for an image nothing else read: sharpen around each symbol seen with
    errors, then the whole image (where the blur hid even the symbol's finder patterns)."""
    for barcode in _symbols(grey, return_errors=True):
        crop = grey.crop(_around(barcode.position, 1, grey.size))
        found = scan_image(crop.filter(_SHARPEN))
        if found is not None:
            return found
    return _quick(grey.filter(_SHARPEN))


def _located(grey: Image.Image) -> bytes | None:
    """Find the symbol on a quarter-size copy (a printed QR code is often too small there to
    decode, but not to locate), then decode it from the full-size pixels around it."""
    factor = max(2, int((grey.width * grey.height / WORKING_PIXELS) ** 0.5))
    small = grey.reduce(factor)
    for barcode in zxingcpp.read_barcodes(small, formats=_QR_CODE, return_errors=True):
        if barcode.valid and barcode.bytes.startswith(QR_PREFIX):
            return bytes(barcode.bytes)
        found = _cropped(grey, _around(barcode.position, factor, grey.size))
        if found is not None:
            return found
    return None


def _quick(image: Image.Image) -> bytes | None:
    return next((bytes(b.bytes) for b in _symbols(image) if b.bytes.startswith(QR_PREFIX)), None)


def _symbols(image: Image.Image, *, return_errors: bool = False) -> list[zxingcpp.Barcode]:
    """zxing-cpp's quick search: a dark symbol on a light page, at the image's own size."""
    return zxingcpp.read_barcodes(
        image,
        formats=_QR_CODE,
        try_rotate=False,
        try_downscale=False,
        try_invert=False,
        return_errors=return_errors,
    )


def _around(corners: zxingcpp.Position, factor: float, size: tuple[int, int]) -> _Box:
    """The box around a symbol seen at 1/`factor` scale, in full-size pixels, with a margin."""
    points = (corners.top_left, corners.top_right, corners.bottom_left, corners.bottom_right)
    xs = [int(p.x * factor) for p in points]
    ys = [int(p.y * factor) for p in points]
    margin = (max(xs) - min(xs) + max(ys) - min(ys)) // 4 + 8
    return (
        max(0, min(xs) - margin),
        max(0, min(ys) - margin),
        min(size[0], max(xs) + margin),
        min(size[1], max(ys) + margin),
    )


def scan_image(image: Image.Image) -> bytes | None:
    """The engine's QR text in a decoded image, or None."""
    for barcode in zxingcpp.read_barcodes(image, formats=_QR_CODE):
        if barcode.bytes.startswith(QR_PREFIX):
            return bytes(barcode.bytes)
    return None


def _failure(message: str) -> Rejected:
    return Rejected("image", SubIndication.FORMAT_FAILURE, said.IMAGE_REFUSED(detail=message))
