"""The places of the queued jobs this gateway's event streams follow: one request per pool per interval.

A stream of a queued job watches it here (events.follow). For each pool with watched jobs, one poller asks the jobs
service every `interval` where all of them stand (`jobs_queue_positions`: one statement, easel_jobs.queue_positions)
and leaves each answer on its watches, however many streams watch; a pool's poller stops when no stream watches a
job of it any more. A stream reads its watch and tells its client only when the figure changes.
"""

from __future__ import annotations

import asyncio
import logging

from nats.aio.client import Client

from easel_common.natsio import request
from easel_proto import Names
from easel_proto.errors import EaselError
from easel_proto.v1 import jobs

log = logging.getLogger(__name__)
QUEUE_CHECK_S = 2.0  # while a job waits: how often its place in the queue is read again
MAX_IDS = 10_000  # job ids in one request (QueuePositionsRequest)


class Watch:
    """One stream's watch of one queued job: the last answer about it, until closed."""

    def __init__(self, owner: QueueWatch, pool: str, job_id: str) -> None:
        self.owner, self.pool, self.job_id = owner, pool, job_id
        self.position: int | None = None  # its place at the last answer
        self.left = False  # the last answer left it out: it is no longer queued in the pool
        self.began = asyncio.get_running_loop().time()
        self.answered_at: float | None = None  # loop time of the last answer about it

    def fresh(self, within: float) -> bool:
        """Whether its answers are current: the last one came within `within` seconds (or, before the first, the
        watch began then: a stream that joins a pool's poller between two requests waits for the next)."""
        last = self.answered_at if self.answered_at is not None else self.began
        return asyncio.get_running_loop().time() - last <= within

    def close(self) -> None:
        self.owner.forget(self)


class _Pool:
    def __init__(self) -> None:
        self.watches: set[Watch] = set()
        self.task: asyncio.Task[None] | None = None


class QueueWatch:
    def __init__(self, nc: Client, names: Names, *, timeout: float, interval: float = QUEUE_CHECK_S) -> None:
        self.nc, self.names, self.timeout, self.interval = nc, names, timeout, interval
        self._pools: dict[str, _Pool] = {}

    def watch(self, pool: str, job_id: str) -> Watch:
        """Watch a queued job of `pool` (close() the watch when the stream no longer needs it)."""
        entry = self._pools.setdefault(pool, _Pool())
        watch = Watch(self, pool, job_id)
        entry.watches.add(watch)
        if entry.task is None or entry.task.done():
            entry.task = asyncio.create_task(self._poll(pool, entry))
        return watch

    def forget(self, watch: Watch) -> None:
        entry = self._pools.get(watch.pool)
        if entry is None or watch not in entry.watches:
            return
        entry.watches.discard(watch)
        if not entry.watches:  # no stream watches the pool: its poller stops
            del self._pools[watch.pool]
            if entry.task is not None:
                entry.task.cancel()

    async def _poll(self, pool: str, entry: _Pool) -> None:
        loop = asyncio.get_running_loop()
        while entry.watches:
            asked = sorted({w.job_id for w in entry.watches})
            try:
                found: dict[str, int] = {}
                for start in range(0, len(asked), MAX_IDS):
                    reply = await request(self.nc, self.names.jobs_queue_positions,
                                          jobs.QueuePositionsRequest(pool=pool, job_ids=asked[start:start + MAX_IDS]),
                                          jobs.QueuePositionsReply, timeout=self.timeout)
                    found.update(reply.positions)
            except Exception as exc:  # the streams keep their last answer and, once it is stale, ask themselves
                log.warning("could not read the queue positions of pool %s: %s", pool,
                            exc.message if isinstance(exc, EaselError) else repr(exc))
            else:
                at, asked_set = loop.time(), set(asked)
                for watch in list(entry.watches):
                    if watch.job_id in asked_set:  # one that came during the request waits for the next
                        watch.position = found.get(watch.job_id)
                        watch.left = watch.job_id not in found
                        watch.answered_at = at
            await asyncio.sleep(self.interval)
