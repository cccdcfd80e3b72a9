"""How much work each pool has: the gauges operators watch, and the figure a pool's autoscaler scales on.

Every `EASEL_DEMAND_SAMPLE_S` the jobs service counts each pool's active jobs (one indexed query) and reads its
worker board. KEDA's `nats-jetstream` trigger sees only the pool consumer's lag, which misses the jobs that
cache-aware dispatch sent to a worker's own queue (they run on workers the lag does not count, so a pool could even
scale to zero under load); `GET /pools` on the metrics port (`demand` = queued + running jobs of the pool) is the
complete figure, for KEDA's `metrics-api` trigger beside it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from prometheus_client import Gauge
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from easel_jobs.models import ACTIVE, Job
from easel_jobs.routing import Board
from easel_proto.wire import now

POOL_JOBS = Gauge("easel_pool_jobs", "Jobs of a pool now, by status (queued, starting, processing).",
                  ["pool", "status"])
OLDEST_QUEUED = Gauge("easel_pool_oldest_queued_seconds", "Age of the pool's oldest job still waiting for a worker.",
                      ["pool"])
WORKERS = Gauge("easel_pool_workers", "Workers of a pool heard from lately, by state (idle, busy).",
                ["pool", "state"])


class Demand:
    """Samples each pool's jobs and workers into gauges and a snapshot `GET /pools` serves."""

    def __init__(self, sessions: async_sessionmaker, board: Board, pools: list[str],
                 clock: Callable[[], datetime] = now) -> None:
        self.sessions, self.board, self.pools, self.clock = sessions, board, pools, clock
        self.snapshot: dict = {"pools": {}, "at": None}

    def follow(self, pools: list[str]) -> None:
        """The pool list changed (easel_jobs.pools): count these from now on."""
        self.pools = pools

    async def sample(self) -> dict:
        """Count, set the gauges, and keep the snapshot; returns it."""
        async with self.sessions() as session:
            rows = (await session.execute(
                select(Job.pool, Job.status, func.count(), func.min(Job.created_at))
                .where(Job.status.in_(ACTIVE)).group_by(Job.pool, Job.status))).all()
        counts: dict[str, dict[str, int]] = {p: dict.fromkeys(ACTIVE, 0) for p in self.pools}
        oldest: dict[str, datetime] = {}
        for pool, status, count, first in rows:
            counts.setdefault(pool, dict.fromkeys(ACTIVE, 0))[status] = count
            if status == "queued" and first is not None:
                oldest[pool] = first
        current = self.clock()
        workers = self.board.by_pool()
        pools = {}
        for pool, by_status in counts.items():
            for status, count in by_status.items():
                POOL_JOBS.labels(pool, status).set(count)
            waited = (current - oldest[pool]).total_seconds() if pool in oldest else 0.0
            OLDEST_QUEUED.labels(pool).set(waited)
            idle, busy = workers.get(pool, (0, 0))
            WORKERS.labels(pool, "idle").set(idle)
            WORKERS.labels(pool, "busy").set(busy)
            pools[pool] = {"demand": sum(by_status.values()), **by_status, "oldest_queued_s": round(waited, 3),
                           "workers": idle + busy, "busy_workers": busy}
        self.snapshot = {"pools": pools, "at": time.time()}
        return self.snapshot
