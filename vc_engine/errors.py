"""The engine's exceptions: one root, three families.

An invalid document is never an exception: verification answers with a report. Exceptions are
for what a caller asked that cannot be done, and each says why in words a person can act on:

* `BadInput`: what was handed in is malformed (a record, a key, an id, a time, a file);
* `Refused`: it is well formed, but the rules say no (an unknown issuer, a key already
  compromised, a document already issued, a bundle older than one already seen);
* `StoreError`: the store could not do it (contention that outlasted its retries, a journal
  that does not fit its job); trying again later may work.

Callers catch `VcEngineError` to show any of them, or a family to answer each differently (the
HTTP service maps them to 400/422, 403/404/409 and 503).
"""

from __future__ import annotations


class VcEngineError(Exception):
    """The root of every exception the engine raises on purpose."""


class BadInput(VcEngineError, ValueError):
    """What the caller handed in is malformed."""


class Refused(VcEngineError):
    """Well formed, but the rules refuse it."""


class StoreError(VcEngineError):
    """The store could not do it; trying again later may work."""
