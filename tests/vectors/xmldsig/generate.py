"""Write the signed-XML attack documents and their expected outcomes (run once; the files are
kept, so every run tests the same bytes):

    .venv/bin/python tests/vectors/xmldsig/generate.py

Each document is a genuine birth certificate signed by a fresh RSA-2048 key, then attacked.
`outcomes.json` names, for each file, what the attack is and the sub-indication the format
stage must give (none: it must open), written here by hand from what the attack does, never
read back from the engine. The policy time is tests/factory.NOW.
"""

from __future__ import annotations

import base64
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from cryptography.hazmat.primitives import hashes  # noqa: E402
from lxml import etree  # noqa: E402

from vc_engine.formats import xml as signed_xml  # noqa: E402
from vc_engine.formats.xml import dsig as xmldsig  # noqa: E402
from vc_engine.policy import INDIA  # noqa: E402

from factory import (  # noqa: E402
    birth_certificate,
    canonical_unsigned,
    forge,
    hmac_signing,
    make_key,
    rsa_signing,
)

KEY = make_key("Kolkata Municipal Corporation")
ATTACKER = make_key("Kolkata Municipal Corporation (forged)")
SIGNATURE = re.compile(rb"<ds:Signature .*</ds:Signature>", re.S)


def genuine(**changes: object) -> bytes:
    return signed_xml.issue(birth_certificate(**changes), KEY.signing_key, INDIA)


def signature_of(data: bytes) -> bytes:
    found = SIGNATURE.search(data)
    assert found is not None
    return found.group(0)


def flipped_digest(data: bytes) -> bytes:
    digest = re.search(rb"<ds:DigestValue>([^<]+)</ds:DigestValue>", data)
    assert digest is not None
    raw = base64.b64decode(digest.group(1))
    return data.replace(digest.group(1), base64.b64encode(bytes([raw[0] ^ 1]) + raw[1:]))


def truncated_signature(cut: int) -> bytes:
    data = genuine()
    value = re.search(rb"<ds:SignatureValue>([^<]+)</ds:SignatureValue>", data)
    assert value is not None
    return data.replace(value.group(1), value.group(1)[:-cut])


def pasted_certificate() -> bytes:
    forged = signed_xml.issue(
        birth_certificate(holder={"name": "Mallory"}), ATTACKER.signing_key, INDIA
    )
    encoded = base64.b64encode(KEY.certificate_der)
    return re.sub(
        rb"(<ds:X509Certificate>)[^<]*(</ds:X509Certificate>)",
        lambda m: m.group(1) + encoded + m.group(2),
        forged,
    )


def forged_body_with_genuine_signature() -> bytes:
    body = canonical_unsigned(birth_certificate(holder={"name": "Mallory", "gender": "M"}))
    return body.replace(b"</Certificate>", signature_of(genuine()) + b"</Certificate>")


def forged(method: str, digest: str, sign: Callable[[bytes], bytes], **options: object) -> bytes:
    return forge(
        canonical_unsigned(birth_certificate()),
        method=method,
        digest=digest,
        sign=sign,
        certificate_der=options.pop("certificate_der", KEY.certificate_der),  # type: ignore[arg-type]
        **options,  # type: ignore[arg-type]
    )


def unexpected_element() -> bytes:
    root = etree.fromstring(canonical_unsigned(birth_certificate()))
    root.find("CertificateData/placeOfBirth").append(etree.Element("hidden"))
    return xmldsig.sign_enveloped(
        etree.tostring(root, method="c14n", with_comments=False), KEY.signing_key
    )


def entity_bomb() -> bytes:
    entities = "".join(f'<!ENTITY e{i} "{("&e" + str(i - 1) + ";") * 10}">' for i in range(1, 12))
    return f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e0 "lol">{entities}]><d>&e11;</d>'.encode()


def attribute_flood() -> bytes:
    padding = b" ".join(b'a%d="x"' % i for i in range(2000))
    return genuine().replace(b"<CertificateData>", b"<CertificateData " + padding + b">", 1)


def namespace_pile() -> bytes:
    opened = b"".join(b'<x%d xmlns:n%d="urn:n%d">' % (i, i, i) for i in range(20))
    closed = b"".join(b"</x%d>" % i for i in reversed(range(20)))
    return genuine().replace(b"<CertificateData>", b"<CertificateData>" + opened + closed, 1)


SHA1_LEGACY = {"method": xmldsig.RSA_SHA1, "digest": xmldsig.SHA256, "prefix": ""}
ATTACKS: list[tuple[str, str, Callable[[], bytes], str | list[str] | None, dict[str, bool]]] = [
    ("genuine", "the document as issued", genuine, None, {}),
    (
        "tampered-attribute",
        "the document number changed by one digit",
        lambda: genuine().replace(b"2026000123", b"2026000124", 1),
        "HASH_FAILURE",
        {},
    ),
    (
        "tampered-text",
        "the place of birth changed",
        lambda: genuine().replace(b">Kolkata<", b">Howrah<"),
        "HASH_FAILURE",
        {},
    ),
    (
        "tampered-signed-info",
        "one bit of the DigestValue flipped",
        lambda: flipped_digest(genuine()),
        "SIG_CRYPTO_FAILURE",
        {},
    ),
    (
        "signature-removed",
        "no Signature element",
        lambda: SIGNATURE.sub(b"", genuine()),
        "FORMAT_FAILURE",
        {},
    ),
    (
        "two-signatures",
        "the Signature element twice",
        lambda: genuine().replace(b"</Certificate>", signature_of(genuine()) + b"</Certificate>"),
        "FORMAT_FAILURE",
        {},
    ),
    (
        "wrapped-in-new-root",
        "the signed document inside an Envelope element",
        lambda: b"<Envelope>" + genuine().split(b"\n", 1)[1] + b"</Envelope>",
        "FORMAT_FAILURE",
        {},
    ),
    (
        "forged-body-genuine-signature",
        "signature wrapping: a forged body carrying the genuine signature",
        forged_body_with_genuine_signature,
        "HASH_FAILURE",
        {},
    ),
    (
        "trusted-certificate-pasted",
        "an attacker's signature with the genuine certificate pasted into KeyInfo",
        pasted_certificate,
        "SIG_CRYPTO_FAILURE",
        {},
    ),
    (
        "external-entity",
        "XXE: a DOCTYPE with an external entity reading /etc/passwd",
        lambda: (
            b'<?xml version="1.0"?><!DOCTYPE Certificate '
            b'[<!ENTITY x SYSTEM "file:///etc/passwd">]><Certificate>&x;</Certificate>'
        ),
        "FORMAT_FAILURE",
        {},
    ),
    ("entity-expansion", "billion laughs", entity_bomb, "FORMAT_FAILURE", {}),
    (
        "hmac",
        "HMAC-SHA256 keyed with the public certificate",
        lambda: forged(
            "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256",
            xmldsig.SHA256,
            hmac_signing(KEY.certificate_der),
        ),
        "CRYPTO_CONSTRAINTS_FAILURE",
        {},
    ),
    (
        "sha1-only",
        "RSA-SHA1 signature over a SHA-1 digest",
        lambda: forged(xmldsig.RSA_SHA1, xmldsig.SHA1, rsa_signing(KEY, hashes.SHA1())),
        "CRYPTO_CONSTRAINTS_FAILURE",
        {},
    ),
    (
        "legacy-e-locker",
        "the e-locker's legacy RSA-SHA1 over a SHA-256 digest, legacy allowed",
        lambda: forged(sign=rsa_signing(KEY, hashes.SHA1()), **SHA1_LEGACY),  # type: ignore[arg-type]
        None,
        {"legacy": True},
    ),
    (
        "legacy-e-locker-refused",
        "the same legacy form under a policy that refuses it",
        lambda: forged(sign=rsa_signing(KEY, hashes.SHA1()), **SHA1_LEGACY),  # type: ignore[arg-type]
        "CRYPTO_CONSTRAINTS_FAILURE",
        {"legacy": False},
    ),
    (
        "no-certificate",
        "a valid signature with no X509Data",
        lambda: forged(
            xmldsig.RSA_SHA256,
            xmldsig.SHA256,
            rsa_signing(KEY, hashes.SHA256()),
            certificate_der=None,
        ),
        "NO_CERTIFICATE_CHAIN_FOUND",
        {},
    ),
    (
        "fragment-reference",
        'Reference URI="#x" instead of the whole document',
        lambda: genuine().replace(b'Reference URI=""', b'Reference URI="#x"'),
        "FORMAT_FAILURE",
        {},
    ),
    *[
        (
            f"truncated-signature-{cut}",
            f"the SignatureValue with its last {cut} characters cut",
            (lambda cut=cut: truncated_signature(cut)),
            ["FORMAT_FAILURE", "SIG_CRYPTO_FAILURE"],
            {},
        )
        for cut in (1, 7, 40)
    ],
    (
        "signature-not-base64",
        "the SignatureValue is not base64",
        lambda: re.sub(
            rb"<ds:SignatureValue>[^<]+", b"<ds:SignatureValue>@@not*base64@@", genuine()
        ),
        "FORMAT_FAILURE",
        {},
    ),
    (
        "namespace-on-root",
        "an extra namespace declared on the root",
        lambda: genuine().replace(b"<Certificate ", b'<Certificate xmlns:x="urn:x" ', 1),
        "FORMAT_FAILURE",
        {},
    ),
    (
        "unexpected-element",
        "correctly signed content with an element outside the schema",
        unexpected_element,
        "FORMAT_FAILURE",
        {},
    ),
    (
        "deep-nesting",
        "10,000 nested elements",
        lambda: b"<a>" * 10_000 + b"</a>" * 10_000,
        "FORMAT_FAILURE",
        {},
    ),
    (
        "attribute-flood",
        "2,000 attributes on one element (bounded before canonicalising)",
        attribute_flood,
        "FORMAT_FAILURE",
        {},
    ),
    (
        "namespace-pile",
        "20 nested elements each declaring one more namespace",
        namespace_pile,
        "FORMAT_FAILURE",
        {},
    ),
    (
        "declared-latin1",
        "an XML declaration claiming ISO-8859-1",
        lambda: genuine().replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"', 1),
        "FORMAT_FAILURE",
        {},
    ),
    ("empty", "no bytes", lambda: b"", "FORMAT_FAILURE", {}),
    ("not-xml", "plain text", lambda: b"not xml at all", "FORMAT_FAILURE", {}),
    ("unclosed", "an unclosed root", lambda: b"<Certificate>", "FORMAT_FAILURE", {}),
    ("invalid-utf8", "a byte that is not UTF-8", lambda: b"<a>\xff</a>", "FORMAT_FAILURE", {}),
    (
        "utf16",
        "UTF-16 with a byte order mark",
        lambda: b"\xff\xfe<\x00a\x00/\x00>\x00",
        "FORMAT_FAILURE",
        {},
    ),
]


def main() -> None:
    table = []
    for number, (name, attack, build, expected, policy) in enumerate(ATTACKS, start=1):
        file = f"{number:02d}-{name}.xml"
        (HERE / file).write_bytes(build())
        table.append({"file": file, "attack": attack, "expected": expected, **policy})
    (HERE / "outcomes.json").write_text(json.dumps(table, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
