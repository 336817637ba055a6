"""What every benchmark here shares: a best-of-three rate, a registry with one issuer, and the
fixture documents, so each script measures its own subject and nothing else differs."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path

from vc_engine import doctypes, keys
from vc_engine.inputs import records
from vc_engine.model import Document
from vc_engine.store import Registry

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "records"


def rate(count: int, action: Callable[[], object]) -> float:
    """Calls per second of `action`, best of three rounds of `count` calls."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(count):
            action()
        best = min(best, time.perf_counter() - start)
    return count / best


def fixture_documents(
    doctype: str, issuer_id: str, issuer_name: str, issued_at: datetime, count: int
) -> list[Document]:
    """`count` distinct documents cycling through the fixture records of one type."""
    spec = doctypes.get_doctype(doctype)
    base = [
        doctypes.record_to_document(
            record, spec, issuer_id=issuer_id, issuer_name=issuer_name, issued_at=issued_at
        )
        for _, record in islice(records.read_records(FIXTURES / f"{doctype}.csv"), 300)
        if isinstance(record, dict)
    ]
    return [
        dataclasses.replace(
            base[i % len(base)], id=doctypes.make_document_id(issuer_id, doctype, f"B{i:08d}")
        )
        for i in range(count)
    ]


def enrol(
    registry: Registry,
    issuer_id: str,
    doctype: str,
    public_key: keys.PublicKey,
    since: datetime,
) -> None:
    """One issuer, authorised for one document type, with one key, all from `since`."""
    registry.add_issuer(issuer_id, issuer_id, at=since)
    registry.authorise(issuer_id, doctype, valid_from=since)
    registry.add_key(
        issuer_id,
        public_key,
        certificate=None,
        valid_from=since,
        valid_until=since + timedelta(days=3650),
        at=since,
    )
