"""Regressions for the holes an attacker found (issue 9), one named test (or parametrized test)
per hole. Each of these failed on main at df39346: a crash, a hang, a leak or a wrong PASSED."""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from lxml import etree
from typer.testing import CliRunner

from api import Settings, create_app
from api.openapi import HMAC_AUTHENTICATED
from vc_engine import keys
from vc_engine.cli import app
from vc_engine.formats import vc_json, vc_jwt
from vc_engine.formats import xml as signed_xml
from vc_engine.formats.vc_di.proofs import add_proof
from vc_engine.formats.xml import dsig as xmldsig
from vc_engine.formats.xml.document import to_element
from vc_engine.issuance.status_lists import StatusLists, publish_lists
from vc_engine.model import Indication, InstantError, SubIndication
from vc_engine.offline.bundle import export_bundle, load_bundle, write_bundle
from vc_engine.offline.bundle_format import BundleRefused, Refusal
from vc_engine.offline.bundle_history import BundleHistory
from vc_engine.policy import INDIA, Limits, Severity, VerificationPolicy
from vc_engine.revocation.source import StatusSnapshot
from vc_engine.store import Registry, StatusStore
from vc_engine.trust.records import (
    Authorisation,
    IssuerRecord,
    IssuerStatus,
    KeyEvent,
    KeyStatus,
    RegisteredKey,
)
from vc_engine.trust.source import TrustSnapshot
from vc_engine.verify import verify

from archive import BASE_URL, CREATED, NEXT_UPDATE, POLICY, build_archive, document_id, make_root
from factory import NOW, fixture_document, make_key, valid_birth_certificate
from service import Service, make_clients, start, trust_kmc, write_signing_key

EDGE_INSTANTS = (
    "0001-01-01T00:00:00+05:00",
    "0001-01-01T00:00:00+00:00",
    "9999-12-31T23:59:59+00:00",
    "9999-12-31T23:59:59-05:00",
)
ED25519 = keys.FileSigner(keys.generate_private_key(keys.KeyAlgorithm.ED25519))
DID_KEY = keys.did_key(ED25519.public_key)
NOBODY = TrustSnapshot([], [], [], lambda _: None)


def _verify(data: bytes) -> tuple[Indication, SubIndication | None]:
    report = verify(data, NOBODY, VerificationPolicy(at=NOW))
    return report.indication, report.sub_indication


# 1. Dates at the edge of the calendar.


def _credential_with(field: str, value: str) -> dict[str, Any]:
    credential = vc_json.to_credential(valid_birth_certificate(), INDIA)
    credential[field] = value
    return credential


@pytest.mark.parametrize("instant", EDGE_INSTANTS)
@pytest.mark.parametrize("field", ["issuedAt", "validFrom", "validUntil"])
def test_edge_of_calendar_instant_in_a_data_integrity_credential_is_format_failure(
    field: str, instant: str
) -> None:
    secured = add_proof(
        _credential_with(field, instant),
        cryptosuite="eddsa-jcs-2022",
        signer=ED25519,
        verification_method=DID_KEY,
        created=NOW,
    )
    assert _verify(json.dumps(secured).encode()) == (
        Indication.FAILED,
        SubIndication.FORMAT_FAILURE,
    )


@pytest.mark.parametrize("instant", EDGE_INSTANTS)
def test_edge_of_calendar_proof_created_is_format_failure(instant: str) -> None:
    secured = add_proof(
        _credential_with("issuedAt", "2026-11-22T06:00:00Z"),
        cryptosuite="eddsa-jcs-2022",
        signer=ED25519,
        verification_method=DID_KEY,
        created=NOW,
    )
    secured["proof"]["created"] = instant
    assert _verify(json.dumps(secured).encode()) == (
        Indication.FAILED,
        SubIndication.FORMAT_FAILURE,
    )


@pytest.mark.parametrize("instant", EDGE_INSTANTS)
@pytest.mark.parametrize("field", ["issuedAt", "validUntil"])
def test_edge_of_calendar_instant_in_a_vc_jwt_is_format_failure(field: str, instant: str) -> None:
    token = vc_jwt.sign_credential(
        _credential_with(field, instant), ED25519, kid=DID_KEY, issued_at=NOW, expires_at=None
    )
    assert _verify(token) == (Indication.FAILED, SubIndication.FORMAT_FAILURE)


@pytest.mark.parametrize("instant", EDGE_INSTANTS)
def test_edge_of_calendar_issued_at_in_signed_xml_is_format_failure(instant: str) -> None:
    document = valid_birth_certificate()
    element = to_element(document, document.issued_at.date())
    element.set("issuedAt", instant)
    canonical = etree.tostring(element, method="c14n")
    data = xmldsig.sign_enveloped(canonical, make_key("edge of the calendar").signing_key)
    assert _verify(data) == (Indication.FAILED, SubIndication.FORMAT_FAILURE)


@pytest.mark.parametrize("instant", EDGE_INSTANTS)
def test_edge_of_calendar_verification_time_is_refused_as_misuse(instant: str) -> None:
    with pytest.raises(InstantError):
        VerificationPolicy(at=datetime.fromisoformat(instant))


@pytest.mark.parametrize("instant", EDGE_INSTANTS)
def test_edge_of_calendar_at_over_http_is_a_400_problem(service: Service, instant: str) -> None:
    data = signed_xml.issue(valid_birth_certificate(), make_key("edge").signing_key, INDIA)
    answer = service.http.post(
        "/v1/verify",
        params={"at": instant},
        content=data,
        headers={**service.auth("verify"), "Content-Type": "application/xml"},
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_time"
    answer = service.http.post(
        "/credentials/verify",
        json={"verifiableCredential": data.decode(), "options": {"at": instant}},
        headers=service.auth("verify"),
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_time"


@pytest.mark.parametrize("instant", EDGE_INSTANTS)
def test_edge_of_calendar_at_in_the_cli_is_a_usage_error(tmp_path: Any, instant: str) -> None:
    document = tmp_path / "document.xml"
    document.write_bytes(b"<a/>")
    result = CliRunner().invoke(
        app,
        ["--registry", f"sqlite:///{tmp_path / 'r.db'}", "verify", "--at", instant, str(document)],
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "outside the years" in result.output


def test_edge_of_calendar_instants_are_accepted_inside_the_bounds() -> None:
    VerificationPolicy(at=datetime(1, 1, 2, tzinfo=UTC))
    VerificationPolicy(at=datetime(9999, 12, 30, tzinfo=UTC))


# 2. Base58 fields are capped before they are decoded.


def _secured_di() -> dict[str, Any]:
    return add_proof(
        _credential_with("issuedAt", "2026-11-22T06:00:00Z"),
        cryptosuite="eddsa-jcs-2022",
        signer=ED25519,
        verification_method=DID_KEY,
        created=NOW,
    )


def _report(data: bytes) -> Any:
    return verify(data, NOBODY, VerificationPolicy(at=NOW))


def test_a_300_kb_proof_value_is_refused_before_decoding() -> None:
    secured = _secured_di()
    secured["proof"]["proofValue"] = "z" + "5" * 300_000
    report = _report(json.dumps(secured).encode())
    assert (report.indication, report.sub_indication) == (
        Indication.FAILED,
        SubIndication.FORMAT_FAILURE,
    )
    assert "longer than any base58btc encoding of 96 bytes" in report.checks[-1].message


def test_a_did_key_of_fifty_thousand_characters_is_refused_before_decoding() -> None:
    secured = _secured_di()
    huge = "z" + "6" * 50_000
    secured["proof"]["verificationMethod"] = f"did:key:{huge}#{huge}"
    report = _report(json.dumps(secured).encode())
    assert report.indication is Indication.FAILED
    assert "longer than any base58btc encoding of 51 bytes" in report.checks[-1].message


def test_a_multikey_of_fifty_thousand_characters_is_refused() -> None:
    with pytest.raises(keys.KeyMaterialError, match="longer than any base58btc encoding"):
        keys.multikey_decode("z" + "6" * 50_000)


# 3. Signed XML is bounded before it is canonicalized.


def _genuine_xml() -> bytes:
    return signed_xml.issue(valid_birth_certificate(), make_key("bounds").signing_key, INDIA)


def _padded(data: bytes, where: bytes, padding: bytes) -> bytes:
    assert where in data
    return data.replace(where, where + padding, 1)


def _refused_at_parse(data: bytes) -> str:
    report = _report(data)
    assert (report.indication, report.sub_indication) == (
        Indication.FAILED,
        SubIndication.FORMAT_FAILURE,
    )
    assert [c.name for c in report.checks] == ["parse"]
    return report.checks[0].message


@pytest.mark.parametrize("count", [40_000, 100_000])
def test_a_body_padded_with_attributes_is_refused_before_canonicalization(count: int) -> None:
    padding = b"".join(b' a%d="x"' % n for n in range(count))
    message = _refused_at_parse(_padded(_genuine_xml(), b"<CertificateData", padding))
    assert "more than 64 attributes" in message


def test_signed_info_padded_with_attributes_is_refused_before_canonicalization() -> None:
    padding = b"".join(b' a%d="x"' % n for n in range(40_000))
    message = _refused_at_parse(_padded(_genuine_xml(), b"<ds:SignedInfo", padding))
    assert "more than 64 attributes" in message


def test_hundreds_of_nested_namespace_declarations_are_refused() -> None:
    declarations = b" ".join(b'xmlns:p%d="urn:x:%d"' % (n, n) for n in range(20))
    opening = b"".join(
        b"<n%d %s>" % (n, declarations.replace(b"p", b"q%d_" % n)) for n in range(20)
    )
    closing = b"".join(b"</n%d>" % n for n in reversed(range(20)))
    data = _padded(_genuine_xml(), b"<CertificateData>", opening + closing)
    assert "namespace declarations are in scope" in _refused_at_parse(data)


def test_thousands_of_sibling_elements_are_refused() -> None:
    data = _padded(_genuine_xml(), b"<CertificateData>", b"<x/>" * 5_000)
    assert "more than 2,000 nodes" in _refused_at_parse(data)


def test_deep_nesting_below_the_parsers_own_limit_is_refused() -> None:
    data = _padded(_genuine_xml(), b"<CertificateData>", b"<d>" * 100 + b"</d>" * 100)
    assert "nested deeper than 32 levels" in _refused_at_parse(data)


def test_a_megabyte_of_text_is_refused() -> None:
    data = _padded(_genuine_xml(), b"<placeOfBirth>", b"x" * 1_000_000)
    assert "characters of text" in _refused_at_parse(data)


def test_a_genuine_mark_sheet_is_within_the_limits() -> None:
    document = fixture_document("SSCMS", "in.gov.wb.wbbse", "West Bengal Board")
    data = signed_xml.issue(document, make_key("bounds").signing_key, INDIA)
    assert [c.name for c in _report(data).checks][:2] == ["parse", "crypto-constraints"]


# 8. The declared encoding is read.


@pytest.mark.parametrize("encoding", ["ISO-8859-1", "windows-1252", "US-ASCII"])
def test_a_document_declaring_another_encoding_is_refused(encoding: str) -> None:
    data = _genuine_xml().replace(b'encoding="UTF-8"', f'encoding="{encoding}"'.encode(), 1)
    assert f"declares encoding {encoding.upper()!r}" in _refused_at_parse(data)


def test_a_document_declaring_utf8_in_lower_case_is_read() -> None:
    data = _genuine_xml().replace(b'encoding="UTF-8"', b'encoding="utf-8"', 1)
    assert _report(data).checks[0].name == "parse"
    assert _report(data).checks[0].status.value == "passed"


# 7. KeyInfo is bounded, and the embedded certificate's window is judged.


def _kmc_trust() -> TrustSnapshot:
    key = make_key("Kolkata Municipal Corporation")
    since = NOW - timedelta(days=365)
    public_key = key.private_key.public_key()
    return TrustSnapshot(
        [IssuerRecord("in.gov.wb.kmc", "KMC", IssuerStatus.ACTIVE, since, since)],
        [
            RegisteredKey(
                key.key_id,
                "in.gov.wb.kmc",
                keys.KeyAlgorithm.RSA2048,
                public_key,
                None,
                since,
                None,
                since,
                (KeyEvent(KeyStatus.ACTIVE, since, "registered", since),),
            )
        ],
        [Authorisation("in.gov.wb.kmc", "BTHCER", since, None)],
        lambda _: None,
    )


def _kmc_document() -> bytes:
    return signed_xml.issue(
        valid_birth_certificate(), make_key("Kolkata Municipal Corporation").signing_key, INDIA
    )


def test_the_genuine_kmc_document_passes_in_memory() -> None:
    report = verify(_kmc_document(), _kmc_trust(), VerificationPolicy(at=NOW))
    assert report.indication is Indication.PASSED
    assert not report.warnings


def test_280000_extra_elements_in_key_info_are_refused() -> None:
    data = _padded(_kmc_document(), b"<ds:KeyInfo>", b"<ds:KeyName>x</ds:KeyName>" * 280_000)
    report = verify(
        data, _kmc_trust(), VerificationPolicy(at=NOW, limits=Limits(max_document_bytes=32 << 20))
    )
    assert (report.indication, report.sub_indication) == (
        Indication.FAILED,
        SubIndication.FORMAT_FAILURE,
    )


@pytest.mark.parametrize(
    "extra",
    [
        b"<ds:KeyName>kmc</ds:KeyName>",
        b"<ds:X509Data><ds:X509SubjectName>CN=x</ds:X509SubjectName></ds:X509Data>",
        b"<ds:KeyValue/>",
    ],
)
def test_anything_in_key_info_besides_one_x509_data_is_refused(extra: bytes) -> None:
    data = _padded(_kmc_document(), b"<ds:KeyInfo>", extra)
    report = verify(data, _kmc_trust(), VerificationPolicy(at=NOW))
    assert (report.indication, report.sub_indication) == (
        Indication.FAILED,
        SubIndication.FORMAT_FAILURE,
    )
    assert "KeyInfo must hold exactly one X509Data" in report.checks[-1].message


def test_more_certificates_than_the_policy_allows_are_refused() -> None:
    data = _kmc_document()
    certificate = re.search(rb"<ds:X509Certificate>.*?</ds:X509Certificate>", data, re.S)
    assert certificate is not None
    data = _padded(data, b"<ds:X509Data>", certificate.group(0) * 4)
    report = verify(data, _kmc_trust(), VerificationPolicy(at=NOW))
    assert report.indication is Indication.FAILED
    assert "at most 4 certificates" in report.checks[-1].message


def _with_expired_attacker_certificate() -> bytes:
    """The genuine document, its certificate swapped (KeyInfo is not signed) for one an
    attacker made around the registered key, expired a year before the signing time."""
    attacker = make_key("attacker CA")
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kolkata Municipal Corporation")])
    forged = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(make_key("Kolkata Municipal Corporation").private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=800))
        .not_valid_after(NOW - timedelta(days=400))
        .sign(attacker.private_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    encoded = base64.b64encode(forged.public_bytes(Encoding.DER))
    return re.sub(
        rb"<ds:X509Certificate>.*?</ds:X509Certificate>",
        b"<ds:X509Certificate>" + encoded + b"</ds:X509Certificate>",
        _kmc_document(),
        flags=re.S,
    )


def test_an_expired_attacker_certificate_is_a_warning_by_default() -> None:
    report = verify(_with_expired_attacker_certificate(), _kmc_trust(), VerificationPolicy(at=NOW))
    assert report.indication is Indication.PASSED
    assert any("embedded certificate is valid from" in w for w in report.warnings)
    assert "embedded-certificate" in [c.name for c in report.checks]


def test_an_expired_attacker_certificate_fails_when_the_policy_says_so() -> None:
    policy = VerificationPolicy(at=NOW, embedded_certificate_window=Severity.FAIL)
    report = verify(_with_expired_attacker_certificate(), _kmc_trust(), policy)
    assert (report.indication, report.sub_indication) == (Indication.FAILED, SubIndication.EXPIRED)
    assert report.checks[-1].name == "embedded-certificate"


# 4. Bundles need their own scope and carry no clerk's free text.


def test_a_verify_client_cannot_fetch_a_bundle(service: Service, tmp_path: Any) -> None:
    make_root().write(tmp_path)
    with start(service.url, service.keys_dir, bundle_key=tmp_path / "root.pem") as http:
        refused = http.get("/v1/bundle", headers=service.auth("verify"))
        allowed = http.get("/v1/bundle", headers=service.auth("auditor"))
    assert refused.status_code == 403
    assert refused.json()["code"] == "insufficient_scope"
    assert allowed.status_code == 200


def test_a_bundle_carries_states_and_times_but_no_reasons_or_actors(
    registry: Any, tmp_path: Any
) -> None:
    archive = build_archive(registry, tmp_path / "docs")
    store = StatusStore(registry)
    out = io.BytesIO()
    export_bundle(registry, make_root().signer, out, created=CREATED, next_update=NEXT_UPDATE)
    bundle = out.getvalue()
    for said in ("issued in error", "under inquiry", "clerk-7", "clerk-9"):
        assert said.encode() not in bundle
    history = store.status(archive.revoked)
    assert history is not None
    assert history.history[0].effective_at.isoformat().encode() in bundle


# 5. An older bundle cannot roll an auditor back, nor an older list a verifier.


def test_exports_of_one_root_are_numbered_in_order(registry: Any) -> None:
    root, other = make_root(), make_root()
    numbers = [
        export_bundle(
            registry, signer, io.BytesIO(), created=CREATED, next_update=NEXT_UPDATE
        ).sequence
        for signer in (root.signer, root.signer, other.signer, root.signer)
    ]
    assert numbers == [1, 2, 1, 3]


def test_concurrent_exports_never_share_a_number(registry: Any) -> None:
    root = make_root()

    def export(_: int) -> int:
        return export_bundle(
            registry, root.signer, io.BytesIO(), created=CREATED, next_update=NEXT_UPDATE
        ).sequence

    with ThreadPoolExecutor(max_workers=4) as pool:
        numbers = sorted(pool.map(export, range(8)))
    assert numbers == list(range(1, 9))


def _two_bundles(registry: Any, tmp_path: Any) -> tuple[Any, Any, Any, str]:
    """A bundle, then a revocation, then a newer bundle of the same root: (older, newer, root
    certificate path, the document revoked in between)."""
    archive = build_archive(registry, tmp_path / "docs")
    root = make_root()
    _key_path, certificate = root.write(tmp_path / "root")
    older, newer = tmp_path / "older.bundle", tmp_path / "newer.bundle"
    write_bundle(older, registry, root.signer, created=CREATED, next_update=NEXT_UPDATE)
    victim = sorted({document_id(p) for p in archive.documents if "/cascr/" in p.as_posix()})[2]
    store = StatusStore(registry)
    at = CREATED + timedelta(seconds=30)
    store.revoke(victim, reason="forged marks", actor="clerk-3", at=at)
    issuer = archive.issuers["in.gov.up.edistrict"]
    publish_lists(StatusLists(store, BASE_URL), issuer, store.lists_of(issuer.id), at)
    write_bundle(
        newer, registry, root.signer, created=at + timedelta(seconds=30), next_update=NEXT_UPDATE
    )
    return older, newer, certificate, victim


def test_an_older_unexpired_bundle_is_refused_once_a_newer_one_was_seen(
    registry: Any, tmp_path: Any
) -> None:
    older, newer, certificate, _ = _two_bundles(registry, tmp_path)
    history = BundleHistory(tmp_path / "seen.json")
    assert load_bundle(newer, certificate, at=POLICY.at, history=history).sequence == 2
    with pytest.raises(BundleRefused) as refused:
        load_bundle(older, certificate, at=POLICY.at, history=history)
    assert refused.value.code is Refusal.ROLLBACK
    allowed = load_bundle(older, certificate, at=POLICY.at, history=history, allow_rollback=True)
    assert any("older than number 2" in w for w in allowed.warnings)
    assert history.highest(allowed.root_key_id) == 2


def test_the_audit_refuses_the_older_bundle_as_indeterminate(registry: Any, tmp_path: Any) -> None:
    older, newer, certificate, _ = _two_bundles(registry, tmp_path)
    runner = CliRunner()
    at = ["--registry", "sqlite:///unused.db"]
    seen = runner.invoke(
        app,
        [*at, "bundle", "verify", str(newer), "--root", str(certificate), "--allow-expired"],
    )
    assert seen.exit_code == 0, seen.output
    docs = tmp_path / "docs"
    report = tmp_path / "audit.json"
    arguments = [*at, "audit", str(docs), "--bundle", str(older), "--root", str(certificate)]
    refused = runner.invoke(
        app, [*arguments, "--report", str(report), "--workers", "1", "--allow-expired-bundle"]
    )
    assert refused.exit_code == 3, refused.output
    assert "ROLLBACK" in refused.output
    assert not report.exists()


def test_an_older_status_list_is_refused_online_once_a_newer_one_was_seen(
    registry: Any, tmp_path: Any
) -> None:
    archive = build_archive(registry, tmp_path / "docs")
    store = StatusStore(registry)
    path = next(p for p in archive.documents if document_id(p) == archive.revoked)
    older_lists = store.snapshot().lists
    issuer = archive.issuers["in.gov.up.edistrict"]
    later = POLICY.at - timedelta(minutes=1)
    publish_lists(StatusLists(store, BASE_URL), issuer, store.lists_of(issuer.id), later)
    newer = StatusSnapshot(store.snapshot().lists, store.status)
    trust = registry.snapshot()
    assert verify(path.read_bytes(), trust, POLICY, newer).sub_indication is SubIndication.REVOKED
    replayed = StatusSnapshot(older_lists, store.status, newer.memory)
    report = verify(path.read_bytes(), trust, POLICY, replayed)
    assert (report.indication, report.sub_indication) == (
        Indication.INDETERMINATE,
        SubIndication.TRY_LATER,
    )
    status = next(c for c in report.checks if c.name == "status-revocation")
    assert "before the one already seen" in status.message


# 6. Scope is checked before the body is read, on every route.

PUBLIC = {
    "/",
    "/healthz",
    "/metrics",
    "/status-lists/{list_id}",
    "/contexts/doctypes/{code}/v{version}",
    "/openapi.json",
    "/docs",
}
# The token endpoint authenticates the client itself, by its id and secret
# (tests/api_service/test_api_oauth2.py).
PUBLIC |= {"/oauth2/token"}

SAMPLE_PATH_VALUES = {
    "fingerprint": "0" * 64,
    "document_id": "in.gov.wb.kmc-BTHCER-2026000123",
    "issuer_id": "in.gov.wb.kmc",
    "key_id": "0" * 64,
    "code": "BTHCER",
    "version": "1",
    "list_id": "in.gov.wb.kmc-revocation-1",
}


def _guarded_routes(hmac: bool = False) -> list[tuple[str, str]]:
    """Every documented route but the public ones (the page is not documented, and public):
    those with bearer tokens, or (`hmac`) those the e-locker's HMAC authenticates instead."""
    paths = create_app(Settings(registry_url="sqlite://")).openapi()["paths"]
    return [
        (method.upper(), path)
        for path, operations in sorted(paths.items())
        if path not in PUBLIC and path.startswith(HMAC_AUTHENTICATED) == hmac
        for method in sorted(operations)
    ]


@pytest.fixture(scope="module")
def one_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """One service on SQLite for the whole route matrix: who may call a route does not depend
    on the database (the access tests run on both)."""
    directory = tmp_path_factory.mktemp("matrix")
    url = f"sqlite:///{directory / 'registry.db'}"
    with Registry.open(url) as registry:
        registry.init()
        trust_kmc(registry)
    write_signing_key(directory / "keys")
    tokens = make_clients(url)
    with start(url, directory / "keys") as http:
        yield Service(http, url, tokens, directory / "keys")


@pytest.mark.parametrize(("method", "path"), _guarded_routes())
@pytest.mark.parametrize("body", [b'{"broken": ', b"[]", b"not json at all"])
def test_a_client_without_the_scope_gets_403_whatever_the_body(
    one_service: Service, method: str, path: str, body: bytes
) -> None:
    service = one_service
    url = path.format(**SAMPLE_PATH_VALUES)
    # "auditor" holds only `audit`; the bundle route wants exactly that, so "verify" is denied it.
    who = "verify" if path == "/v1/bundle" else "auditor"
    answer = service.http.request(
        method,
        url,
        content=body,
        headers={**service.auth(who), "Content-Type": "application/json"},
    )
    assert answer.status_code == 403, answer.text
    assert answer.json()["code"] == "insufficient_scope"


@pytest.mark.parametrize(("method", "path"), _guarded_routes(hmac=True))
def test_a_bearer_token_does_not_open_the_hmac_routes(
    one_service: Service, method: str, path: str
) -> None:
    answer = one_service.http.request(
        method,
        path.format(**SAMPLE_PATH_VALUES),
        content=b"<PullDocRequest/>",
        headers={**one_service.auth("revoked"), "Content-Type": "application/xml"},
    )
    assert answer.status_code == 200
    assert b'Status="0"' in answer.content
    assert answer.headers["x-vc-engine-code"] == "bad_hmac"


# Found by fuzzing (bench/fuzz.py), each kept in tests/fuzz/corpus as well.


def test_a_certificate_of_an_unknown_x509_version_is_format_failure() -> None:
    """cryptography raises InvalidVersion, not ValueError, for an X.509 version field it does
    not know; it escaped as an exception from the format stage."""
    data = _kmc_document()
    found = re.search(rb"<ds:X509Certificate>(.*?)</ds:X509Certificate>", data, re.S)
    assert found is not None
    der = bytearray(base64.b64decode(found.group(1)))
    version = der.index(b"\xa0\x03\x02\x01\x02")  # [0] EXPLICIT INTEGER 2 (v3)
    der[version + 4] = 6
    data = data.replace(found.group(1), base64.b64encode(bytes(der)))
    report = verify(data, _kmc_trust(), VerificationPolicy(at=NOW))
    assert (report.indication, report.sub_indication) == (
        Indication.FAILED,
        SubIndication.FORMAT_FAILURE,
    )
    assert "not a valid X509 version" in report.checks[-1].message
