"""Where webhook owners stand now, for the jobs service: it writes and sends a delivery only for an owner who still
may hear it (easel_jobs.webhooks.owners). It serves no user: NATS lets only the jobs service ask (nats_access.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from easel_auth import service
from easel_auth.models import Tenant
from easel_auth.models import User as UserRow
from easel_auth.settings import AuthSettings
from easel_common.natsio import Call, Endpoint
from easel_proto.v1 import auth


def endpoints(settings: AuthSettings, sessions: async_sessionmaker) -> list[Endpoint]:
    async def owners(req: auth.OwnersRequest, _c: Call) -> auth.OwnersReply:
        ids = sorted(set(req.user_ids))
        async with sessions.begin() as session:
            users = {u.id: u for u in (await session.execute(select(UserRow).where(UserRow.id.in_(ids)))).scalars()}
            tenants = {u.tenant_id for u in users.values()}
            disabled = set((await session.execute(select(Tenant.id).where(
                Tenant.id.in_(tenants), Tenant.disabled.is_(True)))).scalars()) if tenants else set()
            found = []
            for user_id in ids:
                user = users.get(user_id)
                if user is None:  # deleted: hears nothing
                    found.append(auth.OwnerStanding(user_id=user_id, active=False))
                    continue
                found.append(auth.OwnerStanding(
                    user_id=user.id, tenant_id=user.tenant_id,
                    active=not user.disabled and user.tenant_id not in disabled,
                    permissions=await service.permissions_of(session, roles=user.role_names)))
        return auth.OwnersReply(owners=found)

    return [Endpoint("owners", settings.names.auth_owners, auth.OwnersRequest, owners, caller=False)]
