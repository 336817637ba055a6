"""The batch issuance journal: jobs, the blocks each has registered, the documents each issued
and the records each rejected, so a killed batch resumes without issuing anything twice.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

_INSTANT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "batch_jobs",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("issuer_id", sa.Text, sa.ForeignKey("issuers.id"), nullable=False),
        sa.Column("doctype", sa.Text, nullable=False),
        sa.Column("formats", sa.Text, nullable=False),
        sa.Column("block_size", sa.Integer, nullable=False),
        sa.Column("archive_size", sa.Integer, nullable=True),
        sa.Column("archives_closed", sa.Integer, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("created_at", _INSTANT, nullable=False),
        sa.Column("updated_at", _INSTANT, nullable=False),
        sa.CheckConstraint("state IN ('running', 'complete')", name="ck_batch_jobs_state"),
    )
    op.create_table(
        "batch_blocks",
        sa.Column("job_id", sa.Text, sa.ForeignKey("batch_jobs.id"), nullable=False),
        sa.Column("block", sa.Integer, nullable=False),
        sa.Column("first_line", sa.Integer, nullable=True),
        sa.Column("last_line", sa.Integer, nullable=True),
        sa.Column("records", sa.Integer, nullable=False),
        sa.Column("issued", sa.Integer, nullable=False),
        sa.Column("first_sequence", sa.Integer, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("job_id", "block", name="pk_batch_blocks"),
        sa.CheckConstraint("state IN ('registered', 'done')", name="ck_batch_blocks_state"),
    )
    op.create_table(
        "batch_documents",
        sa.Column("document_id", sa.Text, sa.ForeignKey("issuances.document_id"), primary_key=True),
        sa.Column("job_id", sa.Text, sa.ForeignKey("batch_jobs.id"), nullable=False),
        sa.Column("block", sa.Integer, nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
    )
    op.create_index("ix_batch_documents_job_id", "batch_documents", ["job_id"])
    op.create_table(
        "batch_rejects",
        sa.Column("job_id", sa.Text, sa.ForeignKey("batch_jobs.id"), nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("document_id", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("job_id", "line", name="pk_batch_rejects"),
    )


def downgrade() -> None:
    op.drop_table("batch_rejects")
    op.drop_index("ix_batch_documents_job_id", "batch_documents")
    op.drop_table("batch_documents")
    op.drop_table("batch_blocks")
    op.drop_table("batch_jobs")
