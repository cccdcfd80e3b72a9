"""Start-up flows: the admin account and its first key."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy.ext.asyncio import async_sessionmaker

from easel_auth import keys, service
from easel_auth.settings import AuthSettings
from easel_proto.errors import InvalidInput

log = logging.getLogger(__name__)
BOOTSTRAP_KEY_NAME = "bootstrap"


def admin_key_path(settings: AuthSettings) -> Path:
    return settings.data_dir / "admin.key"


async def bootstrap_admin(sessions: async_sessionmaker, settings: AuthSettings) -> str | None:
    """Make sure the admin exists and can sign in; returns a newly generated key, else None."""
    wanted = settings.admin_key.get_secret_value() if settings.admin_key else None
    if wanted is not None and keys.parse(wanted) is None:
        raise InvalidInput("EASEL_ADMIN_KEY", "must look like esk_<8 hex>_<secret of 20+ chars>; "
                           "make one with `easel-auth new-key`")
    async with sessions.begin() as session:
        await service.ensure_builtin_roles(session)
        admin = await service.get_user_by_name(session, username=settings.admin_username)
        if admin is None:
            admin = await service.create_user(session, username=settings.admin_username, tenant_id="default",
                                              roles=["admin", "platform-admin"])
        elif "platform-admin" not in admin.role_names:
            await service.update_user(session, user=admin, roles=[*admin.role_names, "platform-admin"])
        existing = [k for k in await service.active_keys(session, user_id=admin.id) if k.name == BOOTSTRAP_KEY_NAME]
        if wanted is not None:
            if any(keys.matches(wanted, k.digest) for k in existing):
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
