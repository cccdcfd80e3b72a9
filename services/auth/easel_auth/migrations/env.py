from alembic import context

from easel_auth.models import Base
from easel_common.db import run_migrations_online

run_migrations_online(context, Base.metadata)
