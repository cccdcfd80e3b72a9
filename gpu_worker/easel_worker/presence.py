"""How the jobs service finds this worker: its presence in the KV bucket {NS}_WORKERS, and its own queue.

The jobs service (easel_jobs/routing.py) sends a job to the own queue of an idle worker that already holds the
job's model. `Presence` says what this worker holds: it puts a `WorkerPresence` every `interval_s`, at once when
a job starts, `IDLE_AFTER_S` after one ends unless the next has started, and deletes it on a clean stop. The puts
are also its heartbeat: a worker silent for three of them is taken for dead, and the jobs service hands its
running job to another (easel_jobs/handover.py). `JobFeed` pulls jobs from this worker's own queue and from its
pool's, its own first.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from nats.js.errors import NotFoundError

from easel_common.natsio import pull_config
from easel_proto import Names
from easel_proto.v1.workers import WorkerPresence
from easel_proto.wire import encode, now
from easel_worker import metrics
from easel_worker.cache import MARKER

log = logging.getLogger(__name__)
FETCH_S = 1.0  # each long poll of a queue
# How long after a job a worker waits before it says it is idle: one that goes straight on to its next job (a busy
# pool's queue answers its fetch within this) is shown running the one and then the other, one put instead of two,
# and never idle in between for the jobs service to send it a job it is about to be busy for.
IDLE_AFTER_S = 0.05
OWN_QUEUE_IDLE_S = 3600.0  # the server drops the consumer of a worker's own queue unused this long (a dead worker's)


def cached_models(root: Path) -> list[str]:
    """Ids of the models in the disk cache under root: the folders with a verification marker."""
    try:
        entries = list(os.scandir(root))
    except OSError:
        return []
    return sorted(e.name for e in entries
                  if e.is_dir() and not e.name.startswith(".") and os.path.exists(os.path.join(e.path, MARKER)))


def gpu_memory_mb() -> tuple[int | None, int | None]:
    """(used, free) MiB of the CUDA device this process uses, for pool status; (None, None) before it uses one.
    Never imports torch or starts CUDA itself (the null engine has neither); one cudaMemGetInfo per heartbeat."""
    torch = sys.modules.get("torch")
    if torch is None or not torch.cuda.is_available() or not torch.cuda.is_initialized():
        return None, None
    try:
        free, total = torch.cuda.mem_get_info()
    except RuntimeError:  # the device went away: the heartbeat goes on without the figure
        return None, None
    return (total - free) // 2**20, free // 2**20


class Presence:
    """Puts what this worker holds and runs in the workers bucket; the jobs service routes by it."""

    def __init__(self, nc: Client, names: Names, worker_id: str, pool: str, engine: Any, cache_root: Path,
                 interval_s: float, cache_version: Callable[[], int] | None = None) -> None:
        """cache_version: the worker's ModelCache.version; when given, a job's end reads the cache folder only if
        the job changed it (each heartbeat reads it all the same)."""
        self.nc, self.js, self.worker_id, self.pool = nc, nc.jetstream(), worker_id, pool
        self.engine, self.cache_root, self.interval_s = engine, cache_root, interval_s
        self.cache_version = cache_version
        self._scanned: int | None = None  # the cache_version its last read of the folder saw
        self.subject = names.worker_presence(pool, worker_id)
        self.job_id: str | None = None
        self.stopping = False
        self._cached: list[str] = []
        self._beat: asyncio.Task[None] | None = None
        self._idle: asyncio.Task[None] | None = None  # the put saying it is idle, IDLE_AFTER_S after a job
        self._last_beat = 0.0

    def snapshot(self) -> WorkerPresence:
        loaded = getattr(self.engine, "loaded_models", list)()
        used, free = gpu_memory_mb()
        if used is not None and free is not None:  # each heartbeat: the metrics say what the pool status says
            metrics.GPU_MEMORY_USED.labels(self.pool).set(used * 2**20)
            metrics.GPU_MEMORY_FREE.labels(self.pool).set(free * 2**20)
        return WorkerPresence(worker_id=self.worker_id, pool=self.pool, loaded=loaded, cached=self._cached,
                              busy=self.job_id is not None or self.stopping, job_id=self.job_id, at=now(),
                              gpu_memory_used_mb=used, gpu_memory_free_mb=free)

    async def start(self) -> None:
        self._last_beat = asyncio.get_running_loop().time()
        await self._heartbeat()
        self._beat = asyncio.create_task(self._beat_forever())

    async def job_started(self, job_id: str) -> None:
        self._cancel_idle()
        self.job_id = job_id
        await self._send()

    async def job_ended(self) -> None:
        """After a job: it may have loaded, evicted or downloaded models. Said IDLE_AFTER_S later, unless another
        job has started by then (which says it all)."""
        self.job_id = None
        if self.cache_version is None or self.cache_version() != self._scanned:
            await self._read_cache()
        self._cancel_idle()
        self._idle = asyncio.create_task(self._send_later(IDLE_AFTER_S))

    async def draining(self) -> None:
        """Stopping: take no more jobs sent to this worker alone."""
        self._cancel_idle()
        self.stopping = True
        await self._send()

    async def stop(self) -> None:
        """Delete this worker's entry: the jobs service moves whatever still waits in its own queue at once."""
        self._cancel_idle()
        if self._beat is not None:
            self._beat.cancel()
            await asyncio.gather(self._beat, return_exceptions=True)
        with suppress(Exception):
            await self.js.publish(self.subject, b"", headers={"KV-Operation": "DEL"}, timeout=2.0)

    def _cancel_idle(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None

    async def _send_later(self, delay_s: float) -> None:
        await asyncio.sleep(delay_s)
        self._idle = None  # sent from here on: nothing to cancel
        await self._send()

    async def _send(self) -> None:
        # A plain publish, not waiting for the stream's ack: a job's start or end never waits on presence, and
        # one connection keeps the updates in order.
        with suppress(Exception):
            await self.nc.publish(self.subject, encode(self.snapshot()))

    async def _read_cache(self) -> None:
        self._scanned = self.cache_version() if self.cache_version is not None else None
        self._cached = await asyncio.to_thread(cached_models, self.cache_root)

    async def _heartbeat(self) -> None:
        await self._read_cache()
        try:  # acked, so a missing bucket shows in the log (the jobs service creates it when it starts)
            await self.js.publish(self.subject, encode(self.snapshot()), timeout=2.0)
        except Exception as exc:
            log.debug("presence not stored: %s", exc)

    async def _beat_forever(self) -> None:
        # every interval_s from the start of the last beat, however long its put took: the jobs service takes a
        # worker silent for three beats for dead, so a slow put must not push the next one back
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(max(0.0, self._last_beat + self.interval_s - loop.time()))
            self._last_beat = loop.time()
            await self._heartbeat()


@dataclass
class Held:
    """A job fetched and not yet run, kept alive meanwhile."""

    msg: Msg
    own: bool
    beat: asyncio.Task[None]


class JobFeed:
    """Pulls jobs one at a time from this worker's own queue, first, and from its pool's.

    Both queues are long-polled at once, so a job in either starts at once. A job one delivers while the worker
    runs the other's is kept alive with in-progress acks and runs next (a nak would count as a delivery); of two
    waiting, the one from the worker's own queue runs first.
    """

    def __init__(self, nc: Client, names: Names, worker_id: str, pool: str) -> None:
        self.nc, self.js, self.names = nc, nc.jetstream(), names
        self.worker_id, self.pool = worker_id, pool
        self.ack_wait_s, self.max_deliver = 30.0, 5  # the pool consumer's, read in open()
        self.stream = names.stream("jobs")["name"]
        self._own: Any = None
        self._pool: Any = None
        self._fetches: dict[str, asyncio.Task[Held | None] | None] = {"own": None, "pool": None}
        self._held: list[Held] = []

    async def open(self, stopping: asyncio.Event) -> None:
        """Bind to the pool's consumer (the jobs service makes it; wait for it) and make this worker's own."""
        names = self.names
        pool_consumer = names.worker_consumer(self.pool)
        waited = False
        while True:
            try:
                info = await self.js.consumer_info(self.stream, pool_consumer)
                break
            except NotFoundError:
                if not waited:
                    log.warning("waiting for the jobs service to create consumer %s", pool_consumer)
                    waited = True
            except Exception:  # the broker or the stream is not there yet
                log.debug("consumer %s not readable yet", pool_consumer, exc_info=True)
            if stopping.is_set():
                raise RuntimeError(f"stopped before consumer {pool_consumer} existed")
            await asyncio.sleep(1.0)
        self.ack_wait_s, self.max_deliver = float(info.config.ack_wait or 30.0), int(info.config.max_deliver or 5)
        self._pool = await self.js.pull_subscribe_bind(pool_consumer, self.stream)
        await self._add_own_consumer()
        self._own = await self.js.pull_subscribe_bind(names.direct_consumer(self.worker_id), self.stream)

    async def _add_own_consumer(self) -> None:
        durable = self.names.direct_consumer(self.worker_id)
        await self.js.add_consumer(self.stream, pull_config(
            durable, [self.names.job_direct(self.pool, self.worker_id)], ack_wait=self.ack_wait_s,
            max_deliver=self.max_deliver, inactive_threshold=OWN_QUEUE_IDLE_S))

    async def run(self, handle: Callable[[Msg], Awaitable[None]], stopping: asyncio.Event) -> None:
        """Hand each job to `handle`, one at a time, until `stopping` is set."""
        while not stopping.is_set():
            if not self._held:
                await self._wait_for_a_job()
                continue
            held = next((h for h in self._held if h.own), self._held[0])
            self._held.remove(held)
            held.beat.cancel()  # handle keeps it alive from here
            await handle(held.msg)

    async def next_from_pool(self, timeout: float) -> Msg | None:
        """A job of the pool's queue for a batch: one already fetched at once, else one fetched within `timeout`
        seconds, or None. The caller keeps it alive from here. A job of this worker's own queue stays held."""
        self._collect()
        if not any(not h.own for h in self._held) and timeout > 0:
            if self._fetches["pool"] is None:
                self._fetches["pool"] = asyncio.create_task(self._fetch(self._pool, own=False))
            await asyncio.wait([self._fetches["pool"]], timeout=timeout)
            self._collect()
        held = next((h for h in self._held if not h.own), None)
        if held is None:
            return None
        self._held.remove(held)
        held.beat.cancel()
        return held.msg

    def hold(self, msg: Msg) -> None:
        """A job of the pool's queue taken for a batch that did not fit it: kept alive, it runs next."""
        self._held.insert(0, Held(msg, False, asyncio.create_task(self._keep_alive(msg))))

    async def _wait_for_a_job(self) -> None:
        subs = {"own": self._own, "pool": self._pool}
        for name, task in self._fetches.items():
            if task is None:
                self._fetches[name] = asyncio.create_task(self._fetch(subs[name], own=name == "own"))
        await asyncio.wait([t for t in self._fetches.values() if t], return_when=asyncio.FIRST_COMPLETED)
        self._collect()

    def _collect(self) -> None:
        """Move what finished fetches got to the held list."""
        for name, task in self._fetches.items():
            if task is not None and task.done():
                self._fetches[name] = None
                got = task.result()
                if got is not None:
                    self._held.append(got)

    async def _fetch(self, sub: Any, own: bool) -> Held | None:
        try:
            msg = (await sub.fetch(1, timeout=FETCH_S))[0]
        except (TimeoutError, NatsTimeout):
            return None
        except Exception:  # broker away for a moment, or the own queue's consumer dropped as idle
            log.warning("fetch failed; retrying", exc_info=True)
            await asyncio.sleep(0.5)
            if own:
                with suppress(Exception):
                    await self._add_own_consumer()
            return None
        return Held(msg, own, asyncio.create_task(self._keep_alive(msg)))

    async def _keep_alive(self, msg: Msg) -> None:
        while True:
            await asyncio.sleep(self.ack_wait_s / 3)
            with suppress(Exception):
                await msg.in_progress()

    async def close(self) -> None:
        """Hand back the jobs fetched but not run (nak: another worker gets them at once). The jobs service drops
        this worker's own queue's consumer once its presence is deleted, and moves what waits there."""
        pending = [t for t in self._fetches.values() if t is not None]
        if pending:
            await asyncio.wait(pending)
            self._collect()
        for held in self._held:
            held.beat.cancel()
            with suppress(Exception):
                await held.msg.nak()
        self._held.clear()
