"""models

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "models",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("owner_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("base", sa.String(16), nullable=False),
        sa.Column("format", sa.String(16)),
        sa.Column("source", sa.String(2048), nullable=False),
        sa.Column("sha256", sa.String(64)),
        sa.Column("short_hash", sa.String(8)),
        sa.Column("size", sa.BigInteger),
        sa.Column("files", sa.JSON, nullable=False),
        sa.Column("visibility", sa.String(8), nullable=False),
        sa.Column("shared_roles", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.JSON),
        sa.Column("bytes_done", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("bytes_total", sa.BigInteger),
        sa.Column("metadata", sa.JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_models_name", "models", ["name"])
    op.create_index("ix_models_short_hash", "models", ["short_hash"])
    op.create_index("ix_models_tenant_sha", "models", ["tenant_id", "sha256"])
    op.create_index("ix_models_tenant_created", "models", ["tenant_id", "created_at"])
    op.create_index("ix_models_status_updated", "models", ["status", "updated_at"])


def downgrade() -> None:
    op.drop_table("models")
