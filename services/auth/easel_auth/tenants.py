"""Data functions over tenants: the rows, the checks other flows make against them, and their state on NATS.

A tenant's quotas bound every user in it: `quotas.effective` caps each user's limits at the tenant's, and the jobs
service (which reads the state from the KV bucket, easel_common.tenants) keeps the tenant's users together within
them. A disabled tenant's users cannot sign in or use their keys and tokens (verify refuses them).
"""

from __future__ import annotations

from nats.js.kv import KeyValue
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from easel_auth.models import Role, Tenant, User
from easel_auth.quotas import stored
from easel_common.tenants import put_state
from easel_proto.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from easel_proto.v1 import auth
from easel_proto.wire import now


def view(row: Tenant, users: int | None = None) -> auth.Tenant:
    return auth.Tenant(id=row.id, display_name=row.display_name, disabled=row.disabled,
                       quotas=stored(row.quotas) if row.quotas else None, retention_days=row.retention_days,
                       created_at=row.created_at, users=users)


def state(row: Tenant) -> auth.TenantState:
    return auth.TenantState(tenant_id=row.id, disabled=row.disabled,
                            quotas=stored(row.quotas) if row.quotas else None, retention_days=row.retention_days)


async def get(session: AsyncSession, *, tenant_id: str) -> Tenant:
    row = await session.get(Tenant, tenant_id)
    if row is None:
        raise NotFound(f"tenant {tenant_id} not found")
    return row


async def ensure(session: AsyncSession, *, tenant_id: str) -> Tenant:
    """The tenant's row, made when missing (the platform admin's tenant, at bootstrap)."""
    row = await session.get(Tenant, tenant_id)
    if row is None:
        row = Tenant(id=tenant_id, display_name=tenant_id, disabled=False, created_at=now())
        session.add(row)
        await session.flush()
    return row


async def check_exists(session: AsyncSession, *, tenant_id: str) -> None:
    """A user may be created only in a tenant that exists (422 naming tenant_id)."""
    if await session.get(Tenant, tenant_id) is None:
        raise InvalidInput("tenant_id", f"tenant {tenant_id!r} does not exist: a platform admin creates it first "
                                        "(POST /v1/tenants)")


async def check_active(session: AsyncSession, *, tenant_id: str) -> None:
    """A disabled tenant's users are refused as a revoked credential is."""
    row = await session.get(Tenant, tenant_id)
    if row is not None and row.disabled:
        raise Unauthenticated(f"tenant {tenant_id} is disabled")


async def quotas_of(session: AsyncSession, *, tenant_id: str) -> dict | None:
    row = await session.get(Tenant, tenant_id)
    return row.quotas if row is not None else None


async def user_counts(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(User.tenant_id, func.count()).group_by(User.tenant_id))
    return {tenant_id: count for tenant_id, count in rows.all()}


async def list_all(session: AsyncSession) -> list[Tenant]:
    return list((await session.execute(select(Tenant).order_by(Tenant.id))).scalars())


async def user_ids(session: AsyncSession, *, tenant_id: str) -> list[str]:
    return list((await session.execute(select(User.id).where(User.tenant_id == tenant_id))).scalars())


async def delete(session: AsyncSession, *, row: Tenant, purge: bool) -> list[str]:
    """Remove the tenant; with `purge` its users (their keys, sessions and settings with them) and custom roles
    too. Returns the ids of the users removed."""
    users = list((await session.execute(select(User).where(User.tenant_id == row.id))).scalars())
    if users and not purge:
        raise Conflict(f"tenant {row.id} still has {len(users)} user(s): delete them, or delete with purge=true",
                       field="tenant_id", remaining={"users": len(users)})
    for user in users:
        await session.delete(user)
    for role in (await session.execute(select(Role).where(Role.tenant_id == row.id))).scalars():
        await session.delete(role)
    await session.delete(row)
    await session.flush()
    return [u.id for u in users]


async def publish_all(sessions: async_sessionmaker, kv: KeyValue) -> None:
    """Every tenant's state into the bucket (at start: the bucket never lags the table past a restart)."""
    async with sessions() as session:
        rows = await list_all(session)
    for row in rows:
        await put_state(kv, state(row))
