"""quotas on roles and per-user overrides

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("roles") as batch:
        batch.add_column(sa.Column("quotas", sa.JSON, nullable=True))
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("quotas", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("quotas")
    with op.batch_alter_table("roles") as batch:
        batch.drop_column("quotas")
