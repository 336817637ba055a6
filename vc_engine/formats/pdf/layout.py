"""The certificate page, drawn with fpdf2: HarfBuzz shaping (uharfbuzz) so Bengali and
Devanagari conjuncts and vowel signs come out as a reader expects, Noto fonts embedded and
subset, the QR code as an image, and the originals as PDF/A-3 associated files.

The fonts are Debian's fonts-noto-core. Latin text is set in Noto Sans; a character it lacks
falls back to Noto Sans Bengali, then Noto Sans Devanagari, run by run, so a label such as
"Name / নাম" is shaped in both scripts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import zxingcpp
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from PIL import Image

from vc_engine.formats.pdf.page import Attachment, PrintedPage, Table

FONT_DIRECTORY = Path("/usr/share/fonts/truetype/noto")
FONTS = {
    ("latin", ""): "NotoSans-Regular.ttf",
    ("latin", "B"): "NotoSans-Bold.ttf",
    ("bengali", ""): "NotoSansBengali-Regular.ttf",
    ("devanagari", ""): "NotoSansDevanagari-Regular.ttf",
}
"""Bold Latin for values and headings; Bengali and Devanagari in their regular weight only,
since every embedded font is subset on every page and that is most of a page's cost."""
_FALLBACK = ["bengali", "devanagari"]
QR_WIDTH_MM = 35.0
"""The printed width of the QR code: a phone camera reads version 25 at this size."""


class FontsMissing(RuntimeError):
    """The Noto fonts are not installed (Debian package fonts-noto-core)."""


def render(page: PrintedPage, attachments: tuple[Attachment, ...], created: datetime) -> bytes:
    """The page as PDF bytes, ready to sign."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_creation_date(created.astimezone(UTC))
    pdf.set_producer("vc-engine")
    pdf.set_title(page.titles[0])
    pdf.set_lang("en")
    _fonts(pdf)
    pdf.set_text_shaping(True)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_margins(20, 20, 20)
    width = pdf.w - 40

    pdf.set_font("latin", style="B", size=18)
    for title in page.titles:
        pdf.multi_cell(width - QR_WIDTH_MM - 5, 9, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.image(_qr_image(page.qr_text), x=pdf.w - 20 - QR_WIDTH_MM, y=20, w=QR_WIDTH_MM)
    pdf.set_y(max(pdf.get_y(), 20 + QR_WIDTH_MM) + 4)

    _pairs(pdf, width, ((page.issuer, ""),), label_width=width)
    _rule(pdf)
    _pairs(pdf, width, page.fields)
    for table in page.tables:
        _table(pdf, width, table)
    _rule(pdf)
    _pairs(pdf, width, (("Document id", page.document_id), *page.dates))
    pdf.ln(4)
    pdf.set_font("latin", size=8)
    pdf.multi_cell(
        width,
        4,
        "This page is signed by its issuer (PAdES). The signed XML and the signed credential "
        "are attached to this file. Verify the file, or the QR code on a printout, with "
        "vc-engine.",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    for attachment in attachments:
        pdf.embed_file(
            bytes=attachment.data,
            basename=attachment.name,
            mime_type=attachment.media_type,
            associated_file_relationship="Alternative",
            desc=attachment.description,
            modification_date=created,
            creation_date=created,
            compress=True,
        )
    return bytes(pdf.output())


def _fonts(pdf: FPDF) -> None:
    for (family, style), file in FONTS.items():
        path = FONT_DIRECTORY / file
        if not path.is_file():
            raise FontsMissing(f"{path} is missing: install Debian's fonts-noto-core")
        pdf.add_font(family, style=style, fname=str(path))
    pdf.set_fallback_fonts(_FALLBACK, exact_match=False)


def _pairs(
    pdf: FPDF, width: float, pairs: tuple[tuple[str, str], ...], label_width: float = 60
) -> None:
    for label, value in pairs:
        top = pdf.get_y()
        pdf.set_font("latin", size=10)
        pdf.multi_cell(label_width, 6, label, new_x=XPos.RIGHT, new_y=YPos.TOP)
        label_bottom = pdf.get_y() if not value else top
        if value:
            pdf.set_font("latin", style="B", size=11)
            pdf.set_xy(20 + label_width, top)
            pdf.multi_cell(width - label_width, 6, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        else:
            pdf.set_xy(20, label_bottom + 6)
        pdf.set_y(max(pdf.get_y(), top + 6) + 1)


def _table(pdf: FPDF, width: float, table: Table) -> None:
    pdf.ln(2)
    pdf.set_font("latin", size=10)
    pdf.cell(width, 6, table.label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("latin", size=9)
    with pdf.table(width=width, line_height=5, text_align="LEFT") as grid:
        header = grid.row()
        for column in table.columns:
            header.cell(column)
        for values in table.rows:
            row = grid.row()
            for value in values:
                row.cell(value)


def _rule(pdf: FPDF) -> None:
    pdf.ln(2)
    pdf.line(20, pdf.get_y(), pdf.w - 20, pdf.get_y())
    pdf.ln(3)


def _qr_image(text: str) -> Image.Image:
    """The QR code at level Q, 4 pixels a module with its quiet zone (zxing-cpp's encoder: a
    C++ encoder is two orders of magnitude faster than a pure-Python one at choosing the mask)."""
    symbol = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="Q")
    image = symbol.to_image(scale=4, add_quiet_zones=True)
    raster = memoryview(image)  # type: ignore[arg-type]  # a buffer; its stub does not say
    height, width = raster.shape or (0, 0)
    return Image.frombytes("L", (width, height), raster.tobytes())
