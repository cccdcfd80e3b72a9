"""Endpoints for signing in with a password: login, refresh, logout, password changes."""

from __future__ import annotations

from nats.aio.client import Client
from sqlalchemy.ext.asyncio import async_sessionmaker

from easel_auth import logins, passwords, service, tokens
from easel_auth.handlers.changes import changed
from easel_auth.handlers.guards import check_outranks, managed_user
from easel_auth.settings import AuthSettings
from easel_common.natsio import Call, Endpoint
from easel_proto.errors import Forbidden, Unauthenticated
from easel_proto.v1 import auth


def endpoints(settings: AuthSettings, sessions: async_sessionmaker, nc: Client) -> list[Endpoint]:
    names, key = settings.names, tokens.signing_key(settings)

    async def login(req: auth.LoginRequest, call: Call) -> auth.TokenPair:
        deadline = logins.deadline_of(call.headers, settings.request_timeout_s)
        return await logins.sign_in(sessions, settings, key, req, deadline=deadline)

    async def refresh(req: auth.RefreshRequest, _c: Call) -> auth.TokenPair:
        try:
            async with sessions.begin() as session:
                pair, _user = await logins.rotate(session, settings, key, req.refresh_token)
                return pair
        except logins.RefreshReused as reuse:
            # someone replayed a spent token: end the whole session, in a transaction of its own
            async with sessions.begin() as session:
                await logins.revoke_session(session, session_id=reuse.session_id)
            await changed(nc, names, [reuse.user_id], "refresh token reused")
            raise Unauthenticated("refresh token reused; the session was ended") from None

    async def logout(req: auth.LogoutRequest, _c: Call) -> auth.Empty:
        session_ids = [req.principal.session_id] if req.principal.session_id else []
        async with sessions.begin() as session:
            if req.refresh_token:
                owned = await logins.session_of(session, refresh=req.refresh_token, user_id=req.principal.user_id)
                session_ids += [owned] if owned else []
            for session_id in session_ids:
                await logins.revoke_session(session, session_id=session_id)
            if req.everywhere:
                await logins.revoke_sessions(session, user_id=req.principal.user_id)
        if session_ids or req.everywhere:
            await changed(nc, names, [req.principal.user_id], "logout")
        return auth.Empty()

    async def password(req: auth.PasswordRequest, _c: Call) -> auth.Empty:
        passwords.check_strength(req.new_password, settings.password_min_length)
        async with sessions.begin() as session:
            user = await managed_user(session, req.actor, req.user_id)
            await check_outranks(session, req.actor, user)
            if user.id == req.actor.user_id and user.password_hash is not None:
                if not await passwords.verify(user.password_hash, req.current_password or ""):
                    raise Forbidden("current_password: does not match", field="current_password")
            new_hash = await passwords.hash_password(req.new_password)
            await service.set_password(session, user=user, password_hash=new_hash)
            if settings.revoke_keys_on_password_change:  # a password that leaked may have minted keys too
                await service.revoke_keys(session, user_id=user.id)
        await changed(nc, names, [user.id], "password changed")
        return auth.Empty()

    return [
        Endpoint("login", names.auth_login, auth.LoginRequest, login, caller=False),
        Endpoint("refresh", names.auth_refresh, auth.RefreshRequest, refresh, caller=False),
        Endpoint("logout", names.auth_logout, auth.LogoutRequest, logout),
        Endpoint("password", names.auth_password, auth.PasswordRequest, password),
    ]
