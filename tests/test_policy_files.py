"""Validation policies as files: the built-ins, strict reading, what each severity does, and the
promise that the `default` file changes no verdict the engine reached before policies existed."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from vc_engine import keys
from vc_engine.formats import vc_di, vc_jwt
from vc_engine.formats import xml as signed_xml
from vc_engine.model import Indication, SubIndication
from vc_engine.policy import (
    DEFAULT_POLICY_SHA256,
    INDIA,
    POLICY_DIRECTORY,
    Severity,
    TrustModel,
    VerificationPolicy,
)
from vc_engine.policy_files import BUILT_IN, PolicyFileError, load_policy, parse_policy
from vc_engine.store import Registry
from vc_engine.trust.did import verification_method
from vc_engine.verify import verify

from factory import NOW, fixture_document, make_key
from paths import VECTORS

DEFAULT_TEXT = (POLICY_DIRECTORY / "default.toml").read_text(encoding="utf-8")
RSA = make_key("Kolkata Municipal Corporation")
P256 = make_key("Kolkata Municipal Corporation", keys.KeyAlgorithm.P256)
ED25519 = keys.generate_private_key(keys.KeyAlgorithm.ED25519)
KMC_ID = "in.gov.wb.kmc"


def test_the_default_file_is_the_engines_own_defaults() -> None:
    assert load_policy("default").at(NOW) == VerificationPolicy(at=NOW)
    assert load_policy(None).sha256 == DEFAULT_POLICY_SHA256


@pytest.mark.parametrize("name", BUILT_IN)
def test_built_in_policies_load_and_name_their_digest(name: str) -> None:
    policy = load_policy(name)
    data = (POLICY_DIRECTORY / f"{name}.toml").read_bytes()
    assert (policy.name, policy.sha256) == (name, hashlib.sha256(data).hexdigest())


def test_conformance_opens_trust_and_contexts_and_nothing_else() -> None:
    default, conformance = load_policy("default").at(NOW), load_policy("conformance").at(NOW)
    assert conformance.trust_model is TrustModel.OPEN
    assert conformance.contexts.allow_inline
    assert "conformance" in conformance.contexts.sets
    same = dataclasses.replace(
        conformance, trust_model=default.trust_model, contexts=default.contexts
    )
    assert dataclasses.replace(same, name="default", sha256=default.sha256) == default


def test_a_policy_file_by_path(tmp_path: Path) -> None:
    path = tmp_path / "strict.toml"
    path.write_text(DEFAULT_TEXT.replace('name = "default"', 'name = "strict"'), encoding="utf-8")
    policy = load_policy(str(path))
    assert policy.name == "strict"
    assert policy.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (("[trust]", "[trust]\nmodle = 1"), "unknown keys"),
        (('model = "registry"', 'model = "anyone"'), "neither registry nor open"),
        (('\nvalidity = "FAIL"', '\nvalidity = "MAYBE"'), "checks.validity"),
        (("max_json_depth = 64", 'max_json_depth = "deep"'), "limits.max_json_depth"),
        (('sets = ["standard"]', 'sets = ["internet"]'), "contexts.sets"),
        (('civil_timezone = "Asia/Kolkata"', 'civil_timezone = "Mars/Olympus"'), "time zone"),
        (("[algorithms]", "[algorithmz]"), "unknown keys"),
    ],
)
def test_a_malformed_policy_is_refused_naming_the_key(
    change: tuple[str, str], complaint: str
) -> None:
    text = DEFAULT_TEXT.replace(*change)
    assert text != DEFAULT_TEXT
    with pytest.raises(PolicyFileError, match=complaint):
        parse_policy(text.encode(), "test.toml")


def test_an_unknown_policy_name_is_refused() -> None:
    with pytest.raises(PolicyFileError, match="neither a built-in"):
        load_policy("no-such-policy")


@pytest.fixture
def trusted(registry: Registry) -> Registry:
    since = NOW - timedelta(days=365)
    registry.add_issuer(KMC_ID, "Kolkata Municipal Corporation", at=since)
    for doctype in ("BTHCER", "CASCR", "SSCMS", "DRVLC"):
        registry.authorise(KMC_ID, doctype, valid_from=since)
    for key, certificate in (
        (RSA.private_key, RSA.certificate),
        (P256.private_key, P256.certificate),
        (ED25519, None),
    ):
        registry.add_key(
            KMC_ID,
            key.public_key(),
            certificate=certificate,
            valid_from=None,
            valid_until=None,
            at=since,
        )
    return registry


def renditions() -> list[tuple[str, bytes]]:
    """Every document type in every rendition and suite, genuine and tampered."""
    made = []
    for doctype in ("BTHCER", "CASCR", "SSCMS", "DRVLC"):
        document = fixture_document(doctype, KMC_ID, "Kolkata Municipal Corporation")
        made.append((f"{doctype}-xml-rsa", signed_xml.issue(document, RSA.signing_key, INDIA)))
        made.append((f"{doctype}-xml-p256", signed_xml.issue(document, P256.signing_key, INDIA)))
        ed = keys.FileSigner(ED25519)
        for suite in ("eddsa-rdfc-2022", "eddsa-jcs-2022"):
            made.append(
                (
                    f"{doctype}-{suite}",
                    vc_di.issue(
                        document,
                        ed,
                        verification_method=keys.did_key(ED25519.public_key()),
                        civil_timezone=INDIA,
                        cryptosuite=suite,
                    ),
                )
            )
        rsa = keys.FileSigner(RSA.private_key)
        kid = verification_method(KMC_ID, keys.key_id(RSA.private_key.public_key()))
        made.append((f"{doctype}-jwt", vc_jwt.issue(document, rsa, kid=kid, civil_timezone=INDIA)))
    tampered = [
        (f"{name}-tampered", data.replace(b"Kolkata", b"Kolkatta", 1)) for name, data in made
    ]
    return made + tampered


def test_default_file_changes_no_verdict_of_the_pre_policy_pipeline(trusted: Registry) -> None:
    view = trusted.snapshot()
    by_file = load_policy("default")
    seen = set()
    for when in (NOW, NOW + timedelta(days=365 * 30)):
        for name, data in renditions():
            before = verify(data, view, VerificationPolicy(at=when))
            after = verify(data, view, by_file.at(when))
            assert (after.indication, after.sub_indication, after.checks) == (
                before.indication,
                before.sub_indication,
                before.checks,
            ), name
            seen.add(before.indication)
    assert seen == {Indication.PASSED, Indication.FAILED}


def test_default_file_keeps_every_signed_xml_attack_verdict(trusted: Registry) -> None:
    table: list[dict[str, Any]] = json.loads(
        (VECTORS / "xmldsig" / "outcomes.json").read_text(encoding="utf-8")
    )
    view = trusted.snapshot()
    for row in table:
        data = (VECTORS / "xmldsig" / row["file"]).read_bytes()
        before = verify(data, view, VerificationPolicy(at=NOW))
        after = verify(data, view, load_policy("default").at(NOW))
        assert (after.indication, after.sub_indication) == (
            before.indication,
            before.sub_indication,
        ), row["file"]


def test_a_warn_severity_lets_a_failure_pass_with_a_warning(trusted: Registry) -> None:
    document = fixture_document("DRVLC", KMC_ID, "Kolkata Municipal Corporation")
    data = signed_xml.issue(document, RSA.signing_key, INDIA)
    late = NOW + timedelta(days=365 * 40)
    assert verify(data, trusted, VerificationPolicy(at=late)).sub_indication in (
        SubIndication.EXPIRED,
        SubIndication.NOT_TRUSTED,
    )
    lenient = DEFAULT_TEXT.replace('\nvalidity = "FAIL"', '\nvalidity = "WARN"')
    lenient = lenient.replace('signing-time = "FAIL"', 'signing-time = "WARN"')
    policy = parse_policy(lenient.encode(), "lenient.toml").at(NOW + timedelta(days=365 * 20))
    report = verify(data, trusted, policy)
    assert policy.severity("validity") is Severity.WARN
    assert report.indication is Indication.PASSED, report.checks
    assert any(w.startswith("validity:") for w in report.warnings)
    assert report.policy is not None and report.policy.name == "default"
