"""Data functions over users, roles and keys."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from easel_auth import keys
from easel_auth.models import BUILTIN_ROLES, ApiKey, RefreshToken, Role, User, UserRole, UserSettings
from easel_proto.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from easel_proto.permissions import valid as valid_permission
from easel_proto.wire import now

_TOUCH_EVERY = timedelta(minutes=1)


async def ensure_builtin_roles(session: AsyncSession) -> None:
    """Built-in roles exist and carry the permissions this release gives them."""
    for name, permissions in BUILTIN_ROLES.items():
        role = await session.get(Role, name)
        if role is None:
            session.add(Role(name=name, permissions=permissions, builtin=True, created_at=now()))
        elif role.permissions != permissions:
            role.permissions = permissions
    await session.flush()


async def permissions_of(session: AsyncSession, *, roles: list[str]) -> list[str]:
    """The union of the roles' permissions."""
    rows = await session.execute(select(Role.permissions).where(Role.name.in_(roles)))
    return sorted({p for perms in rows.scalars() for p in perms})


async def get_user(session: AsyncSession, *, user_id: str) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


async def get_user_by_name(session: AsyncSession, *, username: str) -> User | None:
    return (await session.execute(select(User).where(User.username == username))).scalar_one_or_none()


async def create_user(session: AsyncSession, *, username: str, tenant_id: str, roles: list[str]) -> User:
    known = set((await session.execute(select(Role.name).where(Role.name.in_(roles)))).scalars())
    missing = sorted(set(roles) - known)
    if missing:
        raise InvalidInput("roles", f"unknown role(s): {', '.join(missing)}")
    if await get_user_by_name(session, username=username) is not None:
        raise Conflict(f"username {username!r} is taken", field="username")
    user = User(id=str(uuid.uuid4()), tenant_id=tenant_id, username=username, disabled=False, created_at=now(),
                roles=[UserRole(role_name=r) for r in sorted(set(roles))])
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent create won the race
        raise Conflict(f"username {username!r} is taken", field="username") from exc
    return user


async def create_key(session: AsyncSession, *, user_id: str, name: str, secret: str | None = None,
                     expires_at: datetime | None = None) -> tuple[ApiKey, str]:
    """Store a new key for the user; returns the row and the key, which is never stored."""
    await get_user(session, user_id=user_id)
    if secret is None:
        secret, prefix = keys.new_key()
    else:
        prefix = keys.parse(secret)
        if prefix is None:
            raise InvalidInput("api_key", "not an Easel API key (esk_<8 hex>_<secret>)")
    if expires_at is not None and expires_at <= now():
        raise InvalidInput("expires_at", "must be in the future")
    row = ApiKey(id=str(uuid.uuid4()), user_id=user_id, name=name, prefix=prefix, digest=keys.digest(secret),
                 created_at=now(), expires_at=expires_at)
    session.add(row)
    await session.flush()
    return row, secret


async def get_key_by_prefix(session: AsyncSession, *, prefix: str) -> ApiKey | None:
    return (await session.execute(select(ApiKey).where(ApiKey.prefix == prefix))).scalar_one_or_none()


async def active_keys(session: AsyncSession, *, user_id: str) -> list[ApiKey]:
    rows = await session.execute(select(ApiKey).where(ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None)))
    return list(rows.scalars())


async def revoke_key(session: AsyncSession, *, key: ApiKey) -> None:
    key.revoked_at = now()
    await session.flush()


async def revoke_keys(session: AsyncSession, *, user_id: str) -> int:
    """Revoke every working key of the user at once; returns how many."""
    result = await session.execute(update(ApiKey).where(ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None))
                                   .values(revoked_at=now()).execution_options(synchronize_session=False))
    return result.rowcount


async def verify_key(session: AsyncSession, *, api_key: str) -> ApiKey:
    """The key row (with its user) for a working key; Unauthenticated for anything else, one message for all."""
    denied = Unauthenticated("invalid or revoked API key")
    prefix = keys.parse(api_key)
    row = await get_key_by_prefix(session, prefix=prefix) if prefix else None
    if row is None or not keys.matches(api_key, row.digest):
        raise denied
    current = now()
    if row.revoked_at is not None or (row.expires_at and row.expires_at <= current) or row.user.disabled:
        raise denied
    if row.last_used_at is None or current - row.last_used_at > _TOUCH_EVERY:
        row.last_used_at = current
    return row


async def list_keys(session: AsyncSession, *, user_id: str) -> list[ApiKey]:
    rows = await session.execute(select(ApiKey).where(ApiKey.user_id == user_id).order_by(ApiKey.created_at))
    return list(rows.scalars())


async def get_key(session: AsyncSession, *, user_id: str, key_id: str) -> ApiKey:
    """One of the user's keys; someone else's key is NotFound."""
    row = await session.get(ApiKey, key_id)
    if row is None or row.user_id != user_id:
        raise NotFound(f"key {key_id} not found")
    return row


async def list_users(session: AsyncSession, *, tenant_id: str | None = None) -> list[User]:
    stmt = select(User).order_by(User.created_at)
    if tenant_id is not None:
        stmt = stmt.where(User.tenant_id == tenant_id)
    return list((await session.execute(stmt)).scalars())


async def update_user(session: AsyncSession, *, user: User, disabled: bool | None = None,
                      roles: list[str] | None = None, quotas: dict | None = None) -> User:
    if disabled is not None:
        user.disabled = disabled
    if quotas is not None:
        user.quotas = quotas or None  # {} clears the override
    if roles is not None:
        known = set((await session.execute(select(Role.name).where(Role.name.in_(roles)))).scalars())
        if missing := sorted(set(roles) - known):
            raise InvalidInput("roles", f"unknown role(s): {', '.join(missing)}")
        user.roles = [UserRole(role_name=r) for r in sorted(set(roles))]
    await session.flush()
    return user


async def delete_user(session: AsyncSession, *, user: User) -> None:
    await session.delete(user)
    await session.flush()


async def get_settings(session: AsyncSession, *, user_id: str) -> dict:
    row = await session.get(UserSettings, user_id)
    return dict(row.settings) if row else {}


async def update_settings(session: AsyncSession, *, user_id: str, patch: dict) -> dict:
    """Apply a partial update: a field set to null goes back to the server default."""
    row = await session.get(UserSettings, user_id)
    current = dict(row.settings) if row else {}
    current.update(patch)
    current = {k: v for k, v in current.items() if v is not None}
    if row is None:
        session.add(UserSettings(user_id=user_id, settings=current, updated_at=now()))
    else:
        row.settings, row.updated_at = current, now()
    await session.flush()
    return current


async def list_roles(session: AsyncSession, *, tenant_id: str | None) -> list[Role]:
    """Built-in roles and the tenant's own (every tenant's when tenant_id is None)."""
    stmt = select(Role).order_by(Role.name)
    if tenant_id is not None:
        stmt = stmt.where(or_(Role.tenant_id.is_(None), Role.tenant_id == tenant_id))
    return list((await session.execute(stmt)).scalars())


async def visible_role(session: AsyncSession, *, name: str, tenant_id: str | None) -> Role | None:
    """A role the tenant may see (built in or its own); another tenant's role is None."""
    role = await session.get(Role, name)
    if role is None or (tenant_id is not None and role.tenant_id not in (None, tenant_id)):
        return None
    return role


async def put_role(session: AsyncSession, *, name: str, permissions: list[str], quotas: dict | None,
                   tenant_id: str | None) -> Role:
    """Create or replace a tenant's custom role; a built-in role keeps its permissions, only its quotas change."""
    if unknown := [p for p in permissions if not valid_permission(p)]:
        raise InvalidInput("permissions", f"unknown permission(s): {', '.join(unknown)}")
    role = await session.get(Role, name)
    if role is not None and role.tenant_id not in (None, tenant_id) and tenant_id is not None:
        raise Conflict(f"role name {name!r} is taken", field="name")
    if role is not None and role.builtin:
        if sorted(set(permissions)) != sorted(role.permissions):
            raise Conflict(f"role {name!r} is built in: its permissions cannot change", field="permissions")
        role.quotas = quotas
        await session.flush()
        return role
    if role is None:
        role = Role(name=name, builtin=False, tenant_id=tenant_id, created_at=now())
        session.add(role)
    role.permissions, role.quotas = sorted(set(permissions)), quotas
    await session.flush()
    return role


async def delete_role(session: AsyncSession, *, name: str, tenant_id: str | None) -> list[str]:
    """Delete a custom role; returns the ids of the users who had it."""
    role = await visible_role(session, name=name, tenant_id=tenant_id)
    if role is None:
        raise NotFound(f"role {name!r} not found")
    if role.builtin:
        raise Conflict(f"role {name!r} is built in and cannot be deleted", field="name")
    members = list((await session.execute(select(UserRole.user_id).where(UserRole.role_name == name))).scalars())
    await session.delete(role)
    await session.flush()
    return members


async def members_of(session: AsyncSession, *, role: str) -> list[str]:
    return list((await session.execute(select(UserRole.user_id).where(UserRole.role_name == role))).scalars())


async def set_password(session: AsyncSession, *, user: User, password_hash: str) -> None:
    user.password_hash = password_hash
    await session.execute(update(RefreshToken).where(RefreshToken.user_id == user.id,
                                                     RefreshToken.revoked_at.is_(None))
                          .values(revoked_at=now()).execution_options(synchronize_session=False))
    await session.flush()
