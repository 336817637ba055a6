"""The BitstringStatusListCredential we build, the credentialStatus entries that point into it,
and `check_entry`'s outcome for every way an entry or a list can be good or bad."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from vc_engine.revocation import (
    MIN_ENTRIES,
    Bitstring,
    PublishedList,
    Purpose,
    StatusEntry,
    StatusErrorCode,
    StatusListCache,
    StatusResult,
    check_entry,
    credential_status,
    encode,
    status_list_credential,
)
from vc_engine.store import Registry, StatusStore

from paths import VECTORS

ISSUER_DID = "did:web:kmc.wb.gov.in"
BASE = "https://status.kmc.wb.gov.in/"
LIST_URL = "https://status.kmc.wb.gov.in/status-lists/in.gov.wb.kmc-revocation-1"
TTL = timedelta(hours=6)
SPEC = VECTORS / "bitstring-status-list" / "spec-examples"


def published(
    purpose: Purpose = Purpose.REVOCATION, set_indices: tuple[int, ...] = (7,)
) -> PublishedList:
    return PublishedList(
        list_id=f"in.gov.wb.kmc-{purpose}-1",
        issuer_id="in.gov.wb.kmc",
        purpose=purpose,
        bits=Bitstring.from_indices(MIN_ENTRIES, set_indices),
        version=3,
        updated_at=datetime(2024, 3, 1, tzinfo=UTC),
    )


def list_credential(clock: datetime, purpose: Purpose = Purpose.REVOCATION) -> dict[str, Any]:
    return status_list_credential(
        published(purpose), base_url=BASE, issuer=ISSUER_DID, valid_from=clock, ttl=TTL
    )


def entry(index: int, purpose: Purpose = Purpose.REVOCATION) -> dict[str, str]:
    [built] = credential_status(
        [StatusEntry("doc", purpose, f"in.gov.wb.kmc-{purpose}-1", index)], base_url=BASE
    )
    return built


# Building


def test_list_credential_shape(clock: datetime) -> None:
    built = list_credential(clock)
    assert built == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": ISSUER_DID,
        "validFrom": "2024-04-01T09:30:00Z",
        "validUntil": "2024-04-01T15:30:00Z",
        "credentialSubject": {
            "id": f"{LIST_URL}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode(published().bits),
            "ttl": 6 * 3600 * 1000,
        },
    }
    json.dumps(built)


def test_list_credential_refuses_a_non_positive_ttl(clock: datetime) -> None:
    with pytest.raises(ValueError, match="ttl"):
        status_list_credential(
            published(), base_url=BASE, issuer=ISSUER_DID, valid_from=clock, ttl=timedelta(0)
        )


def test_credential_status_has_the_spec_shape() -> None:
    spec = json.loads(
        (SPEC / "example1-credentialStatus-revocation-and-suspension.json").read_text()
    )
    ours = credential_status(
        [
            StatusEntry("doc", Purpose.REVOCATION, "3", 94567),
            StatusEntry("doc", Purpose.SUSPENSION, "4", 23452),
        ],
        base_url="https://example.com/credentials",
    )
    as_spec = [
        {
            **e,
            "id": e["id"].replace("/status-lists/", "/status/"),
            "statusListCredential": e["statusListCredential"].replace("/status-lists/", "/status/"),
        }
        for e in ours
    ]
    assert as_spec == spec["credentialStatus"]


# Checking: the verdicts


def test_clear_bit_is_ok(clock: datetime) -> None:
    outcome = check_entry(entry(8), list_credential(clock), issuer=ISSUER_DID, at=clock)
    assert (outcome.result, outcome.code) == (StatusResult.OK, None)


def test_set_revocation_bit_is_revoked(clock: datetime) -> None:
    outcome = check_entry(entry(7), list_credential(clock), issuer=ISSUER_DID, at=clock)
    assert (outcome.result, outcome.code) == (StatusResult.REVOKED, None)
    assert "index 7" in outcome.reason


def test_set_suspension_bit_is_suspended(clock: datetime) -> None:
    outcome = check_entry(
        entry(7, Purpose.SUSPENSION),
        list_credential(clock, Purpose.SUSPENSION),
        issuer=ISSUER_DID,
        at=clock,
    )
    assert outcome.result is StatusResult.SUSPENDED


def test_issuer_given_as_an_object_is_understood(clock: datetime) -> None:
    credential = list_credential(clock)
    credential["issuer"] = {"id": ISSUER_DID, "name": "KMC"}
    assert (
        check_entry(entry(7), credential, issuer=ISSUER_DID, at=clock).result
        is StatusResult.REVOKED
    )


def test_cache_gives_the_same_answers(clock: datetime) -> None:
    cache = StatusListCache()
    credential = list_credential(clock)
    for index, result in [
        (7, StatusResult.REVOKED),
        (8, StatusResult.OK),
        (7, StatusResult.REVOKED),
    ]:
        assert (
            check_entry(entry(index), credential, issuer=ISSUER_DID, at=clock, cache=cache).result
            is result
        )


def edit(path: str, value: Any) -> Any:
    """A change to the list credential: `path` is 'member' or 'credentialSubject.member';
    a value of `...` deletes the member."""

    def apply(credential: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = credential
        for parent in parents:
            target = target[parent]
        if value is ...:
            del target[last]
        else:
            target[last] = value

    return apply


LIST_CASES = [
    # Freshness
    (
        "expired",
        edit("validUntil", "2024-04-01T09:30:00Z"),
        StatusResult.STALE,
        StatusErrorCode.STATUS_VERIFICATION_ERROR,
        "expired",
    ),
    (
        "not_yet_valid",
        edit("validFrom", "2024-04-01T10:00:00Z"),
        StatusResult.STALE,
        StatusErrorCode.STATUS_VERIFICATION_ERROR,
        "not valid before",
    ),
    (
        "ttl_ends_before_validUntil",
        edit("credentialSubject.ttl", 0),
        StatusResult.STALE,
        StatusErrorCode.STATUS_VERIFICATION_ERROR,
        "expired",
    ),
    (
        "no_end_of_validity",
        lambda c: (c.pop("validUntil"), c["credentialSubject"].pop("ttl")),
        StatusResult.STALE,
        StatusErrorCode.STATUS_VERIFICATION_ERROR,
        "no end of validity",
    ),
    # Not the list the entry points to
    (
        "other_issuer",
        edit("issuer", "did:web:attacker.example"),
        StatusResult.MISMATCHED,
        StatusErrorCode.STATUS_VERIFICATION_ERROR,
        "attacker",
    ),
    (
        "other_list_url",
        edit("id", LIST_URL + "0"),
        StatusResult.MISMATCHED,
        StatusErrorCode.STATUS_VERIFICATION_ERROR,
        "points to",
    ),
    (
        "other_purpose",
        edit("credentialSubject.statusPurpose", "suspension"),
        StatusResult.MISMATCHED,
        StatusErrorCode.STATUS_VERIFICATION_ERROR,
        "statusPurpose",
    ),
    # Malformed list credential
    (
        "no_list_type",
        edit("type", ["VerifiableCredential"]),
        StatusResult.MALFORMED,
        StatusErrorCode.MALFORMED_VALUE_ERROR,
        "BitstringStatusListCredential",
    ),
    (
        "subject_is_an_array",
        lambda c: c.update(credentialSubject=[c["credentialSubject"]]),
        StatusResult.MALFORMED,
        StatusErrorCode.MALFORMED_VALUE_ERROR,
        "credentialSubject",
    ),
    (
        "no_encoded_list",
        edit("credentialSubject.encodedList", ...),
        StatusResult.MALFORMED,
        StatusErrorCode.MALFORMED_VALUE_ERROR,
        "encodedList",
    ),
    (
        "encoded_list_not_gzip",
        edit("credentialSubject.encodedList", "uAAAA"),
        StatusResult.MALFORMED,
        StatusErrorCode.MALFORMED_VALUE_ERROR,
        "GZIP",
    ),
    (
        "list_too_short",
        edit("credentialSubject.encodedList", encode(Bitstring(bytes(1024)))),
        StatusResult.MALFORMED,
        StatusErrorCode.STATUS_LIST_LENGTH_ERROR,
        "at least",
    ),
    (
        "naive_validUntil",
        edit("validUntil", "2024-04-01T15:30:00"),
        StatusResult.MALFORMED,
        StatusErrorCode.MALFORMED_VALUE_ERROR,
        "time zone",
    ),
    (
        "validFrom_not_a_date",
        edit("validFrom", "yesterday"),
        StatusResult.MALFORMED,
        StatusErrorCode.MALFORMED_VALUE_ERROR,
        "validFrom",
    ),
    (
        "negative_ttl",
        edit("credentialSubject.ttl", -1),
        StatusResult.MALFORMED,
        StatusErrorCode.MALFORMED_VALUE_ERROR,
        "ttl",
    ),
    (
        "ttl_as_text",
        edit("credentialSubject.ttl", "60000"),
        StatusResult.MALFORMED,
        StatusErrorCode.MALFORMED_VALUE_ERROR,
        "ttl",
    ),
]


@pytest.mark.parametrize(
    ("change", "result", "code", "because"),
    [pytest.param(*case[1:], id=case[0]) for case in LIST_CASES],
)
def test_list_credential_problem(
    clock: datetime, change: Any, result: StatusResult, code: StatusErrorCode, because: str
) -> None:
    credential = copy.deepcopy(list_credential(clock))
    change(credential)
    outcome = check_entry(entry(7), credential, issuer=ISSUER_DID, at=clock)
    assert (outcome.result, outcome.code) == (result, code)
    assert because in outcome.reason


ENTRY_CASES = [
    ("wrong_type", "type", "StatusList2021Entry", "type"),
    ("message_purpose", "statusPurpose", "message", "unsupported statusPurpose"),
    ("purpose_as_array", "statusPurpose", ["revocation"], "unsupported statusPurpose"),
    ("status_size_2", "statusSize", 2, "statusSize"),
    ("status_size_true", "statusSize", True, "statusSize"),
    ("index_as_number", "statusListIndex", 7, "statusListIndex"),
    ("index_leading_zero", "statusListIndex", "07", "statusListIndex"),
    ("index_negative", "statusListIndex", "-1", "statusListIndex"),
    ("no_list_url", "statusListCredential", ..., "statusListCredential"),
]


@pytest.mark.parametrize(
    ("member", "value", "because"), [pytest.param(*case[1:], id=case[0]) for case in ENTRY_CASES]
)
def test_malformed_entry(clock: datetime, member: str, value: Any, because: str) -> None:
    bad: dict[str, Any] = entry(7)
    if value is ...:
        del bad[member]
    else:
        bad[member] = value
    outcome = check_entry(bad, list_credential(clock), issuer=ISSUER_DID, at=clock)
    assert (outcome.result, outcome.code) == (
        StatusResult.MALFORMED,
        StatusErrorCode.MALFORMED_VALUE_ERROR,
    )
    assert because in outcome.reason


def test_index_past_the_end_is_range_error(clock: datetime) -> None:
    outcome = check_entry(entry(MIN_ENTRIES), list_credential(clock), issuer=ISSUER_DID, at=clock)
    assert (outcome.result, outcome.code) == (StatusResult.MALFORMED, StatusErrorCode.RANGE_ERROR)


def test_naive_check_time_is_misuse(clock: datetime) -> None:
    with pytest.raises(ValueError, match="naive"):
        check_entry(
            entry(7), list_credential(clock), issuer=ISSUER_DID, at=clock.replace(tzinfo=None)
        )


# The spec's own example


def test_spec_example_list_is_refused_for_lack_of_an_end_of_validity() -> None:
    """The spec example states no validUntil or ttl: it could be replayed forever, so we call it
    stale; with an end of validity the spec's revocable VC reads as not revoked."""
    spec_list = json.loads((SPEC / "example3-BitstringStatusListCredential.json").read_text())
    spec_entry = json.loads((SPEC / "appendix-revocable-vc.json").read_text())["credentialStatus"]
    spec_list["id"] = spec_entry["statusListCredential"]
    at = datetime.fromisoformat("2024-01-01T00:00:00Z")
    assert (
        check_entry(spec_entry, spec_list, issuer="did:example:12345", at=at).result
        is StatusResult.STALE
    )
    spec_list["validUntil"] = "2030-01-01T00:00:00Z"
    assert (
        check_entry(spec_entry, spec_list, issuer="did:example:12345", at=at).result
        is StatusResult.OK
    )


# End to end over the store


def test_store_to_credential_to_verdict(registry: Registry, clock: datetime) -> None:
    registry.add_issuer("in.gov.wb.kmc", "Kolkata Municipal Corporation", at=clock)
    store = StatusStore(registry)
    allocated = store.allocate("in.gov.wb.kmc", ["good", "bad", "paused"], at=clock)
    store.revoke("bad", reason="forged", actor="clerk", at=clock)
    store.suspend("paused", reason="inquiry", actor="clerk", at=clock)
    cache = StatusListCache()

    def verdicts(document_id: str) -> list[StatusResult]:
        results = []
        for status_entry, built in zip(
            allocated[document_id],
            credential_status(allocated[document_id], base_url=BASE),
            strict=True,
        ):
            listed = store.list_bits(status_entry.list_id)
            assert listed is not None
            credential = status_list_credential(
                listed, base_url=BASE, issuer=ISSUER_DID, valid_from=clock, ttl=TTL
            )
            results.append(
                check_entry(built, credential, issuer=ISSUER_DID, at=clock, cache=cache).result
            )
        return results

    assert verdicts("good") == [StatusResult.OK, StatusResult.OK]
    assert verdicts("bad") == [StatusResult.REVOKED, StatusResult.OK]
    assert verdicts("paused") == [StatusResult.OK, StatusResult.SUSPENDED]
    store.reinstate("paused", reason="cleared", actor="clerk", at=clock + timedelta(minutes=1))
    assert verdicts("paused") == [StatusResult.OK, StatusResult.OK]
