"""The VC Data Model rules and JSON-LD safe mode against the W3C VCDM 2.0 suite's inputs: one case
per input, its expected outcome in its file name (tests/vectors/vcdm2/README.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vc_engine.formats.vc_di.canonical import CanonicalizationError
from vc_engine.formats.vc_di.contexts import ContextError, loader_for
from vc_engine.formats.vc_di.proofs import canonicalizer
from vc_engine.formats.vc_model import (
    DataModelError,
    check_credential,
    check_presentation,
    version_of,
)

VECTORS = Path(__file__).parent.parent / "vectors" / "vcdm2"
ISSUER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
CASES = sorted(p for p in VECTORS.rglob("*.json") if "-ok" in p.name or "-fail" in p.name)
CONFORMANCE = loader_for(frozenset({"standard", "conformance"}), True, ())


def as_the_suite_sends(document: Any) -> Any:
    """What the W3C suite sends an issuer: the issuer filled in, PASTDATE/FUTUREDATE replaced."""
    text = json.dumps(document)
    for past in ("PASTDATE", "PAST DATE"):
        text = text.replace(past, "2020-01-01T00:00:00Z")
    for future in ("FUTUREDATE", "FUTURE DATE"):
        text = text.replace(future, "2099-01-01T00:00:00Z")
    document = json.loads(text)
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        if not ("id" in issuer and issuer["id"] is None):
            issuer["id"] = issuer.get("id") or ISSUER
    elif not ("issuer" in document and issuer is None):
        document["issuer"] = issuer or ISSUER
    return document


def outcome(path: Path) -> str:
    document = json.loads(path.read_text(encoding="utf-8"))
    is_presentation = path.name.startswith("presentation")
    if not is_presentation:
        document = as_the_suite_sends(document)
    try:
        (check_presentation if is_presentation else check_credential)(document)
        unsecured = {k: v for k, v in document.items() if k != "proof"}
        canonicalizer(CONFORMANCE).quads(unsecured)
    except DataModelError as exc:
        return f"rule {exc.rule}"
    except (ContextError, CanonicalizationError) as exc:
        return f"safe mode: {type(exc).__name__}"
    return "ok"


@pytest.mark.parametrize("path", CASES, ids=[str(p.relative_to(VECTORS)) for p in CASES])
def test_vcdm2_suite_input(path: Path) -> None:
    result = outcome(path)
    if "-ok" in path.name:
        assert result == "ok"
    else:
        assert result != "ok"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("credential-no-subject-fail.json", "rule credential-subject"),
        ("credential-missing-base-context-fail-or-inject.json", "rule contexts"),
        ("credential-validUntil-validFrom-fail.json", "rule validity-period"),
        ("credential-schema-no-type-fail.json", "rule data-schemas"),
        ("credential-status-missing-type-fail.json", "rule status"),
        ("credential-termsofuse-no-type-fail.json", "rule terms-of-use"),
        ("credential-evidence-missing-type-fail.json", "rule evidence"),
        ("credential-refresh-no-type-fail.json", "rule refresh-service"),
        ("credential-issuer-no-url-fail.json", "rule issuer"),
        ("credential-redef-type-fail.json", "safe mode: ProtectedTermError"),
        ("credential-type-unmapped-fail.json", "safe mode: MalformedJsonLdError"),
        ("presentation-holder-fail.json", "rule presentations"),
        ("presentation-vc-as-string-fail.json", "rule presentations"),
    ],
)
def test_refusals_name_the_rule(name: str, expected: str) -> None:
    assert outcome(VECTORS / name) == expected


def test_related_resource_needs_a_digest() -> None:
    credential = as_the_suite_sends(json.loads((VECTORS / "credential-ok.json").read_text()))
    credential["relatedResource"] = [{"id": "https://example.org/r"}]
    with pytest.raises(DataModelError) as refused:
        check_credential(credential)
    assert refused.value.rule == "integrity"
    credential["relatedResource"][0]["digestSRI"] = "sha384-abc"
    assert check_credential(credential) == "2.0"


def test_related_resource_ids_are_unique() -> None:
    credential = as_the_suite_sends(json.loads((VECTORS / "credential-ok.json").read_text()))
    first = {"id": "https://example.org/r", "digestSRI": "sha384-abc"}
    credential["relatedResource"] = [first, {"id": "https://example.org/r", "digestMultibase": "u"}]
    with pytest.raises(DataModelError) as refused:
        check_credential(credential)
    assert refused.value.rule == "integrity"
    assert "listed twice" in str(refused.value)
    credential["relatedResource"][1]["id"] = "https://example.org/other"
    assert check_credential(credential) == "2.0"


def test_v11_needs_issuance_date_and_accepts_a_local_time() -> None:
    credential = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": "VerifiableCredential",
        "issuer": ISSUER,
        "credentialSubject": {"id": "did:example:s"},
    }
    with pytest.raises(DataModelError, match="issuanceDate"):
        check_credential(credential)
    assert check_credential({**credential, "issuanceDate": "2020-01-01T00:00:00"}) == "1.1"


def test_version_is_read_from_the_first_context_only() -> None:
    with pytest.raises(DataModelError):
        version_of({"@context": ["https://example.org/x", "https://www.w3.org/ns/credentials/v2"]})
