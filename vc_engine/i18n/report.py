"""Every sentence a verification report says, by message code.

The English templates are the reports' text as it has always been; the catalogs under
`vc_engine/data/locale` say them in Bengali and Hindi. A `{detail}` is a technical explanation
from a parser or a library (which element, which byte): it travels in English inside the
translated sentence, since it names things in the file itself.
"""

from __future__ import annotations

from vc_engine.i18n.message import Template

REPORT: dict[str, Template] = {}
"""Every report template by code: the catalogs must translate each one."""


def _t(code: str, english: str) -> Template:
    template = Template(code, english)
    if code in REPORT:
        raise ValueError(f"message code {code} is defined twice")
    REPORT[code] = template
    return template


# A sentence that has no code of its own yet: its English travels inside every language.
DETAIL = _t("detail", "{detail}")

# The pipeline's own refusals, before any format is read.
SIZE_TOO_LARGE = _t("size.too-large", "the document is {size} bytes; the limit is {limit}")
FORMAT_UNKNOWN = _t("format.unknown", "not a document in any format this engine reads")

# Reading the file.
PARSE_REFUSED = _t("parse.refused", "{detail}")
PARSE_XML = _t("parse.xml", "well-formed UTF-8 XML 1.0 without DTD or entities, within limits")
PARSE_JSON = _t("parse.json", "a well-formed JSON object")
SIGNED_CONTENT_REFUSED = _t("signed-content.refused", "{detail}")
SIGNED_CONTENT_XML = _t("signed-content.xml", "the signed content follows the schema")
SIGNED_CONTENT_CREDENTIAL = _t(
    "signed-content.credential", "the signed credential has the engine's shape"
)

# The signature's form and its algorithms.
SIGNATURE_FORMAT_REFUSED = _t("signature-format.refused", "{detail}")
SIGNATURE_NO_CERTIFICATE = _t(
    "signature-format.no-certificate",
    "KeyInfo must carry one X509Data with the signer's X509Certificate",
)
PROOF_FORMAT_REFUSED = _t("proof-format.refused", "{detail}")
CONSTRAINTS_REFUSED = _t("crypto-constraints.refused", "{detail}")
CONSTRAINTS_XML = _t("crypto-constraints.xml", "{scheme} over {digest} digests, {c14n}")
CONSTRAINTS_XML_LEGACY = _t(
    "crypto-constraints.xml-legacy", "{scheme} over {digest} digests, {c14n} (legacy profile)"
)
CONSTRAINTS_DI = _t("crypto-constraints.data-integrity", "{suite} with a {algorithm} key")
CONSTRAINTS_JWT = _t("crypto-constraints.jwt", "{scheme}, typ vc+jwt")
CANONICALIZATION_REFUSED = _t("canonicalization.refused", "{detail}")
CANONICALIZATION_TOO_DEEP = _t("canonicalization.too-deep", "nested too deeply")
CANONICALIZATION_SURROGATE = _t(
    "canonicalization.surrogate",
    "the document holds text that is not valid Unicode (a lone surrogate)",
)

# Which key the document names.
KEY_NAMED_REFUSED = _t("signing-key.refused", "{detail}")
KEY_EMBEDDED = _t(
    "signing-key.embedded", "the key embedded as {source} (a hint: the registry decides)"
)
KEY_DID_KEY = _t("signing-key.did-key", "the did:key in kid {kid}")
KEY_FOR_KID = _t("signing-key.kid", "the key registered for kid {kid}")
METHOD_UNKNOWN = _t("verification-method.unknown", "verification method {method}: {reason}")

# The signature itself.
SIGNATURE_XML_MISMATCH = _t(
    "signature.xml-mismatch",
    "the signature value does not match SignedInfo under the embedded key",
)
SIGNATURE_XML_VALID = _t("signature.xml-valid", "the signature over SignedInfo is valid")
DIGEST_ALTERED = _t(
    "digest.altered",
    "the document does not match the signed digest: it was altered after signing",
)
DIGEST_MATCHES = _t("digest.matches", "the document matches the signed {digest} digest")
SIGNATURE_PROOF_MISMATCH = _t(
    "signature.proof-mismatch",
    "the proof does not match the document and the verification method's key",
)
SIGNATURE_PROOF_VALID = _t("signature.proof-valid", "{suite} proof by {method}")
SIGNATURE_JWT_MISMATCH = _t(
    "signature.jwt-mismatch",
    "the signature does not match the header and payload under the named key",
)
SIGNATURE_JWT_VALID = _t("signature.jwt-valid", "the {scheme} signature is valid")
CREDENTIAL_VC2 = _t("credential-format.vc2", "the payload is a VC 2.0 credential")

# The envelope's own times.
ENVELOPE_SIGNED_IN_FUTURE = _t(
    "envelope-time.signed-in-future", "the signature claims to be made at {at}, in the future"
)
ENVELOPE_NOT_BEFORE = _t("envelope-time.not-before", "the envelope is not valid before {at}")
ENVELOPE_EXPIRED = _t("envelope-time.expired", "the envelope expired at {at}")

# Trust: the registry's word on issuer and key.
ISSUER_UNKNOWN = _t("issuer.unknown", "issuer {issuer} is not in the trust registry")
ISSUER_SUSPENDED = _t("issuer.suspended", "issuer {issuer} ({name}) is suspended since {since}")
ISSUER_REVOKED = _t("issuer.revoked", "issuer {issuer} ({name}) is revoked since {since}")
ISSUER_ACTIVE = _t("issuer.active", "issuer {issuer} ({name}) is registered and active")
KEY_UNREGISTERED = _t(
    "signing-key.unregistered", "the signing key {kid} is not registered to any issuer"
)
KEY_OTHER_ISSUER = _t(
    "signing-key.other-issuer", "the signing key {kid} belongs to issuer {owner}, not to {issuer}"
)
KEY_WRONG_ALGORITHM = _t(
    "signing-key.wrong-algorithm",
    "the signature algorithm {algorithm} does not fit key {kid}, registered as {registered}",
)
KEY_REGISTERED = _t("signing-key.registered", "key {kid} ({algorithm}) is registered to {issuer}")
SIGNED_IN_FUTURE = _t(
    "signing-time.future",
    "the document claims to be signed in the future, at {signed}; verifying at {at} allows up "
    "to {latest}",
)
SIGNED_AT = _t("signing-time.at", "signed at {signed}")
KEY_OUTSIDE_OPEN_WINDOW = _t(
    "key-validity.outside-open",
    "key {kid} is valid from {valid_from} open-ended; the document claims to be signed at "
    "{signed}, outside that window",
)
KEY_OUTSIDE_WINDOW = _t(
    "key-validity.outside",
    "key {kid} is valid from {valid_from} until {valid_until}; the document claims to be signed "
    "at {signed}, outside that window",
)
KEY_RETIRED = _t(
    "key-validity.retired",
    "key {kid} was retired at {at} ({reason}); the document claims to be signed later, at {signed}",
)
KEY_VALID = _t("key-validity.valid", "key {kid} was valid at {signed}")
KEY_NOT_COMPROMISED = _t("key-compromise.none", "key {kid} has no compromise recorded")
KEY_COMPROMISED = _t(
    "key-compromise.before-signing",
    "key {kid} is compromised since {since} ({reason}); the document claims to be signed at "
    "{signed}",
)
KEY_COMPROMISED_LATER_PROVEN = _t(
    "key-compromise.proven-earlier",
    "key {kid} is compromised since {since}, but the issuance register recorded this exact "
    "document at {recorded}, before that",
)
KEY_COMPROMISED_NO_PROOF = _t(
    "key-compromise.no-proof",
    "signed at {signed}, before key {kid} was compromised at {since} ({reason}), but the "
    "register holds no proof it existed before {since}",
)
AUTHORISED = _t("authorisation.granted", "issuer {issuer} is authorised to issue {doctype}")
NOT_AUTHORISED = _t(
    "authorisation.missing",
    "issuer {issuer} holds no authorisation for {doctype} covering the signing time {signed}",
)

# An embedded certificate's window.
CERTIFICATE_VALID = _t(
    "embedded-certificate.valid", "the embedded certificate was valid at {signed}"
)
CERTIFICATE_OUTSIDE = _t(
    "embedded-certificate.outside",
    "the embedded certificate is valid from {not_before} until {not_after}, not at the signing "
    "time {signed}",
)

# Status lists.
STATUS_NO_LISTS = _t(
    "status.no-lists",
    "the document has status entries, but no status lists were given to check them",
)
STATUS_LIST_MISSING = _t("status.list-missing", "status list {list} is not available")
STATUS_LIST_SIGNATURE = _t(
    "status.list-signature", "the status list's signature does not hold: {detail}"
)
STATUS_LIST_NO_IAT = _t("status.list-no-iat", "the status list has no iat")
STATUS_LIST_KEY = _t("status.list-key", "the status list: {reason}")
STATUS_LIST_ROLLBACK = _t(
    "status.list-rollback",
    "status list {list} was signed at {signed}, before the one already seen here (signed at "
    "{newest}): an older list could hide revocations made since; fetch the newest",
)
STATUS_LIST_UNREADABLE = _t("status.list-unreadable", "{detail}")
NOT_REVOKED = _t("status.not-revoked", "not revoked ({detail})")
NOT_SUSPENDED = _t("status.not-suspended", "not suspended ({detail})")
REVOKED_BY_LIST = _t("status.revoked", "the document is revoked by its issuer's status list")
SUSPENDED_BY_LIST = _t("status.suspended", "the document is suspended by its issuer's status list")
REVOKED_SINCE = _t("status.revoked-since", "revoked since {since}")
SUSPENDED_SINCE = _t("status.suspended-since", "suspended since {since}")
REVOKED_SINCE_BY = _t("status.revoked-since-by", "revoked since {since} by {actor}: {reason}")
SUSPENDED_SINCE_BY = _t("status.suspended-since-by", "suspended since {since} by {actor}: {reason}")

# The validity window and the document type's rules.
NOT_YET_VALID = _t("validity.not-yet", "valid only from {valid_from}; today is {today}")
EXPIRED = _t("validity.expired", "expired on {valid_until}; today is {today}")
VALID_UNTIL = _t("validity.valid", "valid today ({today}; {valid_until})")
VALID_FOREVER = _t("validity.valid-no-expiry", "valid today ({today}; no expiry)")
DOCTYPE_REFUSED = _t("document-type.refused", "{detail}")
DOCTYPE_VALID = _t("document-type.valid", "a well-formed {doctype} document")

# A PDF the issuer bound into a credential (`verify CREDENTIAL --pdf FILE`).
BOUND_PDF_MATCHES = _t(
    "bound-pdf.matches",
    "the PDF is byte for byte the one the issuer bound into the credential ({resource})",
)
BOUND_PDF_DIFFERS = _t(
    "bound-pdf.differs",
    "the PDF is not the one the issuer bound into the credential: its SHA-256 differs ({resource})",
)
BOUND_PDF_NONE = _t(
    "bound-pdf.none", "the credential binds no PDF (it has no relatedResource of application/pdf)"
)
BOUND_PDF_UNKNOWN = _t(
    "bound-pdf.unknown",
    "the credential does not verify, so which PDF its issuer bound cannot be said",
)
BOUND_PDF_UNREADABLE = _t(
    "bound-pdf.unreadable", "the credential's digest of {resource} cannot be read: {detail}"
)

# A signed PDF: its own signature, what followed it, and what it carries.
PDF_REFUSED = _t("pdf.refused", "{detail}")
PDF_UNREADABLE = _t("pdf.unreadable", "the PDF cannot be read ({detail})")
PDF_TOO_MANY_OBJECTS = _t(
    "pdf.too-many-objects", "the PDF declares {count} objects; at most {limit} are read"
)
PDF_UNSIGNED = _t(
    "pdf.unsigned",
    "the PDF carries no signature: it was never signed, or was re-saved, flattened or printed "
    "to PDF, which drops the signature",
)
PDF_SIGNATURES = _t(
    "pdf.signature-count", "the PDF carries {count} signatures; an issued PDF has one"
)
PDF_DIGEST_REFUSED = _t("pdf.digest-refused", "the signature's digest {algorithm} is not accepted")
PDF_ALTERED = _t(
    "pdf.altered",
    "the signed bytes of the PDF were changed: their digest is not the signed one",
)
PDF_SIGNATURE_INVALID = _t("pdf.signature-invalid", "the PAdES signature is invalid")
PDF_SIGNATURE_VALID = _t("pdf.signature-valid", "the PAdES signature ({algorithm}) is valid")
PDF_COVERS_FILE = _t("pdf.covers-file", "the signature covers the whole file")
PDF_COVERS_UPDATE = _t(
    "pdf.covers-update",
    "the signature covers the file up to a validation-data or timestamp update",
)
PDF_PARTIAL_COVERAGE = _t(
    "pdf.partial-coverage", "the signature does not cover a whole revision of the PDF"
)
PDF_CHANGED_AFTER_SIGNING = _t(
    "pdf.changed-after-signing",
    "the PDF was changed after it was signed (an edit, form filling or annotation): only a "
    "validation-data or document timestamp update may follow the signature",
)
PDF_TIMESTAMP_MISMATCH = _t(
    "pdf.timestamp-mismatch", "a document timestamp does not match the bytes it covers"
)
PDF_TIMESTAMP = _t(
    "pdf.timestamp",
    "a document timestamp of {at} covers the signed file (its timestamp authority is not "
    "judged by the trust registry)",
)
PDF_NO_ORIGINALS = _t(
    "pdf.no-originals",
    "the PDF carries no signed original (signed XML or a credential) to verify",
)
PDF_NOT_AN_ORIGINAL = _t(
    "pdf.not-an-original",
    "an attachment that is not a signed original (XML, credential, vc+jwt)",
)
PDF_ORIGINALS_DIFFER = _t("pdf.originals-differ", "holds {document} with other claims than {other}")
PDF_ORIGINAL_VERIFIES = _t("pdf.original-verifies", "verifies ({format}, {count} checks)")
PDF_ORIGINAL_FAILS = _t("pdf.original-fails", "{check}: {detail}")

# The QR code printed on a PDF's page, and a QR code on its own.
QR_REFUSED = _t("qr.refused", "{detail}")
QR_NONE_ON_PAGE = _t("qr.none-on-page", "the page shows no QR code of this engine")
QR_PAGE_DOES_NOT_VERIFY = _t(
    "qr.page-does-not-verify", "the QR code on the page does not verify: {detail}"
)
QR_PAGE_DIFFERS = _t(
    "qr.page-differs",
    "the QR code on the page holds {document} with other claims than the signed originals",
)
QR_PAGE_MATCHES = _t(
    "qr.page-matches",
    "the QR code on the page verifies and matches the originals; it carries {claims}",
)
QR_KEY_UNREGISTERED = _t("qr.key-unregistered", "no key {kid} is registered to issuer {issuer}")
QR_SIGNATURE_INVALID = _t("qr.signature-invalid", "the COSE signature does not verify")
QR_SIGNATURE_VALID = _t("qr.signature-valid", "the COSE_Sign1 signature ({algorithm}) is valid")
QR_CLAIMS = _t("qr.claims", "the QR code carries the printable claims: {claims}")

# A photo or scan of a printed QR code.
IMAGE_REFUSED = _t("image.refused", "{detail}")
IMAGE_READ = _t("image.read", "read the QR code from the image")
