"""Every Registry operation, its refusals, and its storage, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, inspect, make_url

import vc_engine.store
from vc_engine import keys
from vc_engine.store import (
    AlreadyAuthorised,
    AlreadyIssued,
    InvalidRegistryInput,
    IssuerAlreadyExists,
    IssuerStatusConflict,
    KeyAlreadyRegistered,
    KeyStatusConflict,
    Registry,
    UnknownIssuer,
    UnknownKey,
)
from vc_engine.store.schema import UTCDateTime, metadata
from vc_engine.trust import Authorisation, IssuanceRecord, IssuerStatus, KeyStatus

KMC = "in.gov.wb.kmc"
RTO = "in.gov.ka.rto"
IST = timezone(timedelta(hours=5, minutes=30))


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def public_key(algorithm: keys.KeyAlgorithm = keys.KeyAlgorithm.ED25519) -> keys.PublicKey:
    return keys.generate_private_key(algorithm).public_key()


def add_key(registry: Registry, issuer_id: str, at: datetime, **window: datetime) -> str:
    return registry.add_key(
        issuer_id,
        public_key(),
        certificate=None,
        valid_from=window.get("valid_from"),
        valid_until=window.get("valid_until"),
        at=at,
    )


MIGRATIONS = Path(vc_engine.store.__file__).parent / "migrations"


def issuance(document_id: str, key_id: str, at: datetime) -> IssuanceRecord:
    return IssuanceRecord(document_id, KMC, "BRTCR", sha(document_id), key_id, at, at)


# Migrations


def test_init_twice_changes_nothing(registry: Registry, clock: datetime) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    registry.init()
    assert registry.get_issuer(KMC) is not None


def test_migrations_create_exactly_the_tables_the_code_queries(
    registry: Registry, registry_url: str
) -> None:
    engine = create_engine(registry_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn)
            head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
            assert head is not None and head >= "0002"
            assert context.get_current_revision() == head
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_tables_live_in_the_schema_named_by_the_url(postgres_schema_url: str) -> None:
    with Registry.open(postgres_schema_url) as registry:
        registry.init()
    options = make_url(postgres_schema_url).query["options"]
    assert isinstance(options, str)
    schema = options.removeprefix("-csearch_path=")
    engine = create_engine(postgres_schema_url)
    try:
        tables = set(inspect(engine).get_table_names(schema=schema))
    finally:
        engine.dispose()
    assert {"issuers", "issuer_keys", "key_events", "authorisations", "issuances"} <= tables


# Issuers


def test_issuer_round_trip(registry: Registry, clock: datetime) -> None:
    added = registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock.astimezone(IST))
    fetched = registry.get_issuer(KMC)
    assert fetched == added
    assert fetched.status is IssuerStatus.ACTIVE
    assert fetched.created_at == clock and fetched.created_at.tzinfo is UTC


def test_list_issuers_is_sorted_by_id(registry: Registry, clock: datetime) -> None:
    registry.add_issuer(RTO, "Karnataka RTO", at=clock)
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    assert [i.id for i in registry.list_issuers()] == [RTO, KMC]


def test_unknown_issuer_is_none(registry: Registry) -> None:
    assert registry.get_issuer(KMC) is None


@pytest.mark.parametrize(
    "issuer_id",
    ["in-gov.kmc", "In.gov.kmc", "kmc", "", "in..kmc", "in.gov.kmc.", "in.gov.kmc\n", "in.gov_x.k"],
)
def test_malformed_issuer_id_is_refused(
    registry: Registry, clock: datetime, issuer_id: str
) -> None:
    with pytest.raises(InvalidRegistryInput, match="issuer id"):
        registry.add_issuer(issuer_id, "Somebody", at=clock)


def test_issuer_needs_a_name(registry: Registry, clock: datetime) -> None:
    with pytest.raises(InvalidRegistryInput, match="issuer name"):
        registry.add_issuer(KMC, "  ", at=clock)


def test_naive_datetime_is_refused(registry: Registry) -> None:
    with pytest.raises(InvalidRegistryInput, match="timezone-aware"):
        registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=datetime(2024, 1, 1))
    assert issubclass(InvalidRegistryInput, ValueError)


def test_issuer_added_twice_is_refused(registry: Registry, clock: datetime) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    with pytest.raises(IssuerAlreadyExists, match=KMC):
        registry.add_issuer(KMC, "Someone else", at=clock)


def test_issuer_suspended_then_reinstated(registry: Registry, clock: datetime) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    later = clock + timedelta(days=3)
    suspended = registry.set_issuer_status(KMC, IssuerStatus.SUSPENDED, at=later)
    assert registry.get_issuer(KMC) == suspended
    assert suspended.status is IssuerStatus.SUSPENDED and suspended.status_since == later
    reinstated = registry.set_issuer_status(KMC, IssuerStatus.ACTIVE, at=later + timedelta(days=1))
    assert registry.get_issuer(KMC) == reinstated
    assert reinstated.status is IssuerStatus.ACTIVE


def test_revoked_issuer_cannot_be_reinstated(registry: Registry, clock: datetime) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    registry.set_issuer_status(KMC, IssuerStatus.REVOKED, at=clock)
    with pytest.raises(IssuerStatusConflict, match="final"):
        registry.set_issuer_status(KMC, IssuerStatus.ACTIVE, at=clock)


def test_issuer_status_unchanged_is_refused(registry: Registry, clock: datetime) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    with pytest.raises(IssuerStatusConflict, match="already active"):
        registry.set_issuer_status(KMC, IssuerStatus.ACTIVE, at=clock)


def test_status_of_unknown_issuer_is_refused(registry: Registry, clock: datetime) -> None:
    with pytest.raises(UnknownIssuer, match=KMC):
        registry.set_issuer_status(KMC, IssuerStatus.SUSPENDED, at=clock)


# Authorisations


def test_authorisations_round_trip(registry: Registry, clock: datetime) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    open_ended = registry.authorise(KMC, "BRTCR", valid_from=clock)
    closed = registry.authorise(
        KMC, "DTHCR", valid_from=clock, valid_until=clock + timedelta(days=365)
    )
    assert registry.authorisations(KMC) == (open_ended, closed)
    assert open_ended == Authorisation(KMC, "BRTCR", clock, None)
    assert registry.authorisations(RTO) == ()


def test_authorisation_for_unknown_issuer_is_refused(registry: Registry, clock: datetime) -> None:
    with pytest.raises(UnknownIssuer):
        registry.authorise(KMC, "BRTCR", valid_from=clock)


def test_empty_authorisation_window_is_refused(registry: Registry, clock: datetime) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    with pytest.raises(InvalidRegistryInput, match="window is empty"):
        registry.authorise(KMC, "BRTCR", valid_from=clock, valid_until=clock)


@pytest.mark.parametrize("doctype", ["BRT-CR", "", "BRT CR"])
def test_malformed_doctype_is_refused(registry: Registry, clock: datetime, doctype: str) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    with pytest.raises(InvalidRegistryInput, match="document type"):
        registry.authorise(KMC, doctype, valid_from=clock)


def test_same_authorisation_twice_is_refused(registry: Registry, clock: datetime) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    registry.authorise(KMC, "BRTCR", valid_from=clock)
    with pytest.raises(AlreadyAuthorised, match="BRTCR"):
        registry.authorise(KMC, "BRTCR", valid_from=clock)
    assert len(registry.authorisations(KMC)) == 1


# Keys


@pytest.mark.parametrize("algorithm", list(keys.KeyAlgorithm))
def test_key_round_trip(registry: Registry, clock: datetime, algorithm: keys.KeyAlgorithm) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    key = public_key(algorithm)
    kid = registry.add_key(KMC, key, certificate=None, valid_from=None, valid_until=None, at=clock)
    assert kid == keys.key_id(key)
    stored = registry.get_key(kid)
    assert stored is not None
    assert (stored.issuer_id, stored.algorithm, stored.certificate) == (KMC, algorithm, None)
    assert keys.key_id(stored.public_key) == kid
    assert (stored.valid_from, stored.valid_until, stored.added_at) == (clock, None, clock)
    assert [e.status for e in stored.history] == [KeyStatus.ACTIVE]
    assert registry.keys_of(KMC) == (stored,)


def test_key_added_mid_second_is_valid_from_the_start_of_that_second(
    registry: Registry, clock: datetime
) -> None:
    """A QR code dates its document to the whole second: a key registered 0.4 s into a second
    must cover a document signed 0.5 s into it."""
    added = clock.replace(microsecond=400_000)
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=added)
    key = public_key(keys.KeyAlgorithm.ED25519)
    kid = registry.add_key(KMC, key, certificate=None, valid_from=None, valid_until=None, at=added)
    stored = registry.get_key(kid)
    assert stored is not None
    assert (stored.valid_from, stored.added_at) == (added.replace(microsecond=0), added)


def test_key_window_defaults_to_the_certificate(registry: Registry, clock: datetime) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    private = keys.generate_private_key(keys.KeyAlgorithm.P256)
    start, end = clock - timedelta(days=30), clock + timedelta(days=335)
    cert = keys.self_signed_certificate(private, "KMC signing", start, end)
    kid = registry.add_key(
        KMC, private.public_key(), certificate=cert, valid_from=None, valid_until=None, at=clock
    )
    stored = registry.get_key(kid)
    assert stored is not None
    assert (stored.valid_from, stored.valid_until, stored.certificate) == (start, end, cert)
    assert stored.history[0].effective_at == start


def test_explicit_window_overrides_the_certificate(registry: Registry, clock: datetime) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    private = keys.generate_private_key(keys.KeyAlgorithm.P256)
    cert = keys.self_signed_certificate(private, "KMC", clock, clock + timedelta(days=365))
    until = clock + timedelta(days=90)
    kid = registry.add_key(
        KMC, private.public_key(), certificate=cert, valid_from=None, valid_until=until, at=clock
    )
    stored = registry.get_key(kid)
    assert stored is not None and (stored.valid_from, stored.valid_until) == (clock, until)


def test_certificate_for_another_key_is_refused(registry: Registry, clock: datetime) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    other = keys.generate_private_key(keys.KeyAlgorithm.P256)
    cert = keys.self_signed_certificate(other, "KMC", clock, clock + timedelta(days=365))
    with pytest.raises(InvalidRegistryInput, match="certificate carries key"):
        registry.add_key(
            KMC, public_key(), certificate=cert, valid_from=None, valid_until=None, at=clock
        )


def test_weak_rsa_key_is_refused(registry: Registry, clock: datetime) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    with pytest.raises(InvalidRegistryInput, match="2048"):
        registry.add_key(KMC, weak, certificate=None, valid_from=None, valid_until=None, at=clock)


def test_key_of_another_issuer_is_refused(registry: Registry, clock: datetime) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    registry.add_issuer(RTO, "Karnataka RTO", at=clock)
    key = public_key()
    registry.add_key(KMC, key, certificate=None, valid_from=None, valid_until=None, at=clock)
    with pytest.raises(KeyAlreadyRegistered, match=f"registered to issuer {KMC}"):
        registry.add_key(RTO, key, certificate=None, valid_from=None, valid_until=None, at=clock)


def test_key_added_twice_is_refused(registry: Registry, clock: datetime) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    key = public_key()
    registry.add_key(KMC, key, certificate=None, valid_from=None, valid_until=None, at=clock)
    with pytest.raises(KeyAlreadyRegistered, match=f"already registered to {KMC}"):
        registry.add_key(KMC, key, certificate=None, valid_from=None, valid_until=None, at=clock)


def test_key_for_unknown_issuer_is_refused(registry: Registry, clock: datetime) -> None:
    with pytest.raises(UnknownIssuer):
        add_key(registry, KMC, clock)


def test_empty_key_window_is_refused(registry: Registry, clock: datetime) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    with pytest.raises(InvalidRegistryInput, match="window is empty"):
        add_key(registry, KMC, clock, valid_until=clock - timedelta(seconds=1))


def test_unknown_key_is_none(registry: Registry) -> None:
    assert registry.get_key("00" * 32) is None


def test_history_is_ordered_by_effective_time(registry: Registry, clock: datetime) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    kid = add_key(registry, KMC, clock)
    retired_at, leaked_at = clock + timedelta(days=10), clock + timedelta(days=5)
    registry.retire_key(KMC, kid, at=retired_at, reason="rotated")
    # Found out after the retirement that the key had leaked before it.
    registry.compromise_key(
        KMC, kid, at=leaked_at, reason="HSM backup stolen", recorded_at=clock + timedelta(days=20)
    )
    stored = registry.get_key(kid)
    assert stored is not None
    assert [(e.status, e.effective_at) for e in stored.history] == [
        (KeyStatus.ACTIVE, clock),
        (KeyStatus.COMPROMISED, leaked_at),
        (KeyStatus.RETIRED, retired_at),
    ]
    assert stored.history[1].reason == "HSM backup stolen"
    assert stored.history[1].recorded_at == clock + timedelta(days=20)
    assert stored.first_event(KeyStatus.COMPROMISED) == stored.history[1]


def test_compromising_twice_is_refused(registry: Registry, clock: datetime) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    kid = add_key(registry, KMC, clock)
    registry.compromise_key(KMC, kid, at=clock, reason="leak", recorded_at=clock)
    with pytest.raises(KeyStatusConflict, match="already compromised"):
        registry.compromise_key(KMC, kid, at=clock, reason="leak again", recorded_at=clock)
    with pytest.raises(KeyStatusConflict, match="already compromised"):
        registry.retire_key(KMC, kid, at=clock, reason="rotated")


def test_retiring_twice_is_refused(registry: Registry, clock: datetime) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    kid = add_key(registry, KMC, clock)
    registry.retire_key(KMC, kid, at=clock, reason="rotated")
    with pytest.raises(KeyStatusConflict, match="already retired"):
        registry.retire_key(KMC, kid, at=clock, reason="rotated")


def test_status_change_of_unknown_key_is_refused(registry: Registry, clock: datetime) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    with pytest.raises(UnknownKey, match="not registered"):
        registry.retire_key(KMC, "ab" * 32, at=clock, reason="rotated")
    with pytest.raises(UnknownKey, match="not registered"):
        registry.compromise_key(KMC, "ab" * 32, at=clock, reason="leak", recorded_at=clock)


def test_status_change_of_another_issuers_key_is_refused(
    registry: Registry, clock: datetime
) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    registry.add_issuer(RTO, "Karnataka RTO", at=clock)
    kid = add_key(registry, KMC, clock)
    with pytest.raises(UnknownKey, match=f"belongs to issuer {KMC}"):
        registry.retire_key(RTO, kid, at=clock, reason="rotated")
    with pytest.raises(UnknownKey, match=f"belongs to issuer {KMC}"):
        registry.compromise_key(RTO, kid, at=clock, reason="leak", recorded_at=clock)
    stored = registry.get_key(kid)
    assert stored is not None and len(stored.history) == 1


# Issuance register


def test_issuance_round_trip(registry: Registry, clock: datetime) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    kid = add_key(registry, KMC, clock)
    stored = registry.record_issuance(
        "in.gov.wb.kmc-BRTCR-0001",
        issuer_id=KMC,
        doctype="BRTCR",
        sha256=sha("one"),
        key_id=kid,
        issued_at=clock.astimezone(IST),
        recorded_at=clock + timedelta(seconds=2),
    )
    fetched = registry.get_issuance("in.gov.wb.kmc-BRTCR-0001")
    assert fetched == stored
    assert fetched == IssuanceRecord(
        "in.gov.wb.kmc-BRTCR-0001",
        KMC,
        "BRTCR",
        sha("one"),
        kid,
        clock,
        clock + timedelta(seconds=2),
    )
    assert registry.get_issuance("in.gov.wb.kmc-BRTCR-0002") is None


def test_document_issued_twice_is_refused(registry: Registry, clock: datetime) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    kid = add_key(registry, KMC, clock)
    registry.record_issuances([issuance("doc-1", kid, clock)])
    with pytest.raises(AlreadyIssued, match="doc-1"):
        registry.record_issuances([issuance("doc-1", kid, clock + timedelta(days=1))])
    assert registry.get_issuance("doc-1") == issuance("doc-1", kid, clock)


def test_issuance_with_another_issuers_key_is_refused(registry: Registry, clock: datetime) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    registry.add_issuer(RTO, "Karnataka RTO", at=clock)
    rto_key = add_key(registry, RTO, clock)
    with pytest.raises(UnknownKey, match=f"belongs to issuer {RTO}"):
        registry.record_issuances([issuance("doc-1", rto_key, clock)])
    with pytest.raises(UnknownKey, match="not registered"):
        registry.record_issuances([issuance("doc-1", "cd" * 32, clock)])


@pytest.mark.parametrize("digest", ["AB" * 32, "ab" * 31, "zz" * 32])
def test_malformed_sha256_is_refused(registry: Registry, clock: datetime, digest: str) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    kid = add_key(registry, KMC, clock)
    row = IssuanceRecord("doc-1", KMC, "BRTCR", digest, kid, clock, clock)
    with pytest.raises(InvalidRegistryInput, match="sha256"):
        registry.record_issuances([row])


def test_bulk_issuance_writes_every_row(registry: Registry, clock: datetime) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    kid = add_key(registry, KMC, clock)
    rows = [issuance(f"doc-{n:05}", kid, clock + timedelta(seconds=n)) for n in range(1_234)]
    assert registry.record_issuances(rows) == tuple(rows)
    assert registry.get_issuance("doc-01233") == rows[-1]
    assert registry.get_issuance("doc-00000") == rows[0]


def test_bulk_issuance_is_all_or_nothing(registry: Registry, clock: datetime) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    kid = add_key(registry, KMC, clock)
    registry.record_issuances([issuance("doc-00700", kid, clock)])
    rows = [issuance(f"doc-{n:05}", kid, clock) for n in range(1_000)]
    with pytest.raises(AlreadyIssued, match="doc-00700"):
        registry.record_issuances(rows)
    assert registry.get_issuance("doc-00000") is None


def test_bulk_issuance_refuses_repeats_within_the_batch(
    registry: Registry, clock: datetime
) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    kid = add_key(registry, KMC, clock)
    with pytest.raises(AlreadyIssued, match="within the batch: doc-2"):
        registry.record_issuances([issuance(d, kid, clock) for d in ("doc-1", "doc-2", "doc-2")])
    assert registry.get_issuance("doc-1") is None


def test_empty_bulk_issuance_writes_nothing(registry: Registry) -> None:
    assert registry.record_issuances([]) == ()


# Datetimes

_aware_datetimes = st.datetimes(
    min_value=datetime(1900, 1, 2),
    max_value=datetime(9000, 1, 1),
    timezones=st.timezones(),
    allow_imaginary=False,
)
_serial = itertools.count()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(instant=_aware_datetimes)
def test_aware_datetimes_round_trip_as_utc(registry: Registry, instant: datetime) -> None:
    issuer_id = f"in.gov.rt{next(_serial)}"
    registry.add_issuer(issuer_id, "Round trip", at=instant)
    stored = registry.get_issuer(issuer_id)
    assert stored is not None
    assert stored.created_at.tzinfo is UTC
    assert stored.created_at == instant.astimezone(UTC)


@pytest.mark.parametrize("url", ["sqlite://", "postgresql+psycopg://"])
def test_column_type_refuses_naive_datetimes(url: str) -> None:
    dialect = create_engine(url).dialect
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2024, 1, 1), dialect)


# Snapshot


def test_snapshot_answers_as_the_registry_does(registry: Registry, clock: datetime) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    registry.add_issuer(RTO, "Karnataka RTO", at=clock)
    registry.set_issuer_status(RTO, IssuerStatus.SUSPENDED, at=clock)
    registry.authorise(KMC, "BRTCR", valid_from=clock)
    registry.authorise(KMC, "DTHCR", valid_from=clock, valid_until=clock + timedelta(days=9))
    kid = add_key(registry, KMC, clock)
    retired = add_key(registry, KMC, clock)
    registry.retire_key(KMC, retired, at=clock + timedelta(days=1), reason="rotated")
    rto_kid = add_key(registry, RTO, clock)
    registry.record_issuances([issuance("doc-1", kid, clock)])

    snapshot = registry.snapshot()

    for issuer_id in (KMC, RTO, "in.gov.none"):
        assert snapshot.issuer(issuer_id) == registry.issuer(issuer_id)
        assert snapshot.authorisations(issuer_id) == registry.authorisations(issuer_id)
    for key_id in (kid, retired, rto_kid, "00" * 32):
        assert snapshot.key(key_id) == registry.key(key_id)
    for document_id in ("doc-1", "doc-2"):
        assert snapshot.issuance(document_id) == registry.issuance(document_id)


def test_snapshot_does_not_follow_later_changes_except_the_register(
    registry: Registry, clock: datetime
) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    kid = add_key(registry, KMC, clock)
    snapshot = registry.snapshot()
    registry.set_issuer_status(KMC, IssuerStatus.SUSPENDED, at=clock)
    registry.compromise_key(KMC, kid, at=clock, reason="leak", recorded_at=clock)
    registry.record_issuances([issuance("doc-1", kid, clock)])
    issuer, key = snapshot.issuer(KMC), snapshot.key(kid)
    assert issuer is not None and issuer.status is IssuerStatus.ACTIVE
    assert key is not None and key.first_event(KeyStatus.COMPROMISED) is None
    assert snapshot.issuance("doc-1") == issuance("doc-1", kid, clock)


def test_every_rendition_of_an_original_is_registered_and_proven(
    registry: Registry, clock: datetime
) -> None:
    registry.add_issuer(KMC, "Kolkata Municipal Corporation", at=clock)
    key = keys.generate_private_key(keys.KeyAlgorithm.P256)
    kid = registry.add_key(
        KMC, key.public_key(), certificate=None, valid_from=None, valid_until=None, at=clock
    )
    renditions = (("vc-jwt", sha("jwt")), ("xml-dsig", sha("xml")))
    record = dataclasses.replace(
        issuance("doc-1", kid, clock), sha256=sha("xml"), renditions=renditions
    )
    registry.record_issuances([record])
    stored = registry.get_issuance("doc-1")
    assert stored is not None and stored.renditions == renditions
    assert stored.proves(sha("jwt")) and stored.proves(sha("xml"))
    assert not stored.proves(sha("other"))
    clash = dataclasses.replace(issuance("doc-2", kid, clock), renditions=(("vc-jwt", sha("jwt")),))
    with pytest.raises(AlreadyIssued):
        registry.record_issuances([clash])
    assert registry.get_issuance("doc-2") is None


def test_the_head_revision_read_from_file_names_is_alembics_head() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from vc_engine.store.engine import _MIGRATIONS, head_revision

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.set_main_option("path_separator", "os")
    assert head_revision() == ScriptDirectory.from_config(config).get_current_head()
