"""Opening a signed PDF: its PAdES signature, what was added after it, the originals it carries
and the QR code on its first page; every finding a check, every failure a `Rejected`.

The PDF is hostile input. Before pyHanko reads it, its size is bounded (the policy's document
limit) and its cross-reference table's object count (`MAX_OBJECTS`); the streams this module
inflates itself (the embedded originals, the QR image) are inflated with a cap, never by the
library's unbounded decoders. Any exception the parser raises on a malformed file becomes a
FORMAT_FAILURE: a PDF can be broken in more ways than its parser names.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel
from pyhanko.sign.validation import validate_pdf_timestamp
from pyhanko.sign.validation.generic_cms import validate_sig_integrity
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from vc_engine.formats import Rejected
from vc_engine.formats.qr.image import scan_image
from vc_engine.i18n import Message
from vc_engine.i18n import report as said
from vc_engine.keys import KeyAlgorithm, algorithm_of, key_id
from vc_engine.model import Check, SignatureFacts, SubIndication

MAX_OBJECTS = 20_000
"""A certificate page has a few dozen objects; a few fonts, images and attachments more."""
MAX_ATTACHMENTS = 8
MAX_ATTACHMENT_BYTES = 2 * 1024 * 1024
MAX_QR_IMAGE_PIXELS = 4_000_000
_DIGESTS = {"sha256", "sha384", "sha512"}


@dataclass(frozen=True)
class OpenedPdf:
    """What a signed PDF's own checks found: the checks, the signing key's facts, when the
    signature says it was made, the originals it carries (name, bytes) and its QR text."""

    checks: tuple[Check, ...]
    facts: SignatureFacts
    signed_at: datetime | None
    attachments: tuple[tuple[str, bytes], ...]
    qr_text: bytes | None


def open_pdf(data: bytes) -> OpenedPdf:
    try:
        return _open(data)
    except Rejected:
        raise
    except Exception as error:
        raise _format(said.PDF_UNREADABLE(detail=type(error).__name__)) from None


def _open(data: bytes) -> OpenedPdf:
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    size = reader.trailer["/Size"]
    if not isinstance(size, int) or size > MAX_OBJECTS:
        raise _format(said.PDF_TOO_MANY_OBJECTS(count=size, limit=f"{MAX_OBJECTS:,}"))
    signatures = list(reader.embedded_regular_signatures)
    if not signatures:
        raise _format(said.PDF_UNSIGNED())
    if len(signatures) != 1:
        raise _format(said.PDF_SIGNATURES(count=len(signatures)))
    signature = signatures[0]
    checks = [_integrity(signature), _changes(signature)]
    checks += [_timestamp(stamp) for stamp in reader.embedded_timestamp_signatures]
    facts = _facts(signature)
    page = reader.root["/Pages"]["/Kids"][0].get_object()
    return OpenedPdf(
        tuple(checks),
        facts,
        signature.self_reported_timestamp,
        _attachments(reader),
        _qr_text(page),
    )


def _integrity(signature: EmbeddedPdfSignature) -> Check:
    algorithm = signature.external_md_algorithm
    if algorithm not in _DIGESTS:
        raise Rejected(
            "crypto-constraints",
            SubIndication.CRYPTO_CONSTRAINTS_FAILURE,
            said.PDF_DIGEST_REFUSED(algorithm=algorithm),
        )
    signature.compute_integrity_info()
    intact, valid = validate_sig_integrity(
        signature.signer_info,
        signature.signer_cert,
        expected_content_type="data",
        actual_digest=signature.compute_digest(),
    )
    if not intact:
        raise Rejected(
            "pdf-signature",
            SubIndication.HASH_FAILURE,
            said.PDF_ALTERED(),
        )
    if not valid:
        raise Rejected(
            "pdf-signature", SubIndication.SIG_CRYPTO_FAILURE, said.PDF_SIGNATURE_INVALID()
        )
    return Check.passed("pdf-signature", said.PDF_SIGNATURE_VALID(algorithm=algorithm))


def _changes(signature: EmbeddedPdfSignature) -> Check:
    coverage = signature.coverage
    if coverage is SignatureCoverageLevel.ENTIRE_FILE:
        return Check.passed("pdf-coverage", said.PDF_COVERS_FILE())
    if coverage is not SignatureCoverageLevel.ENTIRE_REVISION:
        raise _format(said.PDF_PARTIAL_COVERAGE())
    diff = signature.diff_result
    level = diff.modification_level if isinstance(diff, DiffResult) else ModificationLevel.OTHER
    if level in (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES):
        return Check.passed("pdf-coverage", said.PDF_COVERS_UPDATE())
    raise Rejected(
        "pdf-coverage",
        SubIndication.FORMAT_FAILURE,
        said.PDF_CHANGED_AFTER_SIGNING(),
    )


def _timestamp(stamp: EmbeddedPdfSignature) -> Check:
    # Only its integrity is judged: no trust roots, nothing fetched.
    context = ValidationContext(trust_roots=[], allow_fetching=False)
    status = validate_pdf_timestamp(stamp, validation_context=context)
    if not (status.intact and status.valid):
        raise Rejected(
            "pdf-timestamp",
            SubIndication.HASH_FAILURE,
            said.PDF_TIMESTAMP_MISMATCH(),
        )
    return Check.passed("pdf-timestamp", said.PDF_TIMESTAMP(at=status.timestamp.isoformat()))


def _facts(signature: EmbeddedPdfSignature) -> SignatureFacts:
    certificate: asn1_x509.Certificate = signature.signer_cert
    der = certificate.dump()
    public_key = x509.load_der_x509_certificate(der).public_key()
    algorithm: KeyAlgorithm = algorithm_of(public_key)  # type: ignore[arg-type]
    return SignatureFacts(algorithm.value, key_id(public_key), certificate_der=der)  # type: ignore[arg-type]


def _attachments(reader: PdfFileReader) -> tuple[tuple[str, bytes], ...]:
    names = reader.root.get("/Names", generic.DictionaryObject())
    tree = names.get("/EmbeddedFiles", generic.DictionaryObject())
    pairs = tree.get("/Names", generic.ArrayObject())
    if len(pairs) > 2 * MAX_ATTACHMENTS:
        raise _format(f"the PDF carries more than {MAX_ATTACHMENTS} attachments")
    found = []
    for index in range(0, len(pairs) - 1, 2):
        name = str(pairs[index])
        spec = pairs[index + 1].get_object()
        stream = spec["/EF"]["/F"].get_object()
        found.append((name, _inflate(stream, MAX_ATTACHMENT_BYTES, f"the attachment {name}")))
    return tuple(found)


def _inflate(stream: generic.StreamObject, limit: int, what: str) -> bytes:
    """A stream's bytes, inflated with a cap; Flate (without a predictor) or no filter only."""
    filters = stream.get("/Filter")
    raw = stream.encoded_data
    if filters is None:
        if len(raw) > limit:
            raise _format(f"{what} is larger than {limit:,} bytes")
        return bytes(raw)
    if filters not in ("/FlateDecode", generic.ArrayObject(["/FlateDecode"])):
        raise _format(f"{what} is encoded with {filters}; only Flate is read")
    if stream.get("/DecodeParms") not in (None, generic.NullObject()):
        raise _format(f"{what} has decoding parameters; none are read")
    inflater = zlib.decompressobj()
    data = inflater.decompress(raw, limit)
    if inflater.unconsumed_tail:
        raise _format(f"{what} inflates past {limit:,} bytes")
    return data


def _qr_text(page: Any) -> bytes | None:
    """The engine's QR text, from the first image on the page that shows it."""
    resources = page.get("/Resources", generic.DictionaryObject()).get_object()
    objects = resources.get("/XObject", generic.DictionaryObject()).get_object()
    for reference in list(objects.values())[:8]:
        image = reference.get_object()
        if image.get("/Subtype") != "/Image":
            continue
        width, height = int(image.get("/Width", 0)), int(image.get("/Height", 0))
        bits = image.get("/BitsPerComponent")
        if bits not in (1, 8) or not 0 < width * height <= MAX_QR_IMAGE_PIXELS:
            continue
        colour = {"/DeviceGray": 0, "/DeviceRGB": 2}.get(str(image.get("/ColorSpace")))
        if colour is None or image.get("/Filter") != "/FlateDecode" or (bits, colour) == (1, 2):
            continue
        decoded = _png_of(image, width, height, colour, bits)
        if decoded is None:
            continue
        with Image.open(io.BytesIO(decoded), formats=("PNG",)) as picture:
            found = scan_image(picture.convert("L"))
        if found is not None:
            return found
    return None


def _png_of(
    image: generic.StreamObject, width: int, height: int, colour: int, bits: int
) -> bytes | None:
    """A Flate image with PNG predictors is a PNG's IDAT as it stands: wrap it in a PNG for
    Pillow, once a capped inflate has shown it holds no more than the image's scanlines (a grey
    image of one bit a pixel, as the engine writes, or eight)."""
    parameters = image.get("/DecodeParms", generic.DictionaryObject())
    channels = 1 if colour == 0 else 3
    if int(parameters.get("/Predictor", 1)) < 10 or int(parameters.get("/Columns", 0)) != width:
        return None
    if int(parameters.get("/Colors", 1)) != channels:
        return None
    if int(parameters.get("/BitsPerComponent", 8)) != bits:
        return None
    raw = image.encoded_data
    limit = ((width * channels * bits + 7) // 8 + 1) * height
    inflater = zlib.decompressobj()
    if len(inflater.decompress(raw, limit)) != limit or inflater.unconsumed_tail:
        return None
    header = struct.pack(">IIBBBBB", width, height, bits, colour, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", raw) + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _format(message: str | Message) -> Rejected:
    """A malformed PDF; a technical detail (which attachment, which filter) is said as it is."""
    said_as = message if isinstance(message, Message) else said.PDF_REFUSED(detail=message)
    return Rejected("pdf-format", SubIndication.FORMAT_FAILURE, said_as)
