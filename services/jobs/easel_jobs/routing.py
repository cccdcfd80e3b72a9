"""Cache-aware dispatch: a job goes to an idle worker that already holds its model, and never waits there long.

Workers put a `WorkerPresence` in the KV bucket `{NS}_WORKERS` (gpu_worker `presence.py`). The jobs service keeps
a local view of it from a KV watch (`Board`), so routing a job costs no request. A job goes to the own queue
(`{ns}.jobs.queue.{pool}.worker.{worker}`) of a fresh, idle worker of its pool that has the checkpoint in memory,
else on disk; otherwise to the pool's queue. A sweep moves a job from a worker's own queue to the pool's when the
worker is gone or the job has waited there `reroute_after_s`. Should two copies of a job meet, the claim lets one
run (`service.claim`: a first delivery of a job another worker started is refused). The same view tells which
workers fell silent (`Board.lapsed`): handover.py gives their running jobs to other workers.

Replicas of the jobs service each keep their own view, so before sending a job to a worker's own queue a replica
reserves the worker in the KV bucket `{NS}_RESERVATIONS` (a create, which only one replica wins; entries expire after
`reroute_after_s`, and the winner deletes its entry once the worker shows the job): two replicas never hand one idle
worker a job each. A replica that loses goes on to the next holder, or the pool. A create on a key whose last entry is
a delete marker costs the client three round trips (a refused create, a read, an update); so a replica first tries an
update on top of the marker its own delete left (one round trip), which succeeds exactly when nothing was written on
the key since, as a create would.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nats.aio.client import Client
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import APIError, BadRequestError, BucketNotFoundError, KeyWrongLastSequenceError, NotFoundError
from nats.js.kv import KeyValue
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import async_sessionmaker

from easel_jobs import service
from easel_jobs.metrics import REROUTED, ROUTED, child
from easel_jobs.settings import JobsSettings
from easel_proto import Names
from easel_proto.v1 import jobs
from easel_proto.v1.workers import WorkerPresence
from easel_proto.wire import decode

log = logging.getLogger(__name__)
TENANCY_HEADERS = ("Easel-Tenant", "Easel-User")
ELSEWHERE = "(reserved by another replica)"
PICKS = 3  # holders tried in turn when other replicas have reserved the first ones


@dataclass
class Seen:
    """A worker's last presence, when it arrived (and its revision in the bucket), and the job this service last
    sent it that it has not started."""

    presence: WorkerPresence
    at: float
    reserved: str | None = None
    reserved_at: float = 0.0
    revision: int = 0


class Board:
    """The local view of the workers, by KV key (`{pool}.{worker token}`).

    A worker is fresh for `stale_s` after its last presence. A job sent to a worker's own queue keeps it from
    being picked again until its presence shows that job, or for `reroute_after_s`: a burst spreads over the
    holders. A job waits in a worker's own queue at most `reroute_after_s`.
    """

    def __init__(self, stale_s: float, reroute_after_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.stale_s, self.reroute_after_s, self.clock = stale_s, reroute_after_s, clock
        self.workers: dict[str, Seen] = {}

    def put(self, key: str, presence: WorkerPresence, revision: int = 0) -> None:
        """A presence arrived; a reservation ends once the worker shows the job."""
        seen = self.workers.get(key)
        reserved = seen.reserved if seen is not None and seen.reserved != presence.job_id else None
        self.workers[key] = Seen(presence, self.clock(), reserved, seen.reserved_at if reserved else 0.0, revision)

    def remove(self, key: str) -> None:
        self.workers.pop(key, None)

    def alive(self, key: str) -> bool:
        seen = self.workers.get(key)
        return seen is not None and self.clock() - seen.at <= self.stale_s

    def lapsed(self) -> dict[str, Seen]:
        """The workers that fell silent, by key: heard from, then not for `stale_s`. A worker that stops cleanly
        deletes its entry (after finishing or handing back its job), so it is gone rather than lapsed."""
        now = self.clock()
        return {key: seen for key, seen in self.workers.items() if now - seen.at > self.stale_s}

    def by_pool(self) -> dict[str, tuple[int, int]]:
        """(idle, busy) fresh workers of each pool."""
        now, counts = self.clock(), {}
        for seen in self.workers.values():
            if now - seen.at <= self.stale_s:
                idle, busy = counts.get(seen.presence.pool, (0, 0))
                counts[seen.presence.pool] = (idle, busy + 1) if seen.presence.busy else (idle + 1, busy)
        return counts

    def running(self, key: str, job_id: str) -> bool:
        """Whether the worker says it runs this job."""
        seen = self.workers.get(key)
        return seen is not None and seen.presence.job_id == job_id

    def pick(self, pool: str, model_id: str) -> str | None:
        """A fresh, idle, unreserved worker of the pool holding the model: in memory (the most recently used
        there first), else on disk; None when there is none."""
        now = self.clock()
        best, best_rank = None, (0, 0)
        for key, seen in self.workers.items():
            p = seen.presence
            if p.pool != pool or p.busy or now - seen.at > self.stale_s:
                continue
            if seen.reserved is not None and now - seen.reserved_at < self.reroute_after_s:
                continue
            loaded = p.loaded or []
            if model_id in loaded:
                rank = (2, loaded.index(model_id))
            elif model_id in (p.cached or []):
                rank = (1, 0)
            else:
                continue
            if rank > best_rank:
                best, best_rank = key, rank
        return best

    def verdict(self, key: str, job_id: str, waited_s: float) -> str | None:
        """Why a job that has waited waited_s in a worker's own queue goes to the pool: 'worker_gone' (whatever
        it last said it was doing), 'waited' (while the worker did not run it), or None: it stays."""
        if not self.alive(key):
            return "worker_gone"
        if waited_s >= self.reroute_after_s and not self.running(key, job_id):
            return "waited"
        return None

    def reserve(self, key: str, job_id: str) -> None:
        seen = self.workers.get(key)
        if seen is not None:
            seen.reserved, seen.reserved_at = job_id, self.clock()

    def unreserve(self, key: str, job_id: str) -> None:
        seen = self.workers.get(key)
        if seen is not None and seen.reserved == job_id:
            seen.reserved = None

    def prune(self) -> None:
        """Forget workers unheard of for ten times the staleness (their KV entries have expired too)."""
        now = self.clock()
        for key in [k for k, s in self.workers.items() if now - s.at > 10 * self.stale_s]:
            del self.workers[key]


async def every(period_s: float, sweep: Callable[[], Awaitable[object]], what: str) -> None:
    """Call `sweep` every `period_s`, for good."""
    while True:
        await asyncio.sleep(period_s)
        try:
            await sweep()
        except Exception:  # broker or database away for a moment: the next round tries again
            log.warning("%s failed", what, exc_info=True)


async def open_bucket(nc: Client, names: Names, ttl_s: float, bucket: str | None = None,
                      description: str = "worker presence for cache-aware dispatch") -> KeyValue:
    """The workers' presence bucket (or another of the router's), created when missing (history 1; entries expire
    after ttl_s)."""
    js, bucket = nc.jetstream(), bucket or names.workers_bucket
    with contextlib.suppress(BucketNotFoundError):
        return await js.key_value(bucket)
    config = KeyValueConfig(bucket=bucket, history=1, ttl=ttl_s, storage=StorageType.FILE, description=description)
    try:
        return await js.create_key_value(config)
    except BadRequestError:  # another replica made it first, with its own settings
        return await js.key_value(bucket)


class Router:
    """Picks each job's queue, follows worker presence, and moves jobs out of queues they should not wait in."""

    def __init__(self, nc: Client, names: Names, settings: JobsSettings, sessions: async_sessionmaker) -> None:
        self.nc, self.js, self.names, self.sessions = nc, nc.jetstream(), names, sessions
        self.enabled = settings.cache_aware_dispatch
        self.sweep_s = settings.route_sweep_s
        self.ttl_s = 4 * settings.presence_stale_s
        self.board = Board(settings.presence_stale_s, settings.reroute_after_s)
        self.stream = names.stream("jobs")["name"]
        self._waiting_since: dict[int, float] = {}  # stream sequence of a message in a worker's queue -> first seen
        self.reroute_after_s = settings.reroute_after_s
        self._reservations: KeyValue | None = None
        self._held: dict[str, tuple[str, int]] = {}  # worker key -> (job, revision) this replica reserved it for
        self._deleted: dict[str, int] = {}  # worker key -> revision of the delete marker this replica left on it
        self._watcher: KeyValue.KeyWatcher | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Open the bucket, load the current presence, then follow it and sweep."""
        kv = await open_bucket(self.nc, self.names, self.ttl_s)
        if self.enabled:
            self._reservations = await open_bucket(self.nc, self.names, self.reroute_after_s,
                                                   self.names.reservations_bucket, "idle workers reserved for a job")
        self._watcher = await kv.watchall()
        loaded = asyncio.Event()
        self._tasks.append(asyncio.create_task(self._follow(self._watcher, loaded)))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(loaded.wait(), 10.0)
        self._tasks.append(asyncio.create_task(every(self.sweep_s, self.sweep, "sweeping the workers' own queues")))

    async def stop(self) -> None:
        if self._watcher is not None:
            with contextlib.suppress(Exception):
                await self._watcher.stop()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def route(self, job_id: str, pool: str, spec: jobs.GenerationSpec) -> str:
        """The subject to queue the job on: the own queue of an idle worker holding its checkpoint (reserved for
        it among the replicas), else the pool's."""
        for _ in range(PICKS if self.enabled and spec.task != "extras" else 0):
            key = self.board.pick(pool, spec.model.id)
            if key is None:
                break
            if await self._reserve(key, job_id):
                child(ROUTED, pool, "direct").inc()
                return self.names.job_direct(pool, key.split(".", 1)[1])
        child(ROUTED, pool, "pool").inc()
        return self.names.job_queue(pool)

    async def unroute(self, job_id: str) -> None:
        """Free the worker reserved for a job that was not queued after all."""
        for key, (held, _) in list(self._held.items()):
            if held == job_id:
                self.board.unreserve(key, job_id)
                await self._release(key, job_id)

    async def _reserve(self, key: str, job_id: str) -> bool:
        """Reserve the worker for the job here and among the replicas; False when another replica has it (it is
        then passed over here too, for as long as a reservation lasts)."""
        if self._reservations is None:
            self.board.reserve(key, job_id)
            return True
        try:
            revision = await self._create(self._reservations, key, job_id)
        except KeyWrongLastSequenceError:
            self.board.reserve(key, ELSEWHERE)
            return False
        except Exception:  # the bucket is away for a moment: the pool is always right
            log.warning("could not reserve worker %s; job %s goes to the pool", key, job_id, exc_info=True)
            return False
        self._held[key] = (job_id, revision)
        self.board.reserve(key, job_id)
        return True

    async def _create(self, bucket: KeyValue, key: str, job_id: str) -> int:
        """Create the reservation entry (KeyWrongLastSequenceError when the key holds one): as the successor of this
        replica's own delete marker when it left one, else with the client's create."""
        marker = self._deleted.pop(key, None)
        if marker is not None:
            with contextlib.suppress(KeyWrongLastSequenceError):  # written since (or expired): a create decides
                return await bucket.update(key, job_id.encode(), last=marker)
        return await bucket.create(key, job_id.encode())

    async def _release(self, key: str, job_id: str | None = None) -> None:
        """End this replica's reservation of the worker (for `job_id`, if given)."""
        held = self._held.get(key)
        if held is None or (job_id is not None and held[0] != job_id) or self._reservations is None:
            return
        del self._held[key]
        # the client's delete, keeping the marker's revision (its ack's sequence) for the next reservation
        headers = {"KV-Operation": "DEL", "Nats-Expected-Last-Subject-Sequence": str(held[1])}
        with contextlib.suppress(Exception):  # expired or taken since: nothing of ours to delete
            ack = await self.js.publish(f"$KV.{self.names.reservations_bucket}.{key}", headers=headers)
            self._deleted[key] = ack.seq

    async def _follow(self, watcher: KeyValue.KeyWatcher, loaded: asyncio.Event) -> None:
        async for entry in watcher:
            if entry is None:  # the current values have all arrived
                loaded.set()
            elif entry.operation in ("DEL", "PURGE"):
                self.board.remove(entry.key)
                self._deleted.pop(entry.key, None)
                await self._drop_own_queue(entry.key)
            else:
                try:
                    presence = decode(WorkerPresence, entry.value)
                except ValidationError:
                    log.warning("ignoring a malformed presence under %s", entry.key)
                    continue
                # the key's pool is the one NATS let the worker write under; a presence claiming another is a lie
                if entry.key.split(".", 1)[0] != presence.pool:
                    log.warning("ignoring a presence for pool %s under %s", presence.pool, entry.key)
                    continue
                self.board.put(entry.key, presence, entry.revision or 0)
                if presence.job_id is not None and entry.key in self._held:
                    await self._release(entry.key, presence.job_id)  # it started the job: free for the next

    async def _drop_own_queue(self, key: str) -> None:
        """A worker that stopped (or whose entry expired) no longer needs its own queue's consumer; what waits
        there stays in the stream until the sweep moves it. (Workers may not delete consumers themselves.)"""
        if "." not in key:
            return
        with contextlib.suppress(Exception):
            await self.js.delete_consumer(self.stream, self.names.direct_consumer(key.split(".", 1)[1]))

    async def sweep(self) -> int:
        """Move to the pool's queue each job in a worker's own queue whose worker is gone or that waited too long
        there; returns how many moved."""
        self.board.prune()
        info = await self.js.stream_info(self.stream, subjects_filter=self.names.all_job_direct())
        now, moved, present = time.monotonic(), 0, set()
        for subject, count in (info.state.subjects or {}).items():
            tokens = subject.split(".")
            pool, worker = tokens[-3], tokens[-1]
            key = f"{pool}.{worker}"
            seq = 0
            for _ in range(count):
                try:
                    msg = await self.js.get_msg(self.stream, seq=seq, subject=subject, next=True)
                except NotFoundError:
                    break
                seq = msg.seq + 1
                present.add(msg.seq)
                first = self._waiting_since.setdefault(msg.seq, now)
                reason = self.board.verdict(key, json.loads(msg.data)["job_id"], now - first)
                if reason:
                    moved += await self._move(msg, pool, key, reason)
        self._waiting_since = {s: t for s, t in self._waiting_since.items() if s in present}
        return moved

    async def _move(self, msg, pool: str, key: str, reason: str) -> int:
        """Put the job in the pool's queue, then take it out of the worker's (in that order, so a crash between
        the two leaves a second copy, which the claim makes harmless, rather than no copy)."""
        job_id = json.loads(msg.data)["job_id"]
        if reason == "worker_gone":
            # it may have started the job before it went: a first delivery in the pool may start it again
            async with self.sessions.begin() as session:
                await service.release(session, job_id=job_id, worker_key=key.split(".", 1)[1])
        headers = {h: v for h, v in (msg.headers or {}).items() if h in TENANCY_HEADERS}
        headers["Nats-Msg-Id"] = f"{job_id}.pool"  # one pool copy, however many replicas sweep at once
        await self.js.publish(self.names.job_queue(pool), msg.data, headers=headers)
        with contextlib.suppress(APIError):  # acked meanwhile, or another replica took it out
            await self.js.delete_msg(self.stream, msg.seq)
        self.board.unreserve(key, job_id)
        await self._release(key, job_id)
        REROUTED.labels(pool, reason).inc()
        log.info("job %s moved from worker %s's queue to pool %s (%s)", job_id, key, pool, reason)
        return 1
