"""The embedded stack's autoscaler: each pool created through `/v1/pools` runs min..max local worker processes.

It does on a laptop what KEDA does in a cluster (charts/easel/templates/gpu-worker/scaledobject.yaml): it reads the
backlog of the pool's JetStream consumer (`num_pending`, the lag KEDA's nats-jetstream trigger reads) and wants one
worker per `queue_depth_target` waiting jobs, rounded up, within min_workers..max_workers. More workers start at
once; one above the wanted count stops once the queue is empty and it has been idle (no job running, none finished)
for `cooldown_seconds`. A disabled or deleted pool's workers all stop. Stopping is a SIGTERM: the worker takes no
more jobs and finishes the one it runs (easel_worker.worker.Worker.stop), so no running job is killed.

Each worker starts with its pool's `preload_models` (EASEL_PRELOAD_MODELS: it loads them before it takes jobs) and,
where the machine has CUDA devices, `gpus_per_worker` of them of its own (CUDA_VISIBLE_DEVICES; gpus.py: too few
free devices means fewer workers, a CPU-only machine ignores the setting).

The pool list comes from the jobs service's `pools_changed` broadcast (the full list after every change and once a
minute). Pools from EASEL_POOLS (source "config") are not scaled here: they keep the stack's fixed `--workers`, as
Helm-defined pools keep the chart's own KEDA objects. A crashed worker is restarted by the stack's supervisor like
any other; the autoscaler only decides how many there are.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Protocol

import httpx
from prometheus_client.parser import text_string_to_metric_families

from easel_proto.v1.pools import Pool
from easel_stack.gpus import Devices, visible_devices

log = logging.getLogger(__name__)
POLL_S = 1.0
STOP_MARGIN_S = 30.0  # beyond the worker's own shutdown grace before a hung worker is killed


class Process(Protocol):
    """A worker process the stack started (easel_stack.stack.WorkerProcess)."""

    env: dict[str, str]

    @property
    def health_url(self) -> str: ...

    async def stop(self, timeout: float = 30.0) -> int: ...


class Host(Protocol):
    """What the autoscaler needs of the stack."""

    async def admit(self) -> None: ...
    async def queue_depth(self, pool: str) -> int: ...
    def start_worker(self, **env: str) -> Process: ...
    def retire_worker(self, worker: Process) -> None: ...


def wanted(pool: Pool, pending: int) -> int:
    """How many workers `pool` should run with `pending` jobs waiting: one per queue_depth_target, rounded up,
    within min_workers..max_workers; none while it is disabled."""
    if pool.enabled is False:
        return 0
    low = pool.min_workers or 0
    high = max(low, pool.max_workers or 0)
    return max(low, min(high, math.ceil(pending / (pool.queue_depth_target or 1))))


@dataclass
class Managed:
    process: Process
    idle_since: float  # when it was last seen running a job, or finishing one (at first: when it started)
    jobs_done: float | None = None


async def _activity(http: httpx.AsyncClient, url: str) -> tuple[bool, float] | None:
    """(busy, jobs finished) from a worker's /metrics; None while it does not answer (starting, restarting)."""
    try:
        text = (await http.get(f"{url}/metrics")).text
    except httpx.HTTPError:
        return None
    busy, done = False, 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "easel_worker_busy" and sample.value:
                busy = True
            elif sample.name == "easel_worker_jobs_total":
                done += sample.value
    return busy, done


class Autoscaler:
    def __init__(self, host: Host, poll_s: float = POLL_S, clock: Callable[[], float] = time.monotonic,
                 devices: Devices | None = None) -> None:
        self.host, self.poll_s, self.clock = host, poll_s, clock
        self.devices = Devices(visible_devices()) if devices is None else devices
        self._said: dict[str, str] = {}  # per pool, the last thing said about its GPUs (said once, not every tick)
        self.pools: dict[str, Pool] = {}  # the API pools of the latest broadcast
        self.workers: dict[str, list[Managed]] = {}
        self.draining: dict[str, set[asyncio.Task[int]]] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def follow(self, pools: list[Pool]) -> None:
        """The current pool list (config pools are left out); acted on at once."""
        self.pools = {p.name: p for p in pools if p.source != "config"}
        self._wake.set()

    def pools_with_workers(self) -> list[str]:
        """Pools some worker of which still runs or drains (NATS must still admit them)."""
        return [name for name in {**self.workers, **self.draining} if self.workers.get(name) or self.draining.get(name)]

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop deciding; workers still draining finish their stop (the stack stops the rest)."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await asyncio.gather(*(t for tasks in self.draining.values() for t in tasks), return_exceptions=True)

    async def _run(self) -> None:
        async with httpx.AsyncClient(timeout=2) as http:
            while True:
                try:
                    await self.tick(http)
                except Exception:  # NATS away for a moment: the next tick tries again
                    log.exception("autoscaling failed; trying again")
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_s)
                self._wake.clear()

    async def tick(self, http: httpx.AsyncClient) -> None:
        await self.host.admit()  # NATS admits the listed pools' workers before any starts, and forgets the gone
        for name in sorted({*self.pools, *self.workers}):
            pool, workers = self.pools.get(name), self.workers.setdefault(name, [])
            if pool is None or pool.enabled is False:
                for worker in list(workers):
                    self._drain(name, worker, "the pool was deleted" if pool is None else "the pool is disabled")
                continue
            await self._observe(http, workers)
            pending = await self.host.queue_depth(name)
            want = wanted(pool, pending)
            if len(workers) < want:
                log.info("pool %s: %d jobs waiting, starting %d workers (%d running)", name, pending,
                         want - len(workers), len(workers))
            while len(workers) < want and (process := self._start(pool, want, len(workers))) is not None:
                workers.append(Managed(process, self.clock()))
            if len(workers) > want and pending == 0:
                cooled = [w for w in workers if self.clock() - w.idle_since >= (pool.cooldown_seconds or 0)]
                for worker in cooled[:len(workers) - want]:
                    self._drain(name, worker, f"idle for {pool.cooldown_seconds} s")
        self.workers = {name: w for name, w in self.workers.items() if w}

    def _start(self, pool: Pool, want: int, running: int) -> Process | None:
        """One worker for `pool` with its preload models and its GPUs; None while too few devices are free."""
        count = pool.gpus_per_worker or 1
        devices = self.devices.take(count)
        if devices is None:
            self._say(pool.name, f"pool {pool.name}: {want} workers wanted, {running} run: each needs "
                                 f"{count} GPUs (gpus_per_worker) and {len(self.devices.free())} are free")
            return None
        if self.devices.cpu_only and count > 1:
            self._say(pool.name, f"pool {pool.name}: gpus_per_worker {count} ignored: no CUDA devices here, its "
                                 "workers run on the CPU")
        env = {"EASEL_POOL": pool.name,
               "EASEL_PRELOAD_MODELS": json.dumps(list(pool.preload_models or []), separators=(",", ":"))}
        if devices:
            env["CUDA_VISIBLE_DEVICES"] = ",".join(devices)
        process = self.host.start_worker(**env)
        self.devices.hold(process, devices)
        return process

    def _say(self, pool: str, line: str) -> None:
        if self._said.get(pool) != line:
            self._said[pool] = line
            log.warning("%s", line)

    async def _observe(self, http: httpx.AsyncClient, workers: list[Managed]) -> None:
        for worker in workers:
            seen = await _activity(http, worker.process.health_url)
            if seen is None:
                continue
            busy, done = seen
            if busy or (worker.jobs_done is not None and done != worker.jobs_done):
                worker.idle_since = self.clock()
            worker.jobs_done = done

    def _drain(self, name: str, worker: Managed, why: str) -> None:
        """Stop one worker gracefully, in the background: it finishes its job first."""
        self.workers[name].remove(worker)
        self.host.retire_worker(worker.process)  # no longer supervised: its exit is wanted
        grace = float(worker.process.env.get("EASEL_SHUTDOWN_GRACE_S", "25"))
        task = asyncio.create_task(worker.process.stop(timeout=grace + STOP_MARGIN_S))
        tasks = self.draining.setdefault(name, set())
        tasks.add(task)
        task.add_done_callback(lambda t: self._drained(name, t, worker.process))
        log.info("pool %s: stopping a worker (%s)", name, why)

    def _drained(self, name: str, task: asyncio.Task[int], process: Process) -> None:
        self.devices.release(process)  # its GPUs are free once it exited
        tasks = self.draining.get(name, set())
        tasks.discard(task)
        if not tasks:
            self.draining.pop(name, None)
        self._wake.set()  # a pool whose last worker is gone leaves NATS

