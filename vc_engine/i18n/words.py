"""The words around a report: verdicts, sub-indications, check names, the command line's labels
and the clerks' page. One code each, English here, the other languages in the catalogs."""

from __future__ import annotations

INDICATIONS = {
    "indication.PASSED": "PASSED",
    "indication.FAILED": "FAILED",
    "indication.INDETERMINATE": "INDETERMINATE",
}

VERDICTS = {
    "verdict.PASSED.word": "PASSED",
    "verdict.PASSED.text": "This document is equivalent to the original.",
    "verdict.FAILED.word": "FAILED",
    "verdict.FAILED.text": "This document is NOT equivalent to the original. Do not accept it.",
    "verdict.INDETERMINATE.word": "NOT CONFIRMED",
    "verdict.INDETERMINATE.text": "This document could not be confirmed. Do not accept it yet.",
    "verdict.reason": "Reason: {reason}",
}

SUB_INDICATIONS = {
    "sub-indication.FORMAT_FAILURE": "the file is not a well-formed document",
    "sub-indication.HASH_FAILURE": "the content was changed after it was signed",
    "sub-indication.SIG_CRYPTO_FAILURE": "the signature does not match the content",
    "sub-indication.NO_CERTIFICATE_CHAIN_FOUND": "the key that signed it is not known",
    "sub-indication.NOT_TRUSTED": "the signer is not trusted",
    "sub-indication.NOT_AUTHORIZED": "the issuer may not issue this kind of document",
    "sub-indication.KEY_COMPROMISED": "the key that signed it was compromised",
    "sub-indication.REVOKED_NO_POE": (
        "the key that signed it was compromised, and nothing proves the document is older"
    ),
    "sub-indication.REVOKED": "the document has been revoked",
    "sub-indication.SUSPENDED": "the document is suspended",
    "sub-indication.EXPIRED": "the document has expired",
    "sub-indication.NOT_YET_VALID": "the document is not valid yet",
    "sub-indication.CRYPTO_CONSTRAINTS_FAILURE": "it is signed with an algorithm not accepted",
    "sub-indication.TRY_LATER": "its status could not be checked now; try again later",
}

CHECK_NAMES = {
    "check.size": "size",
    "check.format": "format",
    "check.parse": "reading the file",
    "check.signed-content": "signed content",
    "check.signature-format": "signature format",
    "check.proof-format": "proof format",
    "check.crypto-constraints": "algorithms",
    "check.canonicalization": "canonical form",
    "check.signing-key": "signing key",
    "check.verification-method": "verification method",
    "check.signature": "signature",
    "check.digest": "digest",
    "check.credential-format": "credential format",
    "check.envelope-time": "envelope time",
    "check.issuer": "issuer",
    "check.signing-time": "signing time",
    "check.key-validity": "key validity",
    "check.key-compromise": "key compromise",
    "check.authorisation": "authorisation",
    "check.embedded-certificate": "embedded certificate",
    "check.status": "status",
    "check.status-revocation": "revocation",
    "check.status-suspension": "suspension",
    "check.validity": "validity",
    "check.document-type": "document type",
}

CLI = {
    "cli.document": "document",
    "cli.issuer": "issuer",
    "cli.issued-at": "issued at",
    "cli.claim": "claim",
    "cli.value": "value",
    "cli.check": "check",
    "cli.code": "code",
    "cli.reason": "reason",
    "cli.warning": "warning",
    "cli.issued-by": "issued by {issuer}",
    "cli.audit-totals": "{files} files: {totals}",
}

PAGE = {
    "page.title": "Verify a document — vc-engine",
    "page.heading": "Verify a document",
    "page.lead": (
        "Is the document you were shown equivalent to the original? Drop or choose its PDF, a "
        "photo of the paper or its file, or scan its QR code with the camera."
    ),
    "page.language": "Language",
    "page.key-title": "Department key",
    "page.key-placeholder": "vcc_….secret (from your administrator)",
    "page.key-save": "Save key",
    "page.key-saved": "Key saved on this computer.",
    "page.key-change": "Change key",
    "page.document-title": "Document",
    "page.drop": "Drop the file here",
    "page.choose": "or choose a file",
    "page.drop-help": "PDF, a photo (JPEG or PNG), XML, JSON or JWT",
    "page.camera-start": "Scan the QR code with the camera",
    "page.camera-stop": "Stop the camera",
    "page.camera-help": "Hold the paper's QR code steady in front of the camera.",
    "page.camera-failed": "The camera could not be opened: {reason}",
    "page.camera-found": "QR code read. Verifying…",
    "page.paste-label": "…or paste the document's text:",
    "page.verify": "Verify",
    "page.verifying": "Verifying…",
    "page.issued-by": "Issued by",
    "page.document": "Document",
    "page.issued-on": "Issued on",
    "page.valid": "Valid",
    "page.valid-range": "{from} to {until}",
    "page.no-expiry": "no expiry",
    "page.format": "Format",
    "page.signed-title": "What the issuer signed",
    "page.signed-help": "Compare every line with the paper in front of you.",
    "page.checks-title": "Checks",
    "page.error-no-key": "Enter the department key first.",
    "page.error-unreachable": "The service could not be reached. Check the network and try again.",
    "page.error-key-refused": "The department key was refused.",
    "page.error-scope": "This key may not verify documents.",
    "page.error-too-large": "The file is too large.",
    "page.error-unsupported": "This kind of file cannot be verified.",
    "page.error-rate": "Too many requests; wait a moment and try again.",
    "page.error-other": "The document could not be sent ({status}).",
    "page.error-empty": "Drop or choose a file, or paste the document's text.",
}

WORDS: dict[str, str] = {
    **INDICATIONS,
    **VERDICTS,
    **SUB_INDICATIONS,
    **CHECK_NAMES,
    **CLI,
    **PAGE,
}
"""Every word by code: the catalogs must translate each one."""
