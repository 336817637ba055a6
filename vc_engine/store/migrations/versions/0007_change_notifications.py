"""PostgreSQL: NOTIFY on every committed change to the tables services cache, so each service
process can drop its caches at once instead of asking the database on every request.

Statement-level triggers fire for every writer (the service, the CLI, psql). SQLite has no
NOTIFY; services there ask the database instead, and this revision does nothing.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

CHANNEL = "vc_engine_registry"
WATCHED = (
    "issuers",
    "issuer_keys",
    "key_events",
    "authorisations",
    "status_list_credentials",
    "api_clients",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE OR REPLACE FUNCTION vc_engine_registry_changed() RETURNS trigger"
        " LANGUAGE plpgsql AS $$ BEGIN"
        f" PERFORM pg_notify('{CHANNEL}', TG_TABLE_SCHEMA); RETURN NULL; END $$"
    )
    for table in WATCHED:
        op.execute(
            f"CREATE OR REPLACE TRIGGER vc_engine_registry_changed"
            f" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION vc_engine_registry_changed()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in WATCHED:
        op.execute(f"DROP TRIGGER IF EXISTS vc_engine_registry_changed ON {table}")
    op.execute("DROP FUNCTION IF EXISTS vc_engine_registry_changed()")
