"""The certificate page, written directly as PDF: text shaped by HarfBuzz (fonts), set in the
prebuilt embedded fonts, the QR code as an image, and the originals as PDF/A-3 associated files.

Every glyph is shown through a CID of its own page's numbering, and each CID's ToUnicode entry
is the text of the HarfBuzz cluster the glyph begins (nothing for a cluster's further glyphs),
so a conjunct or a split vowel sign extracts as the characters it was shaped from.

Lengths are in millimetres from the top left of an A4 page, as the layout is described; the
content stream gets points from the bottom left.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from itertools import count

import zxingcpp
from PIL import Image

from vc_engine.formats.pdf import writer
from vc_engine.formats.pdf.fonts import (
    BENGALI,
    DEVANAGARI,
    LATIN,
    LATIN_BOLD,
    Font,
    FontsMissing,
    embedded,
    font,
    runs,
)
from vc_engine.formats.pdf.page import Attachment, PrintedPage, Table
from vc_engine.formats.pdf.writer import Objects, ref

__all__ = ["QR_WIDTH_MM", "FontsMissing", "compose", "render"]

QR_WIDTH_MM = 35.0
"""The printed width of the QR code: a phone camera reads version 25 at this size."""
QR_MASK = 0
"""The QR code's data mask, fixed. ISO/IEC 18004 has an encoder score all eight masks and take
the one with the lowest penalty (fewest finder-like patterns and large blocks); every reader
reads any of them. Scoring was four fifths of encoding a version-25 symbol, and on the photo
corpus (tests/paper_photos.py) a fixed mask read as many photos as the scored one."""
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = 210.0, 297.0, 20.0
WIDTH = PAGE_WIDTH - 2 * MARGIN
_POINTS = 72 / 25.4
_PADDING = 1.0
"""A table cell's text keeps this far from its borders."""
_NOTE = (
    "This page is signed by its issuer (PAdES). The signed XML and the signed credential are "
    "attached to this file. Verify the file, or the QR code on a printout, with vc-engine."
)
_ORDER = (LATIN, LATIN_BOLD, BENGALI, DEVANAGARI)


@dataclass(frozen=True)
class _Run:
    """Shaped glyphs in one font at one size, compiled once: the (glyph, text) pairs that get
    CIDs on each page, and the TJ operators with a %04x slot for each CID (advances HarfBuzz
    gives beyond the font's widths as kerning, mark offsets as kerning and text rise)."""

    face: Font
    keys: tuple[tuple[int, str], ...]
    operators: bytes
    advance: float
    """In thousandths of an em."""


Line = tuple[_Run, ...]
"""One line of text: runs, each in one font."""


@dataclass(frozen=True)
class SignatureSlot:
    """The signature's objects as pades writes them: the field's name and the signature
    dictionary's body (its /ByteRange and /Contents still placeholders)."""

    field_name: str
    dictionary: bytes


@dataclass
class _Canvas:
    """The pages drawn so far, and each font's CIDs: one per (glyph, text) pair shown."""

    pages: list[list[bytes]] = field(default_factory=lambda: [[]])
    cids: dict[str, dict[tuple[int, str], int]] = field(default_factory=dict)
    y: float = MARGIN

    @property
    def ops(self) -> list[bytes]:
        return self.pages[-1]

    def need(self, height: float) -> None:
        """A new page when `height` more does not fit above the bottom margin."""
        if self.y + height > PAGE_HEIGHT - MARGIN and self.y > MARGIN:
            self.pages.append([])
            self.y = MARGIN

    def text(self, x: float, top: float, height: float, size: float, line: Line) -> None:
        """One line set from `x` with its baseline where a line of `height` from `top` has it."""
        baseline = top + 0.5 * height + 0.3 * size / _POINTS
        ops = [b"BT 1 0 0 1 %s %s Tm" % (_pt(x), _pt(PAGE_HEIGHT - baseline))]
        points = writer.number(size)
        for run in line:
            table = self.cids.get(run.face.key)
            if table is None:  # numbered from 1 in the order first shown, by C-level calls
                table = self.cids[run.face.key] = defaultdict(count(1).__next__)
            cids = tuple(map(table.__getitem__, run.keys))
            ops.append(b"/%s %s Tf %s" % (run.face.key.encode(), points, run.operators % cids))
        ops.append(b"ET")
        self.ops.append(b" ".join(ops))

    def rule(self) -> None:
        self.y += 2
        self.line(MARGIN, self.y, PAGE_WIDTH - MARGIN, self.y)
        self.y += 3

    def line(self, x1: float, y1: float, x2: float, y2: float) -> None:
        self.ops.append(
            b"%s %s m %s %s l S" % (_pt(x1), _pt(PAGE_HEIGHT - y1), _pt(x2), _pt(PAGE_HEIGHT - y2))
        )

    def box(self, x: float, y: float, width: float, height: float) -> None:
        self.ops.append(
            b"%s %s %s %s re S" % (_pt(x), _pt(PAGE_HEIGHT - y - height), _pt(width), _pt(height))
        )


def render(page: PrintedPage, attachments: tuple[Attachment, ...], created: datetime) -> bytes:
    """The page as PDF bytes, unsigned."""
    data, _ = compose(page, attachments, created, None)
    return data


def compose(
    page: PrintedPage,
    attachments: tuple[Attachment, ...],
    created: datetime,
    signature: SignatureSlot | None,
) -> tuple[bytes, int]:
    """The page as PDF bytes, with the signature field and dictionary when `signature` is
    given; and the offset of the signature dictionary's object (0 without one)."""
    canvas = _Canvas()
    _draw(canvas, page)
    objects = Objects()
    catalog, pages_number, info = objects.reserve(), objects.reserve(), objects.reserve()
    page_numbers = [objects.reserve() for _ in canvas.pages]
    signature_number = field_number = 0
    if signature is not None:
        signature_number = objects.add(signature.dictionary)
        field_number = objects.add(
            b"<</Type/Annot/Subtype/Widget/FT/Sig/T%s/V %s/F 132/Rect[0 0 0 0]/P %s>>"
            % (writer.text(signature.field_name), ref(signature_number), ref(page_numbers[0]))
        )
    resources = _resources(objects, canvas, page.qr_text)
    for index, (number, ops) in enumerate(zip(page_numbers, canvas.pages, strict=True)):
        content = objects.stream(b"", b"0.567 w\n" + b"\n".join(ops))
        annotations = b"/Annots[%s]" % ref(field_number) if index == 0 and field_number else b""
        objects.put(
            number,
            b"<</Type/Page/Parent %s/MediaBox[0 0 595.28 841.89]/Resources %s/Contents %s%s>>"
            % (ref(pages_number), resources, ref(content), annotations),
        )
    objects.put(
        pages_number,
        b"<</Type/Pages/Kids[%s]/Count %d>>"
        % (b" ".join(ref(n) for n in page_numbers), len(page_numbers)),
    )
    specs = [_attach(objects, attachment, created) for attachment in attachments]
    names = b"".join(
        writer.text(a.name) + b" " + ref(s)
        for a, s in sorted(zip(attachments, specs, strict=True), key=lambda p: p[0].name)
    )
    form = b"/AcroForm<</Fields[%s]/SigFlags 3>>" % ref(field_number) if field_number else b""
    objects.put(
        catalog,
        b"<</Type/Catalog/Pages %s/Lang(en)/PageLayout/OneColumn"
        b"/OpenAction[%s/FitH null]/Names<</EmbeddedFiles<</Names[%s]>>>>/AF[%s]%s>>"
        % (ref(pages_number), ref(page_numbers[0]), names, b" ".join(map(ref, specs)), form),
    )
    objects.put(
        info,
        b"<</Title%s/Producer(vc-engine)/CreationDate%s>>"
        % (writer.text(page.titles[0]), writer.date(created)),
    )
    shown = hashlib.md5(usedforsecurity=False)
    for ops in canvas.pages:
        shown.update(b"\n".join(ops))
    shown.update(page.qr_text.encode("utf-8") + writer.date(created))
    data, offsets = objects.write(catalog, info, shown.digest())
    return data, offsets[signature_number - 1] if signature_number else 0


def _draw(canvas: _Canvas, page: PrintedPage) -> None:
    title_width = WIDTH - QR_WIDTH_MM - 5
    for title in page.titles:
        for line in _wrap(title, LATIN_BOLD, 18, title_width):
            canvas.text(MARGIN, canvas.y, 9, 18, line)
            canvas.y += 9
    qr_x = PAGE_WIDTH - MARGIN - QR_WIDTH_MM
    canvas.ops.append(
        b"q %s 0 0 %s %s %s cm /QR Do Q"
        % (
            _pt(QR_WIDTH_MM),
            _pt(QR_WIDTH_MM),
            _pt(qr_x),
            _pt(PAGE_HEIGHT - MARGIN - QR_WIDTH_MM),
        )
    )
    canvas.y = max(canvas.y, MARGIN + QR_WIDTH_MM) + 4
    _pairs(canvas, ((page.issuer, ""),), label_width=WIDTH)
    canvas.rule()
    _pairs(canvas, page.fields)
    for table in page.tables:
        _table(canvas, table)
    canvas.rule()
    _pairs(canvas, (("Document id", page.document_id), *page.dates))
    canvas.y += 4
    for line in _wrap(_NOTE, LATIN, 8, WIDTH):
        canvas.need(4)
        canvas.text(MARGIN, canvas.y, 4, 8, line)
        canvas.y += 4


def _pairs(canvas: _Canvas, pairs: Iterable[tuple[str, str]], label_width: float = 60) -> None:
    for label, value in pairs:
        labels = _wrap(label, LATIN, 10, label_width)
        values = _wrap(value, LATIN_BOLD, 11, WIDTH - label_width) if value else ()
        height = 6 * max(len(labels), len(values), 1)
        canvas.need(height)
        top = canvas.y
        for index, line in enumerate(labels):
            canvas.text(MARGIN, top + 6 * index, 6, 10, line)
        for index, line in enumerate(values):
            canvas.text(MARGIN + label_width, top + 6 * index, 6, 11, line)
        canvas.y = top + height + 1


def _table(canvas: _Canvas, table: Table) -> None:
    canvas.y += 2
    canvas.need(6 + 10)
    canvas.text(MARGIN, canvas.y, 6, 10, _single(table.label, LATIN, 10))
    canvas.y += 6
    columns = max(1, len(table.columns))
    width = WIDTH / columns
    for row, style in [(table.columns, LATIN_BOLD), *((r, LATIN) for r in table.rows)]:
        cells = [_wrap(value, style, 9, width - 2 * _PADDING) for value in row]
        height = 5 * max([1, *map(len, cells)])
        canvas.need(height)
        for column, lines in enumerate(cells):
            x = MARGIN + column * width
            canvas.box(x, canvas.y, width, height)
            for index, line in enumerate(lines):
                canvas.text(x + _PADDING, canvas.y + 5 * index, 5, 9, line)
        canvas.y += height


def _single(text: str, style: str, size: float) -> Line:
    return tuple(_run(face, part, size) for face, part in runs(text, style))


@lru_cache(maxsize=16384)
def _run(face: Font, text: str, size: float) -> _Run:
    glyphs = face.shape(text)
    scale = 1000 / face.upem
    parts: list[bytes] = []
    array: list[bytes] = []
    for glyph in glyphs:
        if glyph.dy:
            rise = writer.number(glyph.dy * size / face.upem)
            parts.append(b"[%s]TJ %s Ts" % (b" ".join(array), rise))
            array = []
        if glyph.dx:
            array.append(writer.number(-glyph.dx * scale))
        array.append(b"<%04x>")
        adjust = face.width(glyph.gid) - (glyph.advance - glyph.dx) * scale
        if abs(adjust) > 0.01:
            array.append(writer.number(adjust))
        if glyph.dy:
            parts.append(b"[%s]TJ 0 Ts" % b" ".join(array))
            array = []
    if array:
        parts.append(b"[%s]TJ" % b" ".join(array))
    return _Run(
        face,
        tuple((g.gid, g.text) for g in glyphs),
        b" ".join(parts),
        sum(g.advance for g in glyphs) * scale,
    )


@lru_cache(maxsize=16384)
def _wrap(text: str, style: str, size: float, width: float) -> tuple[Line, ...]:
    """`text` broken into lines no wider than `width` at spaces (a word wider than a line is
    broken between its characters); cached, as labels and many values recur."""
    limit = width * _POINTS * 1000 / size
    space = _measure(_single(" ", style, size))
    lines: list[Line] = []
    current: list[_Run] = []
    used = 0.0
    for paragraph in text.split("\n"):
        for word in paragraph.split():
            shaped = _single(word, style, size)
            wide = _measure(shaped)
            if current and used + space + wide > limit:
                lines.append(tuple(current))
                current, used = [], 0.0
            if not current and wide > limit:
                pieces = _broken(word, style, size, limit)
                lines += pieces[:-1]
                shaped, wide = pieces[-1], _measure(pieces[-1])
            if current:
                current += _single(" ", style, size)
                used += space
            current += shaped
            used += wide
        lines.append(tuple(current))
        current, used = [], 0.0
    return tuple(lines)


def _broken(word: str, style: str, size: float, limit: float) -> list[Line]:
    pieces: list[Line] = []
    start = 0
    for end in range(1, len(word) + 1):
        if end - start > 1 and _measure(_single(word[start:end], style, size)) > limit:
            pieces.append(_single(word[start : end - 1], style, size))
            start = end - 1
    pieces.append(_single(word[start:], style, size))
    return pieces


def _measure(line: Line) -> float:
    """The line's advance in thousandths of an em."""
    return sum(run.advance for run in line)


def _resources(objects: Objects, canvas: _Canvas, qr_text: str) -> bytes:
    fonts = b"".join(
        b"/%s %s" % (key.encode(), ref(_font(objects, key, canvas.cids[key])))
        for key in _ORDER
        if key in canvas.cids
    )
    return b"<</Font<<%s>>/XObject<</QR %s>>>>" % (fonts, ref(_qr(objects, qr_text)))


def _font(objects: Objects, key: str, cids: dict[tuple[int, str], int]) -> int:
    """A Type0 font over the embedded program: this page's CIDs, their glyphs, widths and
    text."""
    face, program = font(key), embedded(key, (text for _, text in cids))
    basefont = writer.name(program.name)
    file = objects.add(
        b"<</Length %d/Length1 %d/Filter/FlateDecode>>stream\n%s\nendstream"
        % (len(program.program), program.program_size, program.program)
    )
    descriptor = objects.add(
        b"<</Type/FontDescriptor/FontName%s/Flags 4/FontBBox[%d %d %d %d]/ItalicAngle 0"
        b"/Ascent %d/Descent %d/CapHeight %d/StemV 80/FontFile2 %s>>"
        % (basefont, *program.bbox, program.ascent, program.descent, program.cap_height, ref(file))
    )
    ordered = sorted(cids.items(), key=lambda item: item[1])
    gids = b"\0\0" + b"".join(gid.to_bytes(2, "big") for (gid, _), _ in ordered)
    cid_to_gid = objects.stream(b"", gids)
    widths = b" ".join(b"%d" % face.width(gid) for (gid, _), _ in ordered)
    descendant = objects.add(
        b"<</Type/Font/Subtype/CIDFontType2/BaseFont%s/CIDSystemInfo<</Registry(Adobe)"
        b"/Ordering(Identity)/Supplement 0>>/FontDescriptor %s/DW 0/W[1[%s]]/CIDToGIDMap %s>>"
        % (basefont, ref(descriptor), widths, ref(cid_to_gid))
    )
    unicode_map = objects.stream(b"", _to_unicode([(cid, text) for (_, text), cid in ordered]))
    return objects.add(
        b"<</Type/Font/Subtype/Type0/BaseFont%s/Encoding/Identity-H/DescendantFonts[%s]"
        b"/ToUnicode %s>>" % (basefont, ref(descendant), ref(unicode_map))
    )


def _to_unicode(entries: list[tuple[int, str]]) -> bytes:
    lines = [
        b"/CIDInit/ProcSet findresource begin 12 dict begin begincmap"
        b"/CIDSystemInfo<</Registry(Adobe)/Ordering(UCS)/Supplement 0>>def"
        b"/CMapName/Adobe-Identity-UCS def/CMapType 2 def"
        b"\n1 begincodespacerange <0000><ffff> endcodespacerange"
    ]
    for start in range(0, len(entries), 100):
        chunk = entries[start : start + 100]
        lines.append(b"%d beginbfchar" % len(chunk))
        lines += [
            b"<%04x><%s>" % (cid, text.encode("utf-16-be").hex().encode()) for cid, text in chunk
        ]
        lines.append(b"endbfchar")
    lines.append(b"endcmap CMapName currentdict/CMap defineresource pop end end")
    return b"\n".join(lines)


def _qr(objects: Objects, text: str) -> int:
    """The QR code at level Q with mask pattern `QR_MASK`, 4 pixels a module with its quiet
    zone, as a one-bit image whose Flate stream is PNG-predicted rows (each module row once,
    then PNG's Up filter three times). zxing-cpp encodes it
    (C++); choosing the mask by its penalty score was four fifths of the encoding's cost."""
    symbol = zxingcpp.create_barcode(
        text, zxingcpp.BarcodeFormat.QRCode, ec_level="Q", data_mask=QR_MASK
    )
    modules = memoryview(symbol.to_image(scale=1, add_quiet_zones=True))  # type: ignore[arg-type]
    height, width = modules.shape or (0, 0)
    grey = Image.frombytes("L", (width, height), modules.tobytes())
    wide = grey.resize((4 * width, height), Image.Resampling.NEAREST)
    packed = wide.convert("1", dither=Image.Dither.NONE).tobytes()
    stride = (4 * width + 7) // 8
    repeat = (b"\2" + bytes(stride)) * 3  # PNG's Up filter: the same row again
    rows = b"".join(b"\0" + packed[i : i + stride] + repeat for i in range(0, len(packed), stride))
    return objects.stream(
        b"/Type/XObject/Subtype/Image/Width %d/Height %d/ColorSpace/DeviceGray"
        b"/BitsPerComponent 1/DecodeParms<</Predictor 15/Colors 1/BitsPerComponent 1/Columns %d>>"
        % (4 * width, 4 * height, 4 * width),
        rows,
    )


def _attach(objects: Objects, attachment: Attachment, created: datetime) -> int:
    when = writer.date(created)
    checksum = hashlib.md5(attachment.data, usedforsecurity=False).hexdigest().encode()
    stream = objects.stream(
        b"/Type/EmbeddedFile/Subtype%s/Params<</Size %d/CreationDate%s/ModDate%s"
        b"/CheckSum<%s>>>"
        % (writer.name(attachment.media_type), len(attachment.data), when, when, checksum),
        attachment.data,
    )
    label = writer.text(attachment.name)
    return objects.add(
        b"<</Type/Filespec/F%s/UF%s/Desc%s/AFRelationship/Alternative/EF<</F %s/UF %s>>>>"
        % (label, label, writer.text(attachment.description), ref(stream), ref(stream))
    )


@lru_cache(maxsize=4096)
def _pt(millimetres: float) -> bytes:
    return writer.number(millimetres * _POINTS)
