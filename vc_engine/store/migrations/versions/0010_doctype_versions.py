"""Document type versions added by operators: the definition text of every version, kept forever.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "doctype_versions",
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("definition", sa.Text, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("in_force_from", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", "version"),
        sa.CheckConstraint("version >= 1", name="ck_doctype_versions_version"),
    )


def downgrade() -> None:
    op.drop_table("doctype_versions")
