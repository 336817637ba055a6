"""Decode each status list once, however many credentials point into it.

A verifier checking a batch sees the same few list credentials over and over; decoding one
(base64url + GUNZIP of 16 KB or more) costs far more than a dictionary look-up. The cache is keyed
by the `encodedList` text itself, so a changed list (a new version) is a new key and a stale
decoding can never be served for it. It holds decoded bitstrings only, never a verdict: the
freshness and issuer checks run on every look-up.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from vc_engine.revocation.bitstring import MIN_ENTRIES, Bitstring, decode


class StatusListCache:
    """A thread-safe LRU of decoded lists, at most `capacity` of them."""

    def __init__(self, capacity: int = 64) -> None:
        if capacity < 1:
            raise ValueError(f"cache capacity must be at least 1, got {capacity}")
        self._capacity = capacity
        self._decoded: OrderedDict[str, Bitstring] = OrderedDict()
        self._lock = threading.Lock()

    def decode(self, encoded_list: str) -> Bitstring:
        """`bitstring.decode` of a one-bit-per-entry list with the default limits, remembered.
        A refusal is not remembered: it is raised again on the next call."""
        key = encoded_list
        with self._lock:
            found = self._decoded.get(key)
            if found is not None:
                self._decoded.move_to_end(key)
                return found
        bits = decode(encoded_list, min_entries=MIN_ENTRIES)
        with self._lock:
            self._decoded[key] = bits
            if len(self._decoded) > self._capacity:
                self._decoded.popitem(last=False)
        return bits
