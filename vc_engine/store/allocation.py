"""Drawing status-list indices at random, inside the caller's write transaction.

Why at random: a verifier fetches the whole list, and if indices were handed out in order, a
document's index would tell which documents were issued just before and after it. A uniform draw
among the free indices keeps every holder hidden in the herd of the list.

Each list keeps an allocation bitmap (`status_lists.allocated`, a bit per index ever handed out),
so a call of any size reads and writes one row per list touched, draws in memory, and its
entries go in with one multi-row INSERT. The current list of an (issuer, purpose) is the one with
the highest sequence; it is locked (`FOR UPDATE` on PostgreSQL; SQLite's BEGIN IMMEDIATE already
excludes other writers) so two allocators cannot draw from the same bitmap at once. A list is
filled to `FILL_LIMIT` only, so rejection sampling needs at most four tries per index on average.
Two allocators opening the same new list collide on its primary key; the caller retries.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from sqlalchemy import Connection, insert, select, update

from vc_engine.revocation.status import Purpose
from vc_engine.store.schema import status_lists

LIST_SIZE = 131_072
"""Entries per list: the spec's minimum, 16 KB, small to publish and to cache."""

FILL_LIMIT = Fraction(3, 4)
"""Share of a list handed out before the next list is opened (see the module docstring)."""


def list_id(issuer_id: str, purpose: Purpose, sequence: int) -> str:
    """`<issuer>-<purpose>-<n>`: URL-safe, since issuer ids are dotted lowercase labels."""
    return f"{issuer_id}-{purpose}-{sequence}"


@dataclass(slots=True)
class _OpenList:
    id: str
    sequence: int
    size: int
    bitmap: bytearray


def draw(
    conn: Connection, issuer_id: str, purpose: Purpose, count: int, *, at: datetime
) -> list[tuple[str, int]]:
    """`count` fresh (list id, index) slots of the issuer's lists for `purpose`, marked taken
    in the lists' bitmaps; new lists are opened as the current one fills."""
    slots: list[tuple[str, int]] = []
    current = _current_list(conn, issuer_id, purpose)
    while len(slots) < count:
        if current is None or _room(current) == 0:
            sequence = 1 if current is None else current.sequence + 1
            current = _open_list(conn, issuer_id, purpose, sequence, at=at)
        take = min(_room(current), count - len(slots))
        slots.extend((current.id, index) for index in _draw_free(current, take))
        conn.execute(
            update(status_lists)
            .where(status_lists.c.id == current.id)
            .values(allocated=bytes(current.bitmap))
        )
    return slots


def _current_list(conn: Connection, issuer_id: str, purpose: Purpose) -> _OpenList | None:
    row = conn.execute(
        select(
            status_lists.c.id,
            status_lists.c.sequence,
            status_lists.c.size,
            status_lists.c.allocated,
        )
        .where(status_lists.c.issuer_id == issuer_id, status_lists.c.purpose == purpose.value)
        .order_by(status_lists.c.sequence.desc())
        .limit(1)
        .with_for_update()
    ).one_or_none()
    if row is None:
        return None
    return _OpenList(row.id, row.sequence, row.size, bytearray(row.allocated))


def _open_list(
    conn: Connection, issuer_id: str, purpose: Purpose, sequence: int, *, at: datetime
) -> _OpenList:
    opened = _OpenList(
        list_id(issuer_id, purpose, sequence), sequence, LIST_SIZE, bytearray(LIST_SIZE // 8)
    )
    conn.execute(
        insert(status_lists).values(
            id=opened.id,
            issuer_id=issuer_id,
            purpose=purpose.value,
            sequence=sequence,
            size=opened.size,
            allocated=bytes(opened.bitmap),
            created_at=at,
            updated_at=at,
            version=1,
        )
    )
    return opened


def _room(open_list: _OpenList) -> int:
    used = int.from_bytes(open_list.bitmap, "big").bit_count()
    return max(0, int(open_list.size * FILL_LIMIT) - used)


def _draw_free(open_list: _OpenList, count: int) -> list[int]:
    """`count` distinct indices drawn uniformly among the list's free indices, then marked.
    Rejection sampling: the fill limit keeps the expected tries per index at most 4."""
    bitmap = open_list.bitmap
    drawn: list[int] = []
    while len(drawn) < count:
        index = secrets.randbelow(open_list.size)
        mask = 0x80 >> (index & 7)
        if not bitmap[index >> 3] & mask:
            bitmap[index >> 3] |= mask
            drawn.append(index)
    return drawn
