"""jobs: webhook signing secrets sealed at rest (AES-GCM under EASEL_WEBHOOK_SECRET_KEY), their columns widened

Revision ID: 0013
Revises: 0012

The jobs service passes its box (`webhook_secrets`, easel_jobs.webhooks.sealed) to the migrations; run without it,
this refuses to leave plain secrets behind.
"""

import sqlalchemy as sa
from alembic import context, op

from easel_jobs.webhooks import sealed

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None
COLUMNS = (("webhook_endpoints", "secret", False), ("webhook_endpoints", "previous_secret", True),
           ("webhook_callback_secrets", "secret", False), ("webhook_callback_secrets", "previous_secret", True))


def _box() -> sealed.SecretBox | None:
    return context.config.attributes.get("webhook_secrets")


def _resize(length_from: int, length_to: int) -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite holds any length anyway; its batch mode would copy the table, and dropping the old one would
        # delete the deliveries that reference it (ON DELETE CASCADE)
        return
    for table, column, nullable in COLUMNS:
        op.alter_column(table, column, type_=sa.String(length_to), existing_type=sa.String(length_from),
                        existing_nullable=nullable)


def upgrade() -> None:
    _resize(100, 200)  # a sealed secret takes 100 characters
    conn, box = op.get_bind(), _box()
    if box is None:
        if sealed.unsealed(conn):
            raise RuntimeError("migration 0013 seals the stored webhook secrets: run it from the jobs service, "
                               "which holds EASEL_WEBHOOK_SECRET_KEY")
        return
    sealed.reseal(conn, box)


def downgrade() -> None:
    conn, box = op.get_bind(), _box()
    if box is None:
        raise RuntimeError("migration 0013's downgrade opens the webhook secrets: run it with the key")
    for table, t, key in sealed.tables():
        for row_id, secret, previous in conn.execute(sa.select(t.c[key], t.c.secret, t.c.previous_secret)).all():
            conn.execute(sa.update(t).where(t.c[key] == row_id).values(
                secret=box.open(table, row_id, secret) if sealed.is_sealed(secret) else secret,
                previous_secret=box.open(table, row_id, previous) if previous and sealed.is_sealed(previous)
                else previous))
    _resize(200, 100)
