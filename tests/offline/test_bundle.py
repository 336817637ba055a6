"""The signed offline trust bundle: it round-trips the registry and the status lists exactly,
and every kind of damage or misuse is refused with its own reason."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from vc_engine import keys
from vc_engine.cli import app
from vc_engine.offline.bundle import export_bundle, open_bundle
from vc_engine.offline.bundle_format import BundleRefused, Refusal
from vc_engine.revocation import DocumentStatus
from vc_engine.store import Registry, StatusStore

from archive import CREATED, NEXT_UPDATE, POLICY, Archive, build_archive, document_id, make_root
from factory import NOW

ROOT = make_root()


def export(
    registry: Registry, root_signer: keys.Signer = ROOT.signer, rows_per_section: int = 4
) -> bytes:
    out = io.BytesIO()
    export_bundle(
        registry,
        root_signer,
        out,
        created=CREATED,
        next_update=NEXT_UPDATE,
        rows_per_section=rows_per_section,
    )
    return out.getvalue()


@pytest.fixture
def archive(registry: Registry, tmp_path: Path) -> Archive:
    return build_archive(registry, tmp_path / "docs")


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """One bundle (SQLite registry) for the refusal tests."""
    directory = tmp_path_factory.mktemp("sealed")
    with Registry.open(f"sqlite:///{directory / 'registry.db'}") as registry:
        registry.init()
        build_archive(registry, directory / "docs")
        return export(registry)


def refusal(data: bytes, **options: object) -> Refusal:
    with pytest.raises(BundleRefused) as refused:
        open_bundle(data, ROOT.certificate, at=POLICY.at, **options)  # type: ignore[arg-type]
    return refused.value.code


def frame(data: bytes) -> tuple[dict[str, object], bytes, bytes, bytes]:
    """(protected header, signature part, payload, sections) of a bundle."""
    line, rest = data.split(b"\n", 1)
    encoded, _, signature = line.split(b".")
    header = json.loads(base64.urlsafe_b64decode(encoded + b"=" * (-len(encoded) % 4)))
    length = header["len"]
    return header, signature, rest[:length], rest[length:]


def reframe(header: dict[str, object], signature: bytes, payload: bytes, sections: bytes) -> bytes:
    encoded = base64.urlsafe_b64encode(
        json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    ).rstrip(b"=")
    return encoded + b".." + signature + b"\n" + payload + sections


# Round trip


def test_the_view_answers_exactly_as_the_registry(registry: Registry, archive: Archive) -> None:
    view = open_bundle(export(registry), ROOT.certificate, at=POLICY.at)
    snapshot, store = registry.snapshot(), StatusStore(registry)
    issuers = registry.list_issuers()
    assert sorted(view.issuers(), key=lambda i: i.id) == sorted(issuers, key=lambda i: i.id)
    for issuer in issuers:
        assert view.issuer(issuer.id) == snapshot.issuer(issuer.id)
        assert view.authorisations(issuer.id) == snapshot.authorisations(issuer.id)
        for key in registry.keys_of(issuer.id):
            assert view.key(key.key_id) == key
        for list_id in store.lists_of(issuer.id):
            assert view.published_list(list_id) == store.published_list(list_id)
    ids = {document_id(p) for p in archive.documents}
    assert view.documents == len(ids) == 9
    for document in sorted(ids):
        assert view.issuance(document) == registry.get_issuance(document)
        assert view.status(document) == (
            withheld(store.status(document))
            if document in (archive.revoked, archive.suspended)
            else None
        )
    for absent in ("", "a", "in.gov.up.edistrict-CASCR-0", "zzz", archive.revoked + "0"):
        assert view.issuance(absent) is None
        assert view.issuer(absent) is None
        assert view.key(absent) is None
    assert view.warnings == ()
    assert view.created == CREATED and view.next_update == NEXT_UPDATE


def withheld(status: DocumentStatus | None) -> DocumentStatus | None:
    """A status as a bundle carries it: every change's action and times, no reason or actor."""
    assert status is not None
    history = tuple(dataclasses.replace(e, reason=None, actor=None) for e in status.history)
    return dataclasses.replace(status, history=history)


def test_a_p256_root_signs_and_is_checked_too(registry: Registry, archive: Archive) -> None:
    root = make_root(keys.KeyAlgorithm.P256)
    view = open_bundle(export(registry, root.signer), root.certificate, at=POLICY.at)
    assert view.root_key_id == keys.key_id(root.private_key.public_key())
    assert refusal(export(registry, root.signer)) is Refusal.WRONG_ROOT


def test_an_rsa_root_is_refused_at_export(registry: Registry) -> None:
    rsa = keys.FileSigner(keys.generate_private_key(keys.KeyAlgorithm.RSA2048))
    with pytest.raises(keys.KeyMaterialError, match="Ed25519 or P-256"):
        export(registry, rsa)


def test_an_empty_registry_makes_a_valid_bundle(registry: Registry) -> None:
    view = open_bundle(export(registry), ROOT.certificate, at=POLICY.at)
    assert view.documents == 0 and view.issuers() == () and view.issuance("x") is None


def test_the_header_is_a_detached_unencoded_jws(sealed: bytes) -> None:
    header, _, payload, _ = frame(sealed)
    assert header["alg"] == "EdDSA" and header["b64"] is False and header["crit"] == ["b64"]
    assert header["kid"] == keys.key_id(ROOT.private_key.public_key())
    content = json.loads(payload)
    assert content["type"] == "vc-engine-trust-bundle" and content["version"] == 2
    assert len(content["issuanceRegister"]["sections"]) == 3  # 9 rows, 4 a section
    assert "https://www.w3.org/ns/credentials/v2" in content["contexts"]


# Refusals


@pytest.mark.parametrize(
    "keep", [0, 10, 200, 400, -1, -100], ids=lambda k: f"keep-{k}" if k >= 0 else f"drop{-k}"
)
def test_a_truncated_bundle_is_refused(sealed: bytes, keep: int) -> None:
    assert refusal(sealed[:keep]) is Refusal.TRUNCATED


def test_a_bundle_cut_inside_its_payload_is_truncated(sealed: bytes) -> None:
    _, _, payload, _ = frame(sealed)
    cut = sealed.index(b"\n") + 1 + len(payload) // 2
    assert refusal(sealed[:cut]) is Refusal.TRUNCATED


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_one_flipped_byte_anywhere_is_refused(sealed: bytes, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(sealed) - 1), label="position")
    mask = data.draw(st.integers(1, 255), label="mask")
    damaged = bytearray(sealed)
    damaged[position] ^= mask
    with pytest.raises(BundleRefused):
        open_bundle(bytes(damaged), ROOT.certificate, at=POLICY.at)


def test_the_last_signature_character_has_one_spelling(sealed: bytes) -> None:
    line_end = sealed.index(b"\n")
    last = sealed[line_end - 1 : line_end]
    for other in b"AQgw":  # characters that differ only in bits base64url would drop
        if bytes([other]) != last:
            damaged = sealed[: line_end - 1] + bytes([other]) + sealed[line_end:]
            assert refusal(damaged) in (Refusal.MALFORMED, Refusal.BAD_SIGNATURE)


def spliced_payload(payload: bytes) -> bytes:
    content = json.loads(payload)
    content["issuers"].append(
        {
            "id": "in.gov.evil.forger",
            "name": "Forger",
            "status": "active",
            "createdAt": "2020-01-01T00:00:00+00:00",
            "statusSince": "2020-01-01T00:00:00+00:00",
        }
    )
    return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()


def test_an_issuer_spliced_in_is_refused(sealed: bytes) -> None:
    header, signature, payload, sections = frame(sealed)
    forged = spliced_payload(payload)
    header["len"] = len(forged)
    assert refusal(reframe(header, signature, forged, sections)) is Refusal.BAD_SIGNATURE


def test_an_issuer_spliced_in_without_reframing_is_refused(sealed: bytes) -> None:
    header, signature, payload, sections = frame(sealed)
    assert refusal(reframe(header, signature, spliced_payload(payload), sections)) in (
        Refusal.BAD_SIGNATURE,
        Refusal.TAMPERED,
    )


def test_bytes_appended_after_the_last_section_are_refused(sealed: bytes) -> None:
    assert refusal(sealed + b"\x00") is Refusal.TAMPERED


def test_a_register_section_swapped_for_another_is_refused(sealed: bytes) -> None:
    header, signature, payload, sections = frame(sealed)
    content = json.loads(payload)
    first, second = content["issuanceRegister"]["sections"][:2]
    a = sections[: first["length"]]
    b = sections[first["length"] : first["length"] + second["length"]]
    rest = sections[first["length"] + second["length"] :]
    assert refusal(reframe(header, signature, payload, b + a + rest)) is Refusal.TAMPERED


def test_a_bundle_of_another_root_is_refused(sealed: bytes) -> None:
    other = make_root()
    with pytest.raises(BundleRefused) as refused:
        open_bundle(sealed, other.certificate, at=POLICY.at)
    assert refused.value.code is Refusal.WRONG_ROOT
    assert "not by the root's key" in refused.value.reason


def test_another_root_claiming_our_key_id_fails_its_signature(sealed: bytes) -> None:
    other = make_root()
    header, _, payload, sections = frame(sealed)
    forged = reframe(header, b"", payload, sections)
    line = forged.split(b"\n", 1)
    encoded = line[0].split(b".")[0]
    signature = other.signer.sign(encoded + b"." + payload, keys.SignatureScheme.EDDSA)
    forged = encoded + b".." + base64.urlsafe_b64encode(signature).rstrip(b"=") + b"\n" + line[1]
    assert refusal(forged) is Refusal.BAD_SIGNATURE


def test_past_next_update_is_refused(sealed: bytes) -> None:
    with pytest.raises(BundleRefused) as refused:
        open_bundle(sealed, ROOT.certificate, at=NEXT_UPDATE)
    assert refused.value.code is Refusal.EXPIRED
    assert NEXT_UPDATE.isoformat() in refused.value.reason


def test_past_next_update_is_accepted_only_when_asked_and_then_warns(sealed: bytes) -> None:
    view = open_bundle(
        sealed, ROOT.certificate, at=NEXT_UPDATE + timedelta(days=3), allow_expired=True
    )
    assert len(view.warnings) == 1
    assert "due for update" in view.warnings[0] and "3 days" in view.warnings[0]


def test_a_bundle_from_the_future_is_refused(sealed: bytes) -> None:
    assert refusal_at(sealed, CREATED - timedelta(hours=1)) is Refusal.NOT_YET_VALID


def refusal_at(data: bytes, at: object) -> Refusal:
    with pytest.raises(BundleRefused) as refused:
        open_bundle(data, ROOT.certificate, at=at)  # type: ignore[arg-type]
    return refused.value.code


def test_a_root_certificate_expired_before_the_bundle_is_refused(registry: Registry) -> None:
    old = keys.self_signed_certificate(
        ROOT.private_key, "Old root", NOW - timedelta(days=90), NOW - timedelta(days=60)
    )
    with pytest.raises(BundleRefused) as refused:
        open_bundle(export(registry), old, at=POLICY.at)
    assert refused.value.code is Refusal.WRONG_ROOT


def test_not_a_bundle_at_all_is_malformed() -> None:
    assert refusal(b"<xml/>" * 1000) is Refusal.MALFORMED
    assert refusal(b"hello\nworld") is Refusal.MALFORMED


# The CLI


def test_cli_export_then_verify(registry_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    with Registry.open(registry_url) as registry:
        registry.init()
        build_archive(registry, tmp_path / "docs")
    key_path, cert_path = make_root().write(tmp_path / "root")
    bundle = tmp_path / "trust.bundle"
    exported = runner.invoke(
        app,
        [
            *("--registry", registry_url, "bundle", "export", "--out", str(bundle)),
            *("--signing-key", str(key_path), "--next-update", "2h"),
        ],
    )
    assert exported.exit_code == 0, exported.output
    assert "9 documents" in exported.output
    verified = runner.invoke(app, ["bundle", "verify", str(bundle), "--root", str(cert_path)])
    assert verified.exit_code == 0, verified.output
    assert "accepted" in verified.output
    wrong = make_root().write(tmp_path / "other")[1]
    refused = runner.invoke(app, ["bundle", "verify", str(bundle), "--root", str(wrong)])
    assert refused.exit_code == 1
    assert "WRONG_ROOT" in refused.output
    bundle.write_bytes(bundle.read_bytes()[:-5])
    truncated = runner.invoke(app, ["bundle", "verify", str(bundle), "--root", str(cert_path)])
    assert truncated.exit_code == 1 and "TRUNCATED" in truncated.output
