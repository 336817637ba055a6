"""X.509 path validation to the registry's roots, at the signing time, with its CRLs.

Path building and the RFC 5280 rules (signatures, validity of every certificate at the given
time, basic constraints, path length, name constraints, the CAs' key usage) are cryptography's
`x509.verification` verifier, with the Web PKI profile for CAs. The signer's certificate must
allow digitalSignature or nonRepudiation and must not be a CA. cryptography enforces name
constraints on DNS names, IP addresses and e-mail addresses; a CA whose critical constraints
name anything else (a directoryName) cannot be checked, and its paths fail closed.

Revocation is judged from the registry's CRLs only (`revocation`), never fetched.

A validated path is cached in its `AnchorSet` by the signer's certificate, with the span of time
in which every certificate on it is valid: a later document by the same certificate, signed
inside that span, reuses the path, because nothing else the verifier judged depends on time.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    Policy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from vc_engine.model import SubIndication
from vc_engine.trust.anchors import RevocationList, TrustAnchor, certificate_fingerprint

MAX_CACHED_PATHS = 4096
"""Distinct signer certificates whose paths one `AnchorSet` remembers (then it starts afresh)."""


class AnchorSet:
    """The registry's CA certificates and CRLs at one moment, indexed for path validation, with
    the paths validated under them: a new snapshot starts with an empty cache, so a removed
    anchor or a new CRL is never answered from an old path."""

    def __init__(self, anchors: tuple[TrustAnchor, ...], crls: tuple[RevocationList, ...]) -> None:
        self.anchors = anchors
        self.crls = crls
        self._roots = tuple(a.certificate for a in anchors if a.root)
        self._store = Store(list(self._roots)) if self._roots else None
        self._intermediates = [a.certificate for a in anchors if not a.root]
        self._by_fingerprint = {a.fingerprint: a for a in anchors}
        newest: dict[str, RevocationList] = {}
        for revocation_list in crls:
            held = newest.get(revocation_list.ca_fingerprint)
            if held is None or held.this_update < revocation_list.this_update:
                newest[revocation_list.ca_fingerprint] = revocation_list
        self._newest_crl = newest
        digest = hashlib.sha256()
        for part in sorted(a.fingerprint for a in anchors) + sorted(c.sha256 for c in crls):
            digest.update(part.encode("ascii"))
        self.fingerprint = digest.hexdigest()
        self._paths: dict[bytes, ValidatedPath] = {}
        self._revoked: dict[str, dict[int, datetime]] = {}
        self._lock = threading.Lock()

    def anchor(self, certificate: x509.Certificate) -> TrustAnchor | None:
        return self._by_fingerprint.get(certificate_fingerprint(certificate))

    def newest_crl(self, ca: TrustAnchor) -> RevocationList | None:
        return self._newest_crl.get(ca.fingerprint)

    def revoked_in(self, revocation_list: RevocationList) -> dict[int, datetime]:
        """Serial number -> revocation date of every entry, read once per CRL."""
        found = self._revoked.get(revocation_list.sha256)
        if found is None:
            found = {r.serial_number: r.revocation_date_utc for r in revocation_list.crl}
            with self._lock:
                self._revoked[revocation_list.sha256] = found
        return found

    def validate(
        self, certificate: x509.Certificate, der: bytes, at: datetime
    ) -> ValidatedPath | PathRefused:
        """A path from `certificate` (the signer's, as `der`) to a registered root, valid at `at`
        (the signing time), or why there is none."""
        cached = self._paths.get(der)
        if cached is not None and cached.valid_from <= at <= cached.valid_until:
            return cached

        # 1. The signer's own certificate, judged first so the reason is exact.
        own = _signer_certificate(certificate, at)
        if own is not None:
            return own

        # 2. A path to a registered root, by the library, at the signing time.
        if self._store is None:
            return PathRefused(
                SubIndication.NO_CERTIFICATE_CHAIN_FOUND, "no root certificate is registered"
            )
        verifier = (
            PolicyBuilder()
            .store(self._store)
            .time(at)
            .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=_SIGNER)
            .build_client_verifier()
        )
        try:
            chain = tuple(verifier.verify(certificate, self._intermediates).chain)
        except (VerificationError, ValueError) as error:
            return _refused(str(error))

        # 3. Every CA on it is one the registry holds (the library only ever offers ours).
        cas = tuple(self.anchor(ca) for ca in chain[1:])
        if any(ca is None for ca in cas) or not cas:
            return PathRefused(
                SubIndication.NO_CERTIFICATE_CHAIN_FOUND, "the path leaves the registered CAs"
            )
        path = ValidatedPath(
            chain=chain,
            cas=tuple(ca for ca in cas if ca is not None),
            valid_from=max(c.not_valid_before_utc for c in chain),
            valid_until=min(c.not_valid_after_utc for c in chain),
        )
        with self._lock:
            if len(self._paths) >= MAX_CACHED_PATHS:
                self._paths.clear()
            self._paths[der] = path
        return path


EMPTY_ANCHORS = AnchorSet((), ())


@dataclass(frozen=True, slots=True)
class ValidatedPath:
    """A path from the signer's certificate to a registered root, every certificate on it a
    registered CA but the first."""

    chain: tuple[x509.Certificate, ...]
    """The signer's certificate first, the root last."""
    cas: tuple[TrustAnchor, ...]
    """The registered CAs of `chain[1:]`, in the same order; the last is the anchor."""
    valid_from: datetime
    valid_until: datetime
    """The span in which every certificate on the path is valid (both ends inclusive)."""

    @property
    def anchor(self) -> TrustAnchor:
        return self.cas[-1]

    def describe(self) -> str:
        names = [self.chain[0].subject.rfc4514_string()] + [f'"{ca.name}"' for ca in self.cas]
        return " -> ".join(names)


@dataclass(frozen=True, slots=True)
class PathRefused:
    code: SubIndication
    message: str


def _signer_certificate(certificate: x509.Certificate, at: datetime) -> PathRefused | None:
    if at < certificate.not_valid_before_utc:
        return PathRefused(
            SubIndication.NOT_YET_VALID,
            f"the signer's certificate is valid only from "
            f"{certificate.not_valid_before_utc.isoformat()}; signed at {at.isoformat()}",
        )
    if at > certificate.not_valid_after_utc:
        return PathRefused(
            SubIndication.EXPIRED,
            f"the signer's certificate expired at {certificate.not_valid_after_utc.isoformat()}, "
            f"before the signing time {at.isoformat()}",
        )
    why = _signer_usage(certificate)
    if why is not None:
        return PathRefused(SubIndication.CHAIN_CONSTRAINTS_FAILURE, why)
    return None


def _signer_usage(certificate: x509.Certificate) -> str | None:
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return "the signer's certificate has no key usage"
    if not (usage.digital_signature or usage.content_commitment):
        return "the signer's certificate allows neither digitalSignature nor nonRepudiation"
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return None
    if constraints.ca:
        return "the signer's certificate is a CA certificate"
    return None


def _signer_key_usage(policy: Policy, certificate: x509.Certificate, usage: x509.KeyUsage) -> None:
    if not (usage.digital_signature or usage.content_commitment):
        raise ValueError("key usage allows neither digitalSignature nor nonRepudiation")


def _signer_not_ca(
    policy: Policy, certificate: x509.Certificate, constraints: x509.BasicConstraints | None
) -> None:
    if constraints is not None and constraints.ca:
        raise ValueError("a CA certificate cannot sign documents")


_SIGNER = (
    ExtensionPolicy.permit_all()
    .require_present(x509.KeyUsage, Criticality.AGNOSTIC, _signer_key_usage)
    .may_be_present(x509.BasicConstraints, Criticality.AGNOSTIC, _signer_not_ca)
)
"""What the signer's certificate must allow, for the library (and `_signer_usage`, which says
the same first so the report gives the exact reason)."""


def _refused(reason: str) -> PathRefused:
    if "name constraint" in reason:
        return PathRefused(
            SubIndication.CHAIN_CONSTRAINTS_FAILURE, f"a CA's name constraints: {reason}"
        )
    return PathRefused(
        SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
        f"no path to a registered root valid at the signing time: {reason}",
    )
