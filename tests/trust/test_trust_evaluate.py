"""The trust decision, rule by rule, on the in-memory snapshot the verifier uses (the store
that fills it is tested in tests/store). Every negative case asserts the exact sub-indication
and where the checks stop."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from vc_engine import keys
from vc_engine.model import Check, CheckStatus, Document, SignatureFacts, SubIndication
from vc_engine.policy import VerificationPolicy
from vc_engine.trust import IssuanceRecord, IssuerStatus, evaluate_trust

from trust_book import TrustBook

KMC = "in.gov.wb.kmc"
RTO = "in.gov.ka.rto"
BIRTH = "BRTCR"
DOCUMENT_ID = f"{KMC}-{BIRTH}-0001"
FILE_SHA256 = hashlib.sha256(b"the issued file").hexdigest()
ALL_CHECKS = [
    "issuer",
    "signing-key",
    "signing-time",
    "key-validity",
    "key-compromise",
    "authorisation",
]

# The scenario's calendar: the key is valid for 2023; documents are signed mid-year.
KEY_FROM = datetime(2023, 1, 1, tzinfo=UTC)
KEY_UNTIL = datetime(2024, 1, 1, tzinfo=UTC)
SIGNED = datetime(2023, 6, 1, 12, 0, tzinfo=UTC)
VERIFIED = datetime(2024, 4, 1, 9, 30, tzinfo=UTC)
POLICY = VerificationPolicy(at=VERIFIED)


@dataclass(frozen=True)
class Scenario:
    registry: TrustBook
    key_id: str

    def check(
        self,
        *,
        issued_at: datetime = SIGNED,
        issuer_id: str = KMC,
        doctype: str = BIRTH,
        key_id: str | None = None,
        algorithm: str = "EdDSA",
        policy: VerificationPolicy = POLICY,
        document_sha256: str = FILE_SHA256,
    ) -> list[Check]:
        document = Document(
            id=DOCUMENT_ID,
            doctype=doctype,
            issuer_id=issuer_id,
            issuer_name="Kolkata Municipal Corporation",
            issued_at=issued_at,
            valid_from=date(2023, 6, 1),
            valid_until=None,
            holder={"name": "Asha Roy"},
            claims={"placeOfBirth": "Kolkata"},
        )
        facts = SignatureFacts(algorithm=algorithm, key_id=key_id or self.key_id)
        return evaluate_trust(self.registry.snapshot(), document, facts, document_sha256, policy)

    def record(self, *, sha256: str = FILE_SHA256, recorded_at: datetime) -> None:
        self.registry.record_issuances(
            [IssuanceRecord(DOCUMENT_ID, KMC, BIRTH, sha256, self.key_id, SIGNED, recorded_at)]
        )

    def compromise(self, at: datetime) -> None:
        self.registry.compromise_key(
            KMC, self.key_id, at=at, reason="private key found on a public server", recorded_at=at
        )


@pytest.fixture
def scenario() -> Scenario:
    """KMC, active, with one Ed25519 key valid through 2023, authorised for birth certificates
    from 2020 on."""
    registry = TrustBook()
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=KEY_FROM)
    registry.authorise(KMC, BIRTH, valid_from=datetime(2020, 1, 1, tzinfo=UTC))
    key_id = registry.add_key(
        KMC,
        keys.generate_private_key(keys.KeyAlgorithm.ED25519).public_key(),
        valid_from=KEY_FROM,
        valid_until=KEY_UNTIL,
        at=KEY_FROM,
    )
    return Scenario(registry, key_id)


def outcome(checks: list[Check]) -> tuple[list[str], CheckStatus, SubIndication | None]:
    """The names of the checks made, and how the last one came out."""
    return [c.name for c in checks], checks[-1].status, checks[-1].code


def failed_at(name: str, code: SubIndication) -> tuple[list[str], CheckStatus, SubIndication]:
    return ALL_CHECKS[: ALL_CHECKS.index(name) + 1], CheckStatus.FAILED, code


def test_registered_key_of_an_authorised_issuer_passes(scenario: Scenario) -> None:
    checks = scenario.check()
    assert [c.name for c in checks] == ALL_CHECKS
    assert all(c.status is CheckStatus.PASSED for c in checks)


# 1. issuer


def test_unknown_issuer_is_not_trusted(scenario: Scenario) -> None:
    checks = scenario.check(issuer_id="in.gov.nowhere")
    assert outcome(checks) == failed_at("issuer", SubIndication.NOT_TRUSTED)
    assert "in.gov.nowhere is not in the trust registry" in checks[0].message


@pytest.mark.parametrize("status", [IssuerStatus.SUSPENDED, IssuerStatus.REVOKED])
def test_inactive_issuer_is_not_trusted(scenario: Scenario, status: IssuerStatus) -> None:
    scenario.registry.set_issuer_status(KMC, status, at=SIGNED)
    checks = scenario.check()
    assert outcome(checks) == failed_at("issuer", SubIndication.NOT_TRUSTED)
    assert f"is {status}" in checks[0].message


# 2. signing-key


def test_unregistered_key_has_no_chain(scenario: Scenario) -> None:
    checks = scenario.check(key_id="ab" * 32)
    assert outcome(checks) == failed_at("signing-key", SubIndication.NO_CERTIFICATE_CHAIN_FOUND)


def test_key_of_another_issuer_is_not_trusted(scenario: Scenario) -> None:
    scenario.registry.add_issuer(RTO, "Karnataka RTO", at=KEY_FROM)
    rto_key = scenario.registry.add_key(
        RTO,
        keys.generate_private_key(keys.KeyAlgorithm.ED25519).public_key(),
        valid_from=KEY_FROM,
        valid_until=None,
        at=KEY_FROM,
    )
    checks = scenario.check(key_id=rto_key)
    assert outcome(checks) == failed_at("signing-key", SubIndication.NOT_TRUSTED)
    assert f"belongs to issuer {RTO}, not to {KMC}" in checks[1].message


@pytest.mark.parametrize("algorithm", ["EdDSA", "ed25519"])
def test_algorithm_named_by_scheme_or_key_type_passes(scenario: Scenario, algorithm: str) -> None:
    assert outcome(scenario.check(algorithm=algorithm)) == (ALL_CHECKS, CheckStatus.PASSED, None)


@pytest.mark.parametrize("algorithm", ["ES256", "RS256", "p256", "HS256"])
def test_algorithm_that_does_not_fit_the_key_is_not_trusted(
    scenario: Scenario, algorithm: str
) -> None:
    checks = scenario.check(algorithm=algorithm)
    assert outcome(checks) == failed_at("signing-key", SubIndication.NOT_TRUSTED)
    assert "registered as ed25519" in checks[1].message


# 3. signing-time


def test_signing_time_in_the_future_is_not_yet_valid(scenario: Scenario) -> None:
    policy = VerificationPolicy(at=SIGNED - timedelta(minutes=6))
    checks = scenario.check(policy=policy)
    assert outcome(checks) == failed_at("signing-time", SubIndication.NOT_YET_VALID)
    assert "claims to be signed in the future" in checks[2].message


def test_signing_time_within_clock_skew_passes(scenario: Scenario) -> None:
    policy = VerificationPolicy(at=SIGNED - timedelta(minutes=5))
    assert outcome(scenario.check(policy=policy)) == (ALL_CHECKS, CheckStatus.PASSED, None)


# 4. key-validity


@pytest.mark.parametrize(
    "issued_at",
    [KEY_FROM - timedelta(microseconds=1), KEY_UNTIL, KEY_UNTIL + timedelta(days=30)],
    ids=["before-window", "at-window-end", "after-window"],
)
def test_signature_outside_the_key_window_is_not_trusted(
    scenario: Scenario, issued_at: datetime
) -> None:
    checks = scenario.check(issued_at=issued_at)
    assert outcome(checks) == failed_at("key-validity", SubIndication.NOT_TRUSTED)
    assert "outside that window" in checks[3].message


@pytest.mark.parametrize(
    "issued_at", [KEY_FROM, KEY_UNTIL - timedelta(microseconds=1)], ids=["first", "last"]
)
def test_signature_at_the_window_edges_passes(scenario: Scenario, issued_at: datetime) -> None:
    assert outcome(scenario.check(issued_at=issued_at)) == (ALL_CHECKS, CheckStatus.PASSED, None)


def test_signature_after_retirement_is_not_trusted(scenario: Scenario) -> None:
    scenario.registry.retire_key(KMC, scenario.key_id, at=SIGNED, reason="rotated to a new HSM")
    checks = scenario.check()
    assert outcome(checks) == failed_at("key-validity", SubIndication.NOT_TRUSTED)
    assert "retired" in checks[3].message and "rotated to a new HSM" in checks[3].message


def test_signature_before_retirement_passes(scenario: Scenario) -> None:
    retired = SIGNED + timedelta(seconds=1)
    scenario.registry.retire_key(KMC, scenario.key_id, at=retired, reason="rotated")
    assert outcome(scenario.check()) == (ALL_CHECKS, CheckStatus.PASSED, None)


# 5. key-compromise


@pytest.mark.parametrize("leaked", [SIGNED, SIGNED - timedelta(days=1)], ids=["at", "before"])
def test_signature_after_compromise_is_key_compromised(
    scenario: Scenario, leaked: datetime
) -> None:
    scenario.compromise(leaked)
    scenario.record(recorded_at=SIGNED - timedelta(days=2))
    checks = scenario.check()
    assert outcome(checks) == failed_at("key-compromise", SubIndication.KEY_COMPROMISED)
    assert leaked.isoformat() in checks[4].message
    assert "private key found on a public server" in checks[4].message


def test_signature_before_compromise_without_register_proof_is_indeterminate(
    scenario: Scenario,
) -> None:
    leaked = SIGNED + timedelta(days=1)
    scenario.compromise(leaked)
    checks = scenario.check()
    assert [c.name for c in checks] == ALL_CHECKS
    assert (checks[4].status, checks[4].code) == (
        CheckStatus.INDETERMINATE,
        SubIndication.REVOKED_NO_POE,
    )
    assert f"no proof it existed before {leaked.isoformat()}" in checks[4].message
    assert checks[5].status is CheckStatus.PASSED


def test_signature_before_compromise_with_register_proof_passes(scenario: Scenario) -> None:
    leaked = SIGNED + timedelta(days=1)
    scenario.record(recorded_at=SIGNED + timedelta(seconds=3))
    scenario.compromise(leaked)
    checks = scenario.check()
    assert outcome(checks) == (ALL_CHECKS, CheckStatus.PASSED, None)
    assert "issuance register recorded this exact document" in checks[4].message


def test_register_row_written_after_compromise_is_no_proof(scenario: Scenario) -> None:
    leaked = SIGNED + timedelta(days=1)
    scenario.compromise(leaked)
    scenario.record(recorded_at=leaked)
    checks = scenario.check()
    assert (checks[4].status, checks[4].code) == (
        CheckStatus.INDETERMINATE,
        SubIndication.REVOKED_NO_POE,
    )


def test_register_row_for_other_bytes_is_no_proof(scenario: Scenario) -> None:
    leaked = SIGNED + timedelta(days=1)
    scenario.record(sha256=hashlib.sha256(b"another file").hexdigest(), recorded_at=SIGNED)
    scenario.compromise(leaked)
    checks = scenario.check()
    assert (checks[4].status, checks[4].code) == (
        CheckStatus.INDETERMINATE,
        SubIndication.REVOKED_NO_POE,
    )


def test_compromise_after_retirement_still_decides(scenario: Scenario) -> None:
    scenario.registry.retire_key(KMC, scenario.key_id, at=SIGNED + timedelta(days=9), reason="r")
    scenario.compromise(SIGNED - timedelta(days=1))
    checks = scenario.check()
    assert outcome(checks) == failed_at("key-compromise", SubIndication.KEY_COMPROMISED)


# 6. authorisation


def test_doctype_without_authorisation_is_not_authorized(scenario: Scenario) -> None:
    checks = scenario.check(doctype="DTHCR")
    assert outcome(checks) == failed_at("authorisation", SubIndication.NOT_AUTHORIZED)
    assert f"{KMC} holds no authorisation for DTHCR" in checks[5].message


@pytest.mark.parametrize(
    ("valid_from", "valid_until"),
    [(SIGNED + timedelta(seconds=1), None), (KEY_FROM, SIGNED)],
    ids=["starts-after-signing", "ended-at-signing"],
)
def test_authorisation_not_covering_the_signing_time_is_not_authorized(
    scenario: Scenario, valid_from: datetime, valid_until: datetime | None
) -> None:
    scenario.registry.authorise(KMC, "DTHCR", valid_from=valid_from, valid_until=valid_until)
    checks = scenario.check(doctype="DTHCR")
    assert outcome(checks) == failed_at("authorisation", SubIndication.NOT_AUTHORIZED)


def test_authorisation_covering_the_signing_time_passes(scenario: Scenario) -> None:
    scenario.registry.authorise(
        KMC, "DTHCR", valid_from=SIGNED, valid_until=SIGNED + timedelta(seconds=1)
    )
    checks = scenario.check(doctype="DTHCR")
    assert outcome(checks) == (ALL_CHECKS, CheckStatus.PASSED, None)


def test_file_digest_is_compared_case_insensitively(scenario: Scenario) -> None:
    scenario.record(recorded_at=SIGNED)
    scenario.compromise(SIGNED + timedelta(days=1))
    checks = scenario.check(document_sha256=FILE_SHA256.upper())
    assert outcome(checks) == (ALL_CHECKS, CheckStatus.PASSED, None)
