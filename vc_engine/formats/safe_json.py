"""A strict JSON reader for documents that come from strangers.

Refused, each with a reason a person can act on: more than the size limit, invalid UTF-8, a
repeated key in one object (two parsers could disagree on which value counts), NaN or Infinity,
nesting deeper than the limit, and anything that is not an object at the top.
"""

from __future__ import annotations

import json
from typing import Any

from vc_engine.errors import BadInput


class UnsafeJson(BadInput):
    """The input is not JSON we are willing to read; the message says why."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """The object, built in C; only when it came out shorter than its pairs (a key repeated)
    do we look for the key to name."""
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise UnsafeJson(f"the key {key[:60]!r} appears twice in one object")
            seen.add(key)
    return result


def _no_constants(name: str) -> Any:
    raise UnsafeJson(f"{name} is not a JSON number")


def loads_object(data: bytes | str, *, max_bytes: int, max_depth: int = 64) -> dict[str, Any]:
    """Parse a JSON object, or raise `UnsafeJson` with a reason."""
    if len(data) > max_bytes:
        raise UnsafeJson(f"the document is {len(data):,} bytes; the limit is {max_bytes:,}")
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise UnsafeJson(f"not UTF-8 (byte {exc.start})") from None
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        raise UnsafeJson(f"not well-formed JSON: {exc.msg} at line {exc.lineno}") from None
    except RecursionError:
        raise UnsafeJson(f"nested deeper than {max_depth} levels") from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise UnsafeJson(f"not acceptable JSON: {exc}") from None
    if not isinstance(value, dict):
        raise UnsafeJson(f"the top level is a JSON {type(value).__name__}, not an object")
    if nested_deeper_than(value, max_depth):
        raise UnsafeJson(f"nested deeper than {max_depth} levels")
    return value


def nested_deeper_than(value: object, max_depth: int) -> bool:
    """Does a parsed JSON value nest objects and arrays deeper than `max_depth`?

    Iterative, so a deep value cannot exhaust the interpreter's stack here; only containers are
    stacked (a document is mostly text, which has no depth to look into).
    """
    if not isinstance(value, dict | list):
        return False
    stack: list[tuple[dict[Any, object] | list[object], int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            return True
        children = item.values() if isinstance(item, dict) else item
        deeper = depth + 1
        stack.extend((child, deeper) for child in children if isinstance(child, dict | list))
    return False
