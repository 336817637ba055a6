"""The PDF rendition end to end: issued with the other renditions, it verifies to the same
document; its text gives back the signed claims; it carries the originals; and every way of
changing it after signing (an edited byte, an incremental edit, a re-save, printing to PDF,
no signature at all, a broken file) is a FAILED report with its reason, never an exception."""

from __future__ import annotations

import io
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from paper_support import FORMATS, POLICY, document, issued, issuer, trust
from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pypdf import PdfReader, PdfWriter
from tsa import dummy_tsa

from vc_engine import doctypes
from vc_engine.formats import PDF_PADES, pdf
from vc_engine.issuance.block import sign
from vc_engine.issuance.issuer import renditions
from vc_engine.issuance.paper import printed_page
from vc_engine.model import Indication, SubIndication
from vc_engine.policy import INDIA
from vc_engine.verify import verify

from factory import NOW


def check(report, name):  # type: ignore[no-untyped-def]
    return next(c for c in report.checks if c.name == name)


@pytest.mark.parametrize("doctype", ["BTHCER", "SSCMS"])
def test_every_rendition_verifies_to_the_same_document(doctype: str) -> None:
    paper = issued(doctype)
    snapshot = trust().snapshot()
    reports = {name: verify(data, snapshot, POLICY) for name, data in paper.outputs.items()}
    assert all(r.indication is Indication.PASSED for r in reports.values()), {
        n: r.checks for n, r in reports.items() if not r.verified
    }
    assert reports["pdf-pades"].format == PDF_PADES
    ids = {r.document.id for r in reports.values() if r.document is not None}
    assert ids == {paper.document.id}
    printable = doctypes.printable_document(paper.document).claims_digest
    assert reports["qr-cwt"].document.claims_digest == printable  # type: ignore[union-attr]
    assert reports["pdf-pades"].document.claims_digest == paper.document.claims_digest  # type: ignore[union-attr]
    assert "carries name" in check(reports["pdf-pades"], "qr-match").message


def _texts(document) -> list[str]:  # type: ignore[no-untyped-def]
    values = [*document.holder.values()]
    for value in document.claims.values():
        values += [value] if isinstance(value, str) else [v for row in value for v in row.values()]
    return values


def test_the_page_text_gives_back_the_signed_claims() -> None:
    """After NFC, without whitespace and without the raw codes of glyphs that have no text of
    their own (the first half of a split Bengali vowel sign such as ো is drawn before its
    consonant; the vowel's text is carried by the second half)."""
    paper = issued("SSCMS")
    reader = PdfReader(io.BytesIO(paper.outputs["pdf-pades"]))
    text = unicodedata.normalize("NFC", reader.pages[0].extract_text())
    squeezed = "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cc")
    for value in _texts(paper.document):
        assert "".join(unicodedata.normalize("NFC", value).split()) in squeezed, value
    assert paper.document.id in text


def test_bengali_and_devanagari_are_embedded_subset_fonts() -> None:
    hindi = document("BTHCER")
    from dataclasses import replace

    holder = {**hindi.holder, "nameLocal": "क्षत्रिय प्रधान"}
    data = pdf.layout.render(printed_page(replace(hindi, holder=holder), "VC1:ABC", INDIA), (), NOW)
    fonts = {
        str(font.get_object()["/BaseFont"])
        for font in PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"].values()
    }
    assert any(name.endswith("NotoSansDevanagari") and "+" in name for name in fonts), fonts
    bengali = pdf.layout.render(printed_page(document("BTHCER"), "VC1:ABC", INDIA), (), NOW)
    fonts = {
        str(font.get_object()["/BaseFont"])
        for font in PdfReader(io.BytesIO(bengali)).pages[0]["/Resources"]["/Font"].values()
    }
    assert any(name.endswith("NotoSansBengali") for name in fonts), fonts


def test_the_pdf_carries_the_signed_originals() -> None:
    paper = issued("BTHCER")
    attached = PdfReader(io.BytesIO(paper.outputs["pdf-pades"])).attachments
    assert attached[f"{paper.document.id}.xml"] == [paper.outputs["xml-dsig"]]
    assert attached[f"{paper.document.id}.vc.json"] == [paper.outputs["vc-di"]]


def _failed(data: bytes) -> tuple[SubIndication | None, str]:
    report = verify(data, trust().snapshot(), POLICY)
    assert report.indication is Indication.FAILED, report.checks
    reason = next(c for c in report.checks if c.code is not None)
    return report.sub_indication, reason.message


def test_a_changed_byte_inside_the_signature_fails() -> None:
    data = bytearray(issued().outputs["pdf-pades"])
    spot = data.index(b"stream", data.index(b"/FontFile2")) + 200  # inside an embedded font
    data[spot] ^= 0x01
    code, message = _failed(bytes(data))
    assert code is SubIndication.HASH_FAILURE, message


def test_an_incremental_edit_after_signing_fails() -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(issued().outputs["pdf-pades"]))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Rotate"] = generic.NumberObject(90)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    code, message = _failed(out.getvalue())
    assert code is SubIndication.FORMAT_FAILURE and "changed after it was signed" in message


def test_a_resaved_pdf_fails() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(issued().outputs["pdf-pades"])))
    out = io.BytesIO()
    writer.write(out)
    code, _ = _failed(out.getvalue())
    assert code in (SubIndication.HASH_FAILURE, SubIndication.FORMAT_FAILURE)


def test_a_pdf_printed_from_an_image_has_no_signature() -> None:
    out = io.BytesIO()
    Image.new("L", (200, 300), 255).save(out, format="PDF")
    code, message = _failed(out.getvalue())
    assert code is SubIndication.FORMAT_FAILURE and "no signature" in message


def test_an_unsigned_page_is_refused_clearly() -> None:
    unsigned = pdf.layout.render(printed_page(document(), "VC1:ABC", INDIA), (), NOW)
    code, message = _failed(unsigned)
    assert code is SubIndication.FORMAT_FAILURE and "no signature" in message


@pytest.mark.parametrize(
    "data", [b"%PDF-1.7\n", b"%PDF-1.7\n" + b"\x00" * 4096, b"%PDF-" + b"1 0 obj<<" * 500]
)
def test_broken_pdfs_are_format_failures(data: bytes) -> None:
    code, _ = _failed(data)
    assert code is SubIndication.FORMAT_FAILURE


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=8), st.binary(min_size=1, max_size=8))
def test_any_damage_is_a_report(position: int, junk: bytes) -> None:
    data = bytearray(issued().outputs["pdf-pades"])
    spot = 8 + position % (len(data) - 8)  # after the %PDF- header
    data[spot : spot + len(junk)] = junk
    report = verify(bytes(data), trust().snapshot(), POLICY)
    assert report.indication in (Indication.FAILED, Indication.PASSED)
    if bytes(data) != issued().outputs["pdf-pades"]:
        assert report.format == PDF_PADES


def test_a_document_timestamp_is_added_and_checked() -> None:
    stamping = issuer(timestamper=dummy_tsa())
    chosen = renditions(FORMATS, stamping)
    (item,) = sign([(0, document())], stamping, chosen, None)
    report = verify(item.outputs[-1], trust().snapshot(), POLICY)
    assert report.indication is Indication.PASSED, report.checks
    assert "document timestamp" in check(report, "pdf-timestamp").message
    assert "a validation-data or timestamp update" in check(report, "pdf-coverage").message
