"""The integrity of related resources (VC Data Model 2.0, section 5.3): a `relatedResource`
digest must be the digest of the resource it names.

The engine never fetches anything, so the only resources it can compare with are the ones it
holds: the pinned contexts of the policy in force (`ContextLoader.held`). A relatedResource naming
one of those is checked, and a digest that is not the held document's is refused; one naming
anything else cannot be compared here and is left as the issuer gave it (its shape, an `id` and
a digest, is `vc_model`'s rule).

Digests are read as the specifications write them:
* `digestSRI`: Subresource Integrity metadata, space-separated `sha256-`, `sha384-` or `sha512-`
  expressions in base64 (options after `?` ignored). As SRI says, only the strongest algorithm
  present counts, and one of its values must match; other algorithms are ignored, but a digest
  with none we know is refused (it can never be checked).
* `digestMultibase` (one or a list, each of which must match): read by `formats.related`, the
  engine's one reader of them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from vc_engine.formats.related import UnreadableDigest, digest_matches
from vc_engine.formats.vc_model import DataModelError

RULE = "integrity"
SRI_ALGORITHMS = ("sha256", "sha384", "sha512")
"""Weakest first: SRI keeps the expressions of the strongest algorithm given."""
_MAX_DIGEST_TEXT = 200


def check_related_resources(
    credential: Mapping[str, Any], held: Callable[[str], bytes | None]
) -> None:
    """Refuse (`DataModelError`, rule `integrity`) a relatedResource whose digest is not that
    of the resource the engine holds for its id; `held(url)` gives those bytes or None."""
    resources = credential.get("relatedResource")
    for resource in resources if isinstance(resources, list) else [resources]:
        if not isinstance(resource, Mapping) or not isinstance(resource.get("id"), str):
            continue  # no resource, or a shape vc_model refuses
        document = held(resource["id"])
        if document is None:
            continue
        shown = resource["id"][:100]
        sri = resource.get("digestSRI")
        if sri is not None and not _sri_matches(sri, document):
            raise DataModelError(RULE, f"digestSRI is not the digest of {shown} as held here")
        multibase = resource.get("digestMultibase")
        if multibase is not None and not _multibase_matches(multibase, document):
            raise DataModelError(RULE, f"digestMultibase is not the digest of {shown} as held here")


def _sri_matches(metadata: object, document: bytes) -> bool:
    if not isinstance(metadata, str) or len(metadata) > 4 * _MAX_DIGEST_TEXT:
        raise DataModelError(RULE, "digestSRI must be Subresource Integrity metadata (a string)")
    expressions: dict[str, list[str]] = {}
    for expression in metadata.split():
        algorithm, _, value = expression.partition("-")
        if algorithm in SRI_ALGORITHMS:
            expressions.setdefault(algorithm, []).append(value.partition("?")[0])
    strongest = next((a for a in reversed(SRI_ALGORITHMS) if a in expressions), None)
    if strongest is None:
        raise DataModelError(RULE, "digestSRI names no sha256, sha384 or sha512 digest")
    expected = hashlib.new(strongest, document).digest()
    return any(_base64(value) == expected for value in expressions[strongest])


def _base64(text: str) -> bytes | None:
    """SRI's base64 (its grammar makes the padding optional)."""
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def _multibase_matches(value: object, document: bytes) -> bool:
    values = value if isinstance(value, list) else [value]
    texts = [v for v in values if isinstance(v, str)]
    if not values or len(texts) != len(values):
        raise DataModelError(RULE, "digestMultibase must be a multibase string")
    try:
        return all(digest_matches(text, document) for text in texts)
    except UnreadableDigest as error:
        raise DataModelError(RULE, str(error)) from None
