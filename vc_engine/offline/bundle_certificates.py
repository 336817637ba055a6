"""The registry's trust through X.509 chains as the JSON of a bundle's payload, and back: the CA
certificates (PEM), the CRLs (base64 DER) and the issuers' certificate subjects, under the
payload's optional `certificateTrust` member (a bundle without it trusts no chain).

A CRL is read back only if the CA it names is in the bundle and signed it; the root's signature
over the payload already vouches for all of it, this keeps a reader from mis-filing one.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from vc_engine.offline.bundle_codec import instant, read_instant
from vc_engine.trust.anchors import CertificateSubject, RevocationList, TrustAnchor, issued_by
from vc_engine.trust.chains import AnchorSet

MEMBER = "certificateTrust"


def certificate_trust_json(
    anchors: AnchorSet, subjects: tuple[CertificateSubject, ...]
) -> dict[str, Any]:
    return {
        "anchors": [
            {
                "name": a.name,
                "certificatePem": a.certificate.public_bytes(Encoding.PEM).decode("ascii"),
                "addedAt": instant(a.added_at),
            }
            for a in anchors.anchors
        ],
        "crls": [
            {
                "crl": base64.b64encode(c.crl.public_bytes(Encoding.DER)).decode("ascii"),
                "caFingerprint": c.ca_fingerprint,
                "addedAt": instant(c.added_at),
            }
            for c in anchors.crls
        ],
        "subjects": [
            {
                "issuerId": s.issuer_id,
                "organisation": s.organisation,
                "serialNumber": None if s.serial_number is None else format(s.serial_number, "x"),
                "keyId": s.key_id,
                "addedAt": instant(s.added_at),
            }
            for s in subjects
        ],
    }


def read_certificate_trust(
    value: Mapping[str, Any] | None,
) -> tuple[AnchorSet, tuple[CertificateSubject, ...]]:
    if value is None:
        return AnchorSet((), ()), ()
    anchors = tuple(
        TrustAnchor.of(
            _text(a["name"]),
            x509.load_pem_x509_certificate(_text(a["certificatePem"]).encode("ascii")),
            read_instant(a["addedAt"]),
        )
        for a in value["anchors"]
    )
    by_fingerprint = {a.fingerprint: a for a in anchors}
    crls = []
    for item in value["crls"]:
        der = base64.b64decode(_text(item["crl"]), validate=True)
        crl = x509.load_der_x509_crl(der)
        ca = by_fingerprint.get(_text(item["caFingerprint"]))
        if ca is None or not issued_by(crl, ca.certificate):
            raise ValueError("a CRL is not signed by the CA the bundle files it under")
        sha256 = hashlib.sha256(der).hexdigest()
        crls.append(RevocationList(crl, ca.fingerprint, sha256, read_instant(item["addedAt"])))
    subjects = tuple(
        CertificateSubject(
            issuer_id=_text(s["issuerId"]),
            organisation=_text(s["organisation"]),
            serial_number=None if s["serialNumber"] is None else int(_text(s["serialNumber"]), 16),
            key_id=None if s["keyId"] is None else _text(s["keyId"]),
            added_at=read_instant(s["addedAt"]),
        )
        for s in value["subjects"]
    )
    return AnchorSet(anchors, tuple(crls)), subjects


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {value!r}")
    return value
