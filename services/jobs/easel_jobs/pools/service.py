"""Data functions over pool rows and the jobs queued to them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from easel_jobs.models import Job
from easel_jobs.pools.models import PoolRow
from easel_proto.v1 import pools
from easel_proto.wire import now

SPEC_FIELDS = tuple(f for f in pools.PoolSpec.model_fields if f != "name")


def view(row: PoolRow) -> pools.Pool:
    return pools.Pool(name=row.name, source=row.source, created_at=row.created_at, updated_at=row.updated_at,
                      **{f: getattr(row, f) for f in SPEC_FIELDS})


async def list_all(session: AsyncSession, *, ns: str) -> list[PoolRow]:
    return list((await session.execute(select(PoolRow).where(PoolRow.namespace == ns)
                                       .order_by(PoolRow.name))).scalars())


async def get(session: AsyncSession, *, ns: str, name: str, lock: bool = False) -> PoolRow | None:
    stmt = select(PoolRow).where(PoolRow.namespace == ns, PoolRow.name == name)
    return (await session.execute(stmt.with_for_update() if lock else stmt)).scalar_one_or_none()


async def create(session: AsyncSession, *, ns: str, spec: pools.PoolSpec, source: str = "api") -> PoolRow:
    at = now()
    row = PoolRow(namespace=ns, name=spec.name, source=source, created_at=at, updated_at=at,
                  **{f: _filled(spec, f) for f in SPEC_FIELDS})
    session.add(row)
    await session.flush()
    return row


def _filled(spec: pools.PoolSpec, field: str) -> object:
    """The spec's value, or the schema's default where the generated type lets None through."""
    value = getattr(spec, field)
    return pools.PoolSpec.model_fields[field].get_default(call_default_factory=True) if value is None else value


async def seed(sessions: async_sessionmaker, ns: str, names: list[str]) -> list[str]:
    """Rows for the configured pools (EASEL_POOLS) that have none, read-only through the API; returns those made.
    Replicas starting at once may race: a name another made first is skipped."""
    made = []
    for name in names:
        try:
            async with sessions.begin() as session:
                if await get(session, ns=ns, name=name) is None:
                    await create(session, ns=ns, spec=pools.PoolSpec(name=name, min_workers=0, max_workers=1),
                                 source="config")
                    made.append(name)
        except IntegrityError:
            continue
    return made


async def queued(session: AsyncSession, *, pool: str) -> list[Job]:
    """The pool's jobs no worker has started, oldest first."""
    stmt = select(Job).where(Job.pool == pool, Job.status == "queued").order_by(Job.created_at)
    return list((await session.execute(stmt)).scalars())


async def move(session: AsyncSession, *, job_id: str, from_pool: str, to_pool: str) -> bool:
    """Give a still-queued job another pool; False when it started (or moved) meanwhile."""
    result = await session.execute(update(Job).where(Job.id == job_id, Job.pool == from_pool, Job.status == "queued")
                                   .values(pool=to_pool).execution_options(synchronize_session=False))
    return result.rowcount == 1


async def counts(session: AsyncSession, *, pool: str) -> tuple[int, datetime | None, float, int]:
    """(queued jobs, when the oldest was queued, jobs finished per minute over 15 minutes, failures in an hour)."""
    at = now()
    depth, oldest = (await session.execute(select(func.count(), func.min(Job.created_at))
                                           .where(Job.pool == pool, Job.status == "queued"))).one()
    done = await session.scalar(select(func.count()).where(
        Job.pool == pool, Job.status == "succeeded", Job.finished_at >= at - timedelta(minutes=15)))
    failed = await session.scalar(select(func.count()).where(
        Job.pool == pool, Job.status == "failed", Job.finished_at >= at - timedelta(hours=1)))
    return depth, oldest, round(done / 15, 3), failed
