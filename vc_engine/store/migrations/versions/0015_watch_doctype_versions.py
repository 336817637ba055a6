"""PostgreSQL: services cache the document type catalogue with the rest of the registry, so a
version added by another process (`vc-engine doctype add`, the admin route) must reach them at
once: NOTIFY on doctype_versions too (see migration 0007). SQLite services count its rows
(`vc_engine.store.changes`); there this revision does nothing.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision: str | None = "0014"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE OR REPLACE TRIGGER vc_engine_registry_changed"
        " AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON doctype_versions"
        " FOR EACH STATEMENT EXECUTE FUNCTION vc_engine_registry_changed()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS vc_engine_registry_changed ON doctype_versions")
