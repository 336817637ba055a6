"""Bitstring status lists: the lists, each document's entry per purpose, and the status history.

`status_lists.allocated` is the list's allocation bitmap (a bit per index handed out), so an
allocation reads and writes one row instead of every entry of the list.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_INSTANT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "status_lists",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("issuer_id", sa.Text, sa.ForeignKey("issuers.id"), nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("allocated", sa.LargeBinary, nullable=False),
        sa.Column("created_at", _INSTANT, nullable=False),
        sa.Column("updated_at", _INSTANT, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("issuer_id", "purpose", "sequence", name="uq_status_lists_sequence"),
        sa.CheckConstraint(
            "purpose IN ('revocation', 'suspension')", name="ck_status_lists_purpose"
        ),
    )
    op.create_table(
        "status_entries",
        sa.Column("document_id", sa.Text, nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("list_id", sa.Text, sa.ForeignKey("status_lists.id"), nullable=False),
        sa.Column("list_index", sa.Integer, nullable=False),
        sa.Column("is_set", sa.Boolean, nullable=False),
        sa.Column("allocated_at", _INSTANT, nullable=False),
        sa.PrimaryKeyConstraint("document_id", "purpose", name="pk_status_entries"),
        sa.UniqueConstraint("list_id", "list_index", name="uq_status_entries_slot"),
    )
    op.create_table(
        "status_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.Text, nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("effective_at", _INSTANT, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("recorded_at", _INSTANT, nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id", "purpose"],
            ["status_entries.document_id", "status_entries.purpose"],
            name="fk_status_events_entry",
        ),
        sa.CheckConstraint(
            "action IN ('revoke', 'suspend', 'reinstate')", name="ck_status_events_action"
        ),
    )
    op.create_index("ix_status_events_document_id", "status_events", ["document_id"])


def downgrade() -> None:
    op.drop_index("ix_status_events_document_id", "status_events")
    op.drop_table("status_events")
    op.drop_table("status_entries")
    op.drop_table("status_lists")
