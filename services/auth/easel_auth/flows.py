"""Start-up flows: the admin account and its first key."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from easel_auth import keys, service, tenants
from easel_auth.models import User
from easel_auth.settings import AuthSettings
from easel_proto.errors import Conflict, InvalidInput

log = logging.getLogger(__name__)
BOOTSTRAP_KEY_NAME = "bootstrap"
PLATFORM_TENANT = "default"


def admin_key_path(settings: AuthSettings) -> Path:
    return settings.data_dir / "admin.key"


async def _platform_admin(session: AsyncSession, settings: AuthSettings) -> User:
    """The configured admin of the platform tenant, created or made platform admin again."""
    await tenants.ensure(session, tenant_id=PLATFORM_TENANT)
    admin = await service.get_user_by_name(session, username=settings.admin_username)
    if admin is not None and admin.tenant_id != PLATFORM_TENANT:
        # usernames are unique across tenants, so the platform admin cannot be created beside this user, and
        # promoting them would hand every tenant to whoever was given that name
        raise InvalidInput("EASEL_ADMIN_USERNAME", f"{settings.admin_username!r} is a user of tenant "
                           f"{admin.tenant_id!r}, not of {PLATFORM_TENANT!r}: configure another name")
    if admin is None:
        return await service.create_user(session, username=settings.admin_username, tenant_id=PLATFORM_TENANT,
                                         roles=["admin", "platform-admin"])
    if "platform-admin" not in admin.role_names:
        await service.update_user(session, user=admin, roles=[*admin.role_names, "platform-admin"])
    return admin


async def bootstrap_admin(sessions: async_sessionmaker, settings: AuthSettings) -> str | None:
    """Make sure the admin exists and can sign in; returns a newly generated key, else None."""
    wanted = settings.admin_key.get_secret_value() if settings.admin_key else None
    if wanted is not None and keys.parse(wanted) is None:
        raise InvalidInput("EASEL_ADMIN_KEY", "must look like esk_<8 hex>_<secret of 20+ chars>; "
                           "make one with `easel-auth new-key`")
    try:
        async with sessions.begin() as session:
            await service.ensure_builtin_roles(session)
            await _platform_admin(session, settings)
    except Conflict:
        log.info("another replica created the admin at the same moment; using theirs")
    async with sessions.begin() as session:
        admin = await _platform_admin(session, settings)
        existing = [k for k in await service.active_keys(session, user_id=admin.id) if k.name == BOOTSTRAP_KEY_NAME]
        if wanted is not None:
            if any(keys.matches(wanted, k.digest) for k in existing):
                return None
            if await service.get_key_by_prefix(session, prefix=keys.parse(wanted)) is not None:
                # revoked, e.g. by a password change (which revokes every key of its user): it stays revoked
                log.warning("EASEL_ADMIN_KEY was revoked; the admin signs in with their password until a new "
                            "key is configured")
                return None
            for old in existing:  # the configured key replaces any earlier bootstrap key
                await service.revoke_key(session, key=old)
            await service.create_key(session, user_id=admin.id, name=BOOTSTRAP_KEY_NAME, secret=wanted)
            return None
        if existing:
            return None
        _, secret = await service.create_key(session, user_id=admin.id, name=BOOTSTRAP_KEY_NAME)
    path = admin_key_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secret + "\n")
    print(f"Easel admin API key (shown once; also saved to {path}): {secret}", flush=True)
    return secret
