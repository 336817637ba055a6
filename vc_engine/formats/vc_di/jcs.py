"""JCS (RFC 8785) canonical JSON, and the refusals every canonicalization shares.

Kept apart from `canonical` (JSON-LD and RDFC-1.0), so that verifying or making a JCS proof
(eddsa-jcs-2022, ecdsa-jcs-2019) does not load the JSON-LD processor.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

import rfc8785

from vc_engine.errors import BadInput
from vc_engine.formats.safe_json import nested_deeper_than
from vc_engine.formats.vc_di.contexts import ContextError
from vc_engine.policy import DEFAULT_LIMITS


class CanonicalizationError(BadInput):
    """The document cannot be canonicalized under our rules; the message says why."""


class MalformedJsonLdError(CanonicalizationError):
    """Not valid JSON-LD, or uses a term or type no pinned context defines."""


class ContextRefusedError(CanonicalizationError):
    """The document names a context that is not pinned, is tampered, or is inline."""

    def __init__(self, cause: ContextError) -> None:
        super().__init__(str(cause))
        self.url = cause.url


class LimitExceededError(CanonicalizationError):
    """The document is too deep, too large, or too costly to label."""


def jcs(value: Any, max_depth: int = DEFAULT_LIMITS.max_json_depth) -> bytes:
    """RFC 8785 canonical JSON; numbers outside the I-JSON range are refused.

    For the JSON credentials are made of (text, integers within ±2^53, booleans, null, ASCII
    keys) RFC 8785 is exactly `json.dumps` with sorted keys and no whitespace, which runs in C;
    anything else (floats, non-ASCII keys, whose UTF-16 ordering differs) goes through `rfc8785`.
    """
    if _plain_json(value, max_depth):
        try:
            return json.dumps(
                value, ensure_ascii=False, sort_keys=True, separators=(",", ":")
            ).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: let rfc8785 say what it says
            pass
    check_depth(value, max_depth)
    try:
        return rfc8785.dumps(value)
    except rfc8785.CanonicalizationError as exc:
        raise MalformedJsonLdError(f"not canonicalizable JSON: {exc}") from None


_SAFE_INTEGER = 2**53 - 1


def _plain_json(value: Any, max_depth: int) -> bool:
    """Only text, safe integers, booleans, null and ASCII keys, nested at most `max_depth` deep
    (deeper raises `LimitExceededError`).

    Exact types are compared (a subclass of str or int takes the slow path, which is still
    right), and only containers are stacked: a credential is mostly text."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    children: Collection[Any]
    while stack:
        item, level = stack.pop()
        if level > max_depth:
            raise LimitExceededError(f"JSON nested deeper than {max_depth} levels")
        if type(item) is dict:
            try:
                ascii_keys = "".join(item).isascii()
            except TypeError:  # a key that is not text
                return False
            if not ascii_keys:
                return False
            children = item.values()
        elif type(item) is list:
            children = item
        else:
            children = (item,)
            level -= 1
        if children and level + 1 > max_depth:  # a child of any kind is one level deeper
            raise LimitExceededError(f"JSON nested deeper than {max_depth} levels")
        for child in children:
            kind = type(child)
            if kind is str or child is None or kind is bool:
                continue
            if kind is dict or kind is list:
                stack.append((child, level + 1))
            elif kind is not int or abs(child) > _SAFE_INTEGER:
                return False
    return True


def check_depth(value: Any, max_depth: int) -> None:
    """Refuse JSON nested deeper than `max_depth`, without recursing past it."""
    if nested_deeper_than(value, max_depth + 1):
        raise LimitExceededError(f"JSON nested deeper than {max_depth} levels")
