"""datasets: training images and captions, owned like models

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("owner_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("visibility", sa.String(8), nullable=False),
        sa.Column("shared_roles", sa.JSON(), nullable=False),
        sa.Column("images", sa.BigInteger(), nullable=False),
        sa.Column("min_side", sa.BigInteger(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_datasets_tenant_created", "datasets", ["tenant_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_datasets_tenant_created", "datasets")
    op.drop_table("datasets")
