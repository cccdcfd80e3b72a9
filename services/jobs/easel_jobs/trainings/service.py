"""Data functions over training rows; every status change is a guarded update, so replays and races are harmless."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from easel_jobs.trainings.models import ACTIVE, LAUNCHED, Training
from easel_proto.errors import InvalidInput, NotFound
from easel_proto.naming import lease_digest
from easel_proto.v1 import common
from easel_proto.wire import now


async def get(session: AsyncSession, *, training_id: str, owner: common.Principal | None = None,
              any_owner: bool = False) -> Training:
    """A training; with `owner`, only if it is theirs, or in their tenant with `any_owner` (else NotFound)."""
    row = await session.get(Training, training_id)
    if row is None or (owner is not None and not (
            row.tenant_id == owner.tenant_id and (any_owner or row.user_id == owner.user_id))):
        raise NotFound(f"training {training_id} not found")
    return row


async def create(session: AsyncSession, *, row: Training) -> tuple[Training, bool]:
    """Insert a queued training, or return the caller's earlier one under the same Idempotency-Key."""
    if row.idempotency_key:
        earlier = await session.scalar(select(Training).where(Training.user_id == row.user_id,
                                                              Training.idempotency_key == row.idempotency_key))
        if earlier is not None:
            return earlier, False
    session.add(row)
    try:
        await session.flush()
    except IntegrityError:  # a concurrent retry with the same key won
        await session.rollback()
        return await get(session, training_id=row.id), False
    return row, True


def _cursor(row: Training) -> str:
    return base64.urlsafe_b64encode(f"{row.created_at.isoformat()}|{row.id}".encode()).decode()


def _parse_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        created, training_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 1)
        return datetime.fromisoformat(created), training_id
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("cursor", "not a cursor this API returned") from exc


async def list_for(session: AsyncSession, *, owner: common.Principal, limit: int, cursor: str | None,
                   status: str | None, all_users: bool) -> tuple[list[Training], str | None]:
    """The owner's trainings (or, with all_users, their tenant's), newest first, a page at a time."""
    stmt = select(Training).where(Training.tenant_id == owner.tenant_id)
    if not all_users:
        stmt = stmt.where(Training.user_id == owner.user_id)
    if status:
        stmt = stmt.where(Training.status == status)
    if cursor:
        created, training_id = _parse_cursor(cursor)
        stmt = stmt.where(or_(Training.created_at < created,
                              and_(Training.created_at == created, Training.id < training_id)))
    rows = list(await session.scalars(stmt.order_by(Training.created_at.desc(), Training.id.desc()).limit(limit + 1)))
    page = rows[:limit]
    return page, (_cursor(page[-1]) if len(rows) > limit else None)


async def transition(session: AsyncSession, *, training_id: str, to: str, allowed_from: tuple[str, ...],
                     lease: str | None = None, **values: Any) -> Training | None:
    """Move a training to `to` only from `allowed_from` (and, with `lease`, only while the run holding it is the
    launched one); the row, or None when it was elsewhere (a replay, a race, a forged or stale event)."""
    guard = [Training.id == training_id, Training.status.in_(allowed_from)]
    if lease is not None:
        guard.append(Training.lease == lease_digest(lease))
    result = await session.execute(update(Training).where(*guard).values(status=to, **values)
                                   .execution_options(synchronize_session=False))
    await session.commit()
    if result.rowcount != 1:
        return None
    return await session.get(Training, training_id, populate_existing=True)


async def update_run(session: AsyncSession, *, training_id: str, lease: str, **values: Any) -> bool:
    """Change fields of a launched training while the run holding `lease` is its launched one."""
    result = await session.execute(
        update(Training).where(Training.id == training_id, Training.status.in_(LAUNCHED),
                               Training.lease == lease_digest(lease))
        .values(**values).execution_options(synchronize_session=False))
    await session.commit()
    return result.rowcount == 1


async def launch(session: AsyncSession, *, training_id: str, lease: str, launcher: str) -> Training | None:
    """queued -> starting with a new run's lease; None when another replica launched it, or it was canceled."""
    result = await session.execute(
        update(Training).where(Training.id == training_id, Training.status == "queued",
                               Training.cancel_requested.is_(False))
        .values(status="starting", lease=lease_digest(lease), launcher=launcher, attempts=1, started_at=now())
        .execution_options(synchronize_session=False))
    await session.commit()
    if result.rowcount != 1:
        return None
    return await session.get(Training, training_id, populate_existing=True)


async def count_attempt(session: AsyncSession, *, training_id: str, lease: str, attempts: int) -> bool:
    """One more attempt of the launched run (its lease's digest), when no one counted it first; False otherwise."""
    result = await session.execute(
        update(Training).where(Training.id == training_id, Training.status.in_(LAUNCHED), Training.lease == lease,
                               Training.attempts == attempts)
        .values(attempts=attempts + 1).execution_options(synchronize_session=False))
    await session.commit()
    return result.rowcount == 1


async def queued(session: AsyncSession, *, limit: int) -> list[Training]:
    """The oldest queued trainings, the next to launch."""
    stmt = select(Training).where(Training.status == "queued").order_by(Training.created_at).limit(limit)
    return list(await session.scalars(stmt))


async def launched(session: AsyncSession, *, launcher: str) -> list[Training]:
    """The trainings a launcher of this kind runs now (starting or running)."""
    stmt = select(Training).where(Training.status.in_(LAUNCHED), Training.launcher == launcher)
    return list(await session.scalars(stmt))


async def active_count(session: AsyncSession, *, user_id: str, tenant_id: str) -> int:
    rows = await session.scalars(select(Training.id).where(Training.user_id == user_id,
                                                           Training.tenant_id == tenant_id,
                                                           Training.status.in_(ACTIVE)))
    return len(list(rows))


async def succeeded_between(session: AsyncSession, *, after: datetime | None, until: datetime,
                            limit: int) -> list[Training]:
    """Succeeded trainings that ended after `after` (when given) and by `until`, the oldest first."""
    stmt = select(Training).where(Training.status == "succeeded", Training.finished_at <= until)
    if after is not None:
        stmt = stmt.where(Training.finished_at > after)
    return list(await session.scalars(stmt.order_by(Training.finished_at, Training.id).limit(limit)))


async def set_checkpoints(session: AsyncSession, *, training_id: str, checkpoints: list[dict[str, Any]]) -> None:
    await session.execute(update(Training).where(Training.id == training_id).values(checkpoints=checkpoints)
                          .execution_options(synchronize_session=False))
    await session.commit()
