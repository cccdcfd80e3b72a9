"""trainings: the models kept at checkpoint steps, which their owners may register

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
    with op.batch_alter_table("trainings") as batch:
        batch.add_column(sa.Column("checkpoints", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("trainings") as batch:
        batch.drop_column("checkpoints")
