"""Declared material for the batch tests: an enrolled issuer with a key and certificate, record
files cycling the fixtures under new document ids, and the checks every batch must pass."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from cryptography.x509.oid import NameOID
from sqlalchemy import func, select

from vc_engine import keys
from vc_engine.issuance.batch.workers import PemKey, SigningSpec
from vc_engine.model import Indication
from vc_engine.policy import VerificationPolicy
from vc_engine.store import Registry, StatusStore
from vc_engine.store.schema import batch_documents, issuances, status_entries
from vc_engine.verify import verify

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "records"
ISSUER = "in.gov.wb.kmc"
ISSUER_NAME = "Kolkata Municipal Corporation"
DOCTYPE = "BTHCER"
SINCE = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)


def clock() -> datetime:
    return NOW


@dataclass(frozen=True)
class Enrolled:
    private_key: keys.PrivateKey
    certificate_der: bytes

    @property
    def pem(self) -> bytes:
        return self.private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())

    def spec(self, formats: tuple[str, ...] = ("xml",)) -> SigningSpec:
        return SigningSpec(ISSUER, formats, PemKey(self.pem), self.certificate_der)


def enrol(registry: Registry, algorithm: keys.KeyAlgorithm = keys.KeyAlgorithm.P256) -> Enrolled:
    private_key = keys.generate_private_key(algorithm)
    return Enrolled(private_key, enrol_public(registry, private_key.public_key()))


def enrol_public(registry: Registry, public_key: keys.PublicKey) -> bytes:
    """Register the issuer (once) and `public_key`; return a DER certificate carrying the key
    (signed by a throwaway key: signed XML carries it, trust comes from the registry)."""
    if registry.get_issuer(ISSUER) is None:
        registry.add_issuer(ISSUER, ISSUER_NAME, at=SINCE)
        for doctype in ("BTHCER", "CASCR", "DRVLC", "SSCMS"):
            registry.authorise(ISSUER, doctype, valid_from=SINCE)
    registry.add_key(
        ISSUER, public_key, certificate=None, valid_from=SINCE, valid_until=None, at=SINCE
    )
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ISSUER_NAME)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(SINCE - timedelta(days=1))
        .not_valid_after(SINCE + timedelta(days=3650))
        .sign(ec.generate_private_key(ec.SECP256R1()), hashes.SHA256())
    )
    return certificate.public_bytes(Encoding.DER)


def fixture_rows(doctype: str = DOCTYPE) -> tuple[list[str], list[list[str]]]:
    with (FIXTURES / f"{doctype}.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def write_records(path: Path, count: int, *, doctype: str = DOCTYPE, prefix: str = "R") -> Path:
    """`count` records cycling the fixture records under new docIds PREFIX00000001..."""
    header, rows = fixture_rows(doctype)
    column = header.index("docId")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for number, row in zip(range(1, count + 1), itertools.cycle(rows), strict=False):
        changed = list(row)
        changed[column] = f"{prefix}{number:08d}"
        writer.writerow(changed)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def document_id(number: int, prefix: str = "R", doctype: str = DOCTYPE) -> str:
    return f"{ISSUER}-{doctype}-{prefix}{number:08d}"


def registered(registry: Registry) -> int:
    with registry.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(issuances)).scalar_one())


def journalled(registry: Registry) -> int:
    with registry.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(batch_documents)).scalar_one())


def status_slots(registry: Registry) -> tuple[int, int, int]:
    """(entries, distinct (list, index) slots, distinct documents) in the status tables."""
    with registry.engine.connect() as conn:
        rows = conn.execute(
            select(
                status_entries.c.document_id, status_entries.c.list_id, status_entries.c.list_index
            )
        ).all()
    return (
        len(rows),
        len({(r.list_id, r.list_index) for r in rows}),
        len({r.document_id for r in rows}),
    )


def manifest(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]


def check_all_verify(
    registry: Registry, documents: list[bytes], at: datetime = NOW
) -> Counter[str]:
    """Verify each document (issued at `at`) against the registry and its status lists;
    count the indications."""
    snapshot = registry.snapshot()
    store = StatusStore(registry)
    policy = VerificationPolicy(at=at + timedelta(minutes=1))
    verdicts: Counter[str] = Counter()
    for data in documents:
        report = verify(data, snapshot, policy, store)
        verdicts[str(report.indication)] += 1
        if report.indication is not Indication.PASSED:
            verdicts[f"{report.sub_indication}"] += 1
    return verdicts
