"""Offline bundles are numbered per root key, so an auditor can refuse an older one (rollback).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "bundle_sequences",
        sa.Column("root_key_id", sa.Text, primary_key=True),
        sa.Column("last_sequence", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("bundle_sequences")
