"""The PDF rendition of a document: its page laid out from the document type (titles in English
and the holder's language, each field with its label, the issuer, id and dates, the QR code),
signed by the issuer, with the run's machine-readable originals attached.

The originals are the very bytes the run issues in its other renditions (signed XML, the Data
Integrity credential, the QR text), so the register's digests hold for what the PDF carries;
what the run does not issue otherwise is signed here for the PDF alone, when the key can.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from typing import Protocol

from cryptography import x509
from pyhanko.sign.timestamps import TimestampRequestError

from vc_engine import doctypes
from vc_engine.errors import StoreError
from vc_engine.formats import QR_CWT, SIGNED_XML, VC_DATA_INTEGRITY, pdf, qr
from vc_engine.formats import xml as signed_xml
from vc_engine.formats.xml.dsig import XmlSigningKey
from vc_engine.keys import KeyAlgorithm, Signer
from vc_engine.model import Document


class TimestampUnavailable(StoreError):
    """The configured timestamp authority did not answer with a timestamp, so no PDF of the
    block is issued unstamped. A service the issuance depends on, like the store: trying again
    later may work (the HTTP service answers 503)."""


class PaperIssuer(Protocol):
    """What of `issuer.Issuer` the PDF needs (a protocol: the issuer module lists this
    rendition among its others)."""

    @property
    def name(self) -> str: ...
    @property
    def signer(self) -> Signer: ...
    @property
    def certificate(self) -> x509.Certificate | None: ...
    @property
    def civil_timezone(self) -> tzinfo: ...
    @property
    def cryptosuite(self) -> str | None: ...
    @property
    def xml_key(self) -> XmlSigningKey: ...
    @property
    def verification_method(self) -> str: ...
    @property
    def timestamper(self) -> pdf.TimeStamper | None: ...


_ATTACHED = {
    SIGNED_XML: ("{id}.xml", "application/xml", "The signed XML original"),
    VC_DATA_INTEGRITY: (
        "{id}.vc.json",
        "application/vc+ld+json",
        "The W3C Verifiable Credential (Data Integrity proof)",
    ),
}


def sign_pdf(
    document: Document,
    issuer: PaperIssuer,
    earlier: Mapping[str, bytes],
    doctype: doctypes.DocType,
) -> bytes:
    """The signed PDF of `document`, laid out from `doctype`; `earlier` holds the renditions
    already signed, by format name (the issuer module adds the Data Integrity credential when
    the run does not issue one). The issuer has a certificate (`issuer.renditions` refuses a
    run without)."""
    if issuer.certificate is None:
        raise ValueError("a signed PDF carries the key's certificate")
    originals = dict(earlier)
    if SIGNED_XML not in originals and issuer.signer.algorithm in (
        KeyAlgorithm.RSA2048,
        KeyAlgorithm.P256,
    ):
        originals[SIGNED_XML] = signed_xml.issue(document, issuer.xml_key, issuer.civil_timezone)
    qr_text = originals.get(QR_CWT) or qr.issue(
        doctypes.printable_document(document, doctype), issuer.signer
    )
    attachments = tuple(
        pdf.Attachment(name.format(id=document.id), media_type, originals[kind], description)
        for kind, (name, media_type, description) in _ATTACHED.items()
        if kind in originals
    )
    try:
        return pdf.issue(
            printed_page(document, qr_text.decode("ascii"), issuer.civil_timezone, doctype),
            attachments,
            issuer.signer,
            issuer.certificate,
            signer_name=issuer.name,
            created=document.issued_at,
            timestamper=issuer.timestamper,
        )
    except TimestampRequestError as error:
        # Raised in a worker, this stops the run before its block is registered: a re-run
        # resumes once the authority answers again.
        raise TimestampUnavailable(
            f"the timestamp authority did not stamp {document.id}'s PDF ({error}); nothing "
            "of its block was issued"
        ) from None


def printed_page(
    document: Document,
    qr_text: str,
    civil_timezone: tzinfo,
    doctype: doctypes.DocType | None = None,
) -> pdf.PrintedPage:
    """What the page shows, in the words of the type version it is issued under (default: the
    latest shipped one): every field with its label (in English and the holder's language where
    it has one), tables as tables."""
    doctype = doctype or doctypes.get_doctype(document.doctype)
    language = doctypes.holder_language(document)
    titles = [doctype.title("en")]
    if language is not None and doctype.title(language) not in titles:
        titles.append(doctype.title(language))
    values = {**document.holder, **document.claims}
    fields: list[tuple[str, str]] = []
    tables: list[pdf.Table] = []
    for spec in doctype.fields:
        value = values.get(spec.name)
        if value is None:
            continue
        label = _label(spec, language)
        if isinstance(value, str):
            fields.append((label, value))
            continue
        columns = tuple(c.name for c in spec.columns)
        tables.append(
            pdf.Table(
                label,
                tuple(_label(c, language) for c in spec.columns),
                tuple(tuple(row.get(c, "") for c in columns) for row in value),
            )
        )
    until = "no expiry" if document.valid_until is None else document.valid_until.isoformat()
    return pdf.PrintedPage(
        titles=tuple(titles),
        fields=tuple(fields),
        tables=tuple(tables),
        issuer=f"{document.issuer_name} ({document.issuer_id})",
        document_id=document.id,
        dates=(
            ("Issued", document.issued_at.astimezone(civil_timezone).date().isoformat()),
            ("Valid from", document.valid_from.isoformat()),
            ("Valid until", until),
        ),
        qr_text=qr_text,
    )


def _label(spec: doctypes.Field, language: str | None) -> str:
    english = spec.label("en")
    if language is None or spec.label(language) == english:
        return english
    return f"{english} / {spec.label(language)}"
