"""Signed offline trust bundles: export the registry for an auditor, and open one again.

A bundle (container: `bundle_format`) holds, in its signed JSON payload:

    {"type": "vc-engine-trust-bundle", "version": 2, "sequence": <n>,
     "created": <instant>, "nextUpdate": <instant>,
     "issuers": [...], "keys": [... public key PEM, certificate, window, full history ...],
     "authorisations": [...],
     "certificateTrust": {"anchors": [... CA certificates ...], "crls": [...],
                          "subjects": [... issuers trusted by certificate subject ...]},
     "issuanceRegister": {"encoding": "zlib+json", "rows": N,
                          "sections": [{"first", "last", "rows", "length", "sha256"}, ...]},
     "statusLists": {<list id>: <the published BitstringStatusListCredential, vc+jwt text>},
     "documentStatus": [... the state of every document ever revoked/suspended/reinstated,
                         with each change's action and times ...],
     "contexts": {<pinned context URL>: <sha256>},
     "doctypes": [... document type versions added to the registry: code, version, the
                  definition text and its sha256, inForceFrom ...]}

What a bundle carries, and why. An auditor must reach the same verdict offline as a verifier
online, so the bundle holds everything the trust and status stages read, and nothing else: no
secret, and no clerk's free text about a citizen. Key histories keep their reasons (a registry
administrator's note on an issuer's key, e.g. "laptop stolen", which a report of a compromise
must show). Document status histories keep the action and its effective and recorded times,
but not the reason ("forged marks") nor who made the change: those stay in the registry, for
the issuer (`GET /v1/documents/{id}/status`, scope `revoke:<issuer>`). A report made offline
therefore says "revoked since <time>", without the why. Bundles are served only to clients with
the `audit` scope.

`sequence` numbers the bundles of one root (`bundle_export`), so an auditor can refuse one older
than a bundle already seen (`bundle_history`): an unexpired older bundle would otherwise let a
revoked document pass.

The issuance register is the large part (a row per document: id, issuer, type, key, the SHA-256
of every rendition, issued and recorded times), so it follows the payload as compressed
sections of `ROWS_PER_SECTION` rows sorted by document id; the payload gives each section's
range, length and SHA-256, so the root's signature covers them. Export (`bundle_export`) streams
(memory stays flat at a million documents) and opening keeps the sections compressed until a
look-up needs one.

`open_bundle` is the only way to a `BundleSnapshot`: after `bundle_format.unseal` (frame, root,
signature) it checks, in order, the payload's type and version (UNSUPPORTED), the sections
(TRUNCATED, TAMPERED), that the bundle is not from the future (NOT_YET_VALID) and not past its
nextUpdate (EXPIRED; with `allow_expired` accepted, and the view carries a warning for every
report), and that the root certificate was valid when the bundle was created (WRONG_ROOT).
Nothing here reads the clock: the export's `created` and the opener's `at` are passed in.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509

from vc_engine import keys
from vc_engine.doctypes.definition import DefinitionError, read_definition
from vc_engine.doctypes.versions import Version
from vc_engine.offline import bundle_certificates as certificates
from vc_engine.offline import bundle_codec as codec
from vc_engine.offline.bundle_export import (
    PAYLOAD_TYPE,
    REGISTER_ENCODING,
    ROWS_PER_SECTION,
    VERSION,
    ExportSummary,
    export_bundle,
    pinned_contexts,
    write_bundle,
)
from vc_engine.offline.bundle_format import BundleRefused, Refusal, unseal
from vc_engine.offline.bundle_history import BundleHistory
from vc_engine.offline.bundle_snapshot import BundleSnapshot, IssuanceRegister, RegisterSection

__all__ = [
    "ROWS_PER_SECTION",
    "BundleLoader",
    "BundleRefused",
    "BundleSnapshot",
    "ExportSummary",
    "Refusal",
    "export_bundle",
    "load_bundle",
    "open_bundle",
    "write_bundle",
]

DEFAULT_CLOCK_SKEW = timedelta(minutes=5)


def open_bundle(
    data: bytes,
    root: x509.Certificate,
    *,
    at: datetime,
    allow_expired: bool = False,
    clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
    history: BundleHistory | None = None,
    allow_rollback: bool = False,
) -> BundleSnapshot:
    """The view of a bundle signed by `root`, as of `at`; a `BundleRefused` otherwise.

    With a `history`, a bundle older (by sequence) than one of the same root seen before is
    refused (ROLLBACK), or with `allow_rollback` accepted with a warning on every report; a
    newer one is remembered."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("open_bundle needs a timezone-aware `at`")

    # 1. The frame and the root's signature over the payload.
    sealed = unseal(data, root)

    # 2. A payload this engine reads.
    payload = codec.decoded("the payload", json.loads, sealed.payload)
    if not isinstance(payload, dict) or payload.get("type") != PAYLOAD_TYPE:
        raise BundleRefused(Refusal.UNSUPPORTED, f"the payload is not a {PAYLOAD_TYPE}")
    if payload.get("version") != VERSION:
        raise BundleRefused(
            Refusal.UNSUPPORTED, f"bundle version {payload.get('version')!r}; this reads {VERSION}"
        )

    sequence = payload.get("sequence")
    if type(sequence) is not int or sequence < 1:
        raise BundleRefused(Refusal.MALFORMED, "the bundle's sequence is not a positive count")

    # 3. The register sections are exactly those the payload signs for.
    register = _register(payload, sealed.body)

    # 4. Its times: not from the future, not past nextUpdate (unless accepted, with a warning).
    created = codec.decoded("created", codec.read_instant, payload.get("created"))
    next_update = codec.decoded("nextUpdate", codec.read_instant, payload.get("nextUpdate"))
    warnings: list[str] = []
    if created > at + clock_skew:
        raise BundleRefused(
            Refusal.NOT_YET_VALID,
            f"the bundle was created at {created.isoformat()}, after {at.isoformat()}",
        )
    if at >= next_update:
        stale = (
            f"the trust bundle was due for update at {next_update.isoformat()} "
            f"({_age(at - next_update)} ago); revocations, suspensions and key compromises "
            "recorded since are not known to it"
        )
        if not allow_expired:
            raise BundleRefused(Refusal.EXPIRED, stale)
        warnings.append(stale)

    # 5. The root certificate was valid when it signed.
    if not root.not_valid_before_utc <= created <= root.not_valid_after_utc:
        raise BundleRefused(
            Refusal.WRONG_ROOT,
            f"the root certificate is valid {root.not_valid_before_utc.isoformat()} to "
            f"{root.not_valid_after_utc.isoformat()}, not at the bundle's creation "
            f"{created.isoformat()}",
        )

    # 6. Not older than a bundle of this root seen before (a rollback could hide revocations).
    if history is not None:
        warnings.extend(
            history.admit(sealed.header["kid"], sequence, allow_rollback=allow_rollback)
        )

    contexts = codec.decoded(
        "contexts", lambda c: {str(k): str(v) for k, v in c.items()}, payload.get("contexts")
    )
    if contexts != pinned_contexts():
        warnings.append(
            "the registry pinned other JSON-LD contexts than this engine does; update the "
            "engine to verify credentials exactly as the registry would"
        )
    anchors, subjects = codec.decoded(
        "certificateTrust", certificates.read_certificate_trust, payload.get(certificates.MEMBER)
    )
    return BundleSnapshot(
        created=created,
        next_update=next_update,
        root_key_id=sealed.header["kid"],
        sequence=sequence,
        sha256=hashlib.sha256(data).hexdigest(),
        issuers=codec.decoded("issuers", _each(codec.read_issuer), payload.get("issuers")),
        keys=codec.decoded("keys", _each(codec.read_key), payload.get("keys")),
        authorisations=codec.decoded(
            "authorisations", _each(codec.read_authorisation), payload.get("authorisations")
        ),
        register=register,
        anchors=anchors,
        certificate_subjects=subjects,
        status_lists=codec.decoded(
            "statusLists",
            lambda lists: {str(k): v.encode("ascii") for k, v in lists.items()},
            payload.get("statusLists"),
        ),
        statuses=codec.decoded(
            "documentStatus", _each(codec.read_document_status), payload.get("documentStatus")
        ),
        contexts=contexts,
        doctypes=codec.decoded("doctypes", _each(_read_doctype), payload.get("doctypes", [])),
        warnings=warnings,
    )


def _read_doctype(item: Any) -> Version:
    text, sha256 = str(item["definition"]), str(item["sha256"])
    try:
        definition = read_definition(text, f"{item['code']} v{item['version']}")
    except DefinitionError as error:
        raise ValueError(str(error)) from None
    if definition.sha256 != sha256:
        raise ValueError(f"{item['code']} v{item['version']}: the definition fails its SHA-256")
    return Version(definition, codec.read_instant(item["inForceFrom"]))


def load_bundle(
    bundle: Path,
    root_certificate: Path,
    *,
    at: datetime,
    allow_expired: bool = False,
    history: BundleHistory | None = None,
    allow_rollback: bool = False,
) -> BundleSnapshot:
    """`open_bundle` of files on disk."""
    root = keys.load_certificate(root_certificate.read_bytes())
    return open_bundle(
        bundle.read_bytes(),
        root,
        at=at,
        allow_expired=allow_expired,
        history=history,
        allow_rollback=allow_rollback,
    )


@dataclass(frozen=True)
class BundleLoader:
    """A picklable recipe for a `BundleSnapshot`, for worker processes (each opens the bundle once;
    see `audit`). The files must be readable at the same paths where the workers run."""

    bundle: Path
    root_certificate: Path
    at: datetime
    allow_expired: bool = False
    warnings: tuple[str, ...] = ()
    """Said of this bundle by whoever admitted it (a rollback accepted with `BundleHistory`),
    for every report made with it."""

    def __call__(self) -> BundleSnapshot:
        view = load_bundle(
            self.bundle, self.root_certificate, at=self.at, allow_expired=self.allow_expired
        )
        view.warnings = (*view.warnings, *self.warnings)
        return view


def _register(payload: dict[str, Any], body: memoryview) -> IssuanceRegister:
    described = payload.get("issuanceRegister")
    if not isinstance(described, dict) or described.get("encoding") != REGISTER_ENCODING:
        raise BundleRefused(Refusal.UNSUPPORTED, "the issuance register's encoding is unknown")
    entries = codec.decoded(
        "the register sections", _each(_section_entry), described.get("sections")
    )
    expected = sum(length for _, _, _, length, _ in entries)
    if len(body) < expected:
        raise BundleRefused(
            Refusal.TRUNCATED,
            f"the issuance register is {expected:,} bytes; only {len(body):,} are there",
        )
    if len(body) > expected:
        raise BundleRefused(
            Refusal.TAMPERED, f"{len(body) - expected:,} bytes follow the last signed section"
        )
    sections = []
    offset = 0
    for number, (first, last, rows, length, digest) in enumerate(entries):
        data = body[offset : offset + length]  # a view: the file's bytes are not copied
        offset += length
        if hashlib.sha256(data).hexdigest() != digest:
            raise BundleRefused(
                Refusal.TAMPERED, f"register section {number} does not match its signed digest"
            )
        sections.append(RegisterSection(first, last, rows, data))
    return IssuanceRegister(sections)


def _section_entry(entry: dict[str, Any]) -> tuple[str, str, int, int, str]:
    first, last, digest = entry["first"], entry["last"], entry["sha256"]
    rows, length = entry["rows"], entry["length"]
    if not all(isinstance(v, str) for v in (first, last, digest)):
        raise TypeError("a section's first, last and sha256 are text")
    if type(rows) is not int or type(length) is not int or rows < 1 or length < 0:
        raise ValueError("a section's rows and length are counts")
    return first, last, rows, length, digest


def _each(read: Any) -> Any:
    return lambda items: [read(item) for item in items]


def _age(delta: timedelta) -> str:
    if delta >= timedelta(days=2):
        return f"{delta.days} days"
    hours = delta.total_seconds() / 3600
    return f"{hours:.1f} hours" if hours >= 1 else f"{delta.total_seconds() / 60:.0f} minutes"
