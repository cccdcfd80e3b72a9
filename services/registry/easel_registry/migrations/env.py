from alembic import context

from easel_common.db import run_migrations_online
from easel_registry.models import Base

run_migrations_online(context, Base.metadata)
