"""What a pool is doing now: its workers (from the presence bucket, through the router's board), its queue, its
throughput and failures (from the job rows)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from easel_jobs.pools import service
from easel_jobs.routing import Board
from easel_proto.v1 import pools


def workers(board: Board, pool: str) -> list[pools.PoolWorker]:
    """The pool's workers heard from lately, by id."""
    fresh = board.clock() - board.stale_s
    seen = []
    for seen_at in board.workers.values():
        p = seen_at.presence
        if p.pool != pool or seen_at.at < fresh:
            continue
        # busy without a job: it is stopping (presence.py says busy while it runs a job or stops)
        state = ("busy" if p.job_id else "draining") if p.busy else "idle"
        seen.append(pools.PoolWorker(
            worker_id=p.worker_id, state=state, job_id=p.job_id, models=list(p.loaded or []),
            gpu_memory_used_mb=p.gpu_memory_used_mb, gpu_memory_free_mb=p.gpu_memory_free_mb,
            last_seen=p.at))
    return sorted(seen, key=lambda w: w.worker_id)


async def of(session: AsyncSession, pool: pools.Pool, board: Board) -> pools.PoolStatus:
    depth, oldest, per_minute, failures = await service.counts(session, pool=pool.name)
    return pools.PoolStatus(name=pool.name, enabled=pool.enabled is not False, queue_depth=depth,
                            oldest_waiting_at=oldest, jobs_per_minute=per_minute, failures_last_hour=failures,
                            workers=workers(board, pool.name))
