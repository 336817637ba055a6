"""`vc-engine demo`: the main job end to end on a throwaway SQLite registry.

Four demo issuers get fresh keys (made here, never committed), issue fixture records as signed
XML, and every document is verified. Then the attacks a verifier must catch are staged against
the same registry, and each must fail for its own reason.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import tempfile
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from rich.console import Console
from rich.table import Table

from vc_engine import doctypes, keys
from vc_engine.cli import render
from vc_engine.formats import xml as signed_xml
from vc_engine.formats.vc_json import from_credential
from vc_engine.formats.xml.dsig import XmlSigningKey
from vc_engine.inputs import records
from vc_engine.issuance.block import Plan
from vc_engine.issuance.directory import issue_records
from vc_engine.issuance.issuer import Issuer, renditions
from vc_engine.issuance.status_lists import StatusLists, publish_lists
from vc_engine.model import Document, Indication, VerificationReport
from vc_engine.policy import INDIA, VerificationPolicy
from vc_engine.revocation.status import Action
from vc_engine.store import StatusStore
from vc_engine.store.registry import Registry
from vc_engine.verify import verify

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "records"
RECORDS_PER_TYPE = 25
STATUS_BASE_URL = "https://status.vc-engine.org"

DEMO_ISSUERS = (
    (
        "in.gov.wb.kmc",
        "Kolkata Municipal Corporation",
        "BTHCER",
        keys.KeyAlgorithm.RSA2048,
        ("xml", "vc-jwt"),
    ),
    (
        "in.gov.up.edistrict",
        "e-District, Uttar Pradesh",
        "CASCR",
        keys.KeyAlgorithm.P256,
        ("xml", "vc-di", "vc-jwt"),
    ),
    (
        "in.gov.wb.wbbse",
        "West Bengal Board of Secondary Education",
        "SSCMS",
        keys.KeyAlgorithm.RSA2048,
        ("xml", "vc-jwt"),
    ),
    (
        "in.gov.dl.transport",
        "Transport Department, Delhi",
        "DRVLC",
        keys.KeyAlgorithm.ED25519,
        ("vc-di", "vc-jwt"),
    ),
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
            lists = StatusStore(registry)
            results = [
                (
                    f"{path.parent.name}/{path.name}",
                    verify(path.read_bytes(), snapshot, policy, lists),
                )
                for path in issued
            ]
            _summary(console, results)
            _one_original(console, results, "CASCR/in.gov.up.edistrict-CASCR-2026000001")
            genuine = [p for p, (_, r) in zip(issued, results, strict=True) if r.verified]
            attacks = _stage_attacks(registry, issuers, genuine, now)
            snapshot = registry.snapshot()
            rows = [
                (name, expect, verify(data, snapshot, policy, lists))
                for name, expect, data in attacks
            ]
            _attack_table(console, rows)
    wrong = [name for name, expected, report in rows if expected != _verdict_text(report)]
    if wrong:
        raise SystemExit(f"demo verdicts differ from what they must be: {', '.join(wrong)}")


def _enrol(registry: Registry, now: datetime) -> dict[str, tuple[Issuer, tuple[str, ...]]]:
    issuers: dict[str, tuple[Issuer, tuple[str, ...]]] = {}
    for issuer_id, name, doctype, algorithm, formats in DEMO_ISSUERS:
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
        issuer = Issuer(issuer_id, name, keys.FileSigner(private_key), certificate, INDIA)
        issuers[doctype] = (issuer, formats)
    return issuers


def _issue_fixtures(
    registry: Registry, issuers: dict[str, tuple[Issuer, tuple[str, ...]]], out: Path, now: datetime
) -> list[Path]:
    issued: list[Path] = []
    for doctype, (issuer, formats) in issuers.items():
        lines = islice(records.read_records(FIXTURES / f"{doctype}.csv"), RECORDS_PER_TYPE)
        plan = Plan(
            issuer,
            doctypes.get_doctype(doctype),
            renditions(formats, issuer),
            registry,
            StatusLists(StatusStore(registry), STATUS_BASE_URL),
        )
        summary = issue_records(lines, plan, out / doctype, lambda: now)
        issued.extend(summary.issued)
    return issued


def _summary(console: Console, results: list[tuple[str, VerificationReport]]) -> None:
    table = Table(title="Issued documents, verified against the registry")
    for column in ("document type (rendition)", "documents", "PASSED", "not PASSED"):
        table.add_column(column)
    by_kind: dict[tuple[str, str], list[VerificationReport]] = {}
    for name, report in results:
        kind = (name.split("/")[0], report.format or "unknown format")
        by_kind.setdefault(kind, []).append(report)
    for (doctype, rendition), reports in by_kind.items():
        passed = sum(r.indication is Indication.PASSED for r in reports)
        table.add_row(
            f"{doctypes.get_doctype(doctype).name} ({rendition})",
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


def _one_original(
    console: Console, results: list[tuple[str, VerificationReport]], stem: str
) -> None:
    table = Table(title="One original, every rendition: the same document and claims digest")
    for column in ("file", "verdict", "document id", "claims digest"):
        table.add_column(column)
    for name, report in results:
        if name.startswith(stem + ".") and report.document is not None:
            document = report.document
            table.add_row(name, render.verdict(report), document.id, document.claims_digest)
    console.print(table)


def _stage_attacks(
    registry: Registry,
    issuers: dict[str, tuple[Issuer, tuple[str, ...]]],
    issued: list[Path],
    now: datetime,
) -> list[tuple[str, str, bytes]]:
    """Each attack as (what it is, the verdict it must get, the bytes a verifier is shown)."""
    jwt = _rendition(issued, "DRVLC", ".jwt")
    revoked = _rendition(issued, "SSCMS", ".xml")
    suspended = _rendition(issued, "DRVLC", ".vc.json")
    _change_status(
        registry, issuers, revoked, Action.REVOKE, "marks obtained by impersonation", now
    )
    _change_status(registry, issuers, suspended, Action.SUSPEND, "licence under review", now)
    birth_issuer, caste_issuer = issuers["BTHCER"][0], issuers["CASCR"][0]
    genuine_birth = next(p for p in issued if p.name.endswith("BTHCER-2026000001.xml")).read_bytes()
    genuine_caste = next(p for p in issued if p.name.endswith("CASCR-2026000001.xml")).read_bytes()
    document = _read(genuine_birth, now)
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
    caste = _read(genuine_caste, now)
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
            _swap_certificate(forged, birth_issuer.xml_key.certificate),
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
        (
            "JSON-LD credential with a claim changed",
            "FAILED / SIG_CRYPTO_FAILURE",
            _tamper_json(_rendition(issued, "DRVLC", ".vc.json")),
        ),
        ("vc+jwt with its payload changed", "FAILED / SIG_CRYPTO_FAILURE", _tamper_jwt(jwt)),
        ("mark sheet revoked by the board", "FAILED / REVOKED", revoked),
        ("licence suspended by the transport department", "FAILED / SUSPENDED", suspended),
        ("vc+jwt re-sent with alg none", "FAILED / CRYPTO_CONSTRAINTS_FAILURE", _alg_none(jwt)),
    ]


def _change_status(
    registry: Registry,
    issuers: dict[str, tuple[Issuer, tuple[str, ...]]],
    data: bytes,
    action: Action,
    reason: str,
    now: datetime,
) -> None:
    """Record a status change and re-publish the issuer's list, as `vc-engine revoke` does."""
    document = _open_any(data, now)
    issuer = issuers[document.doctype][0]
    store = StatusStore(registry)
    store.change(document.id, action, reason=reason, actor="demo clerk", at=now)
    entries = store.entries_of(document.id)
    assert entries is not None
    entry = entries.of(action.purpose)
    publish_lists(StatusLists(store, STATUS_BASE_URL), issuer, [entry.list_id], now)


def _open_any(data: bytes, now: datetime) -> Document:
    if data.lstrip().startswith(b"<"):
        return _read(data, now)
    return from_credential({k: v for k, v in json.loads(data).items() if k != "proof"})


def _rendition(genuine: list[Path], doctype: str, suffix: str) -> bytes:
    """The first genuine (verified) document of a type in one rendition."""
    paths = sorted(p for p in genuine if p.parent.name == doctype and p.name.endswith(suffix))
    return paths[0].read_bytes()


def _tamper_json(data: bytes) -> bytes:
    credential = json.loads(data)
    credential["credentialSubject"]["certificateData"]["vehicleClasses"] = "TRANS"
    return json.dumps(credential, ensure_ascii=False).encode()


def _tamper_jwt(token: bytes) -> bytes:
    header, payload, signature = token.strip().split(b".")
    claims = json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))
    claims["credentialSubject"]["name"] = "Someone Else"
    encoded = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
    return b".".join((header, encoded, signature))


def _alg_none(token: bytes) -> bytes:
    _, payload, _ = token.strip().split(b".")
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"vc+jwt"}').rstrip(b"=")
    return header + b"." + payload + b"."


def _read(data: bytes, now: datetime) -> Document:
    """The document the demo itself signed (its signature is checked; trust is not asked)."""
    outcome = signed_xml.open_signed(data, VerificationPolicy(at=now), lambda _: None)
    assert outcome.document is not None, "the demo's own documents must open"
    return outcome.document


def _sign(document: Document, issuer: Issuer) -> bytes:
    return signed_xml.issue(document, issuer.xml_key, issuer.civil_timezone)


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
