"""Sign-in: brute-force slowing and locking, sessions with rotating refresh tokens, logout."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from easel_auth import passwords, service, tokens
from easel_auth.models import LoginFailure, RefreshToken, User
from easel_auth.settings import AuthSettings
from easel_proto.errors import TooManyAttempts, Unauthenticated
from easel_proto.v1 import auth
from easel_proto.wire import now


class RefreshReused(Exception):
    """A spent refresh token came back: someone else holds a copy."""

    def __init__(self, session_id: str, user_id: str) -> None:
        super().__init__(session_id)
        self.session_id, self.user_id = session_id, user_id


def _keys(username: str, source: str | None) -> list[str]:
    keys = [f"user:{username.lower()}"]
    if source:
        keys.append(f"addr:{source}")
    return keys


async def check_lock(session: AsyncSession, *, username: str, source: str | None) -> None:
    """Refuse while the username or the address is locked."""
    current = now()
    for key in _keys(username, source):
        row = await session.get(LoginFailure, key)
        if row is not None and row.locked_until is not None and row.locked_until > current:
            wait = int((row.locked_until - current).total_seconds()) + 1
            raise TooManyAttempts("too many failed sign-ins; try again later", retry_after_s=wait)


async def record_failure(session: AsyncSession, settings: AuthSettings, *, username: str,
                         source: str | None) -> int:
    """Count a failure against the username and the address; lock them past the limit. Returns the count."""
    current, window = now(), timedelta(seconds=settings.login_window_s)
    worst = 0
    for key in _keys(username, source):
        row = await session.get(LoginFailure, key)
        if row is None or current - row.first_at > window:
            if row is None:
                row = LoginFailure(key=key, failures=0, first_at=current)
                session.add(row)
            row.failures, row.first_at, row.locked_until = 0, current, None
        row.failures += 1
        # an address may serve many people (an office NAT), so it gets more room than one username
        limit = settings.login_max_failures * (4 if key.startswith("addr:") else 1)
        if row.failures >= limit:
            row.locked_until = current + timedelta(seconds=settings.login_lock_s)
        worst = max(worst, row.failures)
    await session.flush()
    return worst


async def clear_failures(session: AsyncSession, *, username: str) -> None:
    row = await session.get(LoginFailure, f"user:{username.lower()}")
    if row is not None:
        await session.delete(row)


async def authenticate(session: AsyncSession, req: auth.LoginRequest) -> User | None:
    """The user for a username and password, or None (the same for unknown users, in the same time)."""
    await check_lock(session, username=req.username, source=req.source)
    user = await service.get_user_by_name(session, username=req.username)
    ok = await passwords.verify(user.password_hash if user else None, req.password)
    if not ok or user is None or user.disabled:
        return None  # the caller records the failure in its own transaction
    await clear_failures(session, username=req.username)
    return user


async def slow_down(failures: int) -> None:
    # each failure in the window costs the next answer a little more time
    await asyncio.sleep(min(0.2 * failures, 2.0))


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
    row.used_at = now()
    return await start_session(session, settings, key, user, row.session_id), user


async def revoke_session(session: AsyncSession, *, session_id: str) -> None:
    await session.execute(update(RefreshToken).where(RefreshToken.session_id == session_id,
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
