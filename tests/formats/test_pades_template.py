"""The PAdES signature assembled from a per-certificate template (formats.pdf.pades) against
pyHanko, the reference it replaced: for any digest, its signed attributes are the bytes
pyHanko's signer formats for a PAdES signature, and the SignedData it builds is read back by
asn1crypto and verified by pyHanko's CMS integrity check, for every key type."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import timedelta

import pytest
from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import given, settings
from hypothesis import strategies as st
from pyhanko.sign import signers
from pyhanko.sign.validation.generic_cms import validate_sig_integrity
from pyhanko_certvalidator.registry import SimpleCertificateStore

from vc_engine import keys
from vc_engine.formats.pdf import pades

from factory import NOW

_SIGNERS = {}
for _algorithm in keys.KeyAlgorithm:
    _key = keys.generate_private_key(_algorithm)
    _certificate = keys.self_signed_certificate(
        _key, "Template Test", NOW - timedelta(days=1), NOW + timedelta(days=1)
    )
    _SIGNERS[_algorithm] = (keys.FileSigner(_key), _certificate)


def _reference_attributes(certificate_der: bytes, digest: bytes, algorithm: str) -> bytes:
    """pyHanko's signed attributes for a PAdES signature over `digest`."""
    cert = asn1_x509.Certificate.load(certificate_der)
    signer = signers.ExternalSigner(
        signing_cert=cert,
        cert_registry=SimpleCertificateStore.from_certs([cert]),
        signature_value=b"\0" * 64,
    )
    attributes = asyncio.run(signer.signed_attrs(digest, algorithm, use_pades=True))
    return bytes(attributes.dump())


@pytest.mark.parametrize("algorithm", list(keys.KeyAlgorithm))
@settings(max_examples=10, deadline=None)
@given(st.binary(min_size=1, max_size=64))
def test_the_template_signs_what_pyhanko_would(algorithm: keys.KeyAlgorithm, data: bytes) -> None:
    signer, certificate = _SIGNERS[algorithm]
    der = certificate.public_bytes(Encoding.DER)
    template = pades._template(der, algorithm)
    digest = hashlib.new(template.digest, data).digest()
    assert pades.signed_attributes(template, digest) == _reference_attributes(
        der, digest, template.digest
    )
    content = cms.ContentInfo.load(pades._signed_data(template, digest, signer))
    signed_data = content["content"]
    signer_info = signed_data["signer_infos"][0]
    assert signed_data["certificates"][0].chosen.dump() == der
    intact, valid = validate_sig_integrity(
        signer_info,
        signed_data["certificates"][0].chosen,
        expected_content_type="data",
        actual_digest=digest,
    )
    assert intact and valid
    other = hashlib.new(template.digest, data + b"!").digest()
    changed, _ = validate_sig_integrity(
        signer_info,
        signed_data["certificates"][0].chosen,
        expected_content_type="data",
        actual_digest=other,
    )
    assert not changed
