"""jobs: when a job's images and inputs were deleted under its tenant's retention

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("expired_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_jobs_tenant_finished", "jobs", ["tenant_id", "finished_at"])


def downgrade() -> None:
    op.drop_index("ix_jobs_tenant_finished", "jobs")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("expired_at")
