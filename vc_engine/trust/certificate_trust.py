"""The trust rules for an issuer registered by its certificates' subject instead of a pinned key.

The document carries its signer's certificate (signed XML's KeyInfo); the format has already
checked the signature under that certificate's key. Here the registry judges the certificate:
its subject is one the issuer is registered under, it chains to a registered root at the
signing time (`chains`), no certificate on the path was revoked by then according to the
registry's CRLs, and, when a certificate on the path has expired since, the issuance register
proves the document existed while it was valid, as a key compromise is judged for pinned keys.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from cryptography import x509

from vc_engine.keys import KeyMaterialError, load_certificate
from vc_engine.model import Check, Document, SubIndication
from vc_engine.policy import VerificationPolicy
from vc_engine.trust.anchors import CertificateSubject, TrustAnchor
from vc_engine.trust.chains import AnchorSet, PathRefused, ValidatedPath
from vc_engine.trust.source import TrustSource


def matches_subject(subjects: tuple[CertificateSubject, ...], der: bytes) -> bool:
    certificate = _certificate(der)
    return certificate is not None and any(s.matches(certificate) for s in subjects)


def subject_check(
    subjects: tuple[CertificateSubject, ...], issuer_id: str, der: bytes
) -> tuple[Check, x509.Certificate | None]:
    """Is the carried certificate's subject one `issuer_id` is registered under?"""
    certificate = _certificate(der)
    if certificate is None:
        return Check.failed(
            "certificate-subject",
            SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
            "the document's certificate cannot be read",
        ), None
    subject = certificate.subject.rfc4514_string()
    matched = next((s for s in subjects if s.matches(certificate)), None)
    if matched is None:
        registered = "; ".join(s.describe() for s in subjects)
        return Check.failed(
            "certificate-subject",
            SubIndication.NOT_TRUSTED,
            f"the signer's certificate ({subject}, serial {certificate.serial_number:x}) is not "
            f"one issuer {issuer_id} is registered under ({registered})",
        ), None
    return Check.passed(
        "certificate-subject",
        f"the signer's certificate {subject} matches issuer {issuer_id}'s {matched.describe()}",
    ), certificate


def refusal_to_sign(view: TrustSource, issuer_id: str, der: bytes, at: datetime) -> str | None:
    """Why a document `issuer_id` signed at `at` under this certificate would not be trusted
    through its chain (its subject is not one the issuer is registered under, no valid path
    to a registered root, a certificate on the path revoked or its CA's CRL missing or out of
    date), or None when it would be. What an issuer checks before signing."""
    subjects = view.certificate_subjects(issuer_id)
    if not subjects:
        return f"issuer {issuer_id} is not registered by a certificate subject"
    subject, certificate = subject_check(subjects, issuer_id, der)
    if certificate is None:
        return subject.message
    anchors = view.anchors()
    path = anchors.validate(certificate, der, at)
    if isinstance(path, PathRefused):
        return path.message
    for on_path, ca in zip(path.chain[:-1], path.cas, strict=True):
        crl = anchors.newest_crl(ca)
        if crl is None:
            return f"no CRL of {_ca(ca)} is in the registry"
        if crl.next_update is not None and crl.next_update <= at:
            return f"the newest CRL of {_ca(ca)} is past its next update {_at(crl.next_update)}"
        revoked_at = anchors.revoked_in(crl).get(on_path.serial_number)
        if revoked_at is not None and revoked_at <= at:
            name = on_path.subject.rfc4514_string()
            return f"{name} was revoked by {_ca(ca)} at {_at(revoked_at)}"
    return None


def path_checks(
    view: TrustSource,
    document: Document,
    certificate: x509.Certificate,
    der: bytes,
    document_sha256: str,
    policy: VerificationPolicy,
) -> list[Check]:
    """The path to a root at the signing time, its revocation, and its expiry since."""
    anchors = view.anchors()
    signed = document.issued_at

    # 1. A path to a registered root, valid at the signing time, within every constraint.
    path = anchors.validate(certificate, der, signed)
    if isinstance(path, PathRefused):
        return [Check.failed("certificate-path", path.code, path.message)]
    checks = [
        Check.passed(
            "certificate-path",
            f"path {path.describe()}, to trust anchor {path.anchor.describe()}, "
            f"valid at the signing time {_at(signed)}",
        )
    ]

    # 2. No certificate on it revoked by the signing time, by the registry's CRLs.
    checks.append(_revocation(view, anchors, path, document, document_sha256, policy))

    # 3. A certificate expired since: only a proof of existence from before then holds.
    if path.valid_until < policy.at:
        checks.append(_expired_since(view, path, document, document_sha256))
    return checks


def _revocation(
    view: TrustSource,
    anchors: AnchorSet,
    path: ValidatedPath,
    document: Document,
    document_sha256: str,
    policy: VerificationPolicy,
) -> Check:
    name = "certificate-revocation"
    signed = document.issued_at
    consulted: list[str] = []
    for certificate, ca in zip(path.chain[:-1], path.cas, strict=True):
        subject = certificate.subject.rfc4514_string()
        crl = anchors.newest_crl(ca)
        if crl is None:
            return Check.indeterminate(
                name, SubIndication.TRY_LATER, f"no CRL of {_ca(ca)} is in the registry"
            )
        current = crl.next_update is None or policy.at < crl.next_update
        if crl.this_update < signed and not current:
            return Check.indeterminate(
                name,
                SubIndication.TRY_LATER,
                f"the newest CRL of {_ca(ca)} was issued at {_at(crl.this_update)}, before the "
                f"signing time, and is past its next update {_optional(crl.next_update)}",
            )
        revoked_at = anchors.revoked_in(crl).get(certificate.serial_number)
        if revoked_at is not None and revoked_at <= signed:
            return Check.failed(
                name,
                SubIndication.REVOKED,
                f"{subject} was revoked by {_ca(ca)} at {_at(revoked_at)}; the document claims "
                f"to be signed at {_at(signed)}",
            )
        if revoked_at is not None:
            proof = _proof_before(view, document, document_sha256, revoked_at)
            if proof is None:
                return Check.indeterminate(
                    name,
                    SubIndication.REVOKED_NO_POE,
                    f"{subject} was revoked at {_at(revoked_at)}, after the claimed signing "
                    f"time {_at(signed)}, but the register holds no proof the document "
                    f"existed before",
                )
            consulted.append(
                f"{subject} revoked at {_at(revoked_at)}, after the register recorded this "
                f"document at {_at(proof)}"
            )
            continue
        consulted.append(f"CRL of {_ca(ca)} issued {_at(crl.this_update)}")
    return Check.passed(name, "not revoked: " + "; ".join(consulted))


def _expired_since(
    view: TrustSource, path: ValidatedPath, document: Document, document_sha256: str
) -> Check:
    name = "certificate-expiry"
    expired = path.valid_until
    proof = _proof_before(view, document, document_sha256, expired)
    if proof is None:
        return Check.indeterminate(
            name,
            SubIndication.OUT_OF_BOUNDS_NO_POE,
            f"a certificate on the path expired at {_at(expired)}; the register holds no proof "
            f"the document existed before then",
        )
    return Check.passed(
        name,
        f"a certificate on the path expired at {_at(expired)}, but the issuance register "
        f"recorded this exact document at {_at(proof)}, before that",
    )


def _proof_before(
    view: TrustSource, document: Document, document_sha256: str, boundary: datetime
) -> datetime | None:
    """When the register recorded these exact bytes, if that was before `boundary`."""
    record = view.issuance(document.id)
    if record is None or not record.proves(document_sha256.lower()):
        return None
    return record.recorded_at if record.recorded_at < boundary else None


@lru_cache(maxsize=1024)
def _certificate(der: bytes) -> x509.Certificate | None:
    """The certificate, once its subject and extensions are known to parse (cryptography reads
    them lazily, and a hostile document's certificate must fail here, not deep in a check)."""
    try:
        certificate = load_certificate(der)
        _ = certificate.subject.rfc4514_string(), certificate.extensions
    except (KeyMaterialError, ValueError):
        return None
    return certificate


def _ca(ca: TrustAnchor) -> str:
    return f'"{ca.name}"'


def _at(instant: datetime) -> str:
    return instant.isoformat()


def _optional(instant: datetime | None) -> str:
    return "none" if instant is None else _at(instant)
