"""Views of auth rows and the broadcast that tells every gateway a user changed."""

from __future__ import annotations

from nats.aio.client import Client
from sqlalchemy.ext.asyncio import AsyncSession

from easel_auth import quotas, service
from easel_auth.models import ApiKey as KeyRow
from easel_auth.models import Role as RoleRow
from easel_auth.models import User as UserRow
from easel_proto import Names
from easel_proto.v1 import auth, common
from easel_proto.wire import encode, now


async def principal(session: AsyncSession, user: UserRow, *, key_id: str | None = None,
                    session_id: str | None = None) -> common.Principal:
    roles = user.role_names
    return common.Principal(user_id=user.id, tenant_id=user.tenant_id, username=user.username, roles=roles,
                            permissions=await service.permissions_of(session, roles=roles), key_id=key_id,
                            session_id=session_id)


def user_view(user: UserRow) -> auth.User:
    """A user as admins read it; a quota stored out of its range (a row older than the ranges) reads as clamped,
    as it is applied, rather than failing every listing of the tenant's users."""
    return auth.User(id=user.id, username=user.username, tenant_id=user.tenant_id, roles=user.role_names,
                     disabled=user.disabled, created_at=user.created_at,
                     quotas=quotas.stored(user.quotas) if user.quotas else None)


def key_view(row: KeyRow, secret: str | None = None) -> auth.ApiKey:
    return auth.ApiKey(id=row.id, user_id=row.user_id, name=row.name, prefix=f"esk_{row.prefix}",
                       created_at=row.created_at, expires_at=row.expires_at, revoked_at=row.revoked_at,
                       last_used_at=row.last_used_at, secret=secret)


def role_view(role: RoleRow) -> auth.Role:
    return auth.Role(name=role.name, permissions=role.permissions, builtin=role.builtin,
                     quotas=quotas.stored(role.quotas))


async def changed(nc: Client, names: Names, user_ids: list[str], reason: str) -> None:
    """Every gateway drops what it cached about these users (revocation within the 2 s promise)."""
    for user_id in user_ids:
        await nc.publish(names.auth_changed(user_id),
                         encode(auth.UserChanged(user_id=user_id, reason=reason, at=now())))
