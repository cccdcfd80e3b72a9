"""NATS request/reply endpoints of the auth service."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import async_sessionmaker

from easel_auth import service
from easel_auth.models import ApiKey as KeyRow
from easel_auth.models import User as UserRow
from easel_common.natsio import Endpoint
from easel_proto import Names
from easel_proto.errors import Forbidden
from easel_proto.v1 import auth, common


def principal(user: UserRow, key_id: str | None = None) -> common.Principal:
    return common.Principal(user_id=user.id, tenant_id=user.tenant_id, username=user.username,
                            roles=user.role_names, key_id=key_id)


def user_view(user: UserRow) -> auth.User:
    return auth.User(id=user.id, username=user.username, tenant_id=user.tenant_id, roles=user.role_names,
                     disabled=user.disabled, created_at=user.created_at)


def key_view(row: KeyRow, secret: str | None = None) -> auth.ApiKey:
    return auth.ApiKey(id=row.id, user_id=row.user_id, name=row.name, prefix=f"esk_{row.prefix}",
                       created_at=row.created_at, secret=secret)


def endpoints(names: Names, sessions: async_sessionmaker) -> list[Endpoint]:
    async def verify(req: auth.VerifyKeyRequest, _h: Mapping[str, str]) -> auth.VerifyKeyReply:
        async with sessions.begin() as session:
            user = await service.verify_key(session, api_key=req.api_key)
            prefix = req.api_key.split("_")[1]
            return auth.VerifyKeyReply(principal=principal(user, key_id=f"esk_{prefix}"))

    async def create_user(req: auth.CreateUserRequest, _h: Mapping[str, str]) -> auth.User:
        if "admin" not in req.actor.roles:
            raise Forbidden("only admins create users")
        async with sessions.begin() as session:
            user = await service.create_user(session, username=req.username,
                                             tenant_id=req.tenant_id or req.actor.tenant_id, roles=req.roles)
            return user_view(user)

    async def create_key(req: auth.CreateKeyRequest, _h: Mapping[str, str]) -> auth.ApiKey:
        if "admin" not in req.actor.roles and req.actor.user_id != req.user_id:
            raise Forbidden("you may only create keys for yourself")
        async with sessions.begin() as session:
            row, secret = await service.create_key(session, user_id=req.user_id, name=req.name)
            return key_view(row, secret)

    return [
        Endpoint("verify", names.auth_verify, auth.VerifyKeyRequest, verify),
        Endpoint("create_user", names.auth_create_user, auth.CreateUserRequest, create_user),
        Endpoint("create_key", names.auth_create_key, auth.CreateKeyRequest, create_key),
    ]
