"""Recovery from a dead worker: its running job goes back to the pool's queue as soon as its presence lapses.

A worker puts its presence every EASEL_PRESENCE_INTERVAL_S (2 s); one silent for EASEL_PRESENCE_STALE_S (6 s) is
taken for dead (`Board.lapsed`; a worker that stops cleanly deletes its entry instead, after finishing or handing
back its job). Its running job then moves at once, rather than after its message's ack wait (30 s):

1. Only a run that is still the silent worker's: the bucket holds no newer presence of it (a watch that lags or
   stopped would otherwise make every worker look dead), and no terminal event of the run is in the event stream
   (a worker that finished, then died before this service folded its result).
2. The row goes back to `queued`, guarded by the run's lease: one replica wins, and a newer run is never touched.
3. A copy of the job's message goes to the pool's queue (`Nats-Msg-Id` `{job}.after.{attempt}`); then the message
   the dead worker held is deleted from the stream by the sequence its claim recorded, so its ack wait never brings
   it back. Should the delete fail, the claim refuses that message anyway: only the message that started a run
   restarts it.
4. The claim of the copy replaces the lease and revokes the old run (`JobFlows.claim`): a worker that was only
   slow (a long pause) stops at its next step and reports nothing, and nothing it sent late counts.

Left to the ack wait: a run whose message is unknown (claimed by a worker that does not send `sequence`), and the
job of a worker this service never heard from. After `max_deliver` runs the job fails (`deliveries_exhausted`)
instead: a job that kills its workers must not go through all of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from nats.aio.client import Client
from nats.js.errors import APIError, NotFoundError
from sqlalchemy.ext.asyncio import async_sessionmaker

from easel_common.natsio import principal_headers
from easel_jobs import service
from easel_jobs.flows import JobFlows
from easel_jobs.metrics import REROUTED
from easel_jobs.models import Job
from easel_jobs.routing import TENANCY_HEADERS, Board, every
from easel_jobs.settings import JobsSettings
from easel_proto.errors import DeliveriesExhausted, Gone
from easel_proto.naming import worker_token
from easel_proto.v1 import common, jobs
from easel_proto.wire import encode

log = logging.getLogger(__name__)


class Handover:
    """Every `route_sweep_s`, hands the running jobs of the workers that fell silent to their pools."""

    def __init__(self, nc: Client, settings: JobsSettings, sessions: async_sessionmaker, board: Board,
                 flows: JobFlows) -> None:
        names = settings.names
        self.js, self.names, self.sessions, self.board, self.flows = nc.jetstream(), names, sessions, board, flows
        self.sweep_s, self.max_deliver = settings.route_sweep_s, settings.max_deliver
        self.stream, self.events_stream = names.stream("jobs")["name"], names.stream("events")["name"]
        self.presence_stream = f"KV_{names.workers_bucket}"
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(every(self.sweep_s, self.sweep, "handing over silent workers' jobs"))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def sweep(self) -> int:
        """Hand over the running job of every worker that fell silent; returns how many this replica moved."""
        lapsed = self.board.lapsed()
        if not lapsed:
            return 0
        async with self.sessions() as session:
            running = await service.running_on(session, worker_ids=sorted({s.presence.worker_id
                                                                           for s in lapsed.values()}))
        moved = 0
        for job in running:
            # the key NATS let the worker write under names its pool: it must be the job's
            key = f"{job.pool}.{worker_token(job.worker_id or '')}"
            if key in lapsed and job.queue_seq is not None and await self._silent(key, lapsed[key].revision):
                moved += await self.hand_over(job)
        return moved

    async def _silent(self, key: str, revision: int) -> bool:
        """Whether the bucket agrees that the worker said nothing after the presence this service last saw."""
        try:
            latest = await self.js.get_msg(self.presence_stream, subject=f"$KV.{self.names.workers_bucket}.{key}")
        except NotFoundError:
            return True  # expired: silent for longer still
        return latest.seq <= revision

    async def hand_over(self, job: Job) -> int:
        """Move one silent worker's job to its pool's queue, or fail it after max_deliver runs; 1 if this replica
        did, 0 if the run ended or someone else moved it."""
        # a run whose result is in the event stream (not folded yet) is over: its result counts
        if not job.lease or await self.flows.run_result(job.id, job.lease) is not None:
            return 0
        async with self.sessions.begin() as session:
            if not await service.take_back(session, job_id=job.id, lease=job.lease):
                return 0
        if job.attempts >= self.max_deliver:
            error = DeliveriesExhausted(f"the job was started {job.attempts} times and its worker died each time",
                                        deliveries=job.attempts).to_wire()
            await self.flows.fail(job.id, error, allowed_from=("queued",))
        elif (closed := self._closed(job.pool)) is not None:
            # its pool was deleted or disabled while it ran: no worker would take it again (pools/drain.py)
            error = Gone(f"pool {job.pool} was {closed} while the job ran, and its worker fell silent",
                         pool=job.pool).to_wire()
            await self.flows.fail(job.id, error, allowed_from=("queued",))
        else:
            data, headers = await self._message(job)
            headers["Nats-Msg-Id"] = f"{job.id}.after.{job.attempts}"
            await self.js.publish(self.names.job_queue(job.pool), data, headers=headers)
            REROUTED.labels(job.pool, "worker_dead").inc()
        # only now: had the copy not gone out, this message's redelivery would still bring the job back
        with contextlib.suppress(APIError):
            await self.js.delete_msg(self.stream, job.queue_seq)
        log.warning("worker %s fell silent; job %s (run %d) handed back to pool %s", job.worker_id, job.id,
                    job.attempts, job.pool)
        return 1

    def _closed(self, pool: str) -> str | None:
        """'deleted' or 'disabled' for a pool that takes no jobs now (this replica's view of the list), else None."""
        view = getattr(self.flows, "pools", None)
        if view is None:
            return None
        current = view.current.get(pool)
        return "deleted" if current is None else ("disabled" if current.enabled is False else None)

    async def _message(self, job: Job) -> tuple[bytes, dict[str, str]]:
        """The job's queue message to copy: the one the silent worker held, else one made again from the row."""
        with contextlib.suppress(NotFoundError):
            held = await self.js.get_msg(self.stream, seq=job.queue_seq)
            if json.loads(held.data).get("job_id") == job.id:
                return held.data, {h: v for h, v in (held.headers or {}).items() if h in TENANCY_HEADERS}
        owner = common.Principal(user_id=job.user_id, tenant_id=job.tenant_id, username="")
        message = jobs.JobSubmitted(job_id=job.id, principal=owner, pool=job.pool, spec=job.spec,
                                    image_keys=job.image_keys, submitted_at=job.created_at)
        return encode(message), principal_headers(job.user_id, job.tenant_id)
