"""The JetStream side of a worker: pull a job, claim it, run it on the engine, report, ack."""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from pathlib import Path

from nats.aio.client import Client
from nats.aio.msg import Msg
from PIL import Image
from pydantic import ValidationError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential

from easel_common.health import Check
from easel_common.natsio import request
from easel_common.storage import ObjectStore
from easel_proto.errors import (
    EaselError,
    Forbidden,
    GenerationFailed,
    InvalidInput,
    JobCanceled,
    NotFound,
    Unavailable,
)
from easel_proto.naming import LEASE_HEADER, job_prefix, lease_digest, merge_path, run_id, text_key
from easel_proto.v1 import jobs
from easel_proto.v1.registry import ModelInfo
from easel_proto.wire import decode, encode, now
from easel_worker import metrics, preload
from easel_worker.base_configs import FOLDER as BASE_CONFIGS
from easel_worker.base_configs import fetch_quietly as fetch_base_configs
from easel_worker.batches import Batches
from easel_worker.batching import BatchPolicy
from easel_worker.cache import FETCHED_FORMATS, ModelCache
from easel_worker.compiled import StoreMirror
from easel_worker.engine import Engine, Interrupt, Skip, Stopped
from easel_worker.images import preview_uri, to_png
from easel_worker.presence import JobFeed, Presence
from easel_worker.settings import WorkerSettings
from easel_worker.stops import Released, Revoked

log = logging.getLogger(__name__)
# Events a run publishes without waiting for the stream's ack: nothing depends on their being stored (the row
# follows the terminal event, which is acked; the jobs service folds `processing` only into a row still running),
# so a job neither fails nor waits a round trip for them. `processing` used to hold the engine's start back by one;
# `progress` costs a job one message a step instead of two. Lost only while the stream cannot store anything,
# when the terminal event (acked) waits for it to come back.
UNACKED_EVENTS = frozenset({"processing", "progress"})


def check_owner_keys(job: jobs.JobSubmitted) -> None:
    """A worker writes only under the job owner's space: one key per image, each under tenant/user/."""
    owner = f"{job.principal.tenant_id}/{job.principal.user_id}/"
    if len(job.image_keys) != len(job.spec.seeds) or not all(k.startswith(owner) for k in job.image_keys):
        raise Forbidden("the job's image keys are not under its owner's space", owner=owner)


def input_refs(spec: jobs.GenerationSpec) -> list[tuple[str, jobs.InputImage]]:
    """(field, reference) of every input image the spec names: init images, mask, ControlNet images and masks."""
    refs = [(f"init_images.{i}", ref) for i, ref in enumerate(spec.init_images or [])]
    if spec.mask is not None:
        refs.append(("mask", spec.mask))
    for i, unit in enumerate(spec.controlnets or []):
        refs += [(f"controlnets.{i}.{name}", ref) for name, ref in (("image", unit.image), ("mask", unit.mask))
                 if ref is not None]
    return refs


def check_input_keys(job: jobs.JobSubmitted) -> None:
    """A worker reads only the job owner's inputs: every input image key is under tenant/user/."""
    owner = f"{job.principal.tenant_id}/{job.principal.user_id}/"
    for field, ref in input_refs(job.spec):
        if not ref.key.startswith(owner) or ".." in ref.key.split("/"):
            raise Forbidden(f"input image {field} is not in the job owner's space", owner=owner, field=field)


def spec_models(spec: jobs.GenerationSpec) -> list[ModelInfo]:
    """Every model whose files the spec needs, once each: checkpoint (not for extras) and refiner, LoRAs,
    hypernetworks, VAE, embeddings, ControlNets and their annotators, hires, extras and SD upscale upscalers. A
    detect job runs only the annotators."""
    if spec.task == "detect":
        return list({u.annotator.id: u.annotator for u in spec.controlnets or [] if u.annotator is not None}.values())
    models = [] if spec.task == "extras" else [spec.model]
    models += [spec.refiner.model] if spec.refiner is not None else []
    models += [lora.model for lora in spec.loras or []]
    models += [network.model for network in spec.hypernetworks or []]
    models += [spec.vae] if spec.vae is not None else []
    models += [embedding.model for embedding in spec.embeddings or []]
    for unit in spec.controlnets or []:
        models += [unit.model] + ([unit.annotator] if unit.annotator is not None else [])
    if spec.hires is not None and spec.hires.upscaler_model is not None:
        models.append(spec.hires.upscaler_model)
    if spec.extras is not None:
        models += [m for m in (spec.extras.upscaler_model, spec.extras.upscaler_2_model) if m is not None]
    for face in spec.face_restore or []:
        models += [face.restorer, face.detector]
    if spec.sd_upscale is not None and spec.sd_upscale.upscaler_model is not None:
        models.append(spec.sd_upscale.upscaler_model)
    unique: dict[str, ModelInfo] = {}
    for model in models:
        unique.setdefault(model.id, model)
    return list(unique.values())


def decode_image(data: bytes, field: str) -> Image.Image:
    """A client's input image, fully decoded; InvalidInput naming the field when it is not one."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Exception:  # truncated, not an image, a decompression bomb...
        raise InvalidInput(field, "is not a readable PNG, JPEG or WebP image") from None
    return image


def _digest(path: Path) -> tuple[int, str]:
    """(size, sha256) of a file."""
    with open(path, "rb") as f:
        return path.stat().st_size, hashlib.file_digest(f, "sha256").hexdigest()


class Worker:
    """Lifecycle: start() binds to the pool's queue; stop() finishes or releases the current job."""

    def __init__(self, settings: WorkerSettings, nc: Client, engine: Engine, store: ObjectStore) -> None:
        self.settings, self.nc, self.js, self.engine, self.store = settings, nc, nc.jetstream(), engine, store
        self.names = settings.names
        self.cache = ModelCache(settings.store_cache_dir, store, settings.cache_budget_bytes)
        self.ready = False
        self.current: str | None = None
        self._cancel: set[str] = set()
        # the current job's engine step count, and what it was when an interrupt / a skip was asked for (the
        # engine keeps nothing of a pass none of whose steps had finished by then)
        self._steps, self._cancel_at, self._skip_at = 0, 0, None
        self._release = False
        self._lease = ""  # the current job's, from its claim
        self._revoked = False  # the current run was handed to another worker
        self._stopping = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None
        self.feed = JobFeed(nc, self.names, settings.worker_id, settings.pool)
        self.batches = Batches(self, BatchPolicy(settings.batch_max_jobs, settings.batch_max_images,
                                                 settings.batch_wait_ms / 1000))
        self.presence = Presence(nc, self.names, settings.worker_id, settings.pool, engine, self.cache.root,
                                 settings.presence_interval_s, cache_version=lambda: self.cache.version)

    async def start(self) -> None:
        names, pool = self.names, self.settings.pool
        if pool not in self.settings.pools:
            raise RuntimeError(f"pool {pool!r} is not configured: EASEL_POOLS is {self.settings.pools}; a worker "
                               "serves one of the deployment's pools")
        share = getattr(self.engine, "share_compiled", None)
        if share is not None and self.settings.compile_cache_store:
            share(StoreMirror(self.store, asyncio.get_running_loop()))
        await self._preload()  # before it pulls or announces itself: the first job finds them resident
        await self.feed.open(self._stopping)  # the pool's queue and this worker's own
        await self.nc.subscribe(names.job_interrupt("*"), cb=self._on_interrupt)
        await self.nc.subscribe(names.job_revoke("*"), cb=self._on_revoke)
        await self.presence.start()
        self.ready = True
        self._loop_task = asyncio.create_task(self._run())
        log.info("worker %s pulling jobs for pool %s", self.settings.worker_id, pool)

    def healthy(self) -> bool:
        return self.ready and self.nc.is_connected and self.engine.healthy()

    async def _preload(self) -> None:
        """Its pool's preload_models (EASEL_PRELOAD_MODELS), fetched and loaded (preload.py); never fatal."""
        refs = self.settings.preload_models
        if not refs:
            return
        try:
            models = await preload.resolve(self.nc, self.names, self.settings.pool, refs,
                                           self.settings.request_timeout_s)
        except EaselError as exc:
            log.warning("could not resolve preload_models %s: %s", refs, exc.message)
            return
        cache = None if self.settings.engine == "null" else self.cache
        ready = await preload.preload(models, cache, self._load, self._base_configs)
        log.info("preloaded %d of %d models: %s", len(ready), len(refs), ", ".join(ready) or "none")

    def checks(self) -> list[Check]:
        """Alive while the engine can be trusted (a broken GPU gets the process restarted); ready while it takes
        jobs (not before it pulls, nor once it stops: a SIGTERM, or a broken engine)."""
        return [Check("engine", self.engine.healthy, liveness=True),
                Check("taking_jobs", lambda: self.ready and not self._stopping.is_set())]

    async def stop(self) -> None:
        """Stop pulling; give the running job `shutdown_grace_s` to finish, then release it."""
        self._stopping.set()
        await self.presence.draining()
        if self._loop_task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._loop_task), self.settings.shutdown_grace_s)
            except TimeoutError:
                log.warning("job %s still running after %.0fs; releasing it", self.current,
                            self.settings.shutdown_grace_s)
                self._release = True
                await self._loop_task
        await self.feed.close()
        await self.presence.stop()
        await self.store.close()

    async def _on_interrupt(self, msg: Msg) -> None:
        job_id = msg.subject.rsplit(".", 1)[-1]
        if job_id != self.current and job_id not in self.batches.running:
            return
        try:
            skip = decode(jobs.JobCancel, msg.data).skip
        except ValidationError:
            skip = False  # a bare interrupt
        if self.batches.interrupt(job_id, skip):
            return
        if skip:
            if self._skip_at is None:
                self._skip_at = self._steps
        elif job_id not in self._cancel:
            self._cancel_at = self._steps
            self._cancel.add(job_id)

    async def _on_revoke(self, msg: Msg) -> None:
        try:
            revoke = decode(jobs.JobRevoke, msg.data)
        except ValidationError:
            return
        # only the run named: a revocation sent before this worker's own claim of the job never stops that claim
        if self.batches.revoke(revoke.job_id, revoke.run):
            return
        if revoke.job_id == self.current and self._lease and revoke.run == run_id(lease_digest(self._lease)):
            self._revoked = True

    async def _run(self) -> None:
        # one job at a time; the feed may hold one more, kept alive, that came while this one ran
        await self.feed.run(self._handle, self._stopping)
        if not self.engine.healthy():
            await self.feed.close()  # broken: what it holds goes back now, not when the process is finally stopped

    async def _give_up(self) -> None:
        """The engine broke (a CUDA error poisons the device): take no more jobs, hand back what is held, and say
        so on /readyz and /healthz, so that Kubernetes restarts the process instead of it failing every job."""
        if self._stopping.is_set():
            return
        log.error("the engine is unhealthy; this worker takes no more jobs and waits to be restarted")
        self._stopping.set()
        await self.presence.draining()

    async def _handle(self, msg: Msg) -> None:
        if not self.engine.healthy():
            await msg.nak()  # another worker's engine can run it
            await self._give_up()
            return
        job = decode(jobs.JobSubmitted, msg.data)
        self.current, self._release, self._lease, self._revoked = job.job_id, False, "", False
        self._cancel.discard(job.job_id)
        self._steps, self._cancel_at, self._skip_at = 0, 0, None
        beat = asyncio.create_task(self._keep_alive(msg))
        metrics.BUSY.labels(self.settings.pool).set(1)
        await self.presence.job_started(job.job_id)  # a batch shows its first job: busy, not to be sent more
        try:
            batch = await self.batches.gather(job, msg)
            if len(batch) > 1:
                beat.cancel()  # each job of the batch is kept alive by the batch
                await self.batches.run(batch)
            else:
                await self._process(job, msg)
        finally:
            beat.cancel()
            self.current = None
            metrics.BUSY.labels(self.settings.pool).set(0)
            await self.presence.job_ended()
        if not self.engine.healthy():
            await self._give_up()

    async def _keep_alive(self, msg: Msg) -> None:
        # Tell JetStream we are still on it, so a long job is not handed to another worker.
        while True:
            await asyncio.sleep(self.feed.ack_wait_s / 3)
            with suppress(Exception):
                await msg.in_progress()

    async def _process(self, job: jobs.JobSubmitted, msg: Msg) -> None:
        pool = self.settings.pool
        try:
            claim = await self._claim(job.job_id, msg.metadata.num_delivered, msg.metadata.sequence.stream)
        except Unavailable:
            await msg.nak(delay=5.0)  # the jobs service stayed away; let the queue hold the job
            return
        if not claim.proceed:
            await msg.ack()
            return
        self._lease = claim.lease or ""
        try:
            result = await self._generate(job, msg.metadata.num_delivered)
            if self._revoked:
                raise Revoked("handed to another worker")
            await self._event(job.job_id, "succeeded", result, msg_id=self._msg_id(job.job_id, "result"))
            metrics.JOBS.labels(pool, "succeeded").inc()
        except Revoked:
            pass  # below: neither ack nor nak
        except Released:
            await msg.nak()
            metrics.JOBS.labels(pool, "released").inc()
            return
        except (Stopped, Interrupt, JobCanceled) as stop:
            made = stop.images if isinstance(stop, Stopped) else []
            await self._canceled(job, made, msg.metadata.num_delivered)
            metrics.JOBS.labels(pool, "canceled").inc()
        except Exception as exc:
            if not self.engine.healthy():  # the device failed, not the job: another worker runs it
                log.error("job %s handed back: the engine broke while running it (%s)", job.job_id, exc)
                await msg.nak()
                metrics.JOBS.labels(pool, "released").inc()
                return
            error = exc if isinstance(exc, EaselError) else GenerationFailed(f"{type(exc).__name__}: {exc}")
            if not isinstance(exc, EaselError):
                log.exception("job %s failed", job.job_id)
            await self._event(job.job_id, "failed", jobs.JobFailed(job_id=job.job_id, at=now(),
                                                                   worker_id=self.settings.worker_id,
                                                                   error=error.to_wire()),
                              msg_id=self._msg_id(job.job_id, "failed"))
            metrics.JOBS.labels(pool, "failed").inc()
        if self._revoked:
            # another worker runs the job now, from a copy of this message or from this very message redelivered:
            # acking or naking it could take the job from under that run
            log.warning("job %s was handed to another worker while this one was silent; dropped", job.job_id)
            metrics.JOBS.labels(pool, "revoked").inc()
            return
        await msg.ack()

    async def _claim(self, job_id: str, delivery: int, sequence: int) -> jobs.ClaimJobReply:
        """Ask the jobs service to start the job, riding out a short outage of it in place.

        (A nak would count as a delivery and bring the job closer to max_deliver.)
        """
        request_claim = jobs.ClaimJobRequest(job_id=job_id, worker_id=self.settings.worker_id, delivery=delivery,
                                             sequence=sequence)
        async for attempt in AsyncRetrying(retry=retry_if_exception_type(Unavailable), reraise=True,
                                           stop=stop_after_delay(self.settings.claim_patience_s),
                                           wait=wait_exponential(min=0.1, max=2.0)):
            with attempt:
                return await request(self.nc, self.names.jobs_claim(self.settings.pool), request_claim,
                                     jobs.ClaimJobReply, timeout=self.settings.request_timeout_s)
        raise AssertionError("unreachable")

    async def _generate(self, job: jobs.JobSubmitted, delivery: int) -> jobs.JobResult:
        spec, pool = job.spec, self.settings.pool
        check_owner_keys(job)
        check_input_keys(job)
        await self._status(job.job_id, "processing", delivery)
        if spec.task == "merge":
            return await self._merge(job)
        inputs = await self._read_inputs(spec)  # a bad input fails the job before any model loads
        if spec.task == "interrogate":
            return await self._interrogate(job, inputs)
        async with self._job_files(spec) as files:
            # pinned on disk while they load and run; neither extras nor detect runs the checkpoint
            checkpoint = spec.model if spec.task not in ("extras", "detect") else None
            images, load_s, generation_s = await self._run_engine(job, files, inputs, checkpoint)
        if len(images) != len(spec.seeds):
            raise GenerationFailed(f"the engine made {len(images)} images for {len(spec.seeds)} seeds")
        await self._put_images(job, images)
        rate = spec.steps / generation_s if generation_s > 0 and spec.task != "extras" else None
        metrics.GENERATION_SECONDS.labels(pool).observe(generation_s)
        if rate:
            metrics.STEPS_PER_SECOND.labels(pool).set(rate)
        return jobs.JobResult(job_id=job.job_id, at=now(), worker_id=self.settings.worker_id,
                              image_keys=job.image_keys, seeds=spec.seeds,
                              timings=jobs.Timings(load_s=load_s, generation_s=generation_s, steps_per_s=rate))

    async def _merge(self, job: jobs.JobSubmitted) -> jobs.JobResult:
        """A merge job (easel_worker.merge): fetch the inputs into the disk cache (pinned), merge on the CPU, put
        the result under the job's folder. The jobs service has it registered as the owner's model."""
        spec, merge_spec = job.spec, job.spec.merge
        if merge_spec is None:
            raise InvalidInput("merge", "a merge job needs its merge spec")
        owner = job.principal
        path = merge_path(run_id(lease_digest(self._lease)))
        key = job_prefix(owner.tenant_id, owner.user_id, job.job_id) + path
        loop, started = asyncio.get_running_loop(), time.perf_counter()

        def on_step(step: int, total: int) -> None:  # on the merging thread, between weights
            if self._revoked:
                raise Revoked("handed to another worker")
            if self._release:
                raise Released("worker shutting down")
            if job.job_id in self._cancel:
                raise JobCanceled("canceled by its owner")
            if step == total or step % 64 == 0:
                loop.call_soon_threadsafe(lambda: asyncio.ensure_future(self._progress(job.job_id, step, total)))

        roles = (("model", spec.model), ("secondary", merge_spec.secondary), ("tertiary", merge_spec.tertiary),
                 ("bake_in_vae", merge_spec.bake_in_vae))
        tmp = self.settings.data_dir / "tmp" / "merges" / f"{job.job_id}-{path}"
        async with AsyncExitStack() as stack:
            local: dict[str, tuple[str, str, Path]] = {}
            for role, model in roles:
                if model is not None:
                    local[role] = (model.name, model.sha256 or "",
                                   await stack.enter_async_context(self.cache.use(model)))
            load_s = time.perf_counter() - started
            try:
                await asyncio.to_thread(_merging().run, merge_spec, local["model"], local.get("secondary"),
                                        local.get("tertiary"), local["bake_in_vae"][2] if "bake_in_vae" in local
                                        else None, tmp, on_step)
                size, digest = await asyncio.to_thread(_digest, tmp)
                await self.store.put_file(key, tmp)
            finally:
                tmp.unlink(missing_ok=True)
        generation_s = time.perf_counter() - started - load_s
        metrics.GENERATION_SECONDS.labels(self.settings.pool).observe(generation_s)
        return jobs.JobResult(job_id=job.job_id, at=now(), worker_id=self.settings.worker_id, image_keys=[],
                              seeds=spec.seeds, timings=jobs.Timings(load_s=load_s, generation_s=generation_s),
                              merged=jobs.MergeOutput(path=path, sha256=digest, size=size))

    async def _interrogate(self, job: jobs.JobSubmitted, inputs: dict[str, Image.Image]) -> jobs.JobResult:
        """An interrogate job (engine.interrogate): its text is written beside where its image would be
        (naming.text_key); it has no images."""
        spec, owner = job.spec, job.principal
        interrogate = getattr(self.engine, "interrogate", None)
        if interrogate is None:
            raise GenerationFailed("this worker's engine cannot interrogate")
        started = time.perf_counter()
        async with self._job_files(spec) as files:
            texts = await asyncio.to_thread(interrogate, spec, files, inputs)
        generation_s = time.perf_counter() - started
        await asyncio.gather(*(self.store.put(text_key(owner.tenant_id, owner.user_id, job.job_id, i),
                                              text.encode(), "text/plain; charset=utf-8")
                               for i, text in enumerate(texts)))
        metrics.GENERATION_SECONDS.labels(self.settings.pool).observe(generation_s)
        return jobs.JobResult(job_id=job.job_id, at=now(), worker_id=self.settings.worker_id, image_keys=[],
                              seeds=spec.seeds, timings=jobs.Timings(generation_s=generation_s))

    async def _put_images(self, job: jobs.JobSubmitted, images: list[Image.Image]) -> list[str]:
        """Write the images as PNGs with their infotext under the job's first image keys; those keys."""
        spec = job.spec
        n = len(images)
        subseeds = spec.subseeds or [None] * len(spec.seeds)
        pngs = await asyncio.to_thread(lambda: [to_png(im, spec, seed, subseed=sub) for im, seed, sub
                                                in zip(images, spec.seeds[:n], subseeds[:n], strict=True)])
        keys = job.image_keys[:len(pngs)]
        await asyncio.gather(*(self.store.put(key, png, "image/png") for key, png in zip(keys, pngs, strict=True)))
        return keys

    async def _canceled(self, job: jobs.JobSubmitted, images: list[Image.Image], attempt: int) -> None:
        """Report the job canceled with the images it made before it stopped (the web UI's interrupt returns
        them), written like a result's."""
        if self._revoked:
            return  # another run owns the job's keys now
        keys = await self._put_images(job, images[:len(job.spec.seeds)]) if images else []
        await self._event(job.job_id, "canceled",
                          jobs.JobStatusEvent(job_id=job.job_id, status="canceled", at=now(), attempt=attempt,
                                              worker_id=self.settings.worker_id, image_keys=keys),
                          msg_id=self._msg_id(job.job_id, f"canceled.{attempt}"))

    async def _progress(self, job_id: str, step: int, total: int) -> None:
        with suppress(Exception):  # progress is best effort; the result is what must arrive
            await self._event(job_id, "progress", jobs.JobProgress(job_id=job_id, step=step, steps=total, at=now()))

    async def _read_inputs(self, spec: jobs.GenerationSpec) -> dict[str, Image.Image]:
        """The spec's input images from the object store, decoded, by key."""
        refs = {ref.key: field for field, ref in input_refs(spec)}

        async def one(key: str, field: str) -> Image.Image:
            try:
                data = await self.store.get(key)
            except NotFound:
                raise InvalidInput(field, "the input image is not in the object store", key=key) from None
            return await asyncio.to_thread(decode_image, data, field)

        images = await asyncio.gather(*(one(key, field) for key, field in refs.items()))
        return dict(zip(refs, images, strict=True))

    @asynccontextmanager
    async def _job_files(self, spec: jobs.GenerationSpec) -> AsyncIterator[dict[str, Path]]:
        """Each model's materialized local path by id, pinned in the disk cache for the job.

        Left out: builtin models (built, not fetched), a resident checkpoint (a cache eviction cannot hurt
        it), and everything when the engine loads nothing (null).
        """
        if self.settings.engine == "null":
            yield {}
            return
        resident = set(getattr(self.engine, "loaded_models", list)())
        async with AsyncExitStack() as stack:
            paths: dict[str, Path] = {}
            for model in spec_models(spec):
                if model.format not in FETCHED_FORMATS or (model.id == spec.model.id and model.id in resident):
                    continue
                paths[model.id] = await stack.enter_async_context(self.cache.use(model))
                await self._base_configs(model)
            yield paths

    async def _base_configs(self, model: ModelInfo) -> None:
        """A single-file checkpoint's base configs, from the object store into the cache, unless
        EASEL_MODEL_CONFIG_DIR holds them (engine.loading.config_folder looks there first)."""
        override = self.settings.model_config_dir
        if model.format != "safetensors" or model.kind not in ("checkpoint", "controlnet") or (
                override is not None and (override / model.base / "model_index.json").is_file()):
            return
        await fetch_base_configs(self.store, model.base, self.settings.cache_dir / BASE_CONFIGS)

    def _load(self, model: ModelInfo, local: Path | None) -> float:
        return self.engine.load(model, local=local)

    async def _run_engine(self, job: jobs.JobSubmitted, files: dict[str, Path], inputs: dict[str, Image.Image],
                          checkpoint: ModelInfo | None) -> tuple[list[Image.Image], float, float]:
        """Load the checkpoint (unless None) and run generate, on one trip to a thread (a resident checkpoint's load
        is a lookup), turning its steps into progress events; return the images, load and generation seconds."""
        spec = job.spec
        progress: asyncio.Queue[tuple[int, int, Image.Image | None] | None] = asyncio.Queue()
        publisher = asyncio.create_task(self._publish_progress(job.job_id, progress))
        loop = asyncio.get_running_loop()

        reported, previewed_at = 0, 0.0
        preview: Image.Image | None = None  # taken at the step about to be reported
        every = self.settings.preview_every

        def on_preview(step: int, total: int, make: Callable[[], Image.Image | None]) -> None:
            # on the engine's thread, just before on_step for the same iteration: the preview rides in its event
            nonlocal preview, previewed_at
            done = max(1, total and step * spec.steps // total)
            if (not every or done <= reported or done % every or done >= spec.steps
                    or time.monotonic() - previewed_at < self.settings.preview_min_interval_s):
                return
            try:
                preview = make()  # encoded by the publisher, off the engine's thread
            except Exception:  # a preview is a nicety: never let it fail the job
                log.debug("job %s: no preview at step %s", job.job_id, done, exc_info=True)
                return
            previewed_at = time.monotonic()

        def on_step(step: int, total: int) -> None:
            # runs on the engine's thread, between denoising steps
            nonlocal reported, preview
            if self._revoked:
                raise Revoked("handed to another worker")
            if self._release:
                raise Released("worker shutting down")
            if job.job_id in self._cancel:
                raise Interrupt(self._cancel_at)  # the engine keeps what it made
            if self._skip_at is not None:
                at, self._skip_at = self._skip_at, None
                raise Skip(at)
            self._steps = step
            # the engine counts every iteration of the job (second-order samplers, batches, hires passes);
            # users count the steps they asked for
            done = max(1, total and step * spec.steps // total)
            if done > reported:
                reported, shown, preview = done, preview, None
                loop.call_soon_threadsafe(progress.put_nowait, (done, spec.steps, shown))

        load_s: float | None = None

        def run() -> tuple[list[Image.Image], float]:
            nonlocal load_s
            if checkpoint is not None:
                load_s = self._load(checkpoint, files.get(checkpoint.id))
            started = time.perf_counter()
            made = self.engine.generate(spec, on_step, files, inputs, on_preview if every else None)
            return made, time.perf_counter() - started

        try:
            images, generation_s = await asyncio.to_thread(run)
            lora_s = getattr(self.engine, "last_lora_timings", None)
            if spec.loras and lora_s is not None:
                metrics.LOAD_SECONDS.labels(self.settings.pool, "lora").observe(lora_s.load_s)
                log.debug("job %s LoRAs: load %.3fs attach %.3fs detach %.3fs", job.job_id,
                          lora_s.load_s, lora_s.attach_s, lora_s.detach_s)
        finally:
            if checkpoint is not None and load_s is not None:  # loaded, whatever became of the run
                metrics.LOAD_SECONDS.labels(self.settings.pool, checkpoint.kind).observe(load_s)
            loop.call_soon_threadsafe(progress.put_nowait, None)
            await publisher
        return images, load_s or 0.0, generation_s

    async def _publish_progress(self, job_id: str, queue: asyncio.Queue[tuple[int, int, Image.Image | None] | None],
                                lease: str | None = None) -> None:
        """Publish a run's steps as progress events: the first, each with a preview and the last at once; the others
        at most one per `progress_min_interval_s`, the newest (a fast GPU steps faster than anyone reads a progress
        bar, and each event is a message stored in the events stream). One held back when the run stops goes then."""
        interval, sent_at = self.settings.progress_min_interval_s, -math.inf
        held: tuple[int, int, Image.Image | None] | None = None
        while (item := await queue.get()) is not None:
            step, total, image = item
            if image is None and step < total and time.monotonic() - sent_at < interval:
                held = item  # superseded by the next step, or sent when the run stops before one comes
                continue
            held, sent_at = None, time.monotonic()
            await self._send_progress(job_id, item, lease)
        if held is not None:
            await self._send_progress(job_id, held, lease)

    async def _send_progress(self, job_id: str, item: tuple[int, int, Image.Image | None], lease: str | None) -> None:
        step, total, image = item
        with suppress(Exception):  # progress is best effort; the result is what must arrive
            preview = (await asyncio.to_thread(preview_uri, image, self.settings.preview_max_bytes)
                       if image is not None else None)
            await self._event(job_id, "progress", jobs.JobProgress(job_id=job_id, step=step, steps=total, at=now(),
                                                                   preview=preview), lease=lease)

    async def _status(self, job_id: str, status: str, attempt: int) -> None:
        await self._event(job_id, status, jobs.JobStatusEvent(job_id=job_id, status=status, at=now(),
                                                              worker_id=self.settings.worker_id, attempt=attempt),
                          msg_id=self._msg_id(job_id, f"{status}.{attempt}"))

    def _msg_id(self, job_id: str, what: str, lease: str | None = None) -> str:
        """An event's de-duplication id: fixed for this run, and not one anyone without the lease can take first
        (the stream would then drop the real event as a duplicate). lease: a batched job's (default: the job's)."""
        return f"{job_id}.{what}.{run_id(lease_digest(self._lease if lease is None else lease))}"

    async def _event(self, job_id: str, kind: str, message: jobs.BaseModel, msg_id: str | None = None,
                     lease: str | None = None) -> None:
        """Publish a job's event under its run's lease: the single job's, or `lease` (a batched job's, whose
        revocation batches.py checks)."""
        if lease is None:
            if self._revoked:
                return  # the run was handed to another worker, which reports the job now; this one's lease is spent
            lease = self._lease
        # the lease of this run: the jobs service folds only events that carry it
        headers = {LEASE_HEADER: lease}
        if msg_id:
            headers["Nats-Msg-Id"] = msg_id
        subject = self.names.job_events(job_id, kind)
        if kind in UNACKED_EVENTS:
            # stored all the same (the events stream takes the subject), in order after what this connection sent
            # before and before what it sends next, without the stream's reply or the wait for it
            await self.nc.publish(subject, encode(message), headers=headers)
            return
        await self.js.publish(subject, encode(message), headers=headers)


def _merging():
    """easel_worker.merge, imported on the first merge: it needs torch, which the worker's module does not (the
    embedded stack imports it without torch)."""
    from easel_worker import merge

    return merge
