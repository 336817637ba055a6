"""API access: the service's clients (secret hashes only) and the verification audit log.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

_INSTANT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "api_clients",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("secret_hash", sa.Text, nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("created_at", _INSTANT, nullable=False),
        sa.Column("revoked_at", _INSTANT, nullable=True),
    )
    op.create_table(
        "verification_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.Text, nullable=False),
        sa.Column("verified_at", _INSTANT, nullable=False),
        sa.Column("document_id", sa.Text, nullable=True),
        sa.Column("document_sha256", sa.Text, nullable=False),
        sa.Column("indication", sa.Text, nullable=False),
        sa.Column("sub_indication", sa.Text, nullable=True),
    )
    op.create_index("ix_verification_log_client_id", "verification_log", ["client_id"])
    op.create_index("ix_verification_log_verified_at", "verification_log", ["verified_at"])
    op.create_index("ix_verification_log_document_id", "verification_log", ["document_id"])


def downgrade() -> None:
    op.drop_index("ix_verification_log_document_id", "verification_log")
    op.drop_index("ix_verification_log_verified_at", "verification_log")
    op.drop_index("ix_verification_log_client_id", "verification_log")
    op.drop_table("verification_log")
    op.drop_table("api_clients")
