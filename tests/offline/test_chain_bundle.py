"""An issuer trusted through its certificate chain, offline: the bundle carries the CA
certificates, the CRLs and the certificate subjects, and the audit reaches the online verdicts."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vc_engine.cli import app
from vc_engine.model import Indication, SubIndication
from vc_engine.offline.auditor import audit, collect
from vc_engine.offline.bundle import BundleLoader, export_bundle, open_bundle
from vc_engine.store import Registry
from vc_engine.trust import IssuanceRecord
from vc_engine.verify import verify

from archive import CREATED, NEXT_UPDATE, POLICY, make_root
from pki import KMC, REVOKED_ON, SIGNED, Party, chain_document, enrol, pki

ROOT = make_root()
AFTER_REVOCATION = REVOKED_ON.replace(month=6)


def write(directory: Path, name: str, signer: Party, registry: Registry | None = None) -> Path:
    """Sign a KMC document, optionally recorded in the issuance register when it was signed."""
    signed_at = AFTER_REVOCATION if name == "revoked" else SIGNED
    document = chain_document(signed_at)
    data = signer.sign(document)
    if registry is not None:
        registry.add_key(
            KMC,
            signer.key.public_key(),
            certificate=signer.certificate,
            valid_from=None,
            valid_until=None,
            at=signed_at,
        )
        digest = hashlib.sha256(data).hexdigest()
        record = IssuanceRecord(
            document.id, KMC, "BTHCER", digest, signer.key_id, signed_at, signed_at
        )
        registry.record_issuances([record])
    path = directory / f"{name}.xml"
    path.write_bytes(data)
    return path


@pytest.fixture
def archive(registry: Registry, tmp_path: Path) -> Path:
    enrol(registry)
    p = pki()
    directory = tmp_path / "docs"
    directory.mkdir()
    write(directory, "good", p.good)
    write(directory, "expired-today", p.expired_today, registry)
    write(directory, "revoked", p.revoked)
    write(directory, "stranger", p.stranger)
    return directory


EXPECTED = {
    "good.xml": (Indication.PASSED, None),
    "expired-today.xml": (Indication.PASSED, None),
    "revoked.xml": (Indication.FAILED, SubIndication.REVOKED),
    "stranger.xml": (Indication.FAILED, SubIndication.NO_CERTIFICATE_CHAIN_FOUND),
}


def test_offline_verdicts_equal_online_ones(registry: Registry, archive: Path) -> None:
    out = io.BytesIO()
    export_bundle(registry, ROOT.signer, out, created=CREATED, next_update=NEXT_UPDATE)
    view = open_bundle(out.getvalue(), ROOT.certificate, at=POLICY.at)
    online = registry.snapshot()
    assert view.anchors().fingerprint == online.anchors().fingerprint
    assert view.certificate_subjects(KMC) == online.certificate_subjects(KMC)
    for path in sorted(archive.iterdir()):
        offline_report = verify(path.read_bytes(), view, POLICY)
        online_report = verify(path.read_bytes(), online, POLICY)
        assert offline_report.to_json() == online_report.to_json()
        got = (offline_report.indication, offline_report.sub_indication)
        assert got == EXPECTED[path.name], offline_report.checks


def test_the_audit_names_the_anchor_and_the_path(
    registry: Registry, archive: Path, tmp_path: Path
) -> None:
    bundle = tmp_path / "trust.bundle"
    with bundle.open("wb") as out:
        export_bundle(registry, ROOT.signer, out, created=CREATED, next_update=NEXT_UPDATE)
    _, certificate = ROOT.write(tmp_path / "root")
    report = audit(collect(archive), BundleLoader(bundle, certificate, POLICY.at), POLICY)
    by_name = {Path(e.path).name: e for e in report.entries}
    assert {n: (e.indication, e.sub_indication) for n, e in by_name.items()} == EXPECTED


def test_bundle_verify_counts_the_certificate_trust(registry_url: str, tmp_path: Path) -> None:
    with Registry.open(registry_url) as registry:
        registry.init()
        enrol(registry)
    root = make_root()
    key_path, cert_path = root.write(tmp_path / "root")
    bundle = tmp_path / "trust.bundle"
    runner = CliRunner()
    exported = runner.invoke(
        app,
        [
            *("--registry", registry_url, "bundle", "export", "--out", str(bundle)),
            *("--signing-key", str(key_path)),
        ],
    )
    assert exported.exit_code == 0, exported.output
    assert "2 CA certificates, 2 CRLs" in exported.output
    checked = runner.invoke(app, ["bundle", "verify", str(bundle), "--root", str(cert_path)])
    assert checked.exit_code == 0, checked.output
    assert "2 CA certificates, 2 CRLs" in checked.output
