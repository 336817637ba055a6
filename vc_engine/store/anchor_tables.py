"""The registry's CA certificates, their CRLs and the issuers trusted by certificate subject: the
writes that change which certificates a verifier trusts, each checked before it is made.

A CA certificate is added as a root (self-signed) or under a CA already registered, so every
registered CA lies on a path to a registered root; a CRL is accepted only when a registered CA
signed it. Removing a CA records when, and keeps the row: the registry's history stays whole.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import Connection, insert, or_, select, update

from vc_engine.store import queries, validate
from vc_engine.store.engine import Database, refuse_on_conflict
from vc_engine.store.errors import AnchorConflict, InvalidRegistryInput, UnknownAnchor
from vc_engine.store.schema import (
    certificate_revocation_lists,
    issuer_certificate_subjects,
    trust_anchors,
)
from vc_engine.trust.anchors import (
    CertificateSubject,
    RevocationList,
    TrustAnchor,
    issued_by,
    subject_text,
)
from vc_engine.trust.chains import AnchorSet


class AnchorTables(Database):
    """CA certificates, CRLs and certificate subjects (a part of `Registry`)."""

    # CA certificates

    def add_anchor(self, name: str, certificate: x509.Certificate, *, at: datetime) -> TrustAnchor:
        """Trust `certificate`, a CA certificate: a root, or a CA signed by a registered one."""
        anchor = TrustAnchor.of(
            validate.text("anchor name", name), certificate, validate.aware_utc("at", at)
        )
        _require_ca(certificate)
        with self._write() as conn:
            held = _active_anchors(conn)
            if any(a.fingerprint == anchor.fingerprint for a in held):
                raise AnchorConflict(f"certificate {anchor.fingerprint} is already registered")
            if any(a.name == anchor.name for a in held):
                raise AnchorConflict(f"a CA named {anchor.name!r} is already registered")
            if not anchor.root and not any(issued_by(certificate, a.certificate) for a in held):
                raise AnchorConflict(
                    f"{subject_text(certificate)} is not self-signed and no registered CA "
                    f"signed it ({certificate.issuer.rfc4514_string()}): add that CA first"
                )
            conn.execute(
                insert(trust_anchors).values(
                    fingerprint=anchor.fingerprint,
                    name=anchor.name,
                    certificate_pem=certificate.public_bytes(Encoding.PEM).decode("ascii"),
                    is_root=anchor.root,
                    added_at=anchor.added_at,
                )
            )
        return anchor

    def remove_anchor(self, name_or_fingerprint: str, *, at: datetime) -> TrustAnchor:
        """Stop trusting a CA certificate (named by its name or SHA-256 fingerprint) from now
        on; documents it vouched for no longer verify through it."""
        removed = validate.aware_utc("at", at)
        wanted = name_or_fingerprint.strip()
        with self._write() as conn:
            row = conn.execute(
                select(trust_anchors)
                .where(
                    trust_anchors.c.removed_at.is_(None),
                    or_(
                        trust_anchors.c.name == wanted,
                        trust_anchors.c.fingerprint == wanted.lower(),
                    ),
                )
                .with_for_update()
            ).first()
            if row is None:
                raise UnknownAnchor(f"no registered CA is named or fingerprinted {wanted!r}")
            conn.execute(
                update(trust_anchors).where(trust_anchors.c.id == row.id).values(removed_at=removed)
            )
        return _anchor(row)

    def list_anchors(self) -> tuple[TrustAnchor, ...]:
        with self._read() as conn:
            return _active_anchors(conn)

    # CRLs

    def add_crl(self, crl: x509.CertificateRevocationList, *, at: datetime) -> RevocationList:
        """Load a CRL signed by a registered CA; it is believed from now on, offline too."""
        added = validate.aware_utc("at", at)
        der = crl.public_bytes(Encoding.DER)
        sha256 = hashlib.sha256(der).hexdigest()
        conflict = AnchorConflict(f"CRL {sha256} is already loaded")
        with self._write() as conn, refuse_on_conflict(conflict):
            ca = next((a for a in _active_anchors(conn) if issued_by(crl, a.certificate)), None)
            if ca is None:
                raise AnchorConflict(
                    f"no registered CA signed this CRL (issuer {crl.issuer.rfc4514_string()})"
                )
            present = conn.execute(
                select(certificate_revocation_lists.c.id).where(
                    certificate_revocation_lists.c.sha256 == sha256
                )
            ).first()
            if present is not None:
                raise conflict
            record = RevocationList(crl, ca.fingerprint, sha256, added)
            conn.execute(
                insert(certificate_revocation_lists).values(
                    sha256=sha256,
                    ca_fingerprint=ca.fingerprint,
                    crl_der=der,
                    this_update=record.this_update,
                    next_update=record.next_update,
                    added_at=added,
                )
            )
        return record

    def list_crls(self) -> tuple[RevocationList, ...]:
        with self._read() as conn:
            return _crls(conn)

    # Issuers trusted by certificate subject

    def add_certificate_subject(
        self,
        issuer_id: str,
        organisation: str,
        *,
        serial_number: int | None = None,
        key_id: str | None = None,
        at: datetime,
    ) -> CertificateSubject:
        """Trust, for `issuer_id`, certificates whose subject organisation is `organisation`
        (and, if given, with this serial number or key) that chain to a registered root. An
        organisation speaks for one issuer only."""
        if serial_number is not None and serial_number <= 0:
            raise InvalidRegistryInput("a certificate serial number is a positive integer")
        record = CertificateSubject(
            issuer_id=issuer_id,
            organisation=validate.text("organisation", organisation),
            serial_number=serial_number,
            key_id=None if key_id is None else validate.sha256_hex(key_id),
            added_at=validate.aware_utc("at", at),
        )
        with self._write() as conn:
            queries.require_issuer(conn, issuer_id)
            for held in _subjects(conn, None):
                if held.organisation != record.organisation:
                    continue
                if held.issuer_id != issuer_id:
                    raise AnchorConflict(
                        f"organisation {record.organisation!r} already speaks for issuer "
                        f"{held.issuer_id}"
                    )
                if (held.serial_number, held.key_id) == (record.serial_number, record.key_id):
                    raise AnchorConflict(
                        f"issuer {issuer_id} is already registered by {record.describe()}"
                    )
            conn.execute(
                insert(issuer_certificate_subjects).values(
                    issuer_id=issuer_id,
                    organisation=record.organisation,
                    serial_number=None if serial_number is None else format(serial_number, "x"),
                    key_id=record.key_id,
                    added_at=record.added_at,
                )
            )
        return record

    def certificate_subjects(self, issuer_id: str) -> tuple[CertificateSubject, ...]:
        with self._read() as conn:
            return _subjects(conn, issuer_id)

    def anchors(self) -> AnchorSet:
        """The CA certificates and CRLs as path validation reads them (a fresh set per call:
        a verifier that wants validated paths cached uses a snapshot)."""
        with self._read(consistent=True) as conn:
            return anchor_set(conn)


def anchor_set(conn: Connection) -> AnchorSet:
    return AnchorSet(_active_anchors(conn), _crls(conn))


def all_subjects(conn: Connection) -> tuple[CertificateSubject, ...]:
    return _subjects(conn, None)


def _require_ca(certificate: x509.Certificate) -> None:
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except (x509.ExtensionNotFound, ValueError):
        constraints = None
    if constraints is None or not constraints.ca:
        raise InvalidRegistryInput(
            f"{subject_text(certificate)} is not a CA certificate (basicConstraints cA is not "
            "set); register the issuer by its subject instead"
        )


def _active_anchors(conn: Connection) -> tuple[TrustAnchor, ...]:
    rows = conn.execute(
        select(trust_anchors)
        .where(trust_anchors.c.removed_at.is_(None))
        .order_by(trust_anchors.c.id)
    )
    return tuple(_anchor(row) for row in rows)


def _anchor(row: Any) -> TrustAnchor:
    certificate = x509.load_pem_x509_certificate(row.certificate_pem.encode("ascii"))
    return TrustAnchor(
        name=row.name,
        certificate=certificate,
        fingerprint=row.fingerprint,
        root=bool(row.is_root),
        added_at=row.added_at,
    )


def _crls(conn: Connection) -> tuple[RevocationList, ...]:
    rows = conn.execute(
        select(certificate_revocation_lists).order_by(certificate_revocation_lists.c.id)
    )
    return tuple(
        RevocationList(
            crl=x509.load_der_x509_crl(bytes(row.crl_der)),
            ca_fingerprint=row.ca_fingerprint,
            sha256=row.sha256,
            added_at=row.added_at,
        )
        for row in rows
    )


def _subjects(conn: Connection, issuer_id: str | None) -> tuple[CertificateSubject, ...]:
    query = select(issuer_certificate_subjects).order_by(issuer_certificate_subjects.c.id)
    if issuer_id is not None:
        query = query.where(issuer_certificate_subjects.c.issuer_id == issuer_id)
    return tuple(_subject(row) for row in conn.execute(query))


def _subject(row: Any) -> CertificateSubject:
    return CertificateSubject(
        issuer_id=row.issuer_id,
        organisation=row.organisation,
        serial_number=None if row.serial_number is None else int(row.serial_number, 16),
        key_id=row.key_id,
        added_at=row.added_at,
    )
