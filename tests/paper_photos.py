"""Photos and scans of printed pages, made from the engine's own PDFs: pdftoppm renders the page
(as a printer would), then Pillow degrades it as a phone camera does: the page lies rotated up
to 20 degrees among other papers on a desk, seen in perspective, lit unevenly, slightly out of
focus, saved as JPEG at quality 50, at 1 to 12 megapixels. Each photo is a function of its seed.
"""

from __future__ import annotations

import io
import math
import random
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

QR_CENTRE = (1 - 37.5 / 210, 37.5 / 297)
"""Where the QR code's centre lies on the A4 page, as fractions of its width and height."""


def render_page(pdf: bytes, dpi: int = 300) -> Image.Image:
    """The PDF's first page as pdftoppm (Debian poppler-utils) prints it, in grey."""
    with tempfile.TemporaryDirectory() as directory:
        source = Path(directory) / "page.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-gray", "-png", "-f", "1", "-l", "1", "-singlefile",
             str(source), str(Path(directory) / "page")],
            check=True,
        )  # fmt: skip
        with Image.open(Path(directory) / "page.png") as image:
            return image.convert("L")


@dataclass(frozen=True)
class Photo:
    seed: int
    megapixels: float
    rotation: float
    data: bytes


def photograph(page: Image.Image, seed: int, megapixels: float) -> Photo:
    """One degraded photo of `page` (see the module docstring), as JPEG bytes."""
    rng = random.Random(seed)
    width = int((megapixels * 1e6 * 4 / 3) ** 0.5)
    height = int(width * 3 / 4)
    desk = Image.new("L", (width, height), rng.randint(60, 140))
    _other_papers(desk, rng)
    # How much of the page's height the frame holds: the whole page (and desk) at 12 MP; a
    # phone with fewer pixels is held closer, around the QR code, as a clerk does.
    view = min(1.15, max(0.3, (megapixels / 12) ** 0.5 * rng.uniform(0.85, 1.1)))
    page_height = int(height / view)
    sheet = page.resize((int(page_height * page.width / page.height), page_height))
    rotation = rng.uniform(-20, 20)
    qr = ((QR_CENTRE[0] - 0.5) * sheet.width, (QR_CENTRE[1] - 0.5) * sheet.height)
    sheet = sheet.convert("LA").rotate(rotation, expand=True, resample=Image.Resampling.BICUBIC)
    sheet = _perspective(sheet, rng)
    angle = math.radians(rotation)
    # Where the QR code lands on the rotated sheet, relative to its centre.
    qx = qr[0] * math.cos(angle) + qr[1] * math.sin(angle)
    qy = -qr[0] * math.sin(angle) + qr[1] * math.cos(angle)
    focus = (qx, qy) if view < 0.9 else (0.0, 0.0)
    left = int(width / 2 - sheet.width / 2 - focus[0]) + rng.randint(-width // 10, width // 10)
    top = int(height / 2 - sheet.height / 2 - focus[1]) + rng.randint(-height // 10, height // 10)
    # The photo is of the QR code: keep it (with its quiet zone) inside the frame.
    reach = 0.75 * (35 / 210) * page_height * page.width / page.height
    x, y = left + sheet.width / 2 + qx, top + sheet.height / 2 + qy
    left += int(max(0, reach - x) - max(0, x + reach - width))
    top += int(max(0, reach - y) - max(0, y + reach - height))
    desk.paste(sheet.convert("L"), (left, top), sheet.getchannel("A"))
    lit = _uneven_light(desk, rng)
    blurred = lit.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 1.2)))
    out = io.BytesIO()
    blurred.convert("RGB").save(out, format="JPEG", quality=50)
    return Photo(seed, megapixels, rotation, out.getvalue())


def _other_papers(desk: Image.Image, rng: random.Random) -> None:
    draw = ImageDraw.Draw(desk)
    for _ in range(rng.randint(2, 4)):
        x, y = rng.randint(0, desk.width), rng.randint(0, desk.height)
        w, h = desk.width // rng.randint(2, 4), desk.height // rng.randint(2, 4)
        draw.rectangle((x - w, y - h, x + w, y + h), fill=rng.randint(200, 245))
        for line in range(y - h + 20, y + h - 20, 24):
            draw.line((x - w + 20, line, x + w - 20, line), fill=rng.randint(40, 90), width=3)


def _perspective(sheet: Image.Image, rng: random.Random) -> Image.Image:
    """A camera not quite above the page: the far edge shrinks by up to 12%."""
    w, h = sheet.size
    shrink = rng.uniform(0.0, 0.12) * w
    source = [(shrink / 2, 0), (w - shrink / 2, 0), (w, h), (0, h)]
    target = [(0, 0), (w, 0), (w, h), (0, h)]
    coefficients = _coefficients(target, source)
    return sheet.transform(
        (w, h), Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BICUBIC
    )


def _coefficients(
    target: list[tuple[float, float]], source: list[tuple[float, float]]
) -> tuple[float, ...]:
    """The eight perspective coefficients mapping `target` corners onto `source` corners."""
    rows: list[list[float]] = []
    values: list[float] = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values += [u, v]
    return tuple(_solve(rows, values))


def _solve(matrix: list[list[float]], values: list[float]) -> list[float]:
    size = len(values)
    rows = [[*row, value] for row, value in zip(matrix, values, strict=True)]
    for column in range(size):
        pivot = max(range(column, size), key=lambda r: abs(rows[r][column]))
        rows[column], rows[pivot] = rows[pivot], rows[column]
        for r in range(size):
            if r != column:
                factor = rows[r][column] / rows[column][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[column], strict=True)]
    return [rows[r][size] / rows[r][r] for r in range(size)]


def _uneven_light(image: Image.Image, rng: random.Random) -> Image.Image:
    """Brighter on one side than the other: a window, a lamp, the phone's shadow."""
    gradient = Image.linear_gradient("L").resize(image.size).rotate(rng.uniform(0, 360))
    low = rng.uniform(0.55, 0.8)
    shade = gradient.point(lambda v: int(255 * (low + (1 - low) * v / 255)))
    return Image.composite(image, Image.new("L", image.size, 0), shade)
