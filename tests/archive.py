"""A declared archive for the bundle and audit tests: three issuers, every format, status lists,
one document revoked, one suspended, one key compromised after issuing (the register proves
its documents) and one compromised before (its documents fail), plus files that are no
documents at all. Also the registry root keys that sign bundles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from vc_engine import doctypes, keys
from vc_engine.inputs import records
from vc_engine.issuance.block import Plan
from vc_engine.issuance.directory import issue_records
from vc_engine.issuance.issuer import Issuer, renditions
from vc_engine.issuance.status_lists import StatusLists, publish_lists
from vc_engine.policy import INDIA, VerificationPolicy
from vc_engine.store import Registry, StatusStore

from factory import NOW

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "records"
BASE_URL = "https://status.test.example"
POLICY = VerificationPolicy(at=NOW + timedelta(minutes=5))
CREATED = NOW + timedelta(minutes=2)
NEXT_UPDATE = NOW + timedelta(hours=12)
HOSTILE_NAME = "<img src=x onerror=alert(1)>&amp;.json"


@dataclass(frozen=True)
class Root:
    private_key: keys.PrivateKey
    certificate: x509.Certificate

    @property
    def signer(self) -> keys.FileSigner:
        return keys.FileSigner(self.private_key)

    def write(self, directory: Path) -> tuple[Path, Path]:
        """(private key PEM, certificate PEM) files."""
        directory.mkdir(parents=True, exist_ok=True)
        key_path, cert_path = directory / "root.pem", directory / "root-cert.pem"
        keys.write_private_key(key_path, self.private_key)
        cert_path.write_bytes(self.certificate.public_bytes(Encoding.PEM))
        return key_path, cert_path


def make_root(
    algorithm: keys.KeyAlgorithm = keys.KeyAlgorithm.ED25519, now: datetime = NOW
) -> Root:
    private_key = keys.generate_private_key(algorithm)
    certificate = keys.self_signed_certificate(
        private_key, "Registry root", now - timedelta(days=30), now + timedelta(days=365)
    )
    return Root(private_key, certificate)


@dataclass(frozen=True)
class Archive:
    directory: Path
    documents: list[Path]
    revoked: str
    suspended: str
    compromised_after: str
    """Issuer whose key was compromised after its documents were registered."""
    compromised_before: str
    """Issuer whose key was compromised before its documents claim to be signed."""
    issuers: dict[str, Issuer]
    """Each issuer with its signing key, by id."""


def _enrol(
    registry: Registry, issuer_id: str, doctype: str, algorithm: keys.KeyAlgorithm, now: datetime
) -> Issuer:
    private_key = keys.generate_private_key(algorithm)
    since = now - timedelta(days=1)
    certificate = keys.self_signed_certificate(
        private_key, issuer_id, since, now + timedelta(days=365)
    )
    registry.add_issuer(issuer_id, issuer_id.upper(), at=since)
    registry.authorise(issuer_id, doctype, valid_from=since)
    registry.add_key(
        issuer_id,
        private_key.public_key(),
        certificate=certificate,
        valid_from=None,
        valid_until=None,
        at=since,
    )
    return Issuer(issuer_id, issuer_id.upper(), keys.FileSigner(private_key), certificate, INDIA)


def _issue(
    registry: Registry,
    issuer: Issuer,
    doctype: str,
    formats: tuple[str, ...],
    out: Path,
    count: int,
    at: datetime,
) -> list[Path]:
    summary = issue_records(
        islice(records.read_records(FIXTURES / f"{doctype}.csv"), count),
        Plan(
            issuer,
            doctypes.get_doctype(doctype),
            renditions(formats, issuer),
            registry,
            StatusLists(StatusStore(registry), BASE_URL),
        ),
        out,
        lambda: at,
    )
    assert not summary.rejected, summary.rejected
    return sorted(summary.issued)


def document_id(path: Path) -> str:
    return path.name.removesuffix(".xml").removesuffix(".vc.json").removesuffix(".jwt")


def build_archive(
    registry: Registry, directory: Path, *, per_issuer: int = 3, now: datetime = NOW
) -> Archive:
    store = StatusStore(registry)
    certs = _enrol(registry, "in.gov.up.edistrict", "CASCR", keys.KeyAlgorithm.P256, now)
    births = _enrol(registry, "in.gov.wb.kmc", "BTHCER", keys.KeyAlgorithm.ED25519, now)
    licences = _enrol(registry, "in.gov.dl.transport", "DRVLC", keys.KeyAlgorithm.P256, now)
    documents = [
        *_issue(
            registry,
            certs,
            "CASCR",
            ("xml", "vc-di", "vc-jwt"),
            directory / "cascr",
            per_issuer,
            now,
        ),
        *_issue(
            registry, births, "BTHCER", ("vc-di", "vc-jwt"), directory / "bthcer", per_issuer, now
        ),
        *_issue(
            registry,
            licences,
            "DRVLC",
            ("vc-jwt",),
            directory / "drvlic",
            per_issuer,
            now - timedelta(hours=2),
        ),
    ]
    cascr = sorted({document_id(p) for p in documents if "/cascr/" in p.as_posix()})
    revoked, suspended = cascr[0], cascr[1]
    store.revoke(revoked, reason="issued in error", actor="clerk-7", at=now + timedelta(minutes=1))
    store.suspend(suspended, reason="under inquiry", actor="clerk-9", at=now + timedelta(minutes=1))
    lists = StatusLists(store, BASE_URL)
    publish_lists(lists, certs, store.lists_of(certs.id), now + timedelta(minutes=1))
    registry.compromise_key(
        births.id,
        births.key_id,
        at=now + timedelta(minutes=1),
        reason="laptop stolen",
        recorded_at=now + timedelta(minutes=1, seconds=30),
    )
    registry.compromise_key(
        licences.id,
        licences.key_id,
        at=now - timedelta(hours=3),
        reason="key leaked",
        recorded_at=now + timedelta(minutes=1, seconds=30),
    )
    junk = directory / "junk"
    junk.mkdir()
    (junk / "empty.xml").write_bytes(b"")
    (junk / "noise.bin").write_bytes(bytes(range(256)) * 4)
    (junk / HOSTILE_NAME).write_text('{"not": "a credential"}')
    tampered = bytearray(documents[-1].read_bytes())
    tampered[len(tampered) // 2] ^= 0x01
    (junk / "tampered.jwt").write_bytes(bytes(tampered))
    (junk / "dangling.jwt").symlink_to(directory / "nowhere.jwt")
    issuers = {i.id: i for i in (certs, births, licences)}
    return Archive(directory, documents, revoked, suspended, births.id, licences.id, issuers)
