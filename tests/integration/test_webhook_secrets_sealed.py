"""Webhook secrets of an earlier version, stored as they were, are sealed by migration 0013; the migration refuses to
run without the key while plain secrets remain; after a key rotation a start seals every secret under the new key."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from easel_common import db
from easel_jobs.main import MIGRATIONS
from easel_jobs.webhooks.sealed import CALLBACKS, ENDPOINTS, SecretBox, is_sealed, reseal
from helpers import cluster_database

VERSIONS = "alembic_version_jobs"
OLD_KEY, NEW_KEY = "k" * 40, "n" * 40
PLAIN, PREVIOUS, CALLBACK = ("whsec_" + c * 32 for c in "ABC")
ENDPOINT_ROWS = sa.table("webhook_endpoints", *(sa.column(c) for c in (
    "id", "user_id", "tenant_id", "scope", "url", "description", "enabled", "secret", "previous_secret",
    "created_at")), sa.column("events", sa.JSON))
CALLBACK_ROWS = sa.table("webhook_callback_secrets", *(sa.column(c) for c in ("user_id", "secret", "created_at")))


def _upgrade_to(conn, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes.update(connection=conn, version_table=VERSIONS)
    command.upgrade(cfg, revision)


async def _stored(engine) -> dict[str, str | None]:
    async with engine.connect() as conn:
        endpoint = (await conn.execute(sa.text("SELECT secret, previous_secret FROM webhook_endpoints"))).one()
        callback = (await conn.execute(sa.text("SELECT secret FROM webhook_callback_secrets"))).scalar_one()
    return {"secret": endpoint[0], "previous_secret": endpoint[1], "callback": callback}


async def test_plain_secrets_are_sealed_by_the_migration_and_again_after_a_key_rotation(database_url, tmp_path):
    async with cluster_database(database_url, tmp_path / "db") as url:
        engine = db.make_engine(url)
        try:
            async with engine.begin() as conn:
                await conn.run_sync(_upgrade_to, "0012")
                at = datetime.now(UTC)
                await conn.execute(sa.insert(ENDPOINT_ROWS).values(
                    id="e1", user_id="u1", tenant_id="t1", scope="user", url="https://example.com/h", events=[],
                    description="", enabled=True, secret=PLAIN, previous_secret=PREVIOUS, created_at=at))
                await conn.execute(sa.insert(CALLBACK_ROWS).values(user_id="u1", secret=CALLBACK, created_at=at))
            with pytest.raises(RuntimeError, match="EASEL_WEBHOOK_SECRET_KEY"):  # never leaves them plain
                await db.migrate(engine, MIGRATIONS, VERSIONS)

            old = SecretBox(OLD_KEY)
            await db.migrate(engine, MIGRATIONS, VERSIONS, webhook_secrets=old)
            stored = await _stored(engine)
            assert all(is_sealed(v) for v in stored.values()), stored
            assert not any(p.removeprefix("whsec_") in v for p in (PLAIN, PREVIOUS, CALLBACK) for v in stored.values())
            assert old.open(ENDPOINTS, "e1", stored["secret"]) == PLAIN
            assert old.open(ENDPOINTS, "e1", stored["previous_secret"]) == PREVIOUS
            assert old.open(CALLBACKS, "u1", stored["callback"]) == CALLBACK

            rotated = SecretBox(NEW_KEY, [OLD_KEY])  # the new key, the old one kept for this start
            async with engine.begin() as conn:
                assert await conn.run_sync(reseal, rotated) == 2
                assert await conn.run_sync(reseal, rotated) == 0  # nothing left under the old key
            resealed, new_only = await _stored(engine), SecretBox(NEW_KEY)
            assert new_only.open(ENDPOINTS, "e1", resealed["secret"]) == PLAIN
            assert new_only.open(ENDPOINTS, "e1", resealed["previous_secret"]) == PREVIOUS
            assert new_only.open(CALLBACKS, "u1", resealed["callback"]) == CALLBACK
        finally:
            await engine.dispose()
