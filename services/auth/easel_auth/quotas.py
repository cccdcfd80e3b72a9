"""A user's effective quotas: their own override where set, else the most generous of their roles, where a role
that sets none grants the deployment's default (EASEL_DEFAULT_*; unset: unlimited); each capped at their tenant's
quota, where the tenant sets one. `storage_bytes` is the tenant's alone (what the whole tenant stores): users and roles
neither set nor inherit it."""

from __future__ import annotations

import logging
import math
from typing import get_args

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from easel_auth.models import Role, Tenant, User
from easel_proto.v1.common import Quotas

log = logging.getLogger(__name__)
TENANT_ONLY = ("storage_bytes",)
FIELDS = tuple(f for f in Quotas.model_fields if f not in TENANT_ONLY)  # what users and roles have
_INTEGERS = {name for name, info in Quotas.model_fields.items() if int in get_args(info.annotation)}


def _bounds(field: str) -> tuple[float, float]:
    """The range the schema gives a field."""
    meta = Quotas.model_fields[field].metadata
    return (next(m.ge for m in meta if hasattr(m, "ge")), next(m.le for m in meta if hasattr(m, "le")))


BOUNDS = {field: _bounds(field) for field in Quotas.model_fields}


def stored(raw: dict | None) -> Quotas:
    """Quotas as a row holds them, each value brought within its range: rows written before the ranges existed
    (a rate of 5e-324) must not lock their user out."""
    clean: dict[str, float | int] = {}
    for field, value in (raw or {}).items():
        if field not in BOUNDS or value is None or isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if isinstance(value, float) and math.isnan(value):
            log.warning("quota %s: ignoring a stored NaN", field)
            continue
        low, high = BOUNDS[field]
        within = min(max(value, low), high)
        clean[field] = math.ceil(within) if field in _INTEGERS else within
    return Quotas.model_validate(clean)


def _most_generous(values: list[float | int | None]) -> float | int | None:
    # a limit left unset (no default either) grants unlimited, which beats any number
    if not values or any(v is None for v in values):
        return None
    return max(values)


async def effective(session: AsyncSession, *, user: User, defaults: Quotas | None = None) -> Quotas:
    """The limits that apply to `user`; `defaults` stand in for every field neither they nor a role sets."""
    defaults = defaults or Quotas()
    rows = await session.execute(select(Role.quotas).where(Role.name.in_(user.role_names)))
    per_role = [stored(q) for q in rows.scalars()] or [Quotas()]
    override = stored(user.quotas)
    merged = {}
    for field in FIELDS:
        own, default = getattr(override, field), getattr(defaults, field)
        granted = [default if getattr(q, field) is None else getattr(q, field) for q in per_role]
        merged[field] = own if own is not None else _most_generous(granted)
    tenant = await session.get(Tenant, user.tenant_id)
    return within_tenant(Quotas(**merged), stored(tenant.quotas) if tenant is not None and tenant.quotas else None)


def within_tenant(limits: Quotas, tenant: Quotas | None) -> Quotas:
    """A user's limits capped at their tenant's: no user gets more than the whole tenant may use."""
    if tenant is None:
        return limits
    capped = {}
    for field in FIELDS:
        own, cap = getattr(limits, field), getattr(tenant, field)
        capped[field] = own if cap is None else (cap if own is None else min(own, cap))
    return Quotas(**capped)
