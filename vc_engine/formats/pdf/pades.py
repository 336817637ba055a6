"""PAdES baseline B-B signatures made by the issuer's `Signer` (a key in a file or on a PKCS#11
token: it is only ever asked to sign bytes), and a document timestamp (RFC 3161) appended
through pyHanko when a timestamp authority is configured.

The page is written whole with its signature dictionary (layout.compose), the signed byte
ranges digested in one pass, and the CMS SignedData assembled from parts that depend only on
the certificate, built once a key (`_Template`): the signed attributes (content type, message
digest, ESS signing-certificate-v2, as pyHanko writes them) differ from page to page only in
the digest. pyHanko's incremental writer read the file back and wrote it again to do the same.

The signature is an approval signature over the whole file as written; what may follow it is a
DSS update and document timestamps, nothing else (`reading` checks that).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from asn1crypto import algos, cms, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.timestamps import TimeStamper

from vc_engine.formats.pdf import writer
from vc_engine.formats.pdf.layout import SignatureSlot, compose
from vc_engine.formats.pdf.page import Attachment, PrintedPage
from vc_engine.keys import KeyAlgorithm, Signer, default_scheme

SIGNATURE_FIELD = "IssuerSignature"
TIMESTAMP_FIELD = "DocumentTimestamp"

_MECHANISM = {
    KeyAlgorithm.RSA2048: ("sha256_rsa", "sha256"),
    KeyAlgorithm.P256: ("sha256_ecdsa", "sha256"),
    KeyAlgorithm.P384: ("sha384_ecdsa", "sha384"),
    KeyAlgorithm.ED25519: ("ed25519", "sha512"),
}
"""The CMS signature mechanism and message digest for each key type (RFC 8419: Ed25519 with
SHA-512)."""
_RANGE_PLACEHOLDER = b"/ByteRange[0 0000000000 0000000000 0000000000]"
_CONTENTS_MARK = b"/Contents<"


@dataclass(frozen=True)
class _Template:
    """The CMS SignedData of one certificate and key type, less the digest and signature."""

    digest: str
    attributes_head: bytes
    """The DER of the signed attributes (as a SET) up to the message digest's bytes."""
    attributes_tail: bytes
    signer_head: bytes
    """SignerInfo's version, signer id and digest algorithm."""
    signature_algorithm: bytes
    outer_head: bytes
    """SignedData's version, digest algorithms, content info and certificates."""


def sign_page(
    page: PrintedPage,
    attachments: tuple[Attachment, ...],
    created: datetime,
    signer: Signer,
    certificate: x509.Certificate,
    *,
    signer_name: str,
    timestamper: TimeStamper | None = None,
) -> bytes:
    """The page laid out with its originals attached and signed PAdES B-B by `signer` (whose
    certificate is `certificate`), then given a document timestamp when `timestamper` is
    set."""
    template = _template(certificate.public_bytes(Encoding.DER), signer.algorithm)
    size = 2 * (len(certificate.public_bytes(Encoding.DER)) + 1024)
    dictionary = (
        b"<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached"
        + _RANGE_PLACEHOLDER
        + _CONTENTS_MARK
        + b"0" * size
        + b">/M"
        + writer.date(datetime.now(UTC))
        + b"/Name"
        + writer.text(signer_name)
        + b"/Reason"
        + writer.text("Issued by " + signer_name)
        + b">>"
    )
    data, offset = compose(page, attachments, created, SignatureSlot(SIGNATURE_FIELD, dictionary))
    signed = bytearray(data)
    start = signed.index(_CONTENTS_MARK, offset) + len(_CONTENTS_MARK) - 1
    end = start + size + 2
    ranges = b"/ByteRange[0 %d %d %d]" % (start, end, len(signed) - end)
    at = signed.index(_RANGE_PLACEHOLDER, offset)
    signed[at : at + len(_RANGE_PLACEHOLDER)] = ranges.ljust(len(_RANGE_PLACEHOLDER))
    view = memoryview(signed)
    digest = hashlib.new(template.digest, view[:start])
    digest.update(view[end:])
    content = _signed_data(template, digest.digest(), signer)
    if 2 * len(content) > size:
        raise ValueError("the CMS signature is larger than the space kept for it")
    signed[start + 1 : start + 1 + 2 * len(content)] = content.hex().encode("ascii")
    view.release()
    if timestamper is None:
        return bytes(signed)
    stamped = io.BytesIO()
    signers.PdfTimeStamper(timestamper, field_name=TIMESTAMP_FIELD).timestamp_pdf(
        IncrementalPdfFileWriter(io.BytesIO(bytes(signed)), strict=False), "sha256", output=stamped
    )
    return stamped.getvalue()


def signed_attributes(template: _Template, message_digest: bytes) -> bytes:
    """The DER of the signed attributes as a SET, the bytes the signer signs."""
    return template.attributes_head + message_digest + template.attributes_tail


def _signed_data(template: _Template, message_digest: bytes, signer: Signer) -> bytes:
    attributes = signed_attributes(template, message_digest)
    scheme = default_scheme(signer.algorithm)
    signature = signer.sign(attributes, scheme)
    if scheme.ecdsa:  # CMS wants ECDSA signatures DER-encoded, the Signer gives r||s
        half = len(signature) // 2
        r, s = int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big")
        signature = encode_dss_signature(r, s)
    signer_info = _tlv(
        0x30,
        template.signer_head
        + b"\xa0"
        + attributes[1:]  # the same SET, as SignerInfo's [0] IMPLICIT signedAttrs
        + template.signature_algorithm
        + _tlv(0x04, signature),
    )
    signed_data = _tlv(0x30, template.outer_head + _tlv(0x31, signer_info))
    return _tlv(0x30, _SIGNED_DATA_OID + _tlv(0xA0, signed_data))


_SIGNED_DATA_OID = cms.ContentType("signed_data").dump()


@lru_cache(maxsize=64)
def _template(certificate_der: bytes, algorithm: KeyAlgorithm) -> _Template:
    """The parts of the SignedData that depend on the certificate alone, built once (with
    asn1crypto, as pyHanko builds them)."""
    mechanism, digest = _MECHANISM[algorithm]
    certificate = asn1_x509.Certificate.load(certificate_der)
    digest_algorithm = algos.DigestAlgorithm({"algorithm": digest})
    placeholder = b"\x5a" * hashlib.new(digest).digest_size
    attributes = cms.CMSAttributes(
        [
            cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
            cms.CMSAttribute({"type": "message_digest", "values": [placeholder]}),
            cms.CMSAttribute(
                {
                    "type": "signing_certificate_v2",
                    "values": [
                        tsp.SigningCertificateV2(
                            {
                                "certs": [
                                    tsp.ESSCertIDv2(
                                        {
                                            "hash_algorithm": {"algorithm": "sha256"},
                                            "cert_hash": hashlib.sha256(certificate_der).digest(),
                                            "issuer_serial": {
                                                "issuer": [
                                                    asn1_x509.GeneralName(
                                                        {"directory_name": certificate.issuer}
                                                    )
                                                ],
                                                "serial_number": certificate.serial_number,
                                            },
                                        }
                                    )
                                ]
                            }
                        )
                    ],
                }
            ),
        ]
    ).dump()
    at = attributes.index(placeholder)
    signer_id = cms.SignerIdentifier(
        {
            "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                {"issuer": certificate.issuer, "serial_number": certificate.serial_number}
            )
        }
    )
    outer = (
        cms.CMSVersion("v1").dump()
        + cms.DigestAlgorithms([digest_algorithm]).dump()
        + cms.EncapsulatedContentInfo({"content_type": "data"}).dump()
        + _tlv(0xA0, certificate_der)
    )
    return _Template(
        digest=digest,
        attributes_head=attributes[:at],
        attributes_tail=attributes[at + len(placeholder) :],
        signer_head=cms.CMSVersion("v1").dump() + signer_id.dump() + digest_algorithm.dump(),
        signature_algorithm=algos.SignedDigestAlgorithm({"algorithm": mechanism}).dump(),
        outer_head=outer,
    )


def _tlv(tag: int, content: bytes) -> bytes:
    """A DER element: tag, definite length, content."""
    size = len(content)
    if size < 0x80:
        return bytes((tag, size)) + content
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(length))) + length + content
