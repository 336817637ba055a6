"""Status lists also kept as JSON-LD credentials with a Data Integrity proof; the service's own
secrets (the key that signs OAuth2 access tokens).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision: str | None = "0010"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("status_list_credentials") as batch:
        batch.add_column(sa.Column("credential_ld", sa.LargeBinary, nullable=True))
    op.create_table(
        "service_secrets",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("secret", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("service_secrets")
    with op.batch_alter_table("status_list_credentials") as batch:
        batch.drop_column("credential_ld")
