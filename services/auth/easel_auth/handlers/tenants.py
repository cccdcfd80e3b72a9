"""The tenants endpoint: a platform admin (tenants:manage) lists, creates, renames, disables and deletes tenants.

Every change lands in the tenants table, then in the tenant's state in the KV bucket (the jobs service follows it:
a disabled tenant's queued jobs are not started, its quotas bound its users together), then, where it changes what
a user may do, in a UserChanged per user, so every gateway drops its cached identities of them at once.
"""

from __future__ import annotations

from nats.aio.client import Client
from nats.js.kv import KeyValue
from sqlalchemy.ext.asyncio import async_sessionmaker

from easel_auth import passwords, service, tenants
from easel_auth.handlers.changes import changed, key_view, user_view
from easel_auth.models import Tenant
from easel_auth.settings import AuthSettings
from easel_common.natsio import Call, Endpoint
from easel_common.tenants import delete_state, put_state
from easel_proto.errors import Conflict, InvalidInput
from easel_proto.permissions import TENANTS_MANAGE, require
from easel_proto.v1 import auth
from easel_proto.wire import now


def endpoints(settings: AuthSettings, sessions: async_sessionmaker, nc: Client, kv: KeyValue) -> list[Endpoint]:
    names = settings.names

    async def create(req: auth.TenantsRequest) -> auth.TenantReply:
        if not req.admin_username:
            raise InvalidInput("admin_username", "a tenant is created with its first admin: name them")
        if req.admin_password is None and not req.admin_key:
            raise InvalidInput("admin_password", "give the first admin a password, or ask for an API key (admin_key)")
        if req.admin_password is not None:
            passwords.check_strength(req.admin_password, settings.password_min_length)
        async with sessions.begin() as session:
            if await session.get(Tenant, req.tenant_id) is not None:
                raise Conflict(f"tenant {req.tenant_id} exists", field="tenant_id")
            row = Tenant(id=req.tenant_id, display_name=req.display_name or req.tenant_id, disabled=False,
                         quotas=req.quotas.model_dump(exclude_none=True) or None if req.quotas else None,
                         retention_days=req.retention_days or None, created_at=now())
            session.add(row)
            await session.flush()
            try:
                admin = await service.create_user(session, username=req.admin_username, tenant_id=row.id,
                                                  roles=["admin"])
            except Conflict as exc:
                raise Conflict(str(exc), field="admin_username") from None
            if req.admin_password is not None:
                await service.set_password(session, user=admin,
                                           password_hash=await passwords.hash_password(req.admin_password))
            key = None
            if req.admin_key:
                key_row, secret = await service.create_key(session, user_id=admin.id, name="tenant-admin")
                key = key_view(key_row, secret)
            reply = auth.TenantReply(items=[tenants.view(row, users=1)], admin=user_view(admin), admin_key=key)
            state = tenants.state(row)
        await put_state(kv, state)
        return reply

    async def update(req: auth.TenantsRequest) -> auth.TenantReply:
        if req.disabled and req.tenant_id == req.actor.tenant_id:
            raise InvalidInput("tenant_id", "you cannot disable your own tenant")
        async with sessions.begin() as session:
            row = await tenants.get(session, tenant_id=req.tenant_id)
            was = (row.disabled, row.quotas)
            if req.display_name is not None:
                row.display_name = req.display_name
            if req.disabled is not None:
                row.disabled = req.disabled
            if req.quotas is not None:
                row.quotas = req.quotas.model_dump(exclude_none=True) or None  # {} clears them
            if req.retention_days is not None:
                row.retention_days = req.retention_days or None  # 0 clears it: kept for good
            await session.flush()
            members = await tenants.user_ids(session, tenant_id=row.id) if (row.disabled, row.quotas) != was else []
            reply = auth.TenantReply(items=[tenants.view(row, users=len(await tenants.user_ids(session,
                                                                                                  tenant_id=row.id)))])
            state = tenants.state(row)
        await put_state(kv, state)
        # disabled, enabled or limited: every gateway verifies these users again before their next request
        await changed(nc, names, members, "tenant changed")
        return reply

    async def delete(req: auth.TenantsRequest) -> auth.TenantReply:
        if req.tenant_id == req.actor.tenant_id:
            raise InvalidInput("tenant_id", "you cannot delete your own tenant")
        async with sessions.begin() as session:
            row = await tenants.get(session, tenant_id=req.tenant_id)
            reply = auth.TenantReply(items=[tenants.view(row, users=0)])
            removed = await tenants.delete(session, row=row, purge=req.purge)
        await delete_state(kv, req.tenant_id)
        await changed(nc, names, removed, "tenant deleted")
        return reply

    async def handle(req: auth.TenantsRequest, _c: Call) -> auth.TenantReply:
        require(req.actor, TENANTS_MANAGE)
        if req.action == "list":
            async with sessions() as session:
                counts = await tenants.user_counts(session)
                return auth.TenantReply(items=[tenants.view(t, users=counts.get(t.id, 0))
                                               for t in await tenants.list_all(session)])
        if req.tenant_id is None:
            raise InvalidInput("tenant_id", "required")
        if req.action == "get":
            async with sessions() as session:
                row = await tenants.get(session, tenant_id=req.tenant_id)
                return auth.TenantReply(items=[tenants.view(row, users=len(await tenants.user_ids(
                    session, tenant_id=row.id)))])
        return await {"create": create, "update": update, "delete": delete}[req.action](req)

    return [Endpoint("tenants", names.auth_tenants, auth.TenantsRequest, handle)]
