"""The initial trust registry: issuers, keys with status history, authorisations, issuances.

Revision ID: 0001
Revises: none
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

# Spelled out here rather than imported from `schema`, so this revision stays what it was when
# later revisions change the tables.
_INSTANT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "issuers",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("created_at", _INSTANT, nullable=False),
        sa.Column("status_since", _INSTANT, nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'suspended', 'revoked')", name="ck_issuers_status"
        ),
    )
    op.create_table(
        "issuer_keys",
        sa.Column("key_id", sa.Text, primary_key=True),
        sa.Column("issuer_id", sa.Text, sa.ForeignKey("issuers.id"), nullable=False),
        sa.Column("algorithm", sa.Text, nullable=False),
        sa.Column("public_key_pem", sa.Text, nullable=False),
        sa.Column("certificate_pem", sa.Text, nullable=True),
        sa.Column("valid_from", _INSTANT, nullable=False),
        sa.Column("valid_until", _INSTANT, nullable=True),
        sa.Column("added_at", _INSTANT, nullable=False),
    )
    op.create_index("ix_issuer_keys_issuer_id", "issuer_keys", ["issuer_id"])
    op.create_table(
        "key_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key_id", sa.Text, sa.ForeignKey("issuer_keys.key_id"), nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("effective_at", _INSTANT, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("recorded_at", _INSTANT, nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'retired', 'compromised')", name="ck_key_events_status"
        ),
    )
    op.create_index("ix_key_events_key_id", "key_events", ["key_id"])
    op.create_table(
        "authorisations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("issuer_id", sa.Text, sa.ForeignKey("issuers.id"), nullable=False),
        sa.Column("doctype", sa.Text, nullable=False),
        sa.Column("valid_from", _INSTANT, nullable=False),
        sa.Column("valid_until", _INSTANT, nullable=True),
        sa.UniqueConstraint("issuer_id", "doctype", "valid_from", name="uq_authorisations_start"),
    )
    op.create_index("ix_authorisations_issuer_id", "authorisations", ["issuer_id"])
    op.create_table(
        "issuances",
        sa.Column("document_id", sa.Text, primary_key=True),
        sa.Column("issuer_id", sa.Text, sa.ForeignKey("issuers.id"), nullable=False),
        sa.Column("doctype", sa.Text, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("key_id", sa.Text, sa.ForeignKey("issuer_keys.key_id"), nullable=False),
        sa.Column("issued_at", _INSTANT, nullable=False),
        sa.Column("recorded_at", _INSTANT, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("issuances")
    op.drop_table("authorisations")
    op.drop_table("key_events")
    op.drop_table("issuer_keys")
    op.drop_table("issuers")
