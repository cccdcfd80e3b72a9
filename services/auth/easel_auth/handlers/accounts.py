"""Endpoints for identities: verify a credential; users, keys, roles and settings."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from nats.aio.client import Client
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from easel_auth import logins, passwords, quotas, service, tenants, tokens
from easel_auth.handlers.changes import changed, key_view, principal, role_view, user_view
from easel_auth.handlers.guards import (
    check_grantable,
    check_outranks,
    check_role_quotas,
    check_user_quotas,
    managed_user,
    role_scope,
)
from easel_auth.models import User as UserRow
from easel_auth.settings import AuthSettings
from easel_common.callers import Issuer
from easel_common.natsio import Call, Endpoint
from easel_proto.errors import Forbidden, InvalidInput, Unauthenticated
from easel_proto.permissions import ROLES_MANAGE, TENANTS_MANAGE, USERS_MANAGE, allows, require
from easel_proto.v1 import auth


async def _verify_token(session: AsyncSession, key: str, token: str) -> tuple[UserRow, str, datetime]:
    claims = tokens.read_access(key, token)
    user = await session.get(UserRow, claims["sub"])
    if user is None or user.disabled or not await logins.session_active(session, session_id=claims["sid"]):
        raise Unauthenticated("session ended: sign in again")
    return user, claims["sid"], datetime.fromtimestamp(claims["exp"], UTC)


def endpoints(settings: AuthSettings, sessions: async_sessionmaker, nc: Client, issuer: Issuer) -> list[Endpoint]:
    names, key = settings.names, tokens.signing_key(settings)

    async def verify(req: auth.VerifyKeyRequest, _c: Call) -> auth.VerifyKeyReply:
        async with sessions.begin() as session:
            if tokens.looks_like_jwt(req.api_key):
                user, session_id, valid_until = await _verify_token(session, key, req.api_key)
                who = await principal(session, user, session_id=session_id)
            else:
                row = await service.verify_key(session, api_key=req.api_key)
                user, valid_until = row.user, row.expires_at
                who = await principal(session, user, key_id=f"esk_{row.prefix}")
            await tenants.check_active(session, tenant_id=user.tenant_id)  # a disabled tenant's every credential
            settings_row = await service.get_settings(session, user_id=user.id)
            limits = await quotas.effective(session, user=user, defaults=settings.default_quotas)
        statement, statement_expires_at = issuer.issue(who, req.holder, valid_until) if req.holder else (None, None)
        return auth.VerifyKeyReply(principal=who, settings=auth.UserSettings.model_validate(settings_row),
                                   quotas=limits, valid_until=valid_until, statement=statement,
                                   statement_expires_at=statement_expires_at)

    async def create_user(req: auth.CreateUserRequest, _c: Call) -> auth.User:
        require(req.actor, USERS_MANAGE)
        if req.tenant_id not in (None, req.actor.tenant_id):
            require(req.actor, TENANTS_MANAGE)
        if req.password is not None:
            passwords.check_strength(req.password, settings.password_min_length)
        async with sessions.begin() as session:
            await tenants.check_exists(session, tenant_id=req.tenant_id or req.actor.tenant_id)
            await check_grantable(session, req.actor, req.roles, req.tenant_id or req.actor.tenant_id)
            user = await service.create_user(session, username=req.username,
                                             tenant_id=req.tenant_id or req.actor.tenant_id, roles=req.roles)
            if req.password is not None:
                new_hash = await passwords.hash_password(req.password)
                await service.set_password(session, user=user, password_hash=new_hash)
            return user_view(user)

    async def create_key(req: auth.CreateKeyRequest, _c: Call) -> auth.ApiKey:
        async with sessions.begin() as session:
            user = await managed_user(session, req.actor, req.user_id)
            await check_outranks(session, req.actor, user)
            row, secret = await service.create_key(session, user_id=user.id, name=req.name,
                                                   expires_at=req.expires_at)
            return key_view(row, secret)

    async def keys(req: auth.KeysRequest, _c: Call) -> auth.KeyList:
        async with sessions.begin() as session:
            user = await managed_user(session, req.actor, req.user_id)
            if req.key_id is None:
                return auth.KeyList(items=[key_view(k) for k in await service.list_keys(session, user_id=user.id)])
            row = await service.get_key(session, user_id=user.id, key_id=req.key_id)
            await check_outranks(session, req.actor, user)
            if row.revoked_at is None:
                await service.revoke_key(session, key=row)
            view = key_view(row)
        await changed(nc, names, [user.id], "key revoked")
        return auth.KeyList(items=[view])

    async def users(req: auth.UsersRequest, _c: Call) -> auth.UserList:
        require(req.actor, USERS_MANAGE)
        edits = req.delete or req.disabled is not None or req.roles is not None or req.quotas is not None
        async with sessions.begin() as session:
            if req.user_id is None:
                if req.tenant_id not in (None, req.actor.tenant_id):
                    require(req.actor, TENANTS_MANAGE)  # another tenant's users: the platform admin's alone
                listed = await service.list_users(session, tenant_id=req.tenant_id or req.actor.tenant_id)
                return auth.UserList(items=[user_view(u) for u in listed])
            user = await managed_user(session, req.actor, req.user_id)
            if user.id == req.actor.user_id and (req.delete or req.disabled or req.roles is not None):
                raise InvalidInput("user_id", "admins cannot disable, delete or re-role themselves")
            view = user_view(user)
            if edits:
                await check_outranks(session, req.actor, user)
            if req.delete:
                await service.delete_user(session, user=user)
            elif edits:
                if req.roles is not None:
                    await check_grantable(session, req.actor, req.roles, user.tenant_id)
                quota_patch = req.quotas.model_dump(exclude_none=True) if req.quotas is not None else None
                if quota_patch is not None:
                    await check_user_quotas(session, req.actor, user, quota_patch,
                                            defaults=settings.default_quotas)
                user = await service.update_user(session, user=user, disabled=req.disabled, roles=req.roles,
                                                 quotas=quota_patch)
                view = user_view(user)
        if edits:
            await changed(nc, names, [view.id], "deleted" if req.delete else "updated")
        return auth.UserList(items=[view])

    async def roles(req: auth.RolesRequest, _c: Call) -> auth.RoleList:
        require(req.actor, ROLES_MANAGE)
        async with sessions.begin() as session:
            if req.name is None:
                if req.tenant_id not in (None, req.actor.tenant_id):
                    require(req.actor, TENANTS_MANAGE)  # another tenant's roles: the platform admin's alone
                scope = role_scope(req.actor) if req.tenant_id is None else req.tenant_id
                listed = await service.list_roles(session, tenant_id=scope)
                return auth.RoleList(items=[role_view(r) for r in listed])
            if req.delete:
                existing = await service.visible_role(session, name=req.name, tenant_id=role_scope(req.actor))
                if existing is not None and existing.tenant_id is None:
                    require(req.actor, TENANTS_MANAGE)
                members = await service.delete_role(session, name=req.name, tenant_id=role_scope(req.actor))
                view = None
            else:
                if req.permissions is None:
                    raise InvalidInput("permissions", "required")
                quota_values = req.quotas.model_dump(exclude_none=True) if req.quotas else None
                if missing := [p for p in req.permissions if not allows(req.actor.permissions, p)]:
                    raise Forbidden(f"you cannot grant {', '.join(missing)}", permission=missing[0])
                existing = await service.visible_role(session, name=req.name, tenant_id=role_scope(req.actor))
                if existing is not None and existing.tenant_id is None:
                    require(req.actor, TENANTS_MANAGE)  # built-in and platform roles are shared by every tenant
                await check_role_quotas(session, req.actor, quota_values or {}, defaults=settings.default_quotas)
                view = role_view(await service.put_role(session, name=req.name, permissions=req.permissions,
                                                        quotas=quota_values, tenant_id=role_scope(req.actor)))
                members = await service.members_of(session, role=req.name)
        await changed(nc, names, members, "role changed")
        return auth.RoleList(items=[view] if view else [])

    async def user_settings(req: auth.SettingsRequest, _c: Call) -> auth.UserSettings:
        async with sessions.begin() as session:
            if req.patch is None:
                stored = await service.get_settings(session, user_id=req.principal.user_id)
                return auth.UserSettings.model_validate(stored)
            patch = auth.UserSettings.model_validate(req.patch).model_dump(include=set(req.patch))
            current = await service.update_settings(session, user_id=req.principal.user_id, patch=patch)
            # a user's settings travel with every verification of their credential: keep them small
            if (size := len(json.dumps(current))) > settings.max_settings_bytes:
                field = "styles" if "styles" in patch else next(iter(patch), "settings")
                raise InvalidInput(field, f"your settings would take {size} bytes; at most "
                                          f"{settings.max_settings_bytes} (shorten or remove saved styles)")
        await changed(nc, names, [req.principal.user_id], "settings")
        return auth.UserSettings.model_validate(current)

    return [
        Endpoint("verify", names.auth_verify, auth.VerifyKeyRequest, verify, caller=False),
        Endpoint("create_user", names.auth_create_user, auth.CreateUserRequest, create_user),
        Endpoint("create_key", names.auth_create_key, auth.CreateKeyRequest, create_key),
        Endpoint("keys", names.auth_keys, auth.KeysRequest, keys),
        Endpoint("users", names.auth_users, auth.UsersRequest, users),
        Endpoint("roles", names.auth_roles, auth.RolesRequest, roles),
        Endpoint("settings", names.auth_settings, auth.SettingsRequest, user_settings),
    ]
