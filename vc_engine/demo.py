"""`vc-engine demo`: the main job end to end on a throwaway SQLite registry.

Four demo issuers get fresh keys (made here, never committed), issue fixture records as signed
XML, and every document is verified. Then the attacks a verifier must catch are staged against
the same registry, and each must fail for its own reason.
"""

from __future__ import annotations

import base64
import dataclasses
import re
import tempfile
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from rich.console import Console
from rich.table import Table

from vc_engine import doctypes, keys, records, render
from vc_engine.formats import signed_xml
from vc_engine.formats.xmldsig import XmlSigningKey
from vc_engine.issue import Issuer, issue_records
from vc_engine.model import Document, Indication, VerificationReport
from vc_engine.policy import INDIA, VerificationPolicy
from vc_engine.trust.store import Registry
from vc_engine.verify import verify

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "records"
RECORDS_PER_TYPE = 25

DEMO_ISSUERS = (
    ("in.gov.wb.kmc", "Kolkata Municipal Corporation", "BTHCER", keys.KeyAlgorithm.RSA2048),
    ("in.gov.up.edistrict", "e-District, Uttar Pradesh", "CASCR", keys.KeyAlgorithm.P256),
    (
        "in.gov.wb.wbbse",
        "West Bengal Board of Secondary Education",
        "SSCMS",
        keys.KeyAlgorithm.RSA2048,
    ),
    ("in.gov.dl.transport", "Transport Department, Delhi", "DRVLC", keys.KeyAlgorithm.P256),
)


def run_demo(console: Console, now: datetime) -> None:
    if not FIXTURES.is_dir():
        raise SystemExit(f"demo fixtures not found at {FIXTURES}; run from a clone of vc-engine")
    with tempfile.TemporaryDirectory(prefix="vc-engine-demo-") as temporary:
        work = Path(temporary)
        with Registry.open(f"sqlite:///{work / 'registry.db'}") as registry:
            registry.init()
            issuers = _enrol(registry, now)
            issued = _issue_fixtures(registry, issuers, work / "issued", now)
            policy = VerificationPolicy(at=now + timedelta(seconds=1))
            snapshot = registry.snapshot()
            results = [
                (f"{path.parent.name}/{path.name}", verify(path.read_bytes(), snapshot, policy))
                for path in issued
            ]
            _summary(console, results)
            attacks = _stage_attacks(registry, issuers, issued, now)
            snapshot = registry.snapshot()
            rows = [
                (name, expect, verify(data, snapshot, policy)) for name, expect, data in attacks
            ]
            _attack_table(console, rows)
    wrong = [name for name, expected, report in rows if expected != _verdict_text(report)]
    if wrong:
        raise SystemExit(f"demo verdicts differ from what they must be: {', '.join(wrong)}")


def _enrol(registry: Registry, now: datetime) -> dict[str, Issuer]:
    issuers = {}
    for issuer_id, name, doctype, algorithm in DEMO_ISSUERS:
        private_key = keys.generate_private_key(algorithm)
        certificate = keys.self_signed_certificate(
            private_key, name, now - timedelta(days=1), now + timedelta(days=730)
        )
        registry.add_issuer(issuer_id, name, at=now - timedelta(days=1))
        registry.authorise(issuer_id, doctype, valid_from=now - timedelta(days=1))
        registry.add_key(
            issuer_id,
            private_key.public_key(),
            certificate=certificate,
            valid_from=None,
            valid_until=None,
            at=now,
        )
        signing_key = XmlSigningKey(keys.FileSigner(private_key), certificate)
        issuers[doctype] = Issuer(issuer_id, name, signing_key, INDIA)
    return issuers


def _issue_fixtures(
    registry: Registry, issuers: dict[str, Issuer], out: Path, now: datetime
) -> list[Path]:
    issued: list[Path] = []
    for doctype, issuer in issuers.items():
        lines = islice(records.read_records(FIXTURES / f"{doctype}.csv"), RECORDS_PER_TYPE)
        summary = issue_records(
            lines, doctypes.get_doctype(doctype), issuer, registry, out / doctype, lambda: now
        )
        issued.extend(summary.issued)
    return issued


def _summary(console: Console, results: list[tuple[str, VerificationReport]]) -> None:
    table = Table(title="Issued documents, verified against the registry")
    for column in ("document type", "documents", "PASSED", "not PASSED"):
        table.add_column(column)
    by_type: dict[str, list[VerificationReport]] = {}
    for name, report in results:
        by_type.setdefault(name.split("/")[0], []).append(report)
    for doctype, reports in by_type.items():
        passed = sum(r.indication is Indication.PASSED for r in reports)
        table.add_row(
            doctypes.get_doctype(doctype).name,
            str(len(reports)),
            str(passed),
            str(len(reports) - passed),
        )
    console.print(table)
    for name, report in results:
        if report.indication is not Indication.PASSED:
            console.print(
                f"  {name}: {render.verdict(report)}: {render.reason(report)}", highlight=False
            )
    first = results[0]
    render.report(console, first[1], first[0])


def _stage_attacks(
    registry: Registry, issuers: dict[str, Issuer], issued: list[Path], now: datetime
) -> list[tuple[str, str, bytes]]:
    """Each attack as (what it is, the verdict it must get, the bytes a verifier is shown)."""
    birth_issuer, caste_issuer = issuers["BTHCER"], issuers["CASCR"]
    genuine_birth = next(p for p in issued if p.parent.name == "BTHCER").read_bytes()
    genuine_caste = next(p for p in issued if p.parent.name == "CASCR").read_bytes()
    document = _read(genuine_birth)
    forger_key = keys.generate_private_key(keys.KeyAlgorithm.RSA2048)
    forger_cert = keys.self_signed_certificate(
        forger_key, birth_issuer.name, now - timedelta(days=1), now + timedelta(days=30)
    )
    forged = signed_xml.issue(
        dataclasses.replace(
            document, id=document.id[:-3] + "999", holder={**document.holder, "name": "Forged Name"}
        ),
        XmlSigningKey(keys.FileSigner(forger_key), forger_cert),
        INDIA,
    )
    wrong_type = dataclasses.replace(
        document, doctype="DRVLC", id=document.id.replace("BTHCER", "DRVLC")
    )
    # The caste issuer's key leaks; the leak is reported as having happened a minute from now.
    leak = now + timedelta(minutes=1)
    registry.compromise_key(
        caste_issuer.id, caste_issuer.key_id, at=leak, reason="key file leaked", recorded_at=leak
    )
    caste = _read(genuine_caste)
    after_leak = dataclasses.replace(
        caste, id=caste.id[:-3] + "998", issued_at=leak + timedelta(seconds=5)
    )
    backdated = dataclasses.replace(caste, id=caste.id[:-3] + "997")
    return [
        ("genuine birth certificate", "PASSED", genuine_birth),
        ("a name changed after signing", "FAILED / HASH_FAILURE", _tamper(genuine_birth)),
        ("signed by a key not in the registry", "FAILED / NO_CERTIFICATE_CHAIN_FOUND", forged),
        (
            "trusted certificate pasted over a forger's signature",
            "FAILED / SIG_CRYPTO_FAILURE",
            _swap_certificate(forged, birth_issuer.key.certificate),
        ),
        (
            "issuer signs a type it may not issue",
            "FAILED / NOT_AUTHORIZED",
            _sign(wrong_type, birth_issuer),
        ),
        ("genuine caste certificate, signed before the leak", "PASSED", genuine_caste),
        (
            "signed with the leaked key after the leak",
            "FAILED / KEY_COMPROMISED",
            _sign(after_leak, caste_issuer),
        ),
        (
            "backdated with the leaked key, not in the register",
            "INDETERMINATE / REVOKED_NO_POE",
            _sign(backdated, caste_issuer),
        ),
        ("not a document at all", "FAILED / FORMAT_FAILURE", b"<html><body>hello</body></html>"),
    ]


def _read(data: bytes) -> Document:
    outcome = signed_xml.open_signed(data, max_bytes=len(data), allow_legacy=False)
    assert outcome.document is not None, "the demo's own documents must open"
    return outcome.document


def _sign(document: Document, issuer: Issuer) -> bytes:
    return signed_xml.issue(document, issuer.key, issuer.civil_timezone)


def _tamper(data: bytes) -> bytes:
    return re.sub(rb'(<Person[^>]* name=")[^"]*"', rb'\1Someone Else"', data, count=1)


def _swap_certificate(data: bytes, certificate: x509.Certificate) -> bytes:
    encoded = base64.b64encode(certificate.public_bytes(Encoding.DER))

    def replace(match: re.Match[bytes]) -> bytes:
        return match.group(1) + encoded + match.group(2)

    return re.sub(rb"(<ds:X509Certificate>)[^<]*(</ds:X509Certificate>)", replace, data)


def _verdict_text(report: VerificationReport) -> str:
    if report.sub_indication is None:
        return str(report.indication)
    return f"{report.indication} / {report.sub_indication}"


def _attack_table(console: Console, rows: list[tuple[str, str, VerificationReport]]) -> None:
    table = Table(title="What a verifier is shown, and what it says")
    for column in ("case", "expected", "verdict", "reason"):
        table.add_column(column, overflow="fold")
    for name, expected, report in rows:
        table.add_row(name, expected, render.verdict(report), render.reason(report))
    console.print(table)
