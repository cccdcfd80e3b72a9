"""A user's effective quotas: their own override where set, else the most generous of their roles."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from easel_auth.models import Role, User
from easel_proto.v1.common import Quotas

FIELDS = tuple(Quotas.model_fields)


def _most_generous(values: list[float | int | None]) -> float | int | None:
    # a role without the limit grants unlimited, which beats any number
    if not values or any(v is None for v in values):
        return None
    return max(values)


async def effective(session: AsyncSession, *, user: User) -> Quotas:
    rows = await session.execute(select(Role.quotas).where(Role.name.in_(user.role_names)))
    per_role = [Quotas.model_validate(q or {}) for q in rows.scalars()]
    override = Quotas.model_validate(user.quotas or {})
    merged = {}
    for field in FIELDS:
        own = getattr(override, field)
        merged[field] = own if own is not None else _most_generous([getattr(q, field) for q in per_role])
    return Quotas(**merged)
