"""The status store on SQLite and PostgreSQL: allocation, revoke/suspend/reinstate and their
refusals, publishing, and concurrent writers in separate OS processes."""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest

from vc_engine.revocation import Action, DocumentEntries, DocumentState, Purpose
from vc_engine.store import (
    AlreadyAllocated,
    InvalidRegistryInput,
    Registry,
    StatusConflict,
    StatusStore,
    UnknownDocument,
    UnknownIssuer,
    allocation,
)

KMC = "in.gov.wb.kmc"
RTO = "in.gov.ka.rto"
SPAWN = multiprocessing.get_context("spawn")


@pytest.fixture
def store(registry: Registry, clock: datetime) -> StatusStore:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    registry.add_issuer(RTO, "Karnataka Transport", at=clock)
    return StatusStore(registry)


def doc_ids(prefix: str, count: int) -> list[str]:
    return [f"{prefix}-{n:05d}" for n in range(count)]


def slots(entries: dict[str, DocumentEntries]) -> list[tuple[str, int]]:
    return [(e.list_id, e.index) for pair in entries.values() for e in pair]


# Allocation


def test_allocate_gives_each_document_one_entry_per_purpose(
    store: StatusStore, clock: datetime
) -> None:
    entries = store.allocate(KMC, ["doc-1", "doc-2"], at=clock)
    assert set(entries) == {"doc-1", "doc-2"}
    for document_id, (revocation, suspension) in entries.items():
        assert (revocation.document_id, revocation.purpose) == (document_id, Purpose.REVOCATION)
        assert (suspension.document_id, suspension.purpose) == (document_id, Purpose.SUSPENSION)
        assert revocation.list_id == f"{KMC}-revocation-1"
        assert suspension.list_id == f"{KMC}-suspension-1"
        assert 0 <= revocation.index < allocation.LIST_SIZE
        assert store.entries_of(document_id) == (revocation, suspension)


def test_indices_are_drawn_at_random_not_in_sequence(store: StatusStore, clock: datetime) -> None:
    entries = store.allocate(KMC, doc_ids("doc", 300), at=clock)
    indices = [pair.revocation.index for pair in entries.values()]
    assert len(set(indices)) == 300
    assert indices != sorted(indices)
    ordered = sorted(indices)
    gaps = {b - a for a, b in itertools.pairwise(ordered)}
    assert gaps != {1}
    # 300 uniform draws from 131,072 spread over nearly all of it (fails with p < 1e-30).
    assert ordered[-1] - ordered[0] > allocation.LIST_SIZE // 2


def test_indices_are_never_handed_out_twice(store: StatusStore, clock: datetime) -> None:
    taken: list[tuple[str, int]] = []
    for batch in range(5):
        taken += slots(store.allocate(KMC, doc_ids(f"b{batch}", 200), at=clock))
    assert len(taken) == len(set(taken)) == 2000


def test_issuers_have_their_own_lists(store: StatusStore, clock: datetime) -> None:
    kmc = store.allocate(KMC, ["k"], at=clock)["k"]
    rto = store.allocate(RTO, ["r"], at=clock)["r"]
    assert kmc.revocation.list_id.startswith(KMC) and rto.revocation.list_id.startswith(RTO)


def test_a_full_list_makes_way_for_the_next(store: StatusStore, clock: datetime) -> None:
    capacity = int(allocation.LIST_SIZE * allocation.FILL_LIMIT)
    entries = store.allocate(KMC, doc_ids("bulk", capacity + 10), at=clock)
    per_list: dict[str, int] = {}
    for pair in entries.values():
        per_list[pair.revocation.list_id] = per_list.get(pair.revocation.list_id, 0) + 1
    assert per_list == {f"{KMC}-revocation-1": capacity, f"{KMC}-revocation-2": 10}
    assert len(set(slots(entries))) == 2 * (capacity + 10)


def test_empty_batch_allocates_nothing(store: StatusStore, clock: datetime) -> None:
    assert store.allocate(KMC, [], at=clock) == {}
    assert store.list_bits(f"{KMC}-revocation-1") is None


@pytest.mark.parametrize(
    ("issuer", "ids", "error"),
    [
        pytest.param(KMC, ["new-1", "new-1"], AlreadyAllocated, id="repeated_in_batch"),
        pytest.param(KMC, ["new-1", "old"], AlreadyAllocated, id="already_allocated"),
        pytest.param(KMC, ["new-1", " "], InvalidRegistryInput, id="empty_document_id"),
        pytest.param("in.gov.nowhere", ["new-1"], UnknownIssuer, id="unknown_issuer"),
    ],
)
def test_refused_allocation_allocates_nothing(
    store: StatusStore, clock: datetime, issuer: str, ids: list[str], error: type[Exception]
) -> None:
    store.allocate(KMC, ["old"], at=clock)
    before = store.list_bits(f"{KMC}-revocation-1")
    with pytest.raises(error):
        store.allocate(issuer, ids, at=clock)
    assert store.entries_of("new-1") is None
    assert store.list_bits(f"{KMC}-revocation-1") == before


def test_allocate_refuses_a_naive_datetime(store: StatusStore, clock: datetime) -> None:
    with pytest.raises(InvalidRegistryInput, match="timezone-aware"):
        store.allocate(KMC, ["doc"], at=clock.replace(tzinfo=None))


# Revoke, suspend, reinstate


def test_revoke_sets_the_bit_bumps_the_version_and_records_who_when_why(
    store: StatusStore, clock: datetime
) -> None:
    entries = store.allocate(KMC, ["doc", "other"], at=clock)["doc"]
    later = clock + timedelta(days=3)
    store.revoke("doc", reason="issued in error", actor="clerk@kmc", at=later)

    status = store.status("doc")
    assert status is not None and status.state is DocumentState.REVOKED
    [event] = status.history
    assert (event.action, event.reason, event.actor) == (
        Action.REVOKE,
        "issued in error",
        "clerk@kmc",
    )
    assert event.effective_at == event.recorded_at == later
    published = store.list_bits(entries.revocation.list_id)
    assert published is not None
    assert published.bits.set_indices() == [entries.revocation.index]
    assert (published.version, published.updated_at) == (2, later)
    assert (published.issuer_id, published.purpose) == (KMC, Purpose.REVOCATION)
    suspension = store.list_bits(entries.suspension.list_id)
    assert suspension is not None and suspension.bits.set_indices() == []
    assert suspension.version == 1


def test_suspend_then_reinstate_clears_the_bit_and_keeps_the_history(
    store: StatusStore, clock: datetime
) -> None:
    entries = store.allocate(KMC, ["doc"], at=clock)["doc"]
    store.suspend("doc", reason="under inquiry", actor="officer", at=clock + timedelta(hours=1))
    suspended = store.list_bits(entries.suspension.list_id)
    assert suspended is not None and suspended.bits.get(entries.suspension.index)
    assert store.status("doc").state is DocumentState.SUSPENDED  # type: ignore[union-attr]

    store.reinstate("doc", reason="inquiry closed", actor="officer", at=clock + timedelta(hours=2))
    status = store.status("doc")
    assert status is not None and status.state is DocumentState.ACTIVE
    assert [e.action for e in status.history] == [Action.SUSPEND, Action.REINSTATE]
    reinstated = store.list_bits(entries.suspension.list_id)
    assert reinstated is not None and reinstated.bits.set_indices() == []
    assert reinstated.version == 3


def test_a_suspended_document_can_be_revoked(store: StatusStore, clock: datetime) -> None:
    store.allocate(KMC, ["doc"], at=clock)
    store.suspend("doc", reason="inquiry", actor="officer", at=clock)
    store.revoke("doc", reason="forged", actor="officer", at=clock + timedelta(days=1))
    status = store.status("doc")
    assert status is not None and status.state is DocumentState.REVOKED


def test_revocation_may_be_backdated(store: StatusStore, clock: datetime) -> None:
    store.allocate(KMC, ["doc"], at=clock)
    event = store.revoke(
        "doc", reason="fraud found", actor="audit", at=clock, effective_at=clock - timedelta(days=9)
    )
    assert event.effective_at == clock - timedelta(days=9) and event.recorded_at == clock


@pytest.mark.parametrize(
    ("history", "action", "error", "message"),
    [
        pytest.param(
            [Action.REVOKE], Action.REVOKE, StatusConflict, "already revoked", id="revoke_twice"
        ),
        pytest.param(
            [Action.REVOKE], Action.REINSTATE, StatusConflict, "final", id="reinstate_revoked"
        ),
        pytest.param(
            [Action.REVOKE], Action.SUSPEND, StatusConflict, "final", id="suspend_revoked"
        ),
        pytest.param(
            [Action.SUSPEND],
            Action.SUSPEND,
            StatusConflict,
            "already suspended",
            id="suspend_twice",
        ),
        pytest.param([], Action.REINSTATE, StatusConflict, "not suspended", id="reinstate_active"),
        pytest.param(
            [Action.SUSPEND, Action.REINSTATE],
            Action.REINSTATE,
            StatusConflict,
            "not suspended",
            id="reinstate_twice",
        ),
    ],
)
def test_refused_status_change_changes_nothing(
    store: StatusStore,
    clock: datetime,
    history: Sequence[Action],
    action: Action,
    error: type[Exception],
    message: str,
) -> None:
    entries = store.allocate(KMC, ["doc"], at=clock)["doc"]
    for step in history:
        change(store, step, "doc", clock)
    before = (
        store.status("doc"),
        store.list_bits(entries.revocation.list_id),
        store.list_bits(entries.suspension.list_id),
    )
    with pytest.raises(error, match=message):
        change(store, action, "doc", clock + timedelta(days=1))
    after = (
        store.status("doc"),
        store.list_bits(entries.revocation.list_id),
        store.list_bits(entries.suspension.list_id),
    )
    assert after == before


@pytest.mark.parametrize("action", list(Action))
def test_status_change_of_an_unknown_document_is_refused(
    store: StatusStore, clock: datetime, action: Action
) -> None:
    with pytest.raises(UnknownDocument, match="no-such-doc"):
        change(store, action, "no-such-doc", clock)


@pytest.mark.parametrize(
    ("field", "value"),
    [("reason", " "), ("actor", ""), ("at", None)],
    ids=["reason", "actor", "at"],
)
def test_status_change_refuses_bad_input(
    store: StatusStore, clock: datetime, field: str, value: Any
) -> None:
    store.allocate(KMC, ["doc"], at=clock)
    arguments: dict[str, Any] = {"reason": "r", "actor": "a", "at": clock}
    arguments[field] = clock.replace(tzinfo=None) if field == "at" else value
    with pytest.raises(InvalidRegistryInput):
        store.revoke("doc", **arguments)
    assert store.status("doc").history == ()  # type: ignore[union-attr]


def test_unknown_document_and_list_read_as_none(store: StatusStore) -> None:
    assert store.status("nothing") is None
    assert store.entries_of("nothing") is None
    assert store.list_bits("in.gov.wb.kmc-revocation-9") is None


def change(store: StatusStore, action: Action, document_id: str, at: datetime) -> None:
    method = {Action.REVOKE: store.revoke, Action.SUSPEND: store.suspend}.get(
        action, store.reinstate
    )
    method(document_id, reason=f"{action} for the test", actor="tester", at=at)


# Separate OS processes at once


def _revoke_worker(url: str, ids: list[str], at: datetime, barrier: Any) -> None:
    with Registry.open(url) as registry:
        store = StatusStore(registry)
        barrier.wait()
        for document_id in ids:
            store.revoke(document_id, reason="concurrency test", actor=f"pid {os.getpid()}", at=at)


def _allocate_worker(url: str, prefix: str, at: datetime, barrier: Any) -> None:
    with Registry.open(url) as registry:
        store = StatusStore(registry)
        barrier.wait()
        for batch in range(10):
            store.allocate(KMC, doc_ids(f"{prefix}{batch}", 100), at=at)


def _crashing_allocate_worker(url: str, ids: list[str], at: datetime) -> None:
    """Dies abruptly inside the allocation transaction, after the bitmaps were written."""
    real_draw = allocation.draw

    def draw_then_die(*args: Any, **kwargs: Any) -> list[tuple[str, int]]:
        real_draw(*args, **kwargs)
        os._exit(17)

    allocation.draw = draw_then_die
    with Registry.open(url) as registry:
        StatusStore(registry).allocate(KMC, ids, at=at)


def run_processes(*targets: tuple[Any, tuple[Any, ...]]) -> list[int | None]:
    processes = [SPAWN.Process(target=target, args=args) for target, args in targets]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=300)
    return [process.exitcode for process in processes]


def test_two_processes_revoking_one_list_lose_nothing(
    store: StatusStore, registry_url: str, clock: datetime
) -> None:
    ids = doc_ids("doc", 1000)
    entries = store.allocate(KMC, ids, at=clock)
    barrier = SPAWN.Barrier(2)
    exits = run_processes(
        (_revoke_worker, (registry_url, ids[0::2], clock, barrier)),
        (_revoke_worker, (registry_url, ids[1::2], clock, barrier)),
    )
    assert exits == [0, 0]

    histories = [store.status(d) for d in ids]
    assert sum(len(h.history) for h in histories if h is not None) == 1000
    assert all(h is not None and h.state is DocumentState.REVOKED for h in histories)
    published = store.list_bits(f"{KMC}-revocation-1")
    assert published is not None
    assert published.bits.set_indices() == sorted(e.revocation.index for e in entries.values())
    assert len(published.bits.set_indices()) == 1000
    assert published.version == 1 + 1000


def test_two_processes_allocating_at_once_never_share_an_index(
    store: StatusStore, registry_url: str, clock: datetime
) -> None:
    barrier = SPAWN.Barrier(2)
    exits = run_processes(
        (_allocate_worker, (registry_url, "p", clock, barrier)),
        (_allocate_worker, (registry_url, "q", clock, barrier)),
    )
    assert exits == [0, 0]
    ids = [d for prefix in "pq" for batch in range(10) for d in doc_ids(f"{prefix}{batch}", 100)]
    found = [store.entries_of(d) for d in ids]
    taken = [(e.list_id, e.index) for pair in found if pair is not None for e in pair]
    assert len(taken) == len(set(taken)) == 2 * 2000


def test_a_process_dying_mid_allocation_hands_out_nothing(
    store: StatusStore, registry_url: str, clock: datetime
) -> None:
    store.allocate(KMC, ["before"], at=clock)
    ids = doc_ids("crash", 50)
    assert run_processes((_crashing_allocate_worker, (registry_url, ids, clock))) == [17]

    assert all(store.entries_of(d) is None for d in ids)
    before = store.entries_of("before")
    assert before is not None
    taken = slots(store.allocate(KMC, ids, at=clock)) + slots({"before": before})
    assert len(taken) == len(set(taken)) == 102
