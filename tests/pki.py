"""A declared test PKI at fixed dates: the national root, a licensed CA under it (its names
constrained to wb.gov.in), and the issuers' signing certificates the chain tests need, each
named after its scenario; plus the CRLs the CAs publish. Built once per session (P-256 keys).

    root "CCA India Test Root"            2020-01-01 .. 2040-01-01
      licensed CA "WB e-Sign CA"          2022-01-01 .. 2035-01-01   DNS names under wb.gov.in
        GOOD           KMC signer        2026-01-01 .. 2027-06-01   digitalSignature+nonRepudiation
        EXPIRED_TODAY  KMC signer (old)   2025-01-01 .. 2026-06-01
        EXPIRED        KMC signer (2024)  2024-01-01 .. 2025-01-01
        WRONG_USAGE    KMC signer         keyEncipherment only
        REVOKED        KMC signer         revoked 2026-05-01 (before its documents)
        REVOKED_LATER  KMC signer         revoked 2026-11-01 (after its documents)
        OUTSIDE_NAMES  KMC signer         SAN kmc.example.com, outside the CA's constraint
        UNKNOWN_CRITICAL KMC signer       a critical extension nobody knows
    root "Unknown Root" (never registered)
      "Unknown CA" -> STRANGER  KMC signer
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from vc_engine import keys
from vc_engine.formats import xml as signed_xml
from vc_engine.formats.xml.dsig import XmlSigningKey
from vc_engine.model import Document
from vc_engine.store import Registry
from vc_engine.trust.anchors import RevocationList, TrustAnchor
from vc_engine.trust.chains import AnchorSet

from factory import NOW, valid_birth_certificate

KMC = "in.gov.wb.kmc"
KMC_ORGANISATION = "Kolkata Municipal Corporation"
SIGNED = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
"""When the chain tests' documents claim to be signed; they are verified at factory.NOW."""
REVOKED_ON = datetime(2026, 5, 1, tzinfo=UTC)
REVOKED_LATER_ON = datetime(2026, 11, 1, tzinfo=UTC)


def _at(year: int, month: int = 1, day: int = 1) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


@dataclass(frozen=True)
class Party:
    """A key and the certificate that names it."""

    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(Encoding.PEM)

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(Encoding.DER)

    @property
    def key_id(self) -> str:
        return keys.key_id(self.key.public_key())

    def sign(self, document: Document) -> bytes:
        """The document as signed XML, as the issuer's own system would sign it."""
        signing_key = XmlSigningKey(keys.FileSigner(self.key), self.certificate)
        return signed_xml.issue(document, signing_key, UTC)


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "IN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _usage(*, signing: bool = False, ca: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing,
        key_encipherment=not signing and not ca,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _certificate(
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    issuer: Party | None,
    *,
    valid: tuple[datetime, datetime],
    ca: bool,
    usage: x509.KeyUsage,
    permitted_dns: str | None = None,
    dns_name: str | None = None,
    unknown_critical: bool = False,
) -> Party:
    signer_key = key if issuer is None else issuer.key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject if issuer is None else issuer.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid[0])
        .not_valid_after(valid[1])
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key()), False
        )
    )
    if permitted_dns is not None:
        constraint = x509.NameConstraints([x509.DNSName(permitted_dns)], None)
        builder = builder.add_extension(constraint, critical=True)
    if unknown_critical:
        unknown = x509.UnrecognizedExtension(
            x509.ObjectIdentifier("1.3.6.1.4.1.99999.1"), b"\x05\x00"
        )
        builder = builder.add_extension(unknown, critical=True)
    if dns_name is not None:
        san = x509.SubjectAlternativeName([x509.DNSName(dns_name)])
        builder = builder.add_extension(san, critical=False)
    return Party(key, builder.sign(signer_key, hashes.SHA256()))


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _ca(name: str, organisation: str, issuer: Party | None, **options: object) -> Party:
    return _certificate(
        _name(name, organisation),
        _key(),
        issuer,
        ca=True,
        usage=_usage(ca=True),
        **options,  # type: ignore[arg-type]
    )


def _signer(issuer: Party, valid: tuple[datetime, datetime], **options: object) -> Party:
    usage = options.pop("usage", _usage(signing=True))
    return _certificate(
        _name("KMC document signer", KMC_ORGANISATION),
        _key(),
        issuer,
        valid=valid,
        ca=False,
        usage=usage,  # type: ignore[arg-type]
        **options,  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class Pki:
    root: Party
    licensed_ca: Party
    good: Party
    expired_today: Party
    expired: Party
    wrong_usage: Party
    revoked: Party
    revoked_later: Party
    outside_names: Party
    unknown_critical: Party
    unknown_root: Party
    unknown_ca: Party
    stranger: Party

    def licensed_ca_crl(self, *, this_update: datetime = NOW - timedelta(days=1)) -> bytes:
        """The licensed CA's CRL: REVOKED and REVOKED_LATER are on it."""
        return _crl(
            self.licensed_ca,
            [(self.revoked, REVOKED_ON), (self.revoked_later, REVOKED_LATER_ON)],
            this_update,
        )

    def root_crl(self, *, this_update: datetime = NOW - timedelta(days=1)) -> bytes:
        """The root's CRL: nothing revoked."""
        return _crl(self.root, [], this_update)


def _crl(ca: Party, revoked: list[tuple[Party, datetime]], this_update: datetime) -> bytes:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.certificate.subject)
        .last_update(this_update)
        .next_update(this_update + timedelta(days=7))
    )
    for party, when in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(party.certificate.serial_number)
            .revocation_date(when)
            .build()
        )
    return builder.sign(ca.key, hashes.SHA256()).public_bytes(Encoding.PEM)


@cache
def pki() -> Pki:
    root = _ca(
        "CCA India Test Root",
        "Controller of Certifying Authorities",
        None,
        valid=(_at(2020), _at(2040)),
    )
    licensed = _ca(
        "WB e-Sign CA",
        "WB e-Sign Services",
        root,
        valid=(_at(2022), _at(2035)),
        permitted_dns="wb.gov.in",
    )
    unknown_root = _ca("Unknown Root", "Somebody Else", None, valid=(_at(2020), _at(2040)))
    unknown_ca = _ca("Unknown CA", "Somebody Else", unknown_root, valid=(_at(2022), _at(2035)))
    this_year = (_at(2026), _at(2027, 6))
    return Pki(
        root=root,
        licensed_ca=licensed,
        good=_signer(licensed, this_year, dns_name="kmc.wb.gov.in"),
        expired_today=_signer(licensed, (_at(2025), _at(2026, 6))),
        expired=_signer(licensed, (_at(2024), _at(2025))),
        wrong_usage=_signer(licensed, this_year, usage=_usage()),
        revoked=_signer(licensed, this_year),
        revoked_later=_signer(licensed, this_year),
        outside_names=_signer(licensed, this_year, dns_name="kmc.example.com"),
        unknown_critical=_signer(licensed, this_year, unknown_critical=True),
        unknown_root=unknown_root,
        unknown_ca=unknown_ca,
        stranger=_signer(unknown_ca, this_year),
    )


def enrol(registry: Registry, at: datetime = datetime(2026, 1, 1, tzinfo=UTC)) -> None:
    """KMC, trusted by its certificates' organisation under the test PKI, with both CRLs."""
    p = pki()
    registry.add_issuer(KMC, KMC_ORGANISATION, at=at)
    registry.authorise(KMC, "BTHCER", valid_from=at)
    registry.add_anchor("CCA India Test Root", p.root.certificate, at=at)
    registry.add_anchor("WB e-Sign CA", p.licensed_ca.certificate, at=at)
    registry.add_crl(x509.load_pem_x509_crl(p.licensed_ca_crl()), at=at)
    registry.add_crl(x509.load_pem_x509_crl(p.root_crl()), at=at)
    registry.add_certificate_subject(KMC, KMC_ORGANISATION, at=at)


def chain_document(signed_at: datetime = SIGNED) -> Document:
    """A KMC birth certificate with no status entries (issued by KMC's own system), signed at
    `signed_at`."""
    return dataclasses.replace(
        valid_birth_certificate(), issued_at=signed_at, valid_from=signed_at.date()
    )


def anchor_set(registered_at: datetime = datetime(2020, 1, 1, tzinfo=UTC)) -> AnchorSet:
    """The test PKI's two CAs as registered anchors, with both CRLs, for an in-memory snapshot
    (`enrol` does the same in a store)."""
    p = pki()

    def crl(data: bytes, ca: Party) -> RevocationList:
        anchor = TrustAnchor.of("ca", ca.certificate, registered_at)
        digest = hashlib.sha256(data).hexdigest()
        return RevocationList(
            x509.load_pem_x509_crl(data), anchor.fingerprint, digest, registered_at
        )

    registered = (
        TrustAnchor.of("CCA India Test Root", p.root.certificate, registered_at),
        TrustAnchor.of("WB e-Sign CA", p.licensed_ca.certificate, registered_at),
    )
    lists = (crl(p.licensed_ca_crl(), p.licensed_ca), crl(p.root_crl(), p.root))
    return AnchorSet(registered, lists)
