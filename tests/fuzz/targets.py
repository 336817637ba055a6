"""The parsers an attacker can reach, each wrapped as a fuzzing target: bytes in, and either the
parser's own refusal or a result out. Anything else a target raises is a crash.

The targets are plain functions, used three ways: by atheris (`fuzz.py`, coverage-guided, in CI
for a bounded time and in `bench/fuzz.py` for a million runs each), and by pytest, which replays
every input of the kept corpora (`corpus/<target>/`) on every run.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ed25519

from api.digilocker.messages import PULL_DOC, PULL_URI, MalformedRequest, read_request
from vc_engine import keys
from vc_engine.formats import FormatOutcome, vc_di, vc_jwt
from vc_engine.formats import xml as signed_xml
from vc_engine.formats.safe_json import UnsafeJson, loads_object
from vc_engine.formats.xml.safe import UnsafeXml, parse
from vc_engine.inputs import records
from vc_engine.keys import base58btc
from vc_engine.offline.bundle import open_bundle
from vc_engine.offline.bundle_format import BundleRefused
from vc_engine.policy import VerificationPolicy
from vc_engine.revocation.bitstring import BitstringError, decode
from vc_engine.revocation.credential import StatusOutcome, check_entry
from vc_engine.revocation.source import StatusSnapshot
from vc_engine.trust.source import TrustSnapshot
from vc_engine.verify import verify

AT = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
POLICY = VerificationPolicy(at=AT)
LIMITS = POLICY.limits.xml
MAX_BYTES = POLICY.limits.max_document_bytes


def _NO_KEYS(_: str) -> None:
    return None


Target = Callable[[bytes], None]


@cache
def root_key() -> ed25519.Ed25519PrivateKey:
    """The fuzzing root: a fixed key, so the kept bundle corpus stays valid for it."""
    return ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


@cache
def root_certificate() -> x509.Certificate:
    # Ed25519 signatures are deterministic, so this certificate is the same on every run.
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name.from_rfc4514_string("CN=fuzzing root"))
        .issuer_name(x509.Name.from_rfc4514_string("CN=fuzzing root"))
        .public_key(root_key().public_key())
        .serial_number(1)
        .not_valid_before(AT - timedelta(days=365))
        .not_valid_after(AT + timedelta(days=365))
    )
    return builder.sign(root_key(), None)


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass") if _utf8(data) else data.decode("latin-1")


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return False
    return True


def safe_xml_parse(data: bytes) -> None:
    with contextlib.suppress(UnsafeXml):
        parse(data, max_bytes=MAX_BYTES, limits=LIMITS)


def signed_xml_open(data: bytes) -> None:
    outcome = signed_xml.open_signed(data, POLICY, _NO_KEYS)
    assert isinstance(outcome, FormatOutcome)


def strict_json(data: bytes) -> None:
    with contextlib.suppress(UnsafeJson):
        loads_object(data, max_bytes=MAX_BYTES)


def data_integrity_open(data: bytes) -> None:
    outcome = vc_di.open_signed(data, POLICY, _NO_KEYS)
    assert isinstance(outcome, FormatOutcome)


def vc_jwt_open(data: bytes) -> None:
    outcome = vc_jwt.open_signed(data, POLICY, _NO_KEYS)
    assert isinstance(outcome, FormatOutcome)


def multibase(data: bytes) -> None:
    text = _text(data)
    with contextlib.suppress(ValueError):
        base58btc.decode(text, max_bytes=96)
    for read in (keys.multikey_decode, keys.did_key_public_key, keys.private_multikey_decode):
        with contextlib.suppress(keys.KeyMaterialError):
            read(text)


def status_list(data: bytes) -> None:
    """An `encodedList`, and a list credential (JSON) checked against an entry."""
    with contextlib.suppress(BitstringError):
        decode(_text(data))
    try:
        credential = loads_object(data, max_bytes=MAX_BYTES)
    except UnsafeJson:
        return
    url = credential.get("id")
    entry = {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": url if isinstance(url, str) else "https://x/status-lists/1",
    }
    outcome = check_entry(entry, credential, issuer=str(credential.get("issuer")), at=AT)
    assert isinstance(outcome, StatusOutcome)


def bundle_open(data: bytes) -> None:
    with contextlib.suppress(BundleRefused):
        open_bundle(data, root_certificate(), at=AT)


def issuer_records(data: bytes) -> None:
    for suffix in (".csv", ".jsonl"):
        try:
            for _ in records.read_record_stream(io.BytesIO(data), suffix, "fuzzed"):
                pass
        except records.RecordFileError:
            pass


_NOBODY = TrustSnapshot([], [], [], lambda _: None)


def pipeline(data: bytes) -> None:
    """The whole verification, whatever the bytes: a report, never an exception."""
    report = verify(data, _NOBODY, POLICY, StatusSnapshot({}, lambda _: None))
    assert not report.verified


def pull_request(data: bytes) -> None:
    """The e-locker's Pull messages: what reads a request once its HMAC has passed."""
    for api in (PULL_URI, PULL_DOC):
        with contextlib.suppress(MalformedRequest):
            read_request(api, data, MAX_BYTES)


TARGETS: dict[str, Target] = {
    "safe_xml_parse": safe_xml_parse,
    "signed_xml_open": signed_xml_open,
    "strict_json": strict_json,
    "data_integrity_open": data_integrity_open,
    "vc_jwt_open": vc_jwt_open,
    "multibase": multibase,
    "status_list": status_list,
    "bundle_open": bundle_open,
    "issuer_records": issuer_records,
    "pipeline": pipeline,
    "pull_request": pull_request,
}
