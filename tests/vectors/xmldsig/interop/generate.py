"""Write signed-XML samples made by signxml and python-xmlsec, and their expected outcomes (run
once; the files are kept, so every run tests the same bytes):

    .venv/bin/python tests/vectors/xmldsig/interop/generate.py

Each sample is a birth certificate (with a comment in its content, which is never digested)
signed by the named library with the named algorithms, by a fresh key whose self-signed
certificate it carries. `outcomes.json` says, for each file, what it is, the sub-indication the
format stage must give (none: it must open) and whether xmlsec1 verifies it under its embedded
certificate; written here by hand from the specification, never read back from either verifier.
Where this verifier and xmlsec1 disagree, the row says why. The policy time is tests/factory.NOW.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent.parent))

from xml_peers import Choice, sign_with_signxml, sign_with_xmlsec  # noqa: E402

from vc_engine import keys  # noqa: E402

from factory import birth_certificate, canonical_unsigned, make_key  # noqa: E402

RSA = make_key("Kolkata Municipal Corporation")
P256 = make_key("Kolkata Municipal Corporation", keys.KeyAlgorithm.P256)
P384 = make_key("Kolkata Municipal Corporation", keys.KeyAlgorithm.P384)
XML = "{http://www.w3.org/XML/1998/namespace}"


def unsigned() -> bytes:
    return canonical_unsigned(birth_certificate()).replace(
        b"<placeOfBirth>", b"<!-- checked at the counter --><placeOfBirth>"
    )


def xmlsec_signed(
    scheme: str = "RS256",
    c14n: str = "c14n",
    digest: str = "sha256",
    reference_c14n: str | None = None,
    **options: object,
) -> Callable[[], bytes]:
    key = {"ES256": P256, "ES384": P384}.get(scheme, RSA)
    if options.pop("p384", False):
        key = P384
    choice = Choice(scheme, c14n, digest, reference_c14n)
    return lambda: sign_with_xmlsec(unsigned(), key, choice, **options)  # type: ignore[arg-type]


def tampered(build: Callable[[], bytes]) -> Callable[[], bytes]:
    return lambda: build().replace(b">Kolkata<", b">Howrah<", 1)


LANG_AND_ID = {XML + "lang": "bn", XML + "space": "preserve", XML + "id": "signature-1"}
Row = tuple[str, str, Callable[[], bytes], str | None, bool]
SAMPLES: list[Row] = [
    *[
        (
            f"xmlsec-{c14n}",
            f"xmlsec1, RSA-SHA256, SignedInfo and Reference in {c14n}",
            xmlsec_signed(c14n=c14n, reference_c14n=c14n),
            None,
            True,
        )
        for c14n in ("c14n", "c14n11", "exc-c14n")
    ],
    (
        "xmlsec-no-reference-transform",
        "xmlsec1 with only the enveloped-signature transform (the node-set becomes C14N 1.0)",
        xmlsec_signed(c14n="c14n11"),
        None,
        True,
    ),
    *[
        (
            f"xmlsec-{c14n}-comments",
            f"xmlsec1 in {c14n}#WithComments, a comment inside SignedInfo (signed)",
            xmlsec_signed(
                c14n=f"{c14n}-comments", reference_c14n=f"{c14n}-comments", signed_info_comment=True
            ),
            None,
            True,
        )
        for c14n in ("c14n", "c14n11", "exc-c14n")
    ],
    (
        "xmlsec-rsa-sha384",
        "xmlsec1, RSA-SHA384 over SHA-384",
        xmlsec_signed("RS384", digest="sha384"),
        None,
        True,
    ),
    (
        "xmlsec-rsa-sha512",
        "xmlsec1, RSA-SHA512 over SHA-512",
        xmlsec_signed("RS512", digest="sha512"),
        None,
        True,
    ),
    (
        "xmlsec-ecdsa-p256",
        "xmlsec1, ECDSA-SHA256 on P-256",
        xmlsec_signed("ES256", "c14n11"),
        None,
        True,
    ),
    (
        "xmlsec-ecdsa-p384",
        "xmlsec1, ECDSA-SHA384 on P-384 over SHA-512, exclusive",
        xmlsec_signed("ES384", "exc-c14n", "sha512", "exc-c14n"),
        None,
        True,
    ),
    (
        "signxml-defaults-rsa",
        "signxml's defaults: C14N 1.1, RSA-SHA256, SHA-256",
        lambda: sign_with_signxml(unsigned(), RSA),
        None,
        True,
    ),
    (
        "signxml-defaults-p256",
        "signxml's defaults with ECDSA-SHA256 on P-256",
        lambda: sign_with_signxml(unsigned(), P256),
        None,
        True,
    ),
    (
        "signxml-defaults-p384",
        "signxml's defaults with ECDSA-SHA384 on P-384",
        lambda: sign_with_signxml(unsigned(), P384),
        None,
        True,
    ),
    (
        "signxml-comments-digested",
        'signxml in C14N 1.1#WithComments digests the content\'s comment, which URI="" excludes',
        lambda: sign_with_signxml(
            unsigned(), RSA, Choice("RS256", "c14n11-comments", "sha256", None)
        ),
        "HASH_FAILURE",
        False,
    ),
    *[
        (
            f"xml-attributes-inherited-{c14n}",
            f"xml:lang, xml:space and xml:id on Signature, inherited by SignedInfo as {c14n} says",
            xmlsec_signed(c14n=c14n, signature_attributes=LANG_AND_ID),
            None,
            True,
        )
        for c14n in ("c14n", "c14n11")
    ],
    (
        "xml-base-on-signature",
        "xml:base on Signature: refused here rather than guessing C14N's URI fix-up",
        xmlsec_signed(c14n="c14n11", signature_attributes={XML + "base": "https://kmc.example/"}),
        "FORMAT_FAILURE",
        True,
    ),
    (
        "exclusive-inclusive-namespaces",
        "exclusive C14N with an InclusiveNamespaces PrefixList: outside the profile (a second "
        "namespace declared inside Signature)",
        xmlsec_signed(reference_c14n="exc-c14n", inclusive_prefixes="ds"),
        "FORMAT_FAILURE",
        True,
    ),
    (
        "ecdsa-sha256-on-p384",
        "ECDSA-SHA256 with a P-384 key: refused, SHA-256 is signed on P-256",
        xmlsec_signed("ES256", p384=True),
        "CRYPTO_CONSTRAINTS_FAILURE",
        True,
    ),
    (
        "rsa-sha1-over-sha512",
        "RSA-SHA1 over a SHA-512 digest: not the e-locker legacy form (SHA-256 digests)",
        xmlsec_signed("RS1", digest="sha512"),
        "CRYPTO_CONSTRAINTS_FAILURE",
        True,
    ),
    (
        "sha1-digest",
        "RSA-SHA256 over a SHA-1 reference digest",
        xmlsec_signed(digest="sha1"),
        "CRYPTO_CONSTRAINTS_FAILURE",
        True,
    ),
    (
        "xmlsec-c14n11-tampered",
        "xmlsec1 in C14N 1.1, the place of birth changed afterwards",
        tampered(xmlsec_signed(c14n="c14n11", reference_c14n="c14n11")),
        "HASH_FAILURE",
        False,
    ),
    (
        "signxml-defaults-tampered",
        "signxml's defaults, the place of birth changed afterwards",
        tampered(lambda: sign_with_signxml(unsigned(), RSA)),
        "HASH_FAILURE",
        False,
    ),
]


def main() -> None:
    table = []
    for number, (name, what, build, expected, xmlsec_verifies) in enumerate(SAMPLES, start=1):
        file = f"{number:02d}-{name}.xml"
        (HERE / file).write_bytes(build())
        table.append(
            {"file": file, "sample": what, "expected": expected, "xmlsec": xmlsec_verifies}
        )
    (HERE / "outcomes.json").write_text(json.dumps(table, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
