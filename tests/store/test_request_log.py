"""The request log's table as written in groups (COPY on PostgreSQL, INSERT on SQLite), with
and without a synchronous commit: every field reads back as written, instants in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from vc_engine.store import Registry
from vc_engine.store.request_log import LoggedVerification, RequestLog

IST = timezone(timedelta(hours=5, minutes=30))


def entries() -> list[LoggedVerification]:
    start = datetime(2026, 11, 23, 10, 0, tzinfo=IST)
    return [
        LoggedVerification(
            client_id=f"vcc_{n:016x}",
            verified_at=start + timedelta(seconds=n),
            document_id=None if n % 3 == 0 else f"in.gov.wb.kmc-BTHCER-{n:010d}",
            document_sha256=f"{n:064x}",
            indication="PASSED" if n % 2 else "FAILED",
            sub_indication=None if n % 2 else "HASH_FAILURE",
        )
        for n in range(250)
    ]


@pytest.mark.parametrize("synchronous", [True, False])
def test_a_group_reads_back_as_written(registry: Registry, synchronous: bool) -> None:
    written = entries()
    log = RequestLog(registry.engine, synchronous=synchronous)
    log.write(written[:100])
    log.write(written[100:])
    read = log.query(limit=1000)
    assert sorted(read, key=lambda e: e.client_id) == [
        LoggedVerification(
            e.client_id,
            e.verified_at.astimezone(UTC),
            e.document_id,
            e.document_sha256,
            e.indication,
            e.sub_indication,
        )
        for e in written
    ]
    assert all(e.verified_at.tzinfo == UTC for e in read)


def test_a_naive_time_is_refused_and_nothing_of_its_group_is_written(registry: Registry) -> None:
    good, bad = entries()[:2]
    naive = LoggedVerification(
        bad.client_id,
        bad.verified_at.replace(tzinfo=None),
        bad.document_id,
        bad.document_sha256,
        bad.indication,
        bad.sub_indication,
    )
    log = RequestLog(registry.engine)
    with pytest.raises(ValueError, match="naive"):
        log.write([good, naive])
    assert log.query() == []
