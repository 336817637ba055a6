"""The auditor's offline audit: the same verdicts as an online verifier, on local processes and on
a Dask cluster, and reports (JSON, HTML) that say what each file is and why."""

from __future__ import annotations

import json
import re
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vc_engine.cli import app
from vc_engine.model import Indication, SubIndication
from vc_engine.offline import report_html as audit_html
from vc_engine.offline.auditor import AuditReport, audit, collect, write_json
from vc_engine.offline.bundle import BundleLoader, write_bundle
from vc_engine.policy import VerificationPolicy
from vc_engine.store import Registry, StatusStore
from vc_engine.verify import verify

from archive import (
    CREATED,
    HOSTILE_NAME,
    NEXT_UPDATE,
    POLICY,
    Archive,
    build_archive,
    document_id,
    make_root,
)

ROOT = make_root()


@pytest.fixture
def archive(registry: Registry, tmp_path: Path) -> Archive:
    return build_archive(registry, tmp_path / "docs")


@pytest.fixture
def loader(registry: Registry, archive: Archive, tmp_path: Path) -> BundleLoader:
    bundle = tmp_path / "trust.bundle"
    write_bundle(
        bundle,
        registry,
        ROOT.signer,
        created=CREATED,
        next_update=NEXT_UPDATE,
        rows_per_section=2,
    )
    _, certificate = ROOT.write(tmp_path / "root")
    return BundleLoader(bundle, certificate, POLICY.at)


def run_audit(archive: Archive, loader: BundleLoader, **options: object) -> AuditReport:
    return audit(collect(archive.directory), loader, POLICY, **options)  # type: ignore[arg-type]


def verdicts(report: AuditReport) -> dict[str, tuple[object, ...]]:
    return {
        e.path: (e.indication, e.sub_indication, e.document_id, e.reasons, e.sha256)
        for e in report.entries
    }


def test_offline_verdicts_equal_online_ones(
    registry: Registry, archive: Archive, loader: BundleLoader
) -> None:
    report = run_audit(archive, loader)
    snapshot, store = registry.snapshot(), StatusStore(registry)
    compared = 0
    for entry in report.entries:
        path = archive.directory / entry.path
        if not path.exists():
            continue  # the dangling link: unreadable online too
        online = verify(path.read_bytes(), snapshot, POLICY, store)
        assert (entry.indication, entry.sub_indication) == (
            online.indication,
            online.sub_indication,
        ), entry.path
        # The same reasons, but for who changed a status and why: a bundle withholds those.
        assert entry.reasons == tuple(
            re.sub(r" by [^:]+: .*$", "", f"{c.name}: {c.message}")
            for c in online.checks
            if c.code is not None
        )
        assert entry.warnings == tuple(online.warnings)
        compared += 1
    assert compared == len(archive.documents) + 4


def test_every_case_of_the_archive_gets_its_verdict(archive: Archive, loader: BundleLoader) -> None:
    by_path = {e.path: e for e in run_audit(archive, loader).entries}
    expected: dict[str, tuple[Indication, SubIndication | None]] = {}
    for path in archive.documents:
        name = path.relative_to(archive.directory).as_posix()
        doc = document_id(path)
        if doc == archive.revoked:
            expected[name] = (Indication.FAILED, SubIndication.REVOKED)
        elif doc == archive.suspended:
            expected[name] = (Indication.FAILED, SubIndication.SUSPENDED)
        elif doc.startswith(archive.compromised_before):
            expected[name] = (Indication.FAILED, SubIndication.KEY_COMPROMISED)
        else:  # compromised_after included: the register proves those documents
            expected[name] = (Indication.PASSED, None)
    expected |= {
        "junk/empty.xml": (Indication.FAILED, SubIndication.FORMAT_FAILURE),
        "junk/noise.bin": (Indication.FAILED, SubIndication.FORMAT_FAILURE),
        f"junk/{HOSTILE_NAME}": (Indication.FAILED, SubIndication.FORMAT_FAILURE),
        "junk/tampered.jwt": (Indication.FAILED, SubIndication.SIG_CRYPTO_FAILURE),
        "junk/dangling.jwt": (Indication.INDETERMINATE, SubIndication.TRY_LATER),
    }
    assert {p: (e.indication, e.sub_indication) for p, e in by_path.items()} == expected
    revoked = next(e for e in by_path.values() if e.document_id == archive.revoked)
    assert any(r.startswith("status-revocation: revoked since ") for r in revoked.reasons)
    assert not any("issued in error" in r or "clerk-7" in r for r in revoked.reasons)
    assert by_path["junk/dangling.jwt"].sha256 is None
    assert "cannot read" in by_path["junk/dangling.jwt"].reasons[0]


def test_the_register_proves_documents_of_a_later_compromised_key(
    archive: Archive, loader: BundleLoader
) -> None:
    proven = [e for e in run_audit(archive, loader).entries if e.path.startswith("bthcer/")]
    assert len(proven) == 6
    assert all(e.indication is Indication.PASSED for e in proven)


def test_local_processes_give_the_same_report(archive: Archive, loader: BundleLoader) -> None:
    inline = run_audit(archive, loader)
    done: list[int] = []
    with ProcessPoolExecutor(max_workers=2) as pool:
        parallel = run_audit(archive, loader, executor=pool, chunk_size=3, progress=done.append)
    assert verdicts(parallel) == verdicts(inline)
    assert sum(done) == len(inline.entries) and len(done) > 2


def test_a_dask_cluster_gives_the_same_report(archive: Archive, loader: BundleLoader) -> None:
    distributed = pytest.importorskip("distributed")
    inline = run_audit(archive, loader)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_cluster = run_audit(archive, loader, executor=client.get_executor(), chunk_size=4)
    assert verdicts(on_cluster) == verdicts(inline)


def test_the_json_report_has_entries_and_totals(
    archive: Archive, loader: BundleLoader, tmp_path: Path
) -> None:
    report = run_audit(archive, loader)
    out = tmp_path / "report.json"
    write_json(report, out)
    content = json.loads(out.read_text(encoding="utf-8"))
    assert content["type"] == "vc-engine-audit-report"
    totals = content["totals"]
    assert totals["documents"] == len(content["entries"]) == len(archive.documents) + 5
    assert totals["byIndication"] == {"PASSED": 9, "FAILED": 13, "INDETERMINATE": 1}
    assert totals["bySubIndication"] == {
        "FORMAT_FAILURE": 3,
        "KEY_COMPROMISED": 3,
        "REVOKED": 3,
        "SIG_CRYPTO_FAILURE": 1,
        "SUSPENDED": 3,
        "TRY_LATER": 1,
    }
    entry = next(e for e in content["entries"] if e["path"] == "junk/tampered.jwt")
    assert set(entry) == {
        "path",
        "sha256",
        "indication",
        "subIndication",
        "documentId",
        "format",
        "reasons",
        "warnings",
    }
    assert content["bundle"]["sha256"] == report.bundle.sha256
    assert content["bundle"]["documents"] == 9


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_the_html_report_escapes_everything_and_puts_failures_first(
    archive: Archive, loader: BundleLoader
) -> None:
    page = audit_html.render(run_audit(archive, loader))
    parsed = _Text()
    parsed.feed(page)
    assert "img" not in parsed.tags and "script" not in parsed.tags
    assert "<img src=x" not in page
    text = "".join(parsed.text)
    assert f"junk/{HOSTILE_NAME}" in text  # shown as text, exactly
    assert "http://" not in page and "https://" not in page  # nothing fetched when opened
    summary, failures, passed = (
        text.index("Verified as of"),
        text.index("Not passed"),
        text.index("Passed ("),
    )
    assert summary < failures < passed
    first_failed = text.index("FAILED / ")
    assert text.index("INDETERMINATE / TRY_LATER") > first_failed
    assert "revoked since" in text
    assert "issued in error" not in text  # a clerk's reason never leaves the registry


def test_an_expired_bundle_accepted_on_request_warns_in_every_entry(
    archive: Archive, loader: BundleLoader
) -> None:
    late = VerificationPolicy(at=NEXT_UPDATE + timedelta(hours=1))
    stale = BundleLoader(loader.bundle, loader.root_certificate, late.at, allow_expired=True)
    report = audit(collect(archive.directory), stale, late)
    assert report.bundle.warnings
    assert all(report.bundle.warnings[0] in e.warnings for e in report.entries)
    assert "due for update" in audit_html.render(report)


def test_the_cli_audits_a_directory(registry_url: str, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    with Registry.open(registry_url) as registry:
        registry.init()
        archive = build_archive(registry, tmp_path / "docs", now=now - timedelta(minutes=10))
    root = make_root(now=now)
    key_path, cert_path = root.write(tmp_path / "root")
    runner = CliRunner()
    bundle = tmp_path / "trust.bundle"
    exported = runner.invoke(
        app,
        [
            *("--registry", registry_url, "bundle", "export", "--out", str(bundle)),
            *("--signing-key", str(key_path)),
        ],
    )
    assert exported.exit_code == 0, exported.output
    report = tmp_path / "out" / "audit.json"
    report.parent.mkdir()
    audited = runner.invoke(
        app,
        [
            *("audit", str(archive.directory), "--bundle", str(bundle)),
            *("--root", str(cert_path), "--report", str(report), "--workers", "2"),
            *("--policy", "elocker-legacy"),
        ],
    )
    assert audited.exit_code == 1, audited.output  # the archive holds failures
    content = json.loads(report.read_text(encoding="utf-8"))
    assert content["totals"]["byIndication"]["PASSED"] == 9
    assert content["policy"]["name"] == "elocker-legacy"
    assert report.with_suffix(".html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    refused = runner.invoke(
        app,
        [
            *("audit", str(archive.directory), "--bundle", str(bundle)),
            *("--root", str(make_root().write(tmp_path / "x")[1]), "--report", str(report)),
        ],
    )
    assert refused.exit_code == 1 and "WRONG_ROOT" in refused.output


def test_the_json_report_says_findings_in_the_chosen_language(
    archive: Archive, loader: BundleLoader, tmp_path: Path
) -> None:
    out = tmp_path / "audit.json"
    write_json(run_audit(archive, loader), out, "bn")
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["language"] == "bn"
    revoked = next(e for e in written["entries"] if e["documentId"] == archive.revoked)
    finding = next(f for f in revoked["findings"] if f["name"] == "status-revocation")
    assert finding["messageCode"] == "status.revoked-since"
    assert finding["message"].startswith("revoked since ")  # English, as in `reasons`
    assert finding["translatedMessage"] == f"{finding['messageParams']['since']} থেকে প্রত্যাহৃত"
    passed = next(e for e in written["entries"] if e["indication"] == "PASSED")
    assert passed["findings"] == []
