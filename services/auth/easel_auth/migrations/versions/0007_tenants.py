"""tenants as rows: one per tenant id users name, with a display name, a disabled flag and tenant-wide quotas

Revision ID: 0007
Revises: 0006
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    tenants = op.create_table(
        "tenants",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("quotas", sa.JSON),
        sa.Column("created_at", TS, nullable=False),
    )
    # tenants were strings on users until now: each one named becomes a row, its id its display name
    existing = op.get_bind().execute(sa.text("SELECT DISTINCT tenant_id FROM users")).scalars().all()
    at = datetime.now(UTC)
    op.bulk_insert(tenants, [{"id": t, "display_name": t, "disabled": False, "created_at": at}
                             for t in sorted(existing) if t])


def downgrade() -> None:
    op.drop_table("tenants")
