"""Trust through X.509 chains: CA certificates (roots and CAs under them), their CRLs, and
issuers registered by their signing certificates' subject. On PostgreSQL the new tables notify
services of changes like the others (the function of revision 0007).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None

_INSTANT = sa.DateTime(timezone=True)
_TABLES = ("trust_anchors", "certificate_revocation_lists", "issuer_certificate_subjects")


def upgrade() -> None:
    op.create_table(
        "trust_anchors",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("certificate_pem", sa.Text, nullable=False),
        sa.Column("is_root", sa.Boolean, nullable=False),
        sa.Column("added_at", _INSTANT, nullable=False),
        sa.Column("removed_at", _INSTANT, nullable=True),
    )
    op.create_index("ix_trust_anchors_fingerprint", "trust_anchors", ["fingerprint"])
    op.create_table(
        "certificate_revocation_lists",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("ca_fingerprint", sa.Text, nullable=False),
        sa.Column("crl_der", sa.LargeBinary, nullable=False),
        sa.Column("this_update", _INSTANT, nullable=False),
        sa.Column("next_update", _INSTANT, nullable=True),
        sa.Column("added_at", _INSTANT, nullable=False),
        sa.UniqueConstraint("sha256", name="uq_certificate_revocation_lists_sha256"),
    )
    op.create_table(
        "issuer_certificate_subjects",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("issuer_id", sa.Text, sa.ForeignKey("issuers.id"), nullable=False),
        sa.Column("organisation", sa.Text, nullable=False),
        sa.Column("serial_number", sa.Text, nullable=True),
        sa.Column("key_id", sa.Text, nullable=True),
        sa.Column("added_at", _INSTANT, nullable=False),
    )
    op.create_index(
        "ix_issuer_certificate_subjects_issuer_id", "issuer_certificate_subjects", ["issuer_id"]
    )
    if op.get_bind().dialect.name == "postgresql":
        for table in _TABLES:
            op.execute(
                f"CREATE OR REPLACE TRIGGER vc_engine_registry_changed"
                f" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
                " FOR EACH STATEMENT EXECUTE FUNCTION vc_engine_registry_changed()"
            )


def downgrade() -> None:
    for table in reversed(_TABLES):
        op.drop_table(table)
