"""models: `announce` marks an import whose end the registry has yet to publish (easel_registry.announce)

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("models", sa.Column("announce", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index("ix_models_announce", "models", ["announce"])


def downgrade() -> None:
    op.drop_index("ix_models_announce", "models")
    with op.batch_alter_table("models") as batch:
        batch.drop_column("announce")
