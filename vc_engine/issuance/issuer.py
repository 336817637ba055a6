"""Who issues, with what key, in which renditions, and whether the registry would vouch for it.

An issuer should never produce a document that its own registry would refuse, so `preflight`
checks the issuer, its key and its authorisation before the first signature.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from vc_engine.doctypes import DocType, get_doctype, printable_document
from vc_engine.doctypes.generated import TypeContext, type_context
from vc_engine.errors import Refused
from vc_engine.formats import (
    PDF_PADES,
    QR_CWT,
    SIGNED_XML,
    VC_DATA_INTEGRITY,
    VC_JWT,
    qr,
    vc_di,
    vc_jwt,
)
from vc_engine.formats import xml as signed_xml
from vc_engine.formats.vc_di.contexts import ContextLoader, default_loader, loader_for
from vc_engine.formats.xml.dsig import XmlSigningKey
from vc_engine.keys import KeyAlgorithm, Signer, certificate_public_key, did_key, key_id
from vc_engine.model import Document
from vc_engine.store.registry import Registry
from vc_engine.trust.certificate_trust import refusal_to_sign
from vc_engine.trust.did import verification_method as registry_verification_method
from vc_engine.trust.records import IssuerStatus, KeyStatus

if TYPE_CHECKING:
    from pyhanko.sign.timestamps import TimeStamper


class IssuanceRefused(Refused):
    """The registry would not vouch for what we are about to sign; nothing was issued."""


@dataclass(frozen=True)
class Issuer:
    """Who signs, with what, resolved once for a whole run."""

    id: str
    name: str
    signer: Signer
    certificate: x509.Certificate | None
    civil_timezone: tzinfo
    cryptosuite: str | None = None
    timestamper: TimeStamper | None = None
    """The RFC 3161 timestamp authority that stamps signed PDFs, when one is configured."""

    @cached_property
    def key_id(self) -> str:
        return key_id(self.signer.public_key)

    @cached_property
    def xml_key(self) -> XmlSigningKey:
        if self.certificate is None:
            raise IssuanceRefused("signed XML carries the key's certificate: give --cert")
        return XmlSigningKey(self.signer, self.certificate)

    @cached_property
    def verification_method(self) -> str:
        """The proof's and JWT's key reference: the did:key of the signing key, or for an RSA
        key (which has no did:key form) the issuer's did:web with the registry's key id."""
        if self.signer.algorithm is KeyAlgorithm.RSA2048:
            return registry_verification_method(self.id, self.key_id)
        return did_key(self.signer.public_key)


Earlier = Mapping[str, bytes]
"""The renditions of the same document signed before this one in the run, by format name."""


@dataclass(frozen=True)
class Rendition:
    """One wire format an original can be issued in."""

    format: str
    suffix: str
    sign: Callable[[Document, Issuer, Earlier, DocType | None], bytes]
    """Sign a document, given the renditions signed before it and the type version it is
    issued under (None: the latest shipped version of its type)."""


def _sign_vc_di(document: Document, issuer: Issuer, _: Earlier, doctype: DocType | None) -> bytes:
    context = _type_context(doctype or get_doctype(document.doctype))
    return vc_di.issue(
        document,
        issuer.signer,
        verification_method=issuer.verification_method,
        civil_timezone=issuer.civil_timezone,
        cryptosuite=issuer.cryptosuite,
        type_context=None if context is None else context.url,
        contexts=_contexts(context),
    )


def _sign_vc_jwt(document: Document, issuer: Issuer, _: Earlier, doctype: DocType | None) -> bytes:
    context = _type_context(doctype or get_doctype(document.doctype))
    return vc_jwt.issue(
        document,
        issuer.signer,
        kid=issuer.verification_method,
        civil_timezone=issuer.civil_timezone,
        type_context=None if context is None else context.url,
    )


def _sign_qr(document: Document, issuer: Issuer, _: Earlier, doctype: DocType | None) -> bytes:
    return qr.issue(printable_document(document, doctype), issuer.signer)


def _sign_pdf(
    document: Document, issuer: Issuer, earlier: Earlier, doctype: DocType | None
) -> bytes:
    # Imported on first use: fontTools, HarfBuzz and pyHanko take a second to load, which a run
    # that issues no PDF should not pay.
    from vc_engine.issuance.paper import sign_pdf

    doctype = doctype or get_doctype(document.doctype)
    originals = dict(earlier)
    if VC_DATA_INTEGRITY not in originals and issuer.signer.algorithm is not KeyAlgorithm.RSA2048:
        originals[VC_DATA_INTEGRITY] = _sign_vc_di(document, issuer, earlier, doctype)
    return sign_pdf(document, issuer, originals, doctype)


RENDITIONS = {
    "xml": Rendition(
        SIGNED_XML, ".xml", lambda d, i, _, __: signed_xml.issue(d, i.xml_key, i.civil_timezone)
    ),
    "vc-di": Rendition(VC_DATA_INTEGRITY, ".vc.json", _sign_vc_di),
    "vc-jwt": Rendition(VC_JWT, ".jwt", _sign_vc_jwt),
    "qr": Rendition(QR_CWT, ".qr.txt", _sign_qr),
    "pdf": Rendition(PDF_PADES, ".pdf", _sign_pdf),
}


@lru_cache(maxsize=64)
def _type_context(doctype: DocType) -> TypeContext | None:
    """The type version's own context, generated once per version."""
    return type_context(doctype)


def _contexts(context: TypeContext | None) -> ContextLoader | None:
    """The pinned contexts a credential of the type is canonicalised over: the package's (None),
    or for a type added to the registry those plus its generated context, pinned by SHA-256."""
    if context is None or context.url in default_loader().urls:
        return None
    return loader_for(frozenset({"standard"}), False, ((context.url, context.document),))


def renditions(names: Iterable[str], issuer: Issuer) -> tuple[Rendition, ...]:
    """The renditions asked for, refused up front when the key cannot sign one of them. A PDF
    comes last: it carries the others' bytes."""
    names = sorted(names, key=lambda name: name == "pdf")
    chosen = []
    for name in names:
        rendition = RENDITIONS.get(name)
        if rendition is None:
            raise IssuanceRefused(f"unknown format {name!r}; choose from {', '.join(RENDITIONS)}")
        chosen.append(rendition)
    algorithm = issuer.signer.algorithm
    if "xml" in names and algorithm not in (KeyAlgorithm.RSA2048, KeyAlgorithm.P256):
        raise IssuanceRefused(f"signed XML is signed with RSA-2048 or P-256 keys, not {algorithm}")
    if "xml" in names:
        _ = issuer.xml_key  # the certificate must be there and hold the signer's key
    if (
        "vc-di" in names
        and issuer.cryptosuite is None
        and algorithm not in vc_di.DEFAULT_CRYPTOSUITE
    ):
        raise IssuanceRefused(
            f"Data Integrity proofs need an Ed25519 or ECDSA key, not {algorithm}"
        )
    if ("qr" in names or "pdf" in names) and algorithm is KeyAlgorithm.RSA2048:
        raise IssuanceRefused(
            "a QR code (and so a PDF, which prints one) is signed with an Ed25519 or ECDSA key, "
            "not RSA"
        )
    if "pdf" in names and issuer.certificate is None:
        raise IssuanceRefused("a signed PDF carries the key's certificate: give --cert")
    if issuer.timestamper is not None and "pdf" not in names:
        raise IssuanceRefused("a timestamp authority stamps signed PDFs: add pdf to the formats")
    if not chosen:
        raise IssuanceRefused("no format to issue")
    return tuple(chosen)


def enrol_by_chain(
    registry: Registry,
    issuer_id: str,
    signing_key_id: str,
    certificate: x509.Certificate | None,
    at: datetime,
) -> None:
    """Let an issuer trusted through its certificates' chain (registered by subject, its root
    by `trust-anchor add`) sign with the key of a certificate the registry has not seen.

    The certificate must be one the issuer is registered under and chain, now, to a registered
    root with nothing on the path revoked (`refusal_to_sign`); its key is then recorded for
    the issuer, valid only within the certificate's validity, so that the issuance register
    can name the key and the status lists it signs are believed. Signed XML and PDFs carry the
    certificate and are judged by its chain at every verification; the other renditions by
    the recorded key. Does nothing when there is no certificate, the key is registered, or the
    issuer is not registered by subject (then `preflight` says why the key is refused)."""
    if certificate is None or registry.get_key(signing_key_id) is not None:
        return
    public_key = certificate_public_key(certificate)
    if key_id(public_key) != signing_key_id:
        raise IssuanceRefused("the certificate given is not the signing key's")
    view = registry.snapshot()
    if not view.certificate_subjects(issuer_id):
        return
    der = certificate.public_bytes(Encoding.DER)
    refused = refusal_to_sign(view, issuer_id, der, at)
    if refused is not None:
        raise IssuanceRefused(f"the certificate is not trusted for {issuer_id}: {refused}")
    registry.add_key(
        issuer_id,
        public_key,
        certificate=certificate,
        valid_from=None,
        valid_until=None,
        at=at,
    )


def preflight(
    registry: Registry, issuer_id: str, signing_key_id: str, doctype: str | None, at: datetime
) -> str:
    """Check that documents (of `doctype`; status lists when None) signed now would verify;
    return the issuer's registered name."""
    record = registry.get_issuer(issuer_id)
    if record is None:
        raise IssuanceRefused(f"issuer {issuer_id} is not in the registry")
    if record.status is not IssuerStatus.ACTIVE:
        raise IssuanceRefused(f"issuer {issuer_id} is {record.status}")
    registered = registry.get_key(signing_key_id)
    if registered is None or registered.issuer_id != issuer_id:
        raise IssuanceRefused(f"the signing key {signing_key_id} is not registered to {issuer_id}")
    if not registered.in_window(at):
        raise IssuanceRefused(f"the signing key {signing_key_id} is outside its validity window")
    for final in (KeyStatus.RETIRED, KeyStatus.COMPROMISED):
        event = registered.first_event(final)
        if event is not None and event.effective_at <= at:
            raise IssuanceRefused(f"the signing key {signing_key_id} is {final}: {event.reason}")
    if doctype is not None and not any(
        a.covers(doctype, at) for a in registry.authorisations(issuer_id)
    ):
        raise IssuanceRefused(f"issuer {issuer_id} is not authorised to issue {doctype}")
    return record.name
