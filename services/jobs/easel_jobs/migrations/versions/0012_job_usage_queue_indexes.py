"""jobs: indexes for a tenant's usage (tenant, submitted) and a queued job's place in its pool (pool, status, submitted)

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # /v1/usage adds up a tenant's jobs submitted in a window (usage.py): without it, every job of every tenant
    op.create_index("ix_jobs_tenant_created", "jobs", ["tenant_id", "created_at"])
    # a queued job's queue_position counts the queued jobs of its pool submitted before it (service.queue_position);
    # the pools' demand (queued per pool, the oldest) reads the same range
    op.create_index("ix_jobs_pool_status_created", "jobs", ["pool", "status", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_jobs_pool_status_created", "jobs")
    op.drop_index("ix_jobs_tenant_created", "jobs")
