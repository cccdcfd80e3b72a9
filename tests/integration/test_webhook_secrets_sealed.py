"""Webhook secrets of an earlier version, stored as they were, are sealed by migration 0013; the migration refuses to
run without the key while plain secrets remain; after a key rotation a start seals every secret under the new key,
and one sealed under a key left out of the settings is left as it is and counted, not a reason to stop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from easel_common import db
from easel_jobs.main import MIGRATIONS
from easel_jobs.webhooks.sealed import CALLBACKS, ENDPOINTS, SecretBox, Unopened, is_sealed, reseal, unopenable
from helpers import cluster_database

VERSIONS = "alembic_version_jobs"
OLD_KEY, NEW_KEY, LOST_KEY = "k" * 40, "n" * 40, "l" * 40
PLAIN, PREVIOUS, CALLBACK = ("whsec_" + c * 32 for c in "ABC")
ENDPOINT_ROWS = sa.table("webhook_endpoints", *(sa.column(c) for c in (
    "id", "user_id", "tenant_id", "scope", "url", "description", "enabled", "secret", "previous_secret",
    "previous_secret_until", "created_at")), sa.column("events", sa.JSON))
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


def _endpoint(row_id: str, secret: str, previous: str | None = None, until: datetime | None = None) -> dict:
    return dict(id=row_id, user_id="u1", tenant_id="t1", scope="user", url="https://example.com/h", events=[],
                description="", enabled=True, secret=secret, previous_secret=previous, previous_secret_until=until,
                created_at=datetime.now(UTC))


async def test_a_start_leaves_secrets_under_a_key_no_longer_configured_counts_them_and_seals_the_rest(database_url,
                                                                                                      tmp_path):
    old, lost = SecretBox(OLD_KEY), SecretBox(LOST_KEY)  # `lost`: rotated away without being listed as an old key
    rotated = SecretBox(NEW_KEY, [OLD_KEY])
    at = datetime.now(UTC)
    async with cluster_database(database_url, tmp_path / "db") as url:
        engine = db.make_engine(url)
        try:
            await db.migrate(engine, MIGRATIONS, VERSIONS, webhook_secrets=old)
            async with engine.begin() as conn:
                await conn.execute(sa.insert(ENDPOINT_ROWS), [
                    _endpoint("lost", lost.seal(ENDPOINTS, "lost", PLAIN)),
                    _endpoint("kept", old.seal(ENDPOINTS, "kept", PLAIN)),
                    # a rotated-out secret under the lost key: it counts while it still signs, not after
                    _endpoint("overlap", old.seal(ENDPOINTS, "overlap", PLAIN),
                              lost.seal(ENDPOINTS, "overlap", PREVIOUS), at + timedelta(hours=1)),
                    _endpoint("ended", old.seal(ENDPOINTS, "ended", PLAIN),
                              lost.seal(ENDPOINTS, "ended", PREVIOUS), at - timedelta(hours=1))])
                await conn.execute(sa.insert(CALLBACK_ROWS).values(
                    user_id="u1", secret=lost.seal(CALLBACKS, "u1", CALLBACK), created_at=at))
            with pytest.raises(ValueError, match=f"sealed under key {lost.current}, which is not configured"):
                async with engine.begin() as conn:  # migration 0013's way: nothing is left behind unsaid
                    await conn.run_sync(reseal, rotated)

            unopened = Unopened()
            async with engine.begin() as conn:
                assert await conn.run_sync(reseal, rotated, unopened) == 3  # kept, overlap's and ended's secrets
            assert unopened.rows == {ENDPOINTS: {"lost", "overlap"}, CALLBACKS: {"u1"}}
            assert unopened.key_ids == {lost.current}
            said = unopened.summary(rotated)
            assert "2 endpoint(s) and 1 callback secret(s)" in said and lost.current in said
            assert "EASEL_WEBHOOK_SECRET_OLD_KEYS" in said
            assert not any(p.removeprefix("whsec_") in said for p in (PLAIN, PREVIOUS, CALLBACK))

            async with engine.connect() as conn:
                rows = {r.id: r for r in (await conn.execute(sa.text(
                    "SELECT id, secret, previous_secret FROM webhook_endpoints"))).all()}
                again = await conn.run_sync(unopenable, rotated)
            new_only = SecretBox(NEW_KEY)
            assert new_only.open(ENDPOINTS, "kept", rows["kept"].secret) == PLAIN
            assert new_only.open(ENDPOINTS, "overlap", rows["overlap"].secret) == PLAIN
            assert lost.open(ENDPOINTS, "lost", rows["lost"].secret) == PLAIN  # as it was: the key may come back
            assert lost.open(ENDPOINTS, "overlap", rows["overlap"].previous_secret) == PREVIOUS
            assert again.rows == unopened.rows  # counted again without writing: the same

            with_lost = SecretBox(NEW_KEY, [LOST_KEY])  # the key configured after all: the next start seals them
            unopened = Unopened()
            async with engine.begin() as conn:
                assert await conn.run_sync(reseal, with_lost, unopened) == 4
            assert not unopened
        finally:
            await engine.dispose()
