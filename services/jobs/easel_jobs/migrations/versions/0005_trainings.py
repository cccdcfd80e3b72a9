"""trainings: fine-tuning runs, their leases, progress and results

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "trainings",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("username", sa.String(200), nullable=False),
        sa.Column("pool", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("base_model_id", sa.String(64), nullable=False),
        sa.Column("dataset_id", sa.String(64), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("idempotency_key", sa.String(255)),
        sa.Column("lease", sa.String(64)),
        sa.Column("launcher", sa.String(16)),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("step", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("total_steps", sa.Integer()),
        sa.Column("samples", sa.JSON(), nullable=False),
        sa.Column("artefact", sa.JSON()),
        sa.Column("model_id", sa.String(64)),
        sa.Column("error", sa.JSON()),
        sa.Column("gpu_s", sa.Float(), nullable=False, server_default="0"),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("started_at", TS),
        sa.Column("running_at", TS),
        sa.Column("finished_at", TS),
        sa.UniqueConstraint("user_id", "idempotency_key", name="uq_trainings_user_idempotency"),
    )
    op.create_index("ix_trainings_user_created", "trainings", ["user_id", "created_at"])
    op.create_index("ix_trainings_tenant_created", "trainings", ["tenant_id", "created_at"])
    op.create_index("ix_trainings_status_created", "trainings", ["status", "created_at"])


def downgrade() -> None:
    op.drop_table("trainings")
