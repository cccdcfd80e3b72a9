"""images per job, for the daily image quota; an index for counting a user's active jobs

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
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("images", sa.Integer, nullable=False, server_default="0"))
    # one image key per image; json_array_length has the same name on PostgreSQL (json) and SQLite
    op.execute("UPDATE jobs SET images = json_array_length(image_keys)")
    op.create_index("ix_jobs_user_status", "jobs", ["user_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_jobs_user_status", "jobs")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("images")
