"""PAdES baseline B-B signatures through pyHanko, made by the issuer's `Signer` (a key in a file
or on a PKCS#11 token: pyHanko only ever asks it to sign bytes), and a document timestamp
(RFC 3161) appended when a timestamp authority is configured.

The signature is an approval signature over the whole file as written; what may follow it is a
DSS update and document timestamps, nothing else (`open_pades` checks that).
"""

from __future__ import annotations

import io

from asn1crypto import algos
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import TimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

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


class _IssuerCms(signers.Signer):
    """pyHanko's signer interface over the engine's `Signer`, which never hands out its key."""

    def __init__(self, signer: Signer, certificate: x509.Certificate) -> None:
        cert = asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))
        mechanism, _ = _MECHANISM[signer.algorithm]
        super().__init__(
            signing_cert=cert,
            cert_registry=SimpleCertificateStore.from_certs([cert]),
            signature_mechanism=algos.SignedDigestAlgorithm({"algorithm": mechanism}),
        )
        self._signer = signer

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        scheme = default_scheme(self._signer.algorithm)
        signature = self._signer.sign(data, scheme)
        if scheme.ecdsa:  # CMS wants ECDSA signatures DER-encoded, the Signer gives r||s
            half = len(signature) // 2
            r, s = int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big")
            return encode_dss_signature(r, s)
        return signature


def sign_pdf(
    pdf: bytes,
    signer: Signer,
    certificate: x509.Certificate,
    *,
    signer_name: str,
    timestamper: TimeStamper | None = None,
) -> bytes:
    """`pdf` signed PAdES B-B by `signer` (whose certificate is `certificate`), then given a
    document timestamp when `timestamper` is set."""
    _, digest = _MECHANISM[signer.algorithm]
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm=digest,
        subfilter=fields.SigSeedSubFilter.PADES,
        name=signer_name,
        reason="Issued by " + signer_name,
    )
    out = io.BytesIO()
    signers.sign_pdf(writer, metadata, signer=_IssuerCms(signer, certificate), output=out)
    if timestamper is None:
        return out.getvalue()
    stamped = io.BytesIO()
    signers.PdfTimeStamper(timestamper, field_name=TIMESTAMP_FIELD).timestamp_pdf(
        IncrementalPdfFileWriter(out, strict=False), "sha256", output=stamped
    )
    return stamped.getvalue()
