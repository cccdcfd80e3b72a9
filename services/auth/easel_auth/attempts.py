"""Sign-in attempts per username and per source address, counted before the password is checked."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from easel_auth.models import LoginFailure
from easel_auth.settings import AuthSettings
from easel_common.db import UTCDateTime
from easel_proto.errors import TooManyAttempts
from easel_proto.wire import now

_T = LoginFailure.__table__


@dataclass(frozen=True)
class Attempt:
    """A sign-in attempt, already counted as a failure until it is given back."""

    username: str
    source: str | None
    failures: int  # the most failures in a window, this attempt included
    locked: tuple[str, ...]  # the counters this attempt locked (it reached their limit)
    until: datetime  # when those locks end


def _keys(username: str, source: str | None) -> list[str]:
    return [f"user:{username.lower()}"] + ([f"addr:{source}"] if source else [])


def _limit(settings: AuthSettings, key: str) -> int:
    # an address may serve many people (an office NAT), so it gets more room than one username
    return settings.login_max_failures * (4 if key.startswith("addr:") else 1)


def _at(moment: datetime):
    return literal(moment, UTCDateTime())


def _insert(session: AsyncSession):
    """INSERT ... ON CONFLICT, which PostgreSQL and SQLite both have, in the session's dialect."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


async def reserve(session: AsyncSession, settings: AuthSettings, *, username: str, source: str | None) -> Attempt:
    """Count an attempt before its password is checked; TooManyAttempts while the username or address is locked.

    Each counter moves in one atomic upsert, so of many simultaneous guesses only the first max_failures reach the
    (slow) password check, on every replica; the one that reaches the limit locks the counter for the rest.
    """
    current = now()
    until = current + timedelta(seconds=settings.login_lock_s)
    stale = _T.c.first_at <= current - timedelta(seconds=settings.login_window_s)
    worst, locked = 0, []
    for key in _keys(username, source):
        limit = _limit(settings, key)
        count = case((stale, 1), else_=_T.c.failures + 1)
        stmt = _insert(session)(_T).values(key=key, failures=1, first_at=current,
                                           locked_until=until if limit <= 1 else None)
        stmt = stmt.on_conflict_do_update(
            index_elements=[_T.c.key],
            set_={"failures": count, "first_at": case((stale, _at(current)), else_=_T.c.first_at),
                  "locked_until": case((count >= limit, _at(until)), else_=None)},
            where=or_(_T.c.locked_until.is_(None), _T.c.locked_until <= current),
        ).returning(_T.c.failures, _T.c.locked_until)
        row = (await session.execute(stmt)).first()
        if row is None:  # the update's condition failed: the counter is locked
            raise await _locked(session, key, current)
        worst = max(worst, row.failures)
        if row.locked_until is not None:
            locked.append(key)
    return Attempt(username, source, worst, tuple(locked), until)


async def _locked(session: AsyncSession, key: str, current: datetime) -> TooManyAttempts:
    until = (await session.execute(select(_T.c.locked_until).where(_T.c.key == key))).scalar_one()
    wait = max(1, math.ceil((until - current).total_seconds())) if until else 1
    return TooManyAttempts("too many failed sign-ins; try again later", retry_after_s=wait)


async def give_back(session: AsyncSession, attempt: Attempt, *, proved: bool) -> None:
    """Uncount an attempt that was no failure: its password was right (which also clears the username's failures),
    or it was never checked. A lock it set ends with it."""
    keys = _keys(attempt.username, attempt.source)
    if proved:
        await session.execute(delete(_T).where(_T.c.key == keys.pop(0)))
    for key in keys:  # one at a time, in the order reserve takes them, so the two never deadlock
        values = {"failures": _T.c.failures - 1}
        if key in attempt.locked:
            values["locked_until"] = case((_T.c.locked_until == _at(attempt.until), None), else_=_T.c.locked_until)
        await session.execute(update(_T).where(_T.c.key == key, _T.c.failures > 0).values(**values))
