"""Data functions over users, roles and keys."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from easel_auth import keys
from easel_auth.models import BUILTIN_ROLES, ApiKey, Role, User, UserRole
from easel_proto.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from easel_proto.wire import now

_TOUCH_EVERY = timedelta(minutes=1)


async def ensure_builtin_roles(session: AsyncSession) -> None:
    for name, permissions in BUILTIN_ROLES.items():
        if await session.get(Role, name) is None:
            session.add(Role(name=name, permissions=permissions, builtin=True, created_at=now()))
    await session.flush()


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


async def create_key(session: AsyncSession, *, user_id: str, name: str,
                     secret: str | None = None) -> tuple[ApiKey, str]:
    """Store a new key for the user; returns the row and the key, which is never stored."""
    await get_user(session, user_id=user_id)
    if secret is None:
        secret, prefix = keys.new_key()
    else:
        prefix = keys.parse(secret)
        if prefix is None:
            raise InvalidInput("api_key", "not an Easel API key (esk_<8 hex>_<secret>)")
    row = ApiKey(id=str(uuid.uuid4()), user_id=user_id, name=name, prefix=prefix, digest=keys.digest(secret),
                 created_at=now())
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


async def verify_key(session: AsyncSession, *, api_key: str) -> User:
    """The user a key belongs to; Unauthenticated for anything else, with one message for all causes."""
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
    return row.user
