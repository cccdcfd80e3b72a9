"""Sign-in: passwords checked within the caller's deadline, sessions with rotating refresh tokens, logout."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Mapping
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from easel_auth import attempts, passwords, service, tenants, tokens
from easel_auth.metrics import LOGINS
from easel_auth.models import RefreshToken, User
from easel_auth.settings import AuthSettings
from easel_common.natsio import DEADLINE_HEADER
from easel_proto.errors import TooManyAttempts, Unauthenticated
from easel_proto.v1 import auth
from easel_proto.wire import now

# Kept back from the caller's deadline for the database writes after the check and the reply's trip home.
_MARGIN_S = 0.5
_DELAY_PER_FAILURE_S, _MAX_DELAY_S = 0.2, 2.0


class RefreshReused(Exception):
    """A spent refresh token came back: someone else holds a copy."""

    def __init__(self, session_id: str, user_id: str) -> None:
        super().__init__(session_id)
        self.session_id, self.user_id = session_id, user_id


def deadline_of(headers: Mapping[str, str], timeout_s: float) -> float:
    """When the caller stops waiting for the answer (its Easel-Deadline, else our own request timeout from now)."""
    try:
        return float(headers[DEADLINE_HEADER])
    except (KeyError, ValueError):
        return time.time() + timeout_s


def _left(deadline: float) -> float:
    return deadline - time.time() - _MARGIN_S


async def sign_in(sessions: async_sessionmaker, settings: AuthSettings, key: str, req: auth.LoginRequest, *,
                  deadline: float) -> auth.TokenPair:
    """A token pair for the right password; else 401 (unknown users alike, in the same time), or 429 while locked
    or too busy to check it before the caller's deadline."""
    async with sessions.begin() as session:
        try:
            attempt = await attempts.reserve(session, settings, username=req.username, source=req.source)
        except TooManyAttempts:
            LOGINS.labels("locked").inc()
            raise
        user = await service.get_user_by_name(session, username=req.username)
    # checked outside any transaction, so that a burst of sign-ins holds no database connections while it waits
    try:
        ok = await passwords.verify(user.password_hash if user else None, req.password, timeout=_left(deadline))
    except TimeoutError:
        async with sessions.begin() as session:
            await attempts.give_back(session, attempt, proved=False)
        LOGINS.labels("busy").inc()
        raise TooManyAttempts("too many sign-ins at once; try again in a moment", retry_after_s=1) from None
    if ok and user is not None and not user.disabled:
        async with sessions.begin() as session:
            await attempts.give_back(session, attempt, proved=True)
            await tenants.check_active(session, tenant_id=user.tenant_id)
            pair = await start_session(session, settings, key, user)
        LOGINS.labels("ok").inc()
        return pair
    LOGINS.labels("wrong_password").inc()
    # each failure in the window costs the answer a little more time, but never an answer the caller won't hear
    await asyncio.sleep(max(0.0, min(_DELAY_PER_FAILURE_S * attempt.failures, _MAX_DELAY_S, _left(deadline))))
    raise Unauthenticated("invalid username or password")


async def start_session(session: AsyncSession, settings: AuthSettings, key: str, user: User,
                        session_id: str | None = None) -> auth.TokenPair:
    """Issue an access token and a fresh refresh token in `session_id` (a new session when None)."""
    session_id = session_id or str(uuid.uuid4())
    refresh, refresh_digest = tokens.new_refresh()
    session.add(RefreshToken(id=str(uuid.uuid4()), user_id=user.id, session_id=session_id, digest=refresh_digest,
                             created_at=now(), expires_at=now() + timedelta(seconds=settings.refresh_token_ttl_s)))
    await session.flush()
    access = tokens.issue_access(key, user_id=user.id, tenant_id=user.tenant_id, session_id=session_id,
                                 ttl_s=settings.access_token_ttl_s)
    return auth.TokenPair(access_token=access, expires_in=settings.access_token_ttl_s, refresh_token=refresh,
                          refresh_expires_in=settings.refresh_token_ttl_s, user_id=user.id, tenant_id=user.tenant_id)


async def rotate(session: AsyncSession, settings: AuthSettings, key: str,
                 refresh: str) -> tuple[auth.TokenPair, User]:
    """Trade a refresh token for a new pair; a token used twice ends its whole session (it was stolen)."""
    denied = Unauthenticated("invalid or expired refresh token")
    row = (await session.execute(select(RefreshToken).where(RefreshToken.digest == tokens.digest(refresh)))
           ).scalar_one_or_none()
    if row is None or row.revoked_at is not None or row.expires_at <= now():
        raise denied
    if row.used_at is not None:
        raise RefreshReused(row.session_id, row.user_id)
    user = await session.get(User, row.user_id)
    if user is None or user.disabled:
        raise denied
    await tenants.check_active(session, tenant_id=user.tenant_id)
    # Spent by a conditional update: of concurrent refreshes with one token exactly one matches a row; every
    # other one is a replay like any other, and ends the session.
    spent = await session.execute(update(RefreshToken).where(
        RefreshToken.id == row.id, RefreshToken.used_at.is_(None), RefreshToken.revoked_at.is_(None))
        .values(used_at=now()).execution_options(synchronize_session=False))
    if spent.rowcount != 1:
        raise RefreshReused(row.session_id, row.user_id)
    return await start_session(session, settings, key, user, row.session_id), user


async def revoke_session(session: AsyncSession, *, session_id: str) -> None:
    await session.execute(update(RefreshToken).where(RefreshToken.session_id == session_id,
                                                     RefreshToken.revoked_at.is_(None))
                          .values(revoked_at=now()).execution_options(synchronize_session=False))


async def revoke_sessions(session: AsyncSession, *, user_id: str) -> None:
    """End every session of the user (signing out everywhere)."""
    await session.execute(update(RefreshToken).where(RefreshToken.user_id == user_id,
                                                     RefreshToken.revoked_at.is_(None))
                          .values(revoked_at=now()).execution_options(synchronize_session=False))


async def session_active(session: AsyncSession, *, session_id: str) -> bool:
    """True while the session has a refresh token that is neither revoked nor expired."""
    row = (await session.execute(select(RefreshToken.id).where(
        RefreshToken.session_id == session_id, RefreshToken.revoked_at.is_(None),
        RefreshToken.expires_at > now()).limit(1))).first()
    return row is not None


async def session_of(session: AsyncSession, *, refresh: str, user_id: str) -> str | None:
    """The session a refresh token belongs to, if it is this user's."""
    row = (await session.execute(select(RefreshToken).where(RefreshToken.digest == tokens.digest(refresh)))
           ).scalar_one_or_none()
    return row.session_id if row is not None and row.user_id == user_id else None
