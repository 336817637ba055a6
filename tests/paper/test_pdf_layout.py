"""The page written directly (formats.pdf.layout): Devanagari conjuncts extract as the text they
were shaped from; a table longer than a page continues on a second page and the page still
verifies; the embedded font programs are the same bytes on every page (built once a process);
and a large photo read from its reduced decode gives the text the full-size path reads."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import replace

import pytest
from fontTools.ttLib import TTFont
from paper_photos import photograph, render_page
from paper_support import POLICY, document, issued, issuer, trust
from PIL import Image
from pypdf import PdfReader

from vc_engine.formats import PDF_PADES, pdf
from vc_engine.formats.qr import image
from vc_engine.issuance.paper import printed_page
from vc_engine.model import Indication
from vc_engine.policy import INDIA
from vc_engine.verify import verify

from factory import NOW


def _squeezed(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


def _page_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("name", ["क्षत्रिय प्रधान", "श्रीमती द्विवेदी", "সৌমিত্র ক্ষেত্রপাল"])
def test_conjuncts_extract_as_the_text_they_were_shaped_from(name: str) -> None:
    birth = document("BTHCER")
    page = printed_page(replace(birth, holder={**birth.holder, "nameLocal": name}), "VC1:A", INDIA)
    assert _squeezed(name) in _squeezed(_page_text(pdf.layout.render(page, (), NOW)))


def test_a_table_longer_than_a_page_continues_and_verifies() -> None:
    sheet = issued("SSCMS").document
    (table_name,) = [n for n, v in sheet.claims.items() if not isinstance(v, str)]
    rows = sheet.claims[table_name]
    assert not isinstance(rows, str)
    longer = replace(sheet, claims={**sheet.claims, table_name: rows * 12})
    data = pdf.issue(
        printed_page(longer, "VC1:A", INDIA),
        (),
        issuer().signer,
        issuer().certificate,  # type: ignore[arg-type]
        signer_name="Test",
        created=NOW,
    )
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    assert longer.id in reader.pages[-1].extract_text()
    opened = pdf.open_pdf(data)
    assert [c.name for c in opened.checks] == ["pdf-signature", "pdf-coverage"]
    assert opened.qr_text == b"VC1:A"


def test_every_page_embeds_the_same_font_programs() -> None:
    first = issued("SSCMS").outputs[PDF_PADES]
    second = issued("BTHCER").outputs[PDF_PADES]

    def programs(data: bytes) -> set[bytes]:
        fonts = PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"].values()
        return {
            f.get_object()["/DescendantFonts"][0]["/FontDescriptor"]["/FontFile2"].get_data()
            for f in fonts
        }

    assert programs(first) & programs(second)  # Noto Sans at least, byte for byte


def test_a_large_photo_reads_the_same_from_its_reduced_decode() -> None:
    """Where the half-size decode reads the symbol, it reads what the full-size path reads;
    and on these photos it does read it at least once."""
    page = render_page(issued("SSCMS").outputs[PDF_PADES])
    drafted_reads = 0
    for seed in range(3):
        data = photograph(page, seed, 12).data
        with Image.open(io.BytesIO(data)) as photo:
            full = image._read(photo, [])
        with Image.open(io.BytesIO(data)) as photo:
            drafted, _ = image._drafted(photo)
        assert drafted in (None, full)
        drafted_reads += drafted is not None
        assert image.decode_qr(data) == full
        report = verify(data, trust().snapshot(), POLICY)
        assert report.indication is Indication.PASSED and report.document is not None
    assert drafted_reads >= 1


def test_a_letter_beyond_the_prebuilt_repertoire_is_embedded_with_its_outline() -> None:
    """ễ and ș are outside the Latin repertoire built at first use: the page's font program
    is rebuilt to hold their glyphs, drawn, not blank."""
    birth = document("BTHCER")
    name = "Nguyễn Ștefan"
    page = printed_page(replace(birth, holder={**birth.holder, "name": name}), "VC1:A", INDIA)
    data = pdf.layout.render(page, (), NOW)
    assert _squeezed(name) in _squeezed(_page_text(data))
    bold = pdf.fonts.font(pdf.fonts.LATIN_BOLD)
    wanted = {glyph.gid for glyph in bold.shape("ễȘș")}
    (program,) = [
        f.get_object()["/DescendantFonts"][0]["/FontDescriptor"]["/FontFile2"].get_data()
        for f in PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"].values()
        if str(f.get_object()["/BaseFont"]).endswith("NotoSans-Bold")
    ]
    parsed = TTFont(io.BytesIO(program))
    order = parsed.getGlyphOrder()
    assert all(parsed["glyf"][order[gid]].numberOfContours != 0 for gid in wanted)
