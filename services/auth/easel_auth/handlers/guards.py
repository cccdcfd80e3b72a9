"""Who may act on whom: within a tenant, and never through an account or a grant worth more than the actor's own."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from easel_auth import quotas, service
from easel_auth.models import User as UserRow
from easel_proto.errors import Forbidden, InvalidInput, NotFound
from easel_proto.permissions import TENANTS_MANAGE, USERS_MANAGE, allows
from easel_proto.v1 import common

QUOTA_FIELDS = quotas.FIELDS


def refuse_tenant_only(patch: dict) -> None:
    """A user's or role's quotas cannot hold a tenant-wide-only limit (422 naming it)."""
    for field in quotas.TENANT_ONLY:
        if patch.get(field) is not None:
            raise InvalidInput(f"quotas.{field}", "a tenant-wide limit only: a platform admin sets it on the tenant "
                                                  "(PATCH /v1/tenants/{id})")


async def managed_user(session: AsyncSession, actor: common.Principal, user_id: str) -> UserRow:
    """The user `actor` acts on: themself, anyone in their tenant with users:manage, anyone with
    tenants:manage; else NotFound."""
    user = await session.get(UserRow, user_id)
    mine = user is not None and user.id == actor.user_id
    same_tenant = user is not None and user.tenant_id == actor.tenant_id
    manageable = user is not None and (
        (same_tenant and allows(actor.permissions, USERS_MANAGE)) or allows(actor.permissions, TENANTS_MANAGE))
    if not (mine or manageable):
        raise NotFound(f"user {user_id} not found")
    return user


async def check_outranks(session: AsyncSession, actor: common.Principal, user: UserRow) -> None:
    """Changing someone else (keys, password, roles, quotas, disabling, deleting) needs every permission they hold:
    otherwise a lesser admin could take over a greater one's account, e.g. by minting a key for it."""
    if user.id == actor.user_id or allows(actor.permissions, TENANTS_MANAGE):
        return  # yourself, or the platform admin, who holds everything
    held = await service.permissions_of(session, roles=user.role_names)
    if missing := [p for p in held if not allows(actor.permissions, p)]:
        raise Forbidden(f"user {user.id} holds {', '.join(missing)}, which you do not have", permission=missing[0])


def role_scope(actor: common.Principal) -> str | None:
    """Whose custom roles the actor works with: their tenant's, or every tenant's for a platform admin."""
    return None if allows(actor.permissions, TENANTS_MANAGE) else actor.tenant_id


async def check_grantable(session: AsyncSession, actor: common.Principal, roles: list[str], tenant_id: str) -> None:
    """No one hands out a role of another tenant, or one granting more than they hold themselves."""
    for name in roles:
        role = await service.visible_role(session, name=name, tenant_id=tenant_id)
        if role is None:
            raise InvalidInput("roles", f"unknown role {name!r}")
        if missing := [p for p in role.permissions if not allows(actor.permissions, p)]:
            raise Forbidden(f"role {name!r} grants {', '.join(missing)}, which you do not have",
                            permission=missing[0])


async def check_user_quotas(session: AsyncSession, actor: common.Principal, user: UserRow, patch: dict, *,
                            defaults: common.Quotas) -> None:
    """A tenant admin never sets their own quotas, and sets no one's above their own."""
    refuse_tenant_only(patch)
    if allows(actor.permissions, TENANTS_MANAGE):
        return
    if user.id == actor.user_id:
        raise Forbidden("only a platform admin changes your own quotas", permission=TENANTS_MANAGE, field="quotas")
    # a field the override leaves out falls back to the roles' quotas, which are capped when they are set
    await check_within_own_quotas(session, actor, patch, defaults=defaults)


async def check_role_quotas(session: AsyncSession, actor: common.Principal, values: dict, *,
                            defaults: common.Quotas) -> None:
    """A tenant admin's custom role grants no quota above their own; a field it leaves out grants the default."""
    refuse_tenant_only(values)
    granted = {field: values.get(field, getattr(defaults, field)) for field in QUOTA_FIELDS}
    await check_within_own_quotas(session, actor, granted, defaults=defaults)


async def check_within_own_quotas(session: AsyncSession, actor: common.Principal, granted: dict, *,
                                  defaults: common.Quotas) -> None:
    """No quota in `granted` (None: unlimited, the most generous) is above the actor's own for that field, so a
    tenant admin cannot raise their tenant's limits; a platform admin grants any."""
    if allows(actor.permissions, TENANTS_MANAGE):
        return
    me = await session.get(UserRow, actor.user_id)
    if me is None:
        raise Forbidden("your account no longer exists", permission=TENANTS_MANAGE)
    own = await quotas.effective(session, user=me, defaults=defaults)
    for field, value in granted.items():
        cap = getattr(own, field)
        if cap is not None and (value is None or value > cap):
            wanted = "unlimited" if value is None else value
            raise Forbidden(f"quotas.{field}: {wanted} is more than your own limit of {cap}",
                            permission=TENANTS_MANAGE, field=f"quotas.{field}", allowed=cap)
