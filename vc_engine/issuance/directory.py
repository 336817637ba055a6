"""Issuing input records into a directory, one file per rendition, in this process: the small
runs (the demo, tests, a handful of documents). A resumable run of millions is `batch`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from vc_engine.inputs.records import InputLine, blocks
from vc_engine.issuance.block import Plan, issue_block
from vc_engine.issuance.files import write_atomically
from vc_engine.issuance.status_lists import publish_lists
from vc_engine.model import Rejection

Clock = Callable[[], datetime]


@dataclass
class DirectorySummary:
    issued: list[Path] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)


def issue_records(
    lines: Iterable[InputLine],
    plan: Plan,
    out_dir: Path,
    clock: Clock,
    *,
    block_size: int = 500,
) -> DirectorySummary:
    """Issue every good record in every rendition into `out_dir` (`<id><suffix>`, written
    atomically and durably), block by block; then publish the status lists the run used."""
    summary = DirectorySummary()
    out_dir.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    for block in blocks(lines, block_size):
        outcome = issue_block(plan, block, issued_at=clock(), recorded_at=clock)
        summary.rejected.extend(outcome.rejections)
        used |= outcome.lists
        for item in outcome.issued:
            for rendition, data in zip(plan.formats, item.outputs, strict=True):
                path = out_dir / f"{item.document.id}{rendition.suffix}"
                write_atomically(path, data, durable=True)
                summary.issued.append(path)
    if plan.status_lists is not None:
        publish_lists(plan.status_lists, plan.issuer, sorted(used), clock())
    return summary
