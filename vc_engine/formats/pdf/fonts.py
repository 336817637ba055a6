"""The page's fonts, loaded once a process: HarfBuzz shapes the text (Bengali and Devanagari
conjuncts and vowel signs come out as a reader expects), and each font is embedded as one
prebuilt stream.

A page used to parse and subset every font anew (fontTools, most of a page's cost). Here each
font is cut once to its scripts' whole repertoire (`REPERTOIRE`, closed over the font's own
substitutions, so every conjunct is there) with its glyph ids kept, and without the layout
tables a PDF reader never uses; that stream, compressed once, is embedded byte for byte in
every page that shows the font. The glyph ids HarfBuzz gives are the embedded font's. A page
showing a character beyond the repertoire has the program rebuilt once to cover it too
(`embedded`), so no glyph is ever drawn from a program that lacks its outline.

The fonts are Debian's fonts-noto-core. Latin text is set in Noto Sans; a character it lacks
falls back to Noto Sans Bengali, then Noto Sans Devanagari, run by run, so a label such as
"Name / নাম" is shaped in both scripts.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import uharfbuzz as hb
from fontTools import subset
from fontTools.ttLib import TTFont

FONT_DIRECTORY = Path("/usr/share/fonts/truetype/noto")
LATIN, LATIN_BOLD, BENGALI, DEVANAGARI = "latin", "latin-bold", "bengali", "devanagari"
FILES = {
    LATIN: "NotoSans-Regular.ttf",
    LATIN_BOLD: "NotoSans-Bold.ttf",
    BENGALI: "NotoSansBengali-Regular.ttf",
    DEVANAGARI: "NotoSansDevanagari-Regular.ttf",
}
"""Bold Latin for values and headings; Bengali and Devanagari in their regular weight only."""
_FALLBACK = (BENGALI, DEVANAGARI)
_SHARED = ((0x20, 0x7E), (0xA0, 0xFF), (0x200B, 0x200D), (0x2010, 0x2027), (0x25CC, 0x25CC))
REPERTOIRE = {
    LATIN: (*_SHARED, (0x100, 0x17F), (0x2030, 0x206F), (0x20A0, 0x20C0)),
    LATIN_BOLD: (*_SHARED, (0x100, 0x17F), (0x2030, 0x206F), (0x20A0, 0x20C0)),
    BENGALI: (*_SHARED, (0x0964, 0x0965), (0x0980, 0x09FF)),
    DEVANAGARI: (*_SHARED, (0x0900, 0x097F), (0x1CD0, 0x1CFF), (0xA8E0, 0xA8FF)),
}
"""The characters each embedded font keeps (with every glyph its substitutions reach)."""
_FOLLOWERS = {"Mn", "Mc", "Me", "Cf"}
"""Marks and joiners stay in the font of the character before them."""


class FontsMissing(RuntimeError):
    """The Noto fonts are not installed (Debian package fonts-noto-core)."""


@dataclass(frozen=True)
class Glyph:
    """One shaped glyph: its id, the text it stands for in extracted text (a cluster's whole
    text on its first glyph, nothing on the others), and its advance and offsets in font
    units."""

    gid: int
    text: str
    advance: int
    dx: int
    dy: int


@dataclass(frozen=True)
class Embedded:
    """What a PDF needs of a font besides its glyphs: its name (with a subset tag), metrics
    in thousandths of an em, and its font program compressed, with its uncompressed size."""

    name: str
    bbox: tuple[int, int, int, int]
    ascent: int
    descent: int
    cap_height: int
    program: bytes
    program_size: int


class Font:
    """One font file: HarfBuzz's face for shaping, the character map for fallback, and each
    glyph's advance (the PDF's widths)."""

    def __init__(self, key: str) -> None:
        path = FONT_DIRECTORY / FILES[key]
        if not path.is_file():
            raise FontsMissing(f"{path} is missing: install Debian's fonts-noto-core")
        self.key = key
        self.path = path
        self._hb = hb.Font(hb.Face(hb.Blob.from_file_path(str(path))))
        parsed = TTFont(str(path), lazy=True)
        self.upem: int = parsed["head"].unitsPerEm
        self.cmap: frozenset[int] = frozenset(parsed.getBestCmap())
        order = parsed.getGlyphOrder()
        metrics = parsed["hmtx"].metrics
        self._widths: tuple[int, ...] = tuple(
            round(metrics[name][0] * 1000 / self.upem) for name in order
        )

    def shape(self, text: str) -> tuple[Glyph, ...]:
        return _shape(self, text)

    def width(self, gid: int) -> int:
        """The glyph's advance in thousandths of an em, as the PDF's /W gives it."""
        return self._widths[gid]


@lru_cache(maxsize=8192)
def _shape(font: Font, text: str) -> tuple[Glyph, ...]:
    """HarfBuzz's glyphs for `text` (one font, one run), cached: labels, titles and many values
    recur from page to page."""
    buffer = hb.Buffer()
    buffer.add_codepoints([ord(c) for c in text])
    buffer.guess_segment_properties()
    buffer.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
    hb.shape(font._hb, buffer, {})
    infos, positions = buffer.glyph_infos, buffer.glyph_positions
    starts = sorted({info.cluster for info in infos})
    ends = dict(zip(starts, [*starts[1:], len(text)], strict=True))
    seen: set[int] = set()
    glyphs = []
    for info, position in zip(infos, positions, strict=True):
        first = info.cluster not in seen
        seen.add(info.cluster)
        glyphs.append(
            Glyph(
                info.codepoint,
                text[info.cluster : ends[info.cluster]] if first else "",
                position.x_advance,
                position.x_offset,
                position.y_offset,
            )
        )
    return tuple(glyphs)


@cache
def font(key: str) -> Font:
    """The font, parsed once a process."""
    return Font(key)


def runs(text: str, primary: str) -> list[tuple[Font, str]]:
    """`text` cut into runs of one font each: the primary font where it has the character,
    else the first fallback that has it; marks and joiners stay with what precedes them."""
    out: list[tuple[Font, str]] = []
    current: Font | None = None
    start = 0
    for index, character in enumerate(text):
        chosen = (
            current if current is not None and _follows(character) else _for(character, primary)
        )
        if chosen is not current:
            if current is not None:
                out.append((current, text[start:index]))
            current, start = chosen, index
    if current is not None:
        out.append((current, text[start:]))
    return out


@lru_cache(maxsize=4096)
def _for(character: str, primary: str) -> Font:
    code = ord(character)
    for key in (primary, *_FALLBACK):
        if code in font(key).cmap:
            return font(key)
    return font(primary)


def _follows(character: str) -> bool:
    return unicodedata.category(character) in _FOLLOWERS


_BEYOND: dict[str, frozenset[int]] = {}
"""Per font, the characters beyond `REPERTOIRE` that pages of this process have shown."""


def embedded(key: str, shown: Iterable[str]) -> Embedded:
    """The font as pages embed it, built once a process (see the module docstring) for its
    repertoire and, when a page shows a character beyond it (a rare letter in a name), rebuilt
    once to cover that character too, for this page and every later one: no glyph is ever
    embedded without its outline."""
    beyond = {ord(c) for text in shown for c in text} - _repertoire(key)
    beyond &= font(key).cmap
    seen = _BEYOND.get(key, frozenset())
    if not beyond <= seen:
        seen = _BEYOND[key] = seen | beyond
    return _built(key, seen)


@cache
def _repertoire(key: str) -> frozenset[int]:
    return frozenset(c for low, high in REPERTOIRE[key] for c in range(low, high + 1))


@lru_cache(maxsize=16)
def _built(key: str, beyond: frozenset[int]) -> Embedded:
    source = font(key)
    parsed = TTFont(str(source.path))
    options = subset.Options()
    options.retain_gids = True
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(_repertoire(key) | beyond))
    subsetter.subset(parsed)
    for table in ("GSUB", "GPOS", "GDEF"):
        if table in parsed:
            del parsed[table]
    out = io.BytesIO()
    parsed.save(out)
    program = out.getvalue()
    head, os2 = parsed["head"], parsed["OS/2"]
    scale = 1000 / head.unitsPerEm
    tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(program).digest()[:6])
    family = parsed["name"].getDebugName(6) or source.path.stem
    return Embedded(
        name=f"{tag}+{family.removesuffix('-Regular')}",
        bbox=(
            round(head.xMin * scale),
            round(head.yMin * scale),
            round(head.xMax * scale),
            round(head.yMax * scale),
        ),
        ascent=round(os2.sTypoAscender * scale),
        descent=round(os2.sTypoDescender * scale),
        cap_height=round(getattr(os2, "sCapHeight", os2.sTypoAscender) * scale),
        program=zlib.compress(program, 9),
        program_size=len(program),
    )
