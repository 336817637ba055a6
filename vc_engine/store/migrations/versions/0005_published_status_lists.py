"""Published status list credentials: the signed list a verifier checks status against.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "status_list_credentials",
        sa.Column("list_id", sa.Text, sa.ForeignKey("status_lists.id"), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("credential", sa.LargeBinary, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("status_list_credentials")
