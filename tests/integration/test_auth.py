"""The auth service's data rules on a real database: hashed keys, bootstrap, refusals."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from easel_auth import keys, service
from easel_auth.flows import admin_key_path, bootstrap_admin
from easel_auth.main import MIGRATIONS
from easel_auth.models import ApiKey
from easel_auth.settings import AuthSettings
from easel_common import db
from easel_proto.errors import Conflict, InvalidInput, Unauthenticated
from easel_proto.wire import now


@pytest.fixture(scope="module")
async def sessions(database_url):
    engine = db.make_engine(database_url)
    await db.migrate(engine, MIGRATIONS, "alembic_version_auth")
    yield db.sessions(engine)
    await engine.dispose()


def settings(tmp_path, database_url, **kw) -> AuthSettings:
    kw.setdefault("admin_key", None)  # not the run's EASEL_ADMIN_KEY
    return AuthSettings(data_dir=tmp_path, database_url=database_url,
                        admin_username=f"admin-{uuid.uuid4().hex[:8]}", **kw)


async def verify(sessions, key):
    async with sessions.begin() as session:
        return (await service.verify_key(session, api_key=key)).user


async def test_configured_admin_key_works_and_is_stored_only_as_a_hash(sessions, tmp_path, database_url):
    key = keys.new_key()[0]
    cfg = settings(tmp_path, database_url, admin_key=key)
    assert await bootstrap_admin(sessions, cfg) is None
    assert await bootstrap_admin(sessions, cfg) is None  # a restart changes nothing
    user = await verify(sessions, key)
    assert user.username == cfg.admin_username and user.role_names == ["admin", "platform-admin"]
    async with sessions() as session:
        dump = str((await session.execute(text("SELECT * FROM api_keys"))).all())
    assert key not in dump and key.split("_", 2)[2] not in dump
    assert not admin_key_path(cfg).exists()


async def test_without_a_configured_key_one_is_generated_once_and_saved(sessions, tmp_path, database_url, capsys):
    cfg = settings(tmp_path, database_url)
    generated = await bootstrap_admin(sessions, cfg)
    assert generated and keys.parse(generated)
    assert generated in capsys.readouterr().out
    path = admin_key_path(cfg)
    assert path.read_text().strip() == generated
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert await bootstrap_admin(sessions, cfg) is None
    assert generated not in capsys.readouterr().out
    assert (await verify(sessions, generated)).username == cfg.admin_username


async def test_a_malformed_admin_key_is_refused_naming_the_setting(sessions, tmp_path, database_url):
    with pytest.raises(InvalidInput) as err:
        await bootstrap_admin(sessions, settings(tmp_path, database_url, admin_key="hunter2"))
    assert err.value.details["field"] == "EASEL_ADMIN_KEY"


async def test_a_revoked_admin_key_stays_revoked_across_restarts(sessions, tmp_path, database_url):
    key = keys.new_key()[0]
    cfg = settings(tmp_path, database_url, admin_key=key)
    await bootstrap_admin(sessions, cfg)
    async with sessions.begin() as session:  # as a password change does
        await service.revoke_keys(session, user_id=(await service.verify_key(session, api_key=key)).user_id)
    assert await bootstrap_admin(sessions, cfg) is None  # the restart neither fails nor brings the key back
    with pytest.raises(Unauthenticated):
        await verify(sessions, key)


async def test_revoked_expired_disabled_and_forged_keys_are_refused(sessions):
    async with sessions.begin() as session:
        user = await service.create_user(session, username=f"u{uuid.uuid4().hex[:8]}", tenant_id="t1",
                                         roles=["user"])
        revoked, revoked_key = await service.create_key(session, user_id=user.id, name="old")
        expired, expired_key = await service.create_key(session, user_id=user.id, name="temp")
        _, good_key = await service.create_key(session, user_id=user.id, name="good")
    assert (await verify(sessions, good_key)).id == user.id
    async with sessions.begin() as session:
        await service.revoke_key(session, key=await session.get(ApiKey, revoked.id))
        (await session.get(ApiKey, expired.id)).expires_at = now() - timedelta(seconds=1)
    prefix = keys.parse(good_key)
    forged = f"esk_{prefix}_{'A' * 43}"
    for bad in (revoked_key, expired_key, forged, "esk_nothex0_" + "a" * 30, ""):
        with pytest.raises(Unauthenticated):
            await verify(sessions, bad)
    async with sessions.begin() as session:
        (await service.get_user(session, user_id=user.id)).disabled = True
    with pytest.raises(Unauthenticated):
        await verify(sessions, good_key)


async def test_duplicate_usernames_and_unknown_roles_are_refused(sessions):
    name = f"u{uuid.uuid4().hex[:8]}"
    async with sessions.begin() as session:
        await service.create_user(session, username=name, tenant_id="t1", roles=["user"])
    with pytest.raises(Conflict):
        async with sessions.begin() as session:
            await service.create_user(session, username=name, tenant_id="t1", roles=["user"])
    with pytest.raises(InvalidInput) as err:
        async with sessions.begin() as session:
            await service.create_user(session, username=f"{name}x", tenant_id="t1", roles=["wizard"])
    assert err.value.details["field"] == "roles"
    async with sessions() as session:
        users = (await session.execute(text("SELECT username FROM users WHERE username LIKE :n"),
                                       {"n": f"{name}%"})).scalars().all()
    assert users == [name]
