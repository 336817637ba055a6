"""Batch issuance: every rendition, the manifest, archives, and each kind of bad input."""

from __future__ import annotations

import errno
import hashlib
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from vc_engine.inputs import records
from vc_engine.issuance.batch import outputs as batch_output
from vc_engine.issuance.batch.scheduler import (
    BatchError,
    BatchOptions,
    BatchProgress,
    BatchSummary,
    run_batch,
)
from vc_engine.issuance.batch.workers import SigningSpec
from vc_engine.issuance.status_lists import StatusLists
from vc_engine.store import Registry, StatusStore

from batch_support import (
    DOCTYPE,
    Enrolled,
    check_all_verify,
    clock,
    document_id,
    enrol,
    fixture_rows,
    journalled,
    manifest,
    registered,
    status_slots,
    write_records,
)

BASE = "https://status.example.gov.in"


@pytest.fixture
def enrolled(registry: Registry) -> Enrolled:
    return enrol(registry)


def issue(
    registry: Registry,
    spec: SigningSpec,
    source: Path | list[dict[str, object]],
    out: Path,
    *,
    job: str = "job-1",
    **options: object,
) -> BatchSummary:
    lines = records.read_records(source) if isinstance(source, Path) else source
    return run_batch(
        lines,
        job_id=job,
        doctype=DOCTYPE,
        signing=spec,
        registry=registry,
        out_dir=out,
        clock=clock,
        status_lists=StatusLists(StatusStore(registry), BASE),
        options=BatchOptions(**{"block_size": 7, "workers": 1, **options}),  # type: ignore[arg-type]
    )


def rejects(out: Path) -> list[str]:
    return (out / "rejects.csv").read_text(encoding="utf-8").splitlines()[1:]


# What a batch writes


def test_every_rendition_is_written_registered_and_verifies(
    registry: Registry, enrolled: Enrolled, tmp_path: Path
) -> None:
    source = write_records(tmp_path / "in.csv", 20)
    out = tmp_path / "out"
    seen: list[BatchProgress] = []
    summary = run_batch(
        records.read_records(source),
        job_id="all-formats",
        doctype=DOCTYPE,
        signing=enrolled.spec(("xml", "vc-di", "vc-jwt")),
        registry=registry,
        out_dir=out,
        clock=clock,
        status_lists=StatusLists(StatusStore(registry), BASE),
        options=BatchOptions(block_size=6, workers=1),
        progress=seen.append,
        total=20,
    )
    assert (summary.issued, summary.rejected, summary.rejects) == (20, 0, None)
    assert [p.records for p in seen] == [6, 12, 18, 20]
    files = sorted(p for p in out.iterdir() if p.name != "manifest.jsonl")
    assert len(files) == 60
    assert check_all_verify(registry, [p.read_bytes() for p in files]) == {"PASSED": 60}
    rows = manifest(out)
    assert [r["documentId"] for r in rows] == [document_id(n) for n in range(1, 21)]
    for row in rows:
        for entry in row["files"]:  # type: ignore[attr-defined]
            data = (out / entry["file"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert len(row["status"]) == 2  # type: ignore[arg-type]
    assert (registered(registry), journalled(registry)) == (20, 20)
    assert status_slots(registry) == (40, 40, 20)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_archives_hold_the_given_number_of_documents(
    registry: Registry, enrolled: Enrolled, tmp_path: Path
) -> None:
    source = write_records(tmp_path / "in.csv", 25)
    out = tmp_path / "out"
    summary = issue(
        registry, enrolled.spec(("vc-jwt",)), source, out, archive=True, archive_size=10
    )
    assert summary.issued == 25
    names = sorted(p.name for p in out.glob("*.zip"))
    assert names == ["documents-00000.zip", "documents-00001.zip", "documents-00002.zip"]
    members = []
    for name in names:
        with zipfile.ZipFile(out / name) as archive:
            members.append([archive.read(m) for m in archive.namelist()])
    assert [len(m) for m in members] == [10, 10, 5]
    assert check_all_verify(registry, [d for m in members for d in m]) == {"PASSED": 25}
    first = manifest(out)[0]["files"][0]  # type: ignore[index]
    assert first["archive"] == "documents-00000.zip"
    assert first["member"] == f"{document_id(1)}.jwt"


def test_library_use_with_an_iterable_of_plain_records(
    registry: Registry, enrolled: Enrolled, tmp_path: Path
) -> None:
    header, rows = fixture_rows()
    plain = [dict(zip(header, row, strict=True)) for row in rows[:5]]
    summary = issue(registry, enrolled.spec(("vc-jwt",)), plain, tmp_path / "out")  # type: ignore[arg-type]
    assert summary.issued == 5
    assert [r["line"] for r in manifest(tmp_path / "out")] == [1, 2, 3, 4, 5]


def test_running_a_complete_job_again_issues_nothing(
    registry: Registry, enrolled: Enrolled, tmp_path: Path
) -> None:
    source = write_records(tmp_path / "in.csv", 9)
    issue(registry, enrolled.spec(("vc-jwt",)), source, tmp_path / "out")
    again = issue(registry, enrolled.spec(("vc-jwt",)), source, tmp_path / "out")
    assert (again.issued, again.resumed) == (9, True)
    assert registered(registry) == 9


# Bad input, each its own case


def test_csv_with_a_wrong_header_rejects_every_row_by_line(
    registry: Registry, enrolled: Enrolled, tmp_path: Path
) -> None:
    source = write_records(tmp_path / "in.csv", 3)
    source.write_text(source.read_text().replace("fatherName", "fathersName", 1))
    summary = issue(registry, enrolled.spec(("vc-jwt",)), source, tmp_path / "out")
    assert (summary.issued, summary.rejected) == (0, 3)
    assert [r.split(",")[0] for r in rejects(tmp_path / "out")] == ["2", "3", "4"]
    assert "fathersName" in rejects(tmp_path / "out")[0]


def test_csv_with_a_quoted_newline_is_one_record_and_keeps_later_line_numbers(
    registry: Registry, enrolled: Enrolled, tmp_path: Path
) -> None:
    source = write_records(tmp_path / "in.csv", 3)
    lines = source.read_text().splitlines(keepends=True)
    lines[1] = lines[1].replace('"47/2, Shyambazar', '"47/2,\nShyambazar', 1)
    assert "\n" in lines[1][:-1]
    lines.append(lines[3].replace("R00000003", "R-4"))  # an invalid docId
    source.write_text("".join(lines))
    summary = issue(registry, enrolled.spec(("vc-jwt",)), source, tmp_path / "out")
    assert (summary.issued, summary.rejected) == (3, 1)
    assert rejects(tmp_path / "out")[0].startswith("6,")  # the record after the two-line one


def test_csv_with_a_byte_order_mark_is_read(
    registry: Registry, enrolled: Enrolled, tmp_path: Path
) -> None:
    source = write_records(tmp_path / "in.csv", 3)
    source.write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    assert issue(registry, enrolled.spec(("vc-jwt",)), source, tmp_path / "out").issued == 3


def test_csv_row_with_too_many_fields_is_rejected_and_the_rest_issued(
    registry: Registry, enrolled: Enrolled, tmp_path: Path
) -> None:
    source = write_records(tmp_path / "in.csv", 3)
    lines = source.read_text().splitlines(keepends=True)
    lines[2] = lines[2].rstrip("\n") + ",extra\n"
    source.write_text("".join(lines))
    summary = issue(registry, enrolled.spec(("vc-jwt",)), source, tmp_path / "out")
    assert (summary.issued, summary.rejected) == (2, 1)
    assert (
        rejects(tmp_path / "out")[0].startswith("3,,") and "fields" in rejects(tmp_path / "out")[0]
    )


def test_csv_with_invalid_utf8_rejects_that_line(
    registry: Registry, enrolled: Enrolled, tmp_path: Path
) -> None:
    source = write_records(tmp_path / "in.csv", 3)
    data = source.read_bytes().split(b"\n")
    data[3] = data[3].replace(b"Kolkata", b"Kolk\xffta", 1)
    source.write_bytes(b"\n".join(data))
    summary = issue(registry, enrolled.spec(("vc-jwt",)), source, tmp_path / "out")
    assert (summary.issued, summary.rejected) == (2, 1)
    assert rejects(tmp_path / "out")[0].startswith("4,") and "UTF-8" in rejects(tmp_path / "out")[0]


def test_empty_csv_file_is_refused_and_nothing_is_issued(
    registry: Registry, enrolled: Enrolled, tmp_path: Path
) -> None:
    source = tmp_path / "empty.csv"
    source.write_bytes(b"")
    with pytest.raises(records.RecordFileError, match="empty file"):
        issue(registry, enrolled.spec(("vc-jwt",)), source, tmp_path / "out")
    assert registered(registry) == 0 and status_slots(registry) == (0, 0, 0)


def test_jsonl_with_one_broken_line_rejects_it_and_issues_the_rest(
    registry: Registry, enrolled: Enrolled, tmp_path: Path
) -> None:
    import json

    header, rows = fixture_rows()
    lines = [
        json.dumps(dict(zip(header, row, strict=True)), ensure_ascii=False) for row in rows[:4]
    ]
    lines[1] = lines[1][:-10]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = issue(registry, enrolled.spec(("vc-jwt",)), source, tmp_path / "out")
    assert (summary.issued, summary.rejected) == (3, 1)
    assert rejects(tmp_path / "out")[0].startswith("2,") and "JSON" in rejects(tmp_path / "out")[0]


def test_document_already_issued_by_another_job_is_refused_and_reported(
    registry: Registry, enrolled: Enrolled, tmp_path: Path
) -> None:
    issue(
        registry, enrolled.spec(("vc-jwt",)), write_records(tmp_path / "a.csv", 3), tmp_path / "a"
    )
    source = write_records(tmp_path / "b.csv", 5)
    summary = issue(registry, enrolled.spec(("vc-jwt",)), source, tmp_path / "b", job="job-2")
    assert (summary.issued, summary.rejected) == (2, 3)
    assert all("already issued by batch job job-1" in r for r in rejects(tmp_path / "b"))
    assert registered(registry) == 5 and status_slots(registry) == (10, 10, 5)
    assert not (tmp_path / "b" / f"{document_id(1)}.jwt").exists()


def test_document_id_repeated_within_the_input_is_issued_once(
    registry: Registry, enrolled: Enrolled, tmp_path: Path
) -> None:
    source = write_records(tmp_path / "in.csv", 12)
    lines = source.read_text().splitlines(keepends=True)
    source.write_text("".join([*lines, lines[1], lines[11]]))
    summary = issue(registry, enrolled.spec(("vc-jwt",)), source, tmp_path / "out")
    assert (summary.issued, summary.rejected) == (12, 2)
    assert ["repeats line 2" in rejects(tmp_path / "out")[0]] == [True]


def test_output_directory_not_writable_is_refused_before_anything(
    registry: Registry, enrolled: Enrolled, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    source = write_records(tmp_path / "in.csv", 3)
    with pytest.raises(BatchError, match="cannot write to the output directory"):
        issue(registry, enrolled.spec(("vc-jwt",)), source, blocker / "out")
    assert registered(registry) == 0 and status_slots(registry) == (0, 0, 0)


@pytest.fixture
def disk_fills_up(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """os.write in the batch's output module fails with ENOSPC once `budget[0]` calls ran."""
    budget = [40]
    real_write = os.write

    def write(fd: int, data: bytes | memoryview) -> int:
        budget[0] -= 1
        if budget[0] < 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(batch_output.os, "write", write)
    yield budget
    monkeypatch.undo()


def test_disk_full_stops_the_job_cleanly_and_it_resumes_with_nothing_lost(
    registry: Registry, enrolled: Enrolled, tmp_path: Path, disk_fills_up: list[int]
) -> None:
    source = write_records(tmp_path / "in.csv", 60)
    out = tmp_path / "out"
    spec = enrolled.spec(("xml", "vc-jwt"))
    with pytest.raises(OSError) as stopped:
        issue(registry, spec, source, out)
    assert stopped.value.errno == errno.ENOSPC
    assert 0 < registered(registry) < 60
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    disk_fills_up[0] = 10**9
    summary = issue(registry, spec, source, out)
    assert (summary.issued, summary.rejected, summary.resumed) == (60, 0, True)
    assert (registered(registry), journalled(registry)) == (60, 60)
    assert status_slots(registry) == (120, 120, 60)
    files = sorted(p for p in out.iterdir() if p.suffix in (".xml", ".jwt"))
    assert check_all_verify(registry, [p.read_bytes() for p in files]) == {"PASSED": 120}
    assert len(manifest(out)) == 60
