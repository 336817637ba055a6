"""Issued renditions kept for the e-locker to fetch later, with the documents' fields for its
search; the e-locker issuer Pull API's configuration (sealed API keys, search fields) and its
request log, which is also the replay guard.

Revision ID: 0014
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision: str | None = "0012"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "kept_renditions",
        sa.Column("document_id", sa.Text, sa.ForeignKey("issuances.document_id"), nullable=False),
        sa.Column("format", sa.Text, nullable=False),
        sa.Column("media_type", sa.Text, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("document_id", "format", name="pk_kept_renditions"),
    )
    op.create_table(
        "document_fields",
        sa.Column("document_id", sa.Text, sa.ForeignKey("issuances.document_id"), nullable=False),
        sa.Column("field", sa.Text, nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("document_id", "field", name="pk_document_fields"),
    )
    op.create_index("ix_document_fields_value", "document_fields", ["field", "value"])
    op.create_table(
        "digilocker_issuers",
        sa.Column("issuer_id", sa.Text, sa.ForeignKey("issuers.id"), primary_key=True),
        sa.Column("sealed_key", sa.LargeBinary, nullable=False),
        sa.Column("doctypes", sa.Text, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("configured_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "digilocker_requests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issuer_id", sa.Text, nullable=False),
        sa.Column("api", sa.Text, nullable=False),
        sa.Column("txn", sa.Text, nullable=True),
        sa.Column("ts", sa.Text, nullable=True),
        sa.Column("body_sha256", sa.Text, nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("document_id", sa.Text, nullable=True),
        sa.Column("replay_key", sa.Text, nullable=True),
        sa.UniqueConstraint("replay_key", name="uq_digilocker_requests_replay"),
    )
    op.create_index("ix_digilocker_requests_received_at", "digilocker_requests", ["received_at"])
    op.create_index("ix_digilocker_requests_issuer_id", "digilocker_requests", ["issuer_id"])
    if op.get_bind().dialect.name == "postgresql":
        # Services cache the configuration: tell them when it changes (see migration 0007).
        op.execute(
            "CREATE OR REPLACE TRIGGER vc_engine_registry_changed"
            " AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON digilocker_issuers"
            " FOR EACH STATEMENT EXECUTE FUNCTION vc_engine_registry_changed()"
        )


def downgrade() -> None:
    op.drop_table("digilocker_requests")
    op.drop_table("digilocker_issuers")
    op.drop_index("ix_document_fields_value", "document_fields")
    op.drop_table("document_fields")
    op.drop_table("kept_renditions")
