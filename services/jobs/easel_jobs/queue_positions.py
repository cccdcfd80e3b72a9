"""Where queued jobs stand in their pool's queue, many at once: what the gateway's event streams show.

The gateway asks once per pool and interval for every queued job of the pool its streams follow
(`jobs_queue_positions`, easel_gateway.queue_watch), however many streams watch; one statement ranks the pool's queued
jobs (over the index pool, status, created_at) up to the last one asked about. A job's position is the one its
record shows (service.queue_position): how many queued jobs of its pool, anyone's, were submitted before it.
The endpoint serves no user: NATS lets the gateway alone ask, and the gateway asks only for jobs its callers may read.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from easel_common.natsio import Call, Endpoint
from easel_jobs.models import Job
from easel_proto import Names
from easel_proto.v1 import jobs


async def positions(session: AsyncSession, *, pool: str, job_ids: list[str]) -> dict[str, int]:
    """{job id: queued jobs of `pool` ahead of it} for those of `job_ids` queued in `pool`; the others left out."""
    if not job_ids:
        return {}
    last = (select(func.max(Job.created_at))
            .where(Job.id.in_(job_ids), Job.pool == pool, Job.status == "queued").scalar_subquery())
    ranked = (select(Job.id, (func.row_number().over(order_by=(Job.created_at, Job.id)) - 1).label("ahead"))
              .where(Job.pool == pool, Job.status == "queued", Job.created_at <= last)
              .subquery())
    rows = await session.execute(select(ranked.c.id, ranked.c.ahead).where(ranked.c.id.in_(job_ids)))
    return {job_id: int(ahead) for job_id, ahead in rows}


def endpoint(sessions: async_sessionmaker, names: Names) -> Endpoint:
    async def answer(req: jobs.QueuePositionsRequest, _c: Call) -> jobs.QueuePositionsReply:
        async with sessions() as session:
            return jobs.QueuePositionsReply(positions=await positions(session, pool=req.pool, job_ids=req.job_ids))

    return Endpoint("queue-positions", names.jobs_queue_positions, jobs.QueuePositionsRequest, answer, caller=False)
