"""The registry's tables, as SQLAlchemy Core objects for the queries in `store`.

The database schema itself is created only by the Alembic migrations in `migrations/versions`;
these definitions must match them (a test compares the two on every backend).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """An instant stored so that it always reads back as an aware UTC datetime.

    PostgreSQL stores `timestamptz`; SQLite has no time zones, so the UTC wall time is stored and
    read back as UTC. Naive datetimes are refused (ValueError): they name no instant.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"refusing naive datetime {value}: the registry stores instants")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = MetaData()

issuers = Table(
    "issuers",
    metadata,
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("status_since", UTCDateTime, nullable=False),
    CheckConstraint("status IN ('active', 'suspended', 'revoked')", name="ck_issuers_status"),
)

issuer_keys = Table(
    "issuer_keys",
    metadata,
    Column("key_id", Text, primary_key=True),
    Column("issuer_id", Text, ForeignKey("issuers.id"), nullable=False, index=True),
    Column("algorithm", Text, nullable=False),
    Column("public_key_pem", Text, nullable=False),
    Column("certificate_pem", Text, nullable=True),
    Column("valid_from", UTCDateTime, nullable=False),
    Column("valid_until", UTCDateTime, nullable=True),
    Column("added_at", UTCDateTime, nullable=False),
)

key_events = Table(
    "key_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key_id", Text, ForeignKey("issuer_keys.key_id"), nullable=False, index=True),
    Column("status", Text, nullable=False),
    Column("effective_at", UTCDateTime, nullable=False),
    Column("reason", Text, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    CheckConstraint("status IN ('active', 'retired', 'compromised')", name="ck_key_events_status"),
)

authorisations = Table(
    "authorisations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("issuer_id", Text, ForeignKey("issuers.id"), nullable=False, index=True),
    Column("doctype", Text, nullable=False),
    Column("valid_from", UTCDateTime, nullable=False),
    Column("valid_until", UTCDateTime, nullable=True),
    UniqueConstraint("issuer_id", "doctype", "valid_from", name="uq_authorisations_start"),
)

issuances = Table(
    "issuances",
    metadata,
    Column("document_id", Text, primary_key=True),
    Column("issuer_id", Text, ForeignKey("issuers.id"), nullable=False),
    Column("doctype", Text, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("key_id", Text, ForeignKey("issuer_keys.key_id"), nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
)

issuance_renditions = Table(
    "issuance_renditions",
    metadata,
    Column("sha256", Text, primary_key=True),
    Column("document_id", Text, ForeignKey("issuances.document_id"), nullable=False, index=True),
    Column("format", Text, nullable=False),
)


# Status lists (Bitstring Status List v1.0), written and read by `vc_engine.revocation`. They
# live here so that one metadata describes the one database the migrations build.

status_lists = Table(
    "status_lists",
    metadata,
    Column("id", Text, primary_key=True),
    Column("issuer_id", Text, ForeignKey("issuers.id"), nullable=False),
    Column("purpose", Text, nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("size", Integer, nullable=False),
    Column("allocated", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    UniqueConstraint("issuer_id", "purpose", "sequence", name="uq_status_lists_sequence"),
    CheckConstraint("purpose IN ('revocation', 'suspension')", name="ck_status_lists_purpose"),
)

status_entries = Table(
    "status_entries",
    metadata,
    Column("document_id", Text, nullable=False),
    Column("purpose", Text, nullable=False),
    Column("list_id", Text, ForeignKey("status_lists.id"), nullable=False),
    Column("list_index", Integer, nullable=False),
    Column("is_set", Boolean, nullable=False),
    Column("allocated_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("document_id", "purpose", name="pk_status_entries"),
    UniqueConstraint("list_id", "list_index", name="uq_status_entries_slot"),
)

status_events = Table(
    "status_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", Text, nullable=False, index=True),
    Column("purpose", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("effective_at", UTCDateTime, nullable=False),
    Column("reason", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    ForeignKeyConstraint(
        ["document_id", "purpose"],
        ["status_entries.document_id", "status_entries.purpose"],
        name="fk_status_events_entry",
    ),
    CheckConstraint("action IN ('revoke', 'suspend', 'reinstate')", name="ck_status_events_action"),
)


# The signed list credentials as last published: what a verifier (online, or offline through a
# bundle) checks a document's status against. One row per list, replaced on each publication.
status_list_credentials = Table(
    "status_list_credentials",
    metadata,
    Column("list_id", Text, ForeignKey("status_lists.id"), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("credential", LargeBinary, nullable=False),
    Column("published_at", UTCDateTime, nullable=False),
    # The same version as a JSON-LD credential with a Data Integrity proof; NULL when the
    # issuer's key cannot make one (RSA) or the version was published before there were two.
    Column("credential_ld", LargeBinary, nullable=True),
)


# API access (written and read by `api`): the service's clients, holding only a hash of each
# secret, and the verification audit log, which records who verified which document and with
# what verdict, never the document's content.

api_clients = Table(
    "api_clients",
    metadata,
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("secret_hash", Text, nullable=False),
    Column("scopes", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
)

# The service's own secrets, made on first use: `oauth2-token-key` signs (HMAC) the short-lived
# access tokens of the OAuth2 token endpoint, so every service process accepts each other's.
service_secrets = Table(
    "service_secrets",
    metadata,
    Column("name", Text, primary_key=True),
    Column("secret", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

verification_log = Table(
    "verification_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", Text, nullable=False, index=True),
    Column("verified_at", UTCDateTime, nullable=False, index=True),
    Column("document_id", Text, nullable=True, index=True),
    Column("document_sha256", Text, nullable=False),
    Column("indication", Text, nullable=False),
    Column("sub_indication", Text, nullable=True),
)


# The batch issuance journal (written and read by `vc_engine.store.journal`): a job, the blocks
# of its input it has registered (a prefix of the input, in order), the documents it issued and
# the records it rejected. A document's journal row is written in the same transaction as its
# register row, so "issued by this job" and "in the register" never disagree.

batch_jobs = Table(
    "batch_jobs",
    metadata,
    Column("id", Text, primary_key=True),
    Column("issuer_id", Text, ForeignKey("issuers.id"), nullable=False),
    Column("doctype", Text, nullable=False),
    Column("formats", Text, nullable=False),
    Column("block_size", Integer, nullable=False),
    Column("archive_size", Integer, nullable=True),
    Column("archives_closed", Integer, nullable=False),
    Column("state", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("state IN ('running', 'complete')", name="ck_batch_jobs_state"),
)

batch_blocks = Table(
    "batch_blocks",
    metadata,
    Column("job_id", Text, ForeignKey("batch_jobs.id"), nullable=False),
    Column("block", Integer, nullable=False),
    Column("first_line", Integer, nullable=True),
    Column("last_line", Integer, nullable=True),
    Column("records", Integer, nullable=False),
    Column("issued", Integer, nullable=False),
    Column("first_sequence", Integer, nullable=False),
    Column("state", Text, nullable=False),
    PrimaryKeyConstraint("job_id", "block", name="pk_batch_blocks"),
    CheckConstraint("state IN ('registered', 'done')", name="ck_batch_blocks_state"),
)

batch_documents = Table(
    "batch_documents",
    metadata,
    Column("document_id", Text, ForeignKey("issuances.document_id"), primary_key=True),
    Column("job_id", Text, ForeignKey("batch_jobs.id"), nullable=False, index=True),
    Column("block", Integer, nullable=False),
    Column("line", Integer, nullable=False),
)

batch_rejects = Table(
    "batch_rejects",
    metadata,
    Column("job_id", Text, ForeignKey("batch_jobs.id"), nullable=False),
    Column("line", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("document_id", Text, nullable=True),
    PrimaryKeyConstraint("job_id", "line", name="pk_batch_rejects"),
)


# The last sequence number given to an offline bundle signed by each root key: every export
# takes the next one, in the same transaction that reads what the bundle carries.
bundle_sequences = Table(
    "bundle_sequences",
    metadata,
    Column("root_key_id", Text, primary_key=True),
    Column("last_sequence", Integer, nullable=False),
)


# Trust through X.509 chains (written by `vc_engine.store.anchor_tables`): the CA certificates
# the registry trusts (roots and CAs under them; a removal is recorded, never deleted), the CRLs
# their CAs signed, and the issuers trusted by their signing certificates' subject.
trust_anchors = Table(
    "trust_anchors",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("fingerprint", Text, nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("certificate_pem", Text, nullable=False),
    Column("is_root", Boolean, nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
    Column("removed_at", UTCDateTime, nullable=True),
)

certificate_revocation_lists = Table(
    "certificate_revocation_lists",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sha256", Text, nullable=False),
    Column("ca_fingerprint", Text, nullable=False),
    Column("crl_der", LargeBinary, nullable=False),
    Column("this_update", UTCDateTime, nullable=False),
    Column("next_update", UTCDateTime, nullable=True),
    Column("added_at", UTCDateTime, nullable=False),
    UniqueConstraint("sha256", name="uq_certificate_revocation_lists_sha256"),
)

issuer_certificate_subjects = Table(
    "issuer_certificate_subjects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("issuer_id", Text, ForeignKey("issuers.id"), nullable=False, index=True),
    Column("organisation", Text, nullable=False),
    Column("serial_number", Text, nullable=True),
    Column("key_id", Text, nullable=True),
    Column("added_at", UTCDateTime, nullable=False),
)


# Issued renditions kept for later fetching (the e-locker's Pull Doc), one row per document and
# format ("xml-dsig", "vc-di", "vc-jwt", "pdf", ...), written in the register's transaction when
# the issuing run keeps renditions, with the document's scalar fields normalised for search.
kept_renditions = Table(
    "kept_renditions",
    metadata,
    Column("document_id", Text, ForeignKey("issuances.document_id"), nullable=False),
    Column("format", Text, nullable=False),
    Column("media_type", Text, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("sha256", Text, nullable=False),
    PrimaryKeyConstraint("document_id", "format", name="pk_kept_renditions"),
)

document_fields = Table(
    "document_fields",
    metadata,
    Column("document_id", Text, ForeignKey("issuances.document_id"), nullable=False),
    Column("field", Text, nullable=False),
    Column("value", Text, nullable=False),
    PrimaryKeyConstraint("document_id", "field", name="pk_document_fields"),
    Index("ix_document_fields_value", "field", "value"),
)


# The e-locker's issuer Pull API (written by `vc-engine digilocker configure`, read by the
# service): each issuer's API key, sealed with the service's key file, and its search fields per
# document type; and every Pull request received, which is also the replay guard.
digilocker_issuers = Table(
    "digilocker_issuers",
    metadata,
    Column("issuer_id", Text, ForeignKey("issuers.id"), primary_key=True),
    Column("sealed_key", LargeBinary, nullable=False),
    Column("doctypes", Text, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("configured_at", UTCDateTime, nullable=False),
)

digilocker_requests = Table(
    "digilocker_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("received_at", UTCDateTime, nullable=False, index=True),
    Column("issuer_id", Text, nullable=False, index=True),
    Column("api", Text, nullable=False),
    Column("txn", Text, nullable=True),
    Column("ts", Text, nullable=True),
    Column("body_sha256", Text, nullable=False),
    Column("status", Integer, nullable=False),
    Column("code", Text, nullable=False),
    Column("document_id", Text, nullable=True),
    Column("replay_key", Text, nullable=True),
    UniqueConstraint("replay_key", name="uq_digilocker_requests_replay"),
)


doctype_versions = Table(
    "doctype_versions",
    metadata,
    Column("code", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("definition", Text, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("in_force_from", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("code", "version"),
    CheckConstraint("version >= 1", name="ck_doctype_versions_version"),
)


# JSON-LD contexts an operator pinned: served to the JSON-LD processor by URL, checked against
# their SHA-256 each time they are loaded, never fetched.
pinned_contexts = Table(
    "pinned_contexts",
    metadata,
    Column("url", Text, primary_key=True),
    Column("document", LargeBinary, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
)
