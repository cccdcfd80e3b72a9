"""models: one owner's models of a kind have distinct names (a failed import holds none)

Existing duplicates are renamed first (the oldest keeps its name, the others become `name-2`, `name-3`, ... in the
order they were made), so the unique index never fails on an existing database.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEX = "ux_models_owner_kind_name"
COLUMNS = ["tenant_id", "owner_id", "kind", "name"]
LIVE = "status <> 'failed'"
MAX_NAME = 200


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        f"SELECT id, tenant_id, owner_id, kind, name FROM models WHERE {LIVE} ORDER BY created_at, id")).all()
    taken = {(r.tenant_id, r.owner_id, r.kind, r.name) for r in rows}
    seen: set[tuple] = set()
    for r in rows:
        key = (r.tenant_id, r.owner_id, r.kind, r.name)
        if key not in seen:
            seen.add(key)
            continue
        n = 2
        while (*key[:3], new := f"{r.name[:MAX_NAME - len(str(n)) - 1]}-{n}") in taken:
            n += 1
        taken.add((*key[:3], new))
        seen.add((*key[:3], new))
        bind.execute(sa.text("UPDATE models SET name = :name WHERE id = :id"), {"name": new, "id": r.id})
    op.create_index(INDEX, "models", COLUMNS, unique=True, postgresql_where=sa.text(LIVE),
                    sqlite_where=sa.text(LIVE))


def downgrade() -> None:
    op.drop_index(INDEX, "models")
