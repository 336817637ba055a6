"""What a verifier accepts: the time it verifies at, the algorithms it accepts, every limit a
parser holds input to, and what each kind of problem costs the verdict.

A frozen value, built once at the entry point and passed down, so nothing below reads the clock
and no parser has a limit of its own. Algorithms are named once, here, the way JOSE names them
(RS256, ES256, ES384, EdDSA); each format maps its own identifiers (XML Signature URIs, JOSE
`alg`, Data Integrity cryptosuites) onto these names and accepts only what the policy lists.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from importlib import resources
from zoneinfo import ZoneInfo

from vc_engine.model import bounded_instant

INDIA = ZoneInfo("Asia/Kolkata")


class Severity(StrEnum):
    """What a check that does not hold costs the verdict (after EU DSS's constraint levels)."""

    FAIL = "FAIL"
    """The document fails."""
    WARN = "WARN"
    """The document may pass; the report carries a warning."""
    INFORM = "INFORM"
    """The document may pass; the check's message says what was found."""
    IGNORE = "IGNORE"
    """Not checked."""


@dataclass(frozen=True)
class XmlLimits:
    """The shape a signed XML document may have, checked right after parsing and before any
    canonicalization: libxml2's C14N is quadratic in the attributes of one element and in the
    namespaces in scope, and runs where no signal can stop it. An e-locker document is tiny (a
    mark sheet of 50 subjects has about 70 elements), so the limits are tight."""

    max_nodes: int = 2_000
    """Elements, comments and processing instructions together."""

    max_attributes: int = 64
    """On any one element."""

    max_namespaces: int = 8
    """Namespace declarations in scope at any element."""

    max_depth: int = 32
    """Element nesting; our documents are at most 6 levels deep."""

    max_text: int = 256 * 1024
    """Characters of text and attribute values, all together."""

    max_certificates: int = 4
    """X509Certificate elements in KeyInfo: the signer's and its chain."""


@dataclass(frozen=True)
class Algorithms:
    """What signatures, digests and canonicalizations are accepted. Anything not listed fails
    with CRYPTO_CONSTRAINTS_FAILURE, whatever the format can technically read."""

    signatures: frozenset[str] = frozenset({"RS256", "RS384", "RS512", "ES256", "ES384", "EdDSA"})
    """Signature schemes: RSA PKCS#1 v1.5 with SHA-256 (SHA-384 and SHA-512 in signed XML only),
    ECDSA P-256/SHA-256, P-384/SHA-384, Ed25519."""

    digests: frozenset[str] = frozenset({"sha256", "sha384", "sha512"})
    """Reference digests of signed XML."""

    canonicalizations: frozenset[str] = frozenset(
        {"c14n", "c14n-comments", "c14n11", "c14n11-comments", "exc-c14n", "exc-c14n-comments"}
    )
    """Canonical XML methods of signed XML: 1.0, 1.1 and exclusive, each with comments or
    without (comments in the document are never digested: the reference is URI="")."""

    cryptosuites: frozenset[str] = frozenset(
        {
            "eddsa-rdfc-2022",
            "eddsa-jcs-2022",
            "ecdsa-rdfc-2019",
            "ecdsa-jcs-2019",
            "Ed25519Signature2020",
        }
    )
    """Data Integrity cryptosuites (and the older proof types named by their `type`)."""

    legacy_elocker_rsa_sha1: bool = True
    """The e-locker's legacy profile: RSA-SHA1 over SHA-256 reference digests, accepted with a
    warning. No other use of SHA-1 is accepted, whatever this says."""


@dataclass(frozen=True)
class Limits:
    """How much of anything a parser reads: every size, depth and count limit in one place."""

    max_document_bytes: int = 10 * 1024 * 1024
    """Larger inputs are refused before parsing."""

    xml: XmlLimits = XmlLimits()
    """What a signed XML document may hold before it is canonicalized."""

    max_json_depth: int = 64
    """Nesting of JSON objects and arrays (a credential nests a few levels)."""

    max_jose_header_depth: int = 8
    """Nesting of a JWS protected header."""

    max_rdf_quads: int = 10_000
    max_rdf_blank_nodes: int = 1_000
    max_rdfc_work: int = 2_000
    """RDF canonicalization: N-degree hash calls and permutations examined, together (a small
    crafted dataset can otherwise keep RDFC-1.0 busy for years)."""

    max_status_list_bytes: int = 2 * 1024 * 1024
    """A signed status list credential."""

    max_decoded_list_bytes: int = 16 * 1024 * 1024
    """A status list's bitstring once decompressed (134 million one-bit entries)."""

    max_bundle_header_bytes: int = 4096
    """The first line of an offline bundle (a detached JWS of a few hundred bytes)."""

    max_register_section_bytes: int = 256 * 1024 * 1024
    """One decompressed section of a bundle's issuance register."""

    max_input_line_bytes: int = 1024 * 1024
    """One line of an issuer's record file."""


DEFAULT_LIMITS = Limits()


class TrustModel(StrEnum):
    """Who may vouch for a W3C credential."""

    REGISTRY = "registry"
    """The issuer and its key must be registered (and authorised, for our document types)."""
    OPEN = "open"
    """Any did:key or did:web issuer whose proof verifies is cryptographically acceptable; the
    report says that the issuer is unregistered. For conformance testing, never for deciding
    whether a government document is genuine."""


@dataclass(frozen=True)
class ContextRules:
    """Which JSON-LD contexts a credential may name. Contexts change what every term means, so
    this is a security decision: only pinned documents, never the network."""

    sets: frozenset[str] = frozenset({"standard"})
    """Context sets shipped in the package: `standard` (the W3C and W3ID contexts and ours) and
    `conformance` (examples and test contexts the W3C suites use)."""

    allow_inline: bool = False
    """Whether an inline (object) context is accepted. It can define new terms, never redefine
    a protected one; off by default because it lets a credential give its own words meaning."""

    operator: tuple[tuple[str, bytes], ...] = ()
    """Contexts an operator pinned in the registry (`vc-engine context add`): (URL, document)."""


POLICY_DIRECTORY = resources.files("vc_engine") / "data" / "policies"
DEFAULT_POLICY_NAME = "default"
DEFAULT_POLICY_SHA256 = hashlib.sha256((POLICY_DIRECTORY / "default.toml").read_bytes()).hexdigest()
"""The digest of the built-in default policy file, whose rules are this module's defaults."""


@dataclass(frozen=True)
class VerificationPolicy:
    at: datetime
    """The moment the verification speaks for; timezone-aware (naive datetimes are refused)."""

    clock_skew: timedelta = timedelta(minutes=5)
    """How far in the future a claimed signing time may lie before it is refused."""

    civil_timezone: tzinfo = INDIA
    """Where the document's calendar dates (valid from, expiry) are read."""

    algorithms: Algorithms = Algorithms()
    """What signatures, digests and canonicalizations are accepted."""

    limits: Limits = DEFAULT_LIMITS
    """How much of anything a parser reads."""

    embedded_certificate_window: Severity = Severity.WARN
    """When a certificate carried in signed XML was not valid at the signing time the document
    claims. Trust comes from the registry (the key must be registered), so the certificate is a
    container; but one outside its window is stale, or was wrapped around the key by someone
    other than the issuer."""

    trust_model: TrustModel = TrustModel.REGISTRY
    """Who may vouch for a W3C credential."""

    contexts: ContextRules = ContextRules()
    """Which JSON-LD contexts a credential may name."""

    severities: tuple[tuple[str, Severity], ...] = field(default=())
    """What a failed check costs, by check name; a check not named here is FAIL."""

    name: str = DEFAULT_POLICY_NAME
    """The policy's name, as reports show it."""

    sha256: str = DEFAULT_POLICY_SHA256
    """The SHA-256 of the policy file the rules came from, as reports show it."""

    def __post_init__(self) -> None:
        bounded_instant(self.at, "the time of verification")

    def severity(self, check: str) -> Severity:
        """What a failure of the check named `check` costs the verdict."""
        return next((s for name, s in self.severities if name == check), Severity.FAIL)

    @property
    def civil_date(self) -> date:
        """Today's date where the documents were issued, for validity windows."""
        return self.at.astimezone(self.civil_timezone).date()
