"""NATS request/reply endpoints of the auth service."""

from __future__ import annotations

from collections.abc import Mapping

from nats.aio.client import Client
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from easel_auth import quotas, service
from easel_auth.models import ApiKey as KeyRow
from easel_auth.models import User as UserRow
from easel_common.natsio import Endpoint
from easel_proto import Names
from easel_proto.errors import InvalidInput, NotFound
from easel_proto.permissions import USERS_MANAGE, allows, require
from easel_proto.v1 import auth, common
from easel_proto.wire import encode, now


async def principal(session: AsyncSession, user: UserRow, key_id: str | None = None) -> common.Principal:
    roles = user.role_names
    return common.Principal(user_id=user.id, tenant_id=user.tenant_id, username=user.username, roles=roles,
                            permissions=await service.permissions_of(session, roles=roles), key_id=key_id)


def user_view(user: UserRow) -> auth.User:
    return auth.User(id=user.id, username=user.username, tenant_id=user.tenant_id, roles=user.role_names,
                     disabled=user.disabled, created_at=user.created_at)


def key_view(row: KeyRow, secret: str | None = None) -> auth.ApiKey:
    return auth.ApiKey(id=row.id, user_id=row.user_id, name=row.name, prefix=f"esk_{row.prefix}",
                       created_at=row.created_at, expires_at=row.expires_at, revoked_at=row.revoked_at,
                       last_used_at=row.last_used_at, secret=secret)


async def _managed_user(session: AsyncSession, actor: common.Principal, user_id: str) -> UserRow:
    """The user `actor` acts on: themself, or anyone in their tenant with users:manage; else NotFound."""
    user = await session.get(UserRow, user_id)
    mine = user is not None and user.id == actor.user_id
    manageable = user is not None and user.tenant_id == actor.tenant_id and allows(actor.permissions, USERS_MANAGE)
    if not (mine or manageable):
        raise NotFound(f"user {user_id} not found")
    return user


def endpoints(names: Names, sessions: async_sessionmaker, nc: Client) -> list[Endpoint]:
    async def changed(user_id: str, reason: str) -> None:
        # every gateway drops what it cached about this user (revocation within the 2 s promise)
        await nc.publish(names.auth_changed(user_id), encode(auth.UserChanged(user_id=user_id, reason=reason,
                                                                              at=now())))

    async def verify(req: auth.VerifyKeyRequest, _h: Mapping[str, str]) -> auth.VerifyKeyReply:
        async with sessions.begin() as session:
            user = await service.verify_key(session, api_key=req.api_key)
            prefix = req.api_key.split("_")[1]
            settings = await service.get_settings(session, user_id=user.id)
            return auth.VerifyKeyReply(principal=await principal(session, user, key_id=f"esk_{prefix}"),
                                       settings=auth.UserSettings.model_validate(settings),
                                       quotas=await quotas.effective(session, user=user))

    async def create_user(req: auth.CreateUserRequest, _h: Mapping[str, str]) -> auth.User:
        require(req.actor, USERS_MANAGE)
        async with sessions.begin() as session:
            user = await service.create_user(session, username=req.username,
                                             tenant_id=req.tenant_id or req.actor.tenant_id, roles=req.roles)
            return user_view(user)

    async def create_key(req: auth.CreateKeyRequest, _h: Mapping[str, str]) -> auth.ApiKey:
        async with sessions.begin() as session:
            user = await _managed_user(session, req.actor, req.user_id)
            row, secret = await service.create_key(session, user_id=user.id, name=req.name,
                                                   expires_at=req.expires_at)
            return key_view(row, secret)

    async def keys(req: auth.KeysRequest, _h: Mapping[str, str]) -> auth.KeyList:
        async with sessions.begin() as session:
            user = await _managed_user(session, req.actor, req.user_id)
            if req.key_id is None:
                return auth.KeyList(items=[key_view(k) for k in await service.list_keys(session, user_id=user.id)])
            row = await service.get_key(session, user_id=user.id, key_id=req.key_id)
            if row.revoked_at is None:
                await service.revoke_key(session, key=row)
            view = key_view(row)
        await changed(user.id, "key revoked")
        return auth.KeyList(items=[view])

    async def users(req: auth.UsersRequest, _h: Mapping[str, str]) -> auth.UserList:
        require(req.actor, USERS_MANAGE)
        async with sessions.begin() as session:
            if req.user_id is None:
                listed = await service.list_users(session, tenant_id=req.actor.tenant_id)
                return auth.UserList(items=[user_view(u) for u in listed])
            user = await _managed_user(session, req.actor, req.user_id)
            if req.delete or req.disabled or req.roles is not None:
                if user.id == req.actor.user_id:
                    raise InvalidInput("user_id", "admins cannot disable, delete or re-role themselves")
            view = user_view(user)
            if req.delete:
                await service.delete_user(session, user=user)
            elif req.disabled is not None or req.roles is not None:
                view = user_view(await service.update_user(session, user=user, disabled=req.disabled,
                                                           roles=req.roles))
        if req.delete or req.disabled is not None or req.roles is not None:
            await changed(view.id, "deleted" if req.delete else "updated")
        return auth.UserList(items=[view])

    async def settings(req: auth.SettingsRequest, _h: Mapping[str, str]) -> auth.UserSettings:
        async with sessions.begin() as session:
            if req.patch is None:
                stored = await service.get_settings(session, user_id=req.principal.user_id)
                return auth.UserSettings.model_validate(stored)
            patch = auth.UserSettings.model_validate(req.patch).model_dump(include=set(req.patch))
            current = await service.update_settings(session, user_id=req.principal.user_id, patch=patch)
        await changed(req.principal.user_id, "settings")
        return auth.UserSettings.model_validate(current)

    return [
        Endpoint("verify", names.auth_verify, auth.VerifyKeyRequest, verify),
        Endpoint("create_user", names.auth_create_user, auth.CreateUserRequest, create_user),
        Endpoint("create_key", names.auth_create_key, auth.CreateKeyRequest, create_key),
        Endpoint("keys", names.auth_keys, auth.KeysRequest, keys),
        Endpoint("users", names.auth_users, auth.UsersRequest, users),
        Endpoint("settings", names.auth_settings, auth.SettingsRequest, settings),
    ]
