"""A worker's cross-request batches: several queued jobs that can share a UNet call run as one engine call.

Each job of a batch keeps everything a job run alone has: its claim and lease, its `processing`, `progress` (with
previews) and terminal events under that lease, its image keys, its in-progress acks, and its own interrupt, skip
and revocation. A job interrupted in a batch leaves it at its next step and reports `canceled` at once, with what it
had made (decoded from its rows' denoised estimate, as alone); the other jobs run on unchanged. A shutdown releases
every job of the batch. Which jobs batch, and how long a worker waits for them: batching.py.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nats.aio.msg import Msg
from PIL import Image
from pydantic import ValidationError

from easel_proto.errors import EaselError, GenerationFailed, JobCanceled, Unavailable
from easel_proto.naming import lease_digest, run_id
from easel_proto.v1 import jobs
from easel_proto.wire import decode, now
from easel_worker import metrics
from easel_worker.batching import BatchPolicy, Candidate, batch_key, gather
from easel_worker.engine import Interrupt, Skip, Stopped
from easel_worker.stops import Released, Revoked

if TYPE_CHECKING:
    from easel_worker.worker import Worker

log = logging.getLogger(__name__)
Progress = asyncio.Queue[tuple[int, int, Image.Image | None] | None]


@dataclass
class Member:
    """One job of a running batch, and its run's state (what the worker keeps for a job run alone)."""

    job: jobs.JobSubmitted
    msg: Msg
    lease: str = ""
    revoked: bool = False
    steps: int = 0  # the engine's step count it was last given
    cancel_at: int | None = None  # that count when an interrupt came
    skip_at: int | None = None
    reported: int = 0
    preview: Image.Image | None = None
    previewed_at: float = 0.0
    progress: Progress = field(default_factory=asyncio.Queue)
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)  # its in-progress acks and progress publisher


class Batches:
    """Gathers a batch around the job a worker took, and runs it."""

    def __init__(self, worker: Worker, policy: BatchPolicy) -> None:
        self.worker, self.policy = worker, policy
        self.running: dict[str, Member] = {}

    async def gather(self, job: jobs.JobSubmitted, msg: Msg) -> list[tuple[jobs.JobSubmitted, Msg]]:
        """The job, and the queued jobs of the pool that can share its calls (batching.gather); the first that
        cannot goes back to the feed and runs next. Only the pool's queue: a job sent to this worker alone waits
        for it as before, so the worker's presence (busy with the first job) stays true for the jobs service."""
        worker = self.worker
        key = batch_key(job.spec) if self.policy.enabled and hasattr(worker.engine, "generate_batch") else None
        first = Candidate((job, msg), key, len(job.spec.seeds))
        if key is None:
            return [first.item]

        async def take(timeout: float) -> Candidate[tuple[jobs.JobSubmitted, Msg]] | None:
            got = await worker.feed.next_from_pool(timeout)
            if got is None:
                return None
            try:
                other = decode(jobs.JobSubmitted, got.data)
            except ValidationError:
                return Candidate((None, got), None, 0)  # runs next, on its own, as any job does
            return Candidate((other, got), batch_key(other.spec), len(other.spec.seeds))

        batch, left = await gather(first, self.policy, take)
        if left is not None:
            worker.feed.hold(left.item[1])
        if len(batch) == 1:
            metrics.BATCH_JOBS.labels(worker.settings.pool).observe(1)  # batchable, and alone: runs as any job
        return [c.item for c in batch]

    def interrupt(self, job_id: str, skip: bool) -> bool:
        """An interrupt or skip for a job of the running batch (True), or for none of them."""
        member = self.running.get(job_id)
        if member is None:
            return False
        if skip:
            if member.skip_at is None:
                member.skip_at = member.steps
        elif member.cancel_at is None:
            member.cancel_at = member.steps
        return True

    def revoke(self, job_id: str, run: str) -> bool:
        """A revocation naming a batched job's run: that job stops and reports nothing."""
        member = self.running.get(job_id)
        if member is None:
            return False
        if member.lease and run == run_id(lease_digest(member.lease)):
            member.revoked = True
        return True

    async def run(self, batch: list[tuple[jobs.JobSubmitted, Msg]]) -> None:
        """Claim each job (one refused is dropped, as alone), then run those claimed together."""
        worker = self.worker
        members = [Member(job, msg) for job, msg in batch]
        for member in members:
            self.running[member.job.job_id] = member
            member.tasks.append(asyncio.create_task(worker._keep_alive(member.msg)))
        try:
            claimed = await asyncio.gather(*(self._claim(m) for m in members))
            ready = []
            for member in (m for m, ok in zip(members, claimed, strict=True) if ok):
                try:
                    _check(member.job)
                except EaselError as exc:
                    await self._failed(member, exc)
                    continue
                attempt = member.msg.metadata.num_delivered
                await worker._event(member.job.job_id, "processing",
                                    jobs.JobStatusEvent(job_id=member.job.job_id, status="processing", at=now(),
                                                        worker_id=worker.settings.worker_id, attempt=attempt),
                                    msg_id=worker._msg_id(member.job.job_id, f"processing.{attempt}", member.lease),
                                    lease=member.lease)
                ready.append(member)
            if ready:
                metrics.BATCH_JOBS.labels(worker.settings.pool).observe(len(ready))
                if len(ready) > 1:
                    metrics.BATCHED_JOBS.labels(worker.settings.pool).inc(len(ready))
                await self._generate(ready)
        finally:
            for member in members:
                self.running.pop(member.job.job_id, None)
                for task in member.tasks:
                    task.cancel()

    async def _claim(self, member: Member) -> bool:
        meta = member.msg.metadata
        try:
            claim = await self.worker._claim(member.job.job_id, meta.num_delivered, meta.sequence.stream)
        except Unavailable:
            await member.msg.nak(delay=5.0)  # the jobs service stayed away; let the queue hold the job
            return False
        if not claim.proceed:
            await member.msg.ack()
            return False
        member.lease = claim.lease or ""
        return True

    async def _generate(self, ready: list[Member]) -> None:
        worker, pool = self.worker, self.worker.settings.pool
        spec = ready[0].job.spec
        loop = asyncio.get_running_loop()
        ends: list[asyncio.Task[None]] = []
        ended: set[int] = set()
        started = time.perf_counter()
        load_s = 0.0

        def end(index: int, outcome: Any) -> None:
            if index not in ended:
                ended.add(index)
                ends.append(asyncio.ensure_future(self._end(ready[index], outcome, load_s, started)))

        def on_done(index: int, outcome: Any) -> None:  # on the engine's thread, as soon as a job's end is known
            loop.call_soon_threadsafe(end, index, outcome)

        every = worker.settings.preview_every
        async with AsyncExitStack() as stack:
            try:
                files: dict[str, Any] = {}
                for member in ready:  # pinned while they load and run; each job's embeddings are its own
                    files.update(await stack.enter_async_context(worker._job_files(member.job.spec)))
                for member in ready:
                    member.tasks.append(asyncio.create_task(
                        worker._publish_progress(member.job.job_id, member.progress, lease=member.lease)))
                load_s = await asyncio.to_thread(worker._load, spec.model, files.get(spec.model.id))
                metrics.LOAD_SECONDS.labels(pool, spec.model.kind).observe(load_s)
                started = time.perf_counter()
                await asyncio.to_thread(worker.engine.generate_batch, [m.job.spec for m in ready],
                                        [self._on_step(m, loop) for m in ready], files,
                                        [self._on_preview(m) for m in ready] if every else None, on_done)
            except Exception as exc:  # a file or the model did not load: every job of the batch ends with that
                await asyncio.sleep(0)  # (the ends the engine reported come first)
                for index in range(len(ready)):
                    end(index, exc)
            await asyncio.sleep(0)  # the ends the engine reported are scheduled by now
            await asyncio.gather(*ends)

    def _on_step(self, member: Member, loop: asyncio.AbstractEventLoop) -> Callable[[int, int], None]:
        worker, steps = self.worker, member.job.spec.steps

        def on_step(step: int, total: int) -> None:  # on the engine's thread, between denoising steps
            if member.revoked:
                raise Revoked("handed to another worker")
            if worker._release:
                raise Released("worker shutting down")
            if member.cancel_at is not None:
                raise Interrupt(member.cancel_at)  # the engine keeps what it made
            if member.skip_at is not None:
                at, member.skip_at = member.skip_at, None
                raise Skip(at)
            member.steps = step
            done = max(1, total and step * steps // total)
            if done > member.reported:
                member.reported, shown, member.preview = done, member.preview, None
                loop.call_soon_threadsafe(member.progress.put_nowait, (done, steps, shown))

        return on_step

    def _on_preview(self, member: Member) -> Callable[[int, int, Callable[[], Image.Image | None]], None]:
        settings, steps = self.worker.settings, member.job.spec.steps

        def on_preview(step: int, total: int, make: Callable[[], Image.Image | None]) -> None:
            done = max(1, total and step * steps // total)
            if (done <= member.reported or done % settings.preview_every or done >= steps
                    or time.monotonic() - member.previewed_at < settings.preview_min_interval_s):
                return
            try:
                member.preview = make()
            except Exception:  # a preview is a nicety: never let it fail the job
                log.debug("job %s: no preview at step %s", member.job.job_id, done, exc_info=True)
                return
            member.previewed_at = time.monotonic()

        return on_preview

    async def _end(self, member: Member, outcome: Any, load_s: float, started: float) -> None:
        """Report one job of the batch the moment its outcome is known, as a job run alone would be."""
        worker, pool, job = self.worker, self.worker.settings.pool, member.job
        member.progress.put_nowait(None)  # its last progress goes out before its end
        await asyncio.gather(*member.tasks[1:], return_exceptions=True)
        member.tasks[0].cancel()
        try:
            if member.revoked or isinstance(outcome, Revoked):
                # another worker runs the job now: neither ack nor nak (see worker._process)
                log.warning("job %s was handed to another worker while this one was silent; dropped", job.job_id)
                metrics.JOBS.labels(pool, "revoked").inc()
                return
            if isinstance(outcome, Released):
                await member.msg.nak()
                metrics.JOBS.labels(pool, "released").inc()
                return
            if isinstance(outcome, Stopped | Interrupt | JobCanceled):
                made = outcome.images if isinstance(outcome, Stopped) else []
                keys = await worker._put_images(job, made[:len(job.spec.seeds)]) if made else []
                await worker._event(job.job_id, "canceled", jobs.JobStatusEvent(
                    job_id=job.job_id, status="canceled", at=now(), attempt=member.msg.metadata.num_delivered,
                    worker_id=worker.settings.worker_id, image_keys=keys),
                    msg_id=worker._msg_id(job.job_id, f"canceled.{member.msg.metadata.num_delivered}", member.lease),
                    lease=member.lease)
                metrics.JOBS.labels(pool, "canceled").inc()
            elif isinstance(outcome, list) and len(outcome) == len(job.spec.seeds):
                await worker._put_images(job, outcome)
                generation_s = time.perf_counter() - started
                rate = job.spec.steps / generation_s if generation_s > 0 else None
                metrics.GENERATION_SECONDS.labels(pool).observe(generation_s)
                if rate:
                    metrics.STEPS_PER_SECOND.labels(pool).set(rate)
                result = jobs.JobResult(job_id=job.job_id, at=now(), worker_id=worker.settings.worker_id,
                                        image_keys=job.image_keys, seeds=job.spec.seeds,
                                        timings=jobs.Timings(load_s=load_s, generation_s=generation_s,
                                                             steps_per_s=rate))
                await worker._event(job.job_id, "succeeded", result, lease=member.lease,
                                    msg_id=worker._msg_id(job.job_id, "result", member.lease))
                metrics.JOBS.labels(pool, "succeeded").inc()
            else:
                if not worker.engine.healthy():  # the device failed, not the job: another worker runs it
                    log.error("job %s handed back: the engine broke while running it (%s)", job.job_id, outcome)
                    await member.msg.nak()
                    metrics.JOBS.labels(pool, "released").inc()
                    return
                error = outcome if isinstance(outcome, EaselError) else GenerationFailed(
                    f"the engine made {len(outcome)} images for {len(job.spec.seeds)} seeds"
                    if isinstance(outcome, list) else f"{type(outcome).__name__}: {outcome}")
                await self._failed(member, error, ack=False)
            await member.msg.ack()
        except Exception:
            log.exception("job %s: its end could not be reported; its message comes back", job.job_id)

    async def _failed(self, member: Member, error: EaselError, ack: bool = True) -> None:
        worker, job = self.worker, member.job
        await worker._event(job.job_id, "failed", jobs.JobFailed(job_id=job.job_id, at=now(),
                                                                 worker_id=worker.settings.worker_id,
                                                                 error=error.to_wire()),
                            msg_id=worker._msg_id(job.job_id, "failed", member.lease), lease=member.lease)
        metrics.JOBS.labels(worker.settings.pool, "failed").inc()
        if ack:
            await member.msg.ack()


def _check(job: jobs.JobSubmitted) -> None:
    """What the worker checks of every job before it runs (worker.check_owner_keys; a txt2img job has no inputs)."""
    from easel_worker.worker import check_owner_keys

    check_owner_keys(job)
