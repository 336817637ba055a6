"""The same batch on a Dask distributed cluster (`--scheduler`): workers only sign, so status
indices and register rows stay unique however the blocks are spread over the workers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import distributed
import pytest

from vc_engine.inputs.records import read_records
from vc_engine.issuance.batch.scheduler import BatchOptions, run_batch
from vc_engine.issuance.status_lists import StatusLists
from vc_engine.store import Registry, StatusStore

from batch_support import (
    DOCTYPE,
    check_all_verify,
    clock,
    enrol,
    journalled,
    manifest,
    registered,
    status_slots,
    write_records,
)


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as local:
        yield local.scheduler_address


def test_batch_on_a_two_worker_local_cluster(
    cluster: str, registry: Registry, tmp_path: Path
) -> None:
    enrolled = enrol(registry)
    source = write_records(tmp_path / "in.csv", 400)
    out = tmp_path / "out"
    summary = run_batch(
        read_records(source),
        job_id="on-dask",
        doctype=DOCTYPE,
        signing=enrolled.spec(("xml", "vc-jwt")),
        registry=registry,
        out_dir=out,
        clock=clock,
        status_lists=StatusLists(StatusStore(registry), "https://status.example.gov.in"),
        options=BatchOptions(block_size=40, scheduler=cluster),
    )
    assert (summary.issued, summary.rejected) == (400, 0)
    assert (registered(registry), journalled(registry)) == (400, 400)
    assert status_slots(registry) == (800, 800, 400)
    files = [p.read_bytes() for p in sorted(out.iterdir()) if p.name != "manifest.jsonl"]
    assert check_all_verify(registry, files) == {"PASSED": 800}
    assert len(manifest(out)) == 400
