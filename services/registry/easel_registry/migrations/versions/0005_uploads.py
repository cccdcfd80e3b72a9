"""uploads: model uploads started and not yet imported, so abandoned ones are swept (easel_registry.uploads)

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("touched_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_uploads_touched", "uploads", ["touched_at"])
    op.create_index("ix_uploads_tenant", "uploads", ["tenant_id"])


def downgrade() -> None:
    op.drop_table("uploads")
