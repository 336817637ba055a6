"""Register every rendition of an issued original (XML, JSON-LD, JWT) by its SHA-256.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "issuance_renditions",
        sa.Column("sha256", sa.Text, primary_key=True),
        sa.Column("document_id", sa.Text, sa.ForeignKey("issuances.document_id"), nullable=False),
        sa.Column("format", sa.Text, nullable=False),
    )
    op.create_index("ix_issuance_renditions_document_id", "issuance_renditions", ["document_id"])


def downgrade() -> None:
    op.drop_index("ix_issuance_renditions_document_id", "issuance_renditions")
    op.drop_table("issuance_renditions")
