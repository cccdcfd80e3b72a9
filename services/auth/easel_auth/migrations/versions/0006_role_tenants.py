"""custom roles belong to a tenant

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("roles") as batch:
        batch.add_column(sa.Column("tenant_id", sa.String(64), nullable=True))  # null: built in, every tenant


def downgrade() -> None:
    with op.batch_alter_table("roles") as batch:
        batch.drop_column("tenant_id")
