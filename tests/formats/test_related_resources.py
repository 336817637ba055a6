"""relatedResource integrity against the digests the W3C data-model suite sends (tests/vectors/
vcdm2/related-resource-digests.json) and the VC 2.0 Recommendation's published SHA-256 of its
base context: a digest of a held resource must be that resource's; others are not compared."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from vc_engine.formats.related_resources import check_related_resources
from vc_engine.formats.vc_di.contexts import default_loader, loader_for
from vc_engine.formats.vc_di.proofs import canonicalizer
from vc_engine.formats.vc_model import DataModelError
from vc_engine.keys import base58btc

SUITE = json.loads(
    (
        Path(__file__).parent.parent / "vectors" / "vcdm2" / "related-resource-digests.json"
    ).read_text()
)
V2 = "https://www.w3.org/ns/credentials/v2"
REC_V2_SHA256 = bytes.fromhex("59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734")
"""The SHA-256 of the base context, as the VC 2.0 Recommendation publishes it (appendix B.1)."""
CONFORMANCE = loader_for(frozenset({"standard", "conformance"}), True, ())
STANDARD = default_loader()


def _with(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"relatedResource": list(resources)}


def _multihash_u(code: bytes, digest: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(code + digest).decode().rstrip("=")


@pytest.mark.parametrize("name", ["digestSRI", "digestMultibase"])
def test_the_suites_digests_match_the_conformance_copy(name: str) -> None:
    check_related_resources(_with({"id": V2, name: SUITE[name]}), CONFORMANCE.held)


@pytest.mark.parametrize(
    ("name", "wrong"),
    [("digestSRI", "wrongDigestSRI"), ("digestMultibase", "wrongDigestMultibase")],
)
def test_the_suites_wrong_digests_are_refused(name: str, wrong: str) -> None:
    with pytest.raises(DataModelError) as refused:
        check_related_resources(_with({"id": V2, name: SUITE[wrong]}), CONFORMANCE.held)
    assert refused.value.rule == "integrity"


def test_the_standard_set_holds_the_recommendations_copy() -> None:
    """The default policy's copy is the REC's: the REC's digest, as a multihash, matches, and the
    suite's (of an earlier draft) does not."""
    rec = _multihash_u(b"\x12\x20", REC_V2_SHA256)
    check_related_resources(_with({"id": V2, "digestMultibase": rec}), STANDARD.held)
    z_form = "z" + base58btc.encode(b"\x12\x20" + REC_V2_SHA256)
    check_related_resources(_with({"id": V2, "digestMultibase": z_form}), STANDARD.held)
    with pytest.raises(DataModelError):
        check_related_resources(
            _with({"id": V2, "digestMultibase": SUITE["digestMultibase"]}), STANDARD.held
        )


def test_sri_counts_only_the_strongest_algorithm() -> None:
    held = CONFORMANCE.held(V2)
    assert held is not None
    right_384 = SUITE["digestSRI"]
    wrong_256 = "sha256-" + base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    right_256 = "sha256-" + base64.b64encode(hashlib.sha256(held).digest()).decode()
    unpadded = right_256.rstrip("=")
    assert unpadded != right_256
    check_related_resources(_with({"id": V2, "digestSRI": unpadded}), CONFORMANCE.held)
    check_related_resources(
        _with({"id": V2, "digestSRI": f"{wrong_256} {right_384}"}), CONFORMANCE.held
    )
    with pytest.raises(DataModelError):
        check_related_resources(
            _with({"id": V2, "digestSRI": f"{right_256} {SUITE['wrongDigestSRI']}"}),
            CONFORMANCE.held,
        )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("digestSRI", "md5-1B2M2Y8AsgTpgAmY7PhCfg=="),
        ("digestSRI", 384),
        ("digestMultibase", "mAAAA"),
        ("digestMultibase", "u" + "A" * 20),
        ("digestMultibase", "u!!!!"),
        ("digestMultibase", []),
    ],
)
def test_digests_that_cannot_be_compared_are_refused(name: str, value: object) -> None:
    with pytest.raises(DataModelError):
        check_related_resources(_with({"id": V2, name: value}), CONFORMANCE.held)


def test_a_resource_not_held_is_not_compared() -> None:
    """Nothing is fetched: a resource the engine does not hold keeps the issuer's digest."""
    other = {"id": "https://example.org/terms", "digestSRI": SUITE["wrongDigestSRI"]}
    check_related_resources(_with(other), CONFORMANCE.held)


def test_the_conformance_copy_is_only_a_related_resource() -> None:
    """The conformance policy compares digests with the suite's copy but still processes
    credentials with the REC context (the 2024 draft defines statusSize on the list, not on
    the entry, so a REC entry carrying it would not expand)."""
    assert CONFORMANCE.document(V2) == STANDARD.document(V2)
    assert CONFORMANCE.held(V2) != STANDARD.held(V2)
    entry = {
        "@context": [V2],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:subject"},
        "credentialStatus": {
            "type": "BitstringStatusListEntry",
            "statusPurpose": "message",
            "statusListIndex": "7",
            "statusListCredential": "https://example.org/status/1",
            "statusSize": 2,
        },
    }
    assert canonicalizer(CONFORMANCE).quads(entry)
