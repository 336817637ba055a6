"""Recovery: `vc-engine issue` SIGKILLed (with its workers) at fixed points of its progress
(the documents in its manifest), then run again, until it finishes. Afterwards every record is
issued exactly once: one register row, one status entry pair and one output per document,
everything verifies, nothing is half-written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from vc_engine import keys
from vc_engine.store import Registry

from batch_support import (
    DOCTYPE,
    ISSUER,
    check_all_verify,
    enrol,
    journalled,
    manifest,
    registered,
    status_slots,
    write_records,
)

CLI = Path(sys.executable).with_name("vc-engine")
BASE = "https://status.example.gov.in"


def command(url: str, tmp_path: Path, source: Path, out: Path, *extra: str) -> list[str]:
    return [
        str(CLI), "--registry", url, "--status-base-url", BASE, "issue",
        "--issuer", ISSUER, "--doctype", DOCTYPE,
        "--key", str(tmp_path / "private.pem"), "--cert", str(tmp_path / "cert.pem"),
        "--records", str(source), "--out", str(out), "--no-progress", *extra,
    ]  # fmt: skip


def kill_and_resume(argv: list[str], out: Path, kill_at: list[int]) -> None:
    """Start the command and SIGKILL its whole process group as soon as its manifest holds
    `kill_at[i]` documents, once per point; then let it finish. Each point is below the total,
    so every kill lands while the job runs, whatever the machine's speed."""
    for point in kill_at:
        process = subprocess.Popen(
            argv, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 600
        while manifested(out) < point:
            assert process.poll() is None, f"the job ended before {point} documents"
            assert time.monotonic() < deadline, f"no progress to {point} documents"
            time.sleep(0.02)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    finished = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr


def manifested(out: Path) -> int:
    try:
        return (out / "manifest.jsonl").read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


@pytest.fixture
def setup(tmp_path: Path) -> tuple[str, Registry]:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    registry = Registry.open(url)
    registry.init()
    enrolled = enrol(registry, keys.KeyAlgorithm.P256)
    keys.write_private_key(tmp_path / "private.pem", enrolled.private_key)
    from cryptography import x509

    certificate = x509.load_der_x509_certificate(enrolled.certificate_der)
    (tmp_path / "cert.pem").write_bytes(certificate.public_bytes(Encoding.PEM))
    return url, registry


def test_20000_xml_documents_survive_sigkills_at_random_points(
    setup: tuple[str, Registry], tmp_path: Path
) -> None:
    url, registry = setup
    source = write_records(tmp_path / "records.csv", 20_000)
    out = tmp_path / "out"
    argv = command(url, tmp_path, source, out, "--format", "xml", "--workers", "2")
    kill_and_resume(argv, out, [1_500, 6_000, 11_000, 17_500])
    assert (registered(registry), journalled(registry)) == (20_000, 20_000)
    assert status_slots(registry) == (40_000, 40_000, 20_000)
    documents = sorted(out.glob("*.xml"))
    assert len(documents) == 20_000
    assert sorted(p.name for p in out.iterdir() if not p.name.endswith(".xml")) == [
        "manifest.jsonl"
    ]
    rows = manifest(out)
    assert len(rows) == 20_000 and len({r["documentId"] for r in rows}) == 20_000
    assert check_all_verify(registry, [p.read_bytes() for p in documents], datetime.now(UTC)) == {
        "PASSED": 20_000
    }


def test_zip_archives_are_rebuilt_and_continued_after_sigkills(
    setup: tuple[str, Registry], tmp_path: Path
) -> None:
    url, registry = setup
    source = write_records(tmp_path / "records.csv", 8_000)
    out = tmp_path / "out"
    argv = command(
        url, tmp_path, source, out,
        "--format", "vc-jwt", "--workers", "2", "--archive", "--archive-size", "1000",
        "--block-size", "150",
    )  # fmt: skip
    kill_and_resume(argv, out, [900, 3_700, 6_100])
    assert (registered(registry), journalled(registry)) == (8_000, 8_000)
    assert status_slots(registry) == (16_000, 16_000, 8_000)
    archives = sorted(out.glob("*.zip"))
    assert [a.name for a in archives] == [f"documents-{n:05d}.zip" for n in range(8)]
    assert not list(out.glob("*.partial")) and not list(out.glob(".*"))
    documents = []
    for archive in archives:
        with zipfile.ZipFile(archive) as opened:
            assert opened.testzip() is None
            names = opened.namelist()
            assert len(names) == 1000
            documents.extend(opened.read(name) for name in names)
    assert len({d for d in documents}) == 8_000
    assert check_all_verify(registry, documents, datetime.now(UTC)) == {"PASSED": 8_000}
    assert len(manifest(out)) == 8_000


def test_pdfs_survive_sigkills_each_written_once_and_valid(
    setup: tuple[str, Registry], tmp_path: Path
) -> None:
    """The PDF rendition, signed in the workers, killed twice mid-run: every PDF is written
    once, whole (its signature covers the whole file) and verifies with its originals."""
    url, registry = setup
    source = write_records(tmp_path / "records.csv", 160)
    out = tmp_path / "out"
    argv = command(
        url, tmp_path, source, out, "--format", "pdf", "--workers", "2", "--block-size", "20"
    )
    kill_and_resume(argv, out, [25, 90])
    assert (registered(registry), journalled(registry)) == (160, 160)
    assert status_slots(registry) == (320, 320, 160)
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) == 160
    assert sorted(p.name for p in out.iterdir() if p.suffix != ".pdf") == ["manifest.jsonl"]
    rows = manifest(out)
    assert len(rows) == 160 and len({r["documentId"] for r in rows}) == 160
    assert check_all_verify(registry, [p.read_bytes() for p in pdfs], datetime.now(UTC)) == {
        "PASSED": 160
    }
