"""Trust through X.509 chains: the registry's CA certificates, their CRLs, and the issuers
trusted by their certificates' subject, as frozen records (path validation is `chains`).

A registered CA certificate is either a root (self-issued and self-signed: a trust anchor of
path validation) or a CA under one, such as a licensed CA under the national root. The second
kind is offered to path building as an intermediate, never as an anchor, so the root's name
constraints and path length still bind everything the licensed CA signs. CRLs are believed only
when a registered CA signed them; nothing is ever fetched.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import Encoding

from vc_engine.keys import KeyMaterialError, certificate_public_key, key_id


def certificate_fingerprint(certificate: x509.Certificate) -> str:
    """Lowercase hex SHA-256 of the certificate's DER: how a registered CA certificate is named."""
    return hashlib.sha256(certificate.public_bytes(Encoding.DER)).hexdigest()


def is_root(certificate: x509.Certificate) -> bool:
    """Self-issued and signed by its own key."""
    if certificate.subject != certificate.issuer:
        return False
    return issued_by(certificate, certificate)


def issued_by(
    certificate: x509.Certificate | x509.CertificateRevocationList, ca: x509.Certificate
) -> bool:
    """Did `ca` sign this certificate or CRL (names and signature; nothing else is judged)?"""
    if isinstance(certificate, x509.CertificateRevocationList):
        if certificate.issuer != ca.subject:
            return False
        try:
            return certificate.is_signature_valid(ca.public_key())  # type: ignore[arg-type]
        except (TypeError, ValueError, UnsupportedAlgorithm):
            return False
    try:
        certificate.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def subject_text(certificate: x509.Certificate) -> str:
    return certificate.subject.rfc4514_string()


@dataclass(frozen=True, slots=True)
class TrustAnchor:
    """A CA certificate the registry trusts, under a name people recognise."""

    name: str
    certificate: x509.Certificate
    fingerprint: str
    """`certificate_fingerprint(certificate)`."""
    root: bool
    """A trust anchor of path validation (self-signed), else a CA offered as an intermediate."""
    added_at: datetime

    @classmethod
    def of(cls, name: str, certificate: x509.Certificate, added_at: datetime) -> TrustAnchor:
        return cls(
            name, certificate, certificate_fingerprint(certificate), is_root(certificate), added_at
        )

    def describe(self) -> str:
        kind = "root" if self.root else "CA"
        subject = subject_text(self.certificate)
        return f'{kind} "{self.name}" ({subject}, sha256 {self.fingerprint[:16]})'


@dataclass(frozen=True, slots=True)
class RevocationList:
    """A CRL loaded into the registry, and the registered CA certificate that signed it."""

    crl: x509.CertificateRevocationList
    ca_fingerprint: str
    sha256: str
    """Of the CRL's DER: two loads of one CRL are one."""
    added_at: datetime

    @property
    def this_update(self) -> datetime:
        return self.crl.last_update_utc

    @property
    def next_update(self) -> datetime | None:
        return self.crl.next_update_utc


@dataclass(frozen=True, slots=True)
class CertificateSubject:
    """An issuer trusted through certificates: any certificate whose subject's organisation (O)
    is `organisation`, optionally narrowed to one serial number or one key, that chains to a
    registered root speaks for `issuer_id`."""

    issuer_id: str
    organisation: str
    serial_number: int | None
    key_id: str | None
    added_at: datetime

    def matches(self, certificate: x509.Certificate) -> bool:
        """Does `certificate` (parsed) carry this subject? Its name must be readable."""
        organisations = certificate.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)
        if [a.value for a in organisations] != [self.organisation]:
            return False
        if self.serial_number is not None and certificate.serial_number != self.serial_number:
            return False
        if self.key_id is not None:
            try:
                return key_id(certificate_public_key(certificate)) == self.key_id
            except KeyMaterialError:
                return False
        return True

    def describe(self) -> str:
        narrowed = [f"O={self.organisation}"]
        if self.serial_number is not None:
            narrowed.append(f"serial {self.serial_number:x}")
        if self.key_id is not None:
            narrowed.append(f"key {self.key_id}")
        return ", ".join(narrowed)
