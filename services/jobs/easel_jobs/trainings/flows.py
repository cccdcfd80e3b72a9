"""Training orchestration: rows, the launcher, the trainings stream and the registry kept in step.

A training is `queued` when created (quotas checked in the same transaction), or `preparing` when it generates
DreamBooth class images first (class_images.py: the owner's txt2img jobs, then `queued`). The sweep launches queued
trainings while the launcher has room: `queued -> starting` with a new lease (one replica wins), then the launcher
starts the run. The run's events come back on `{ns}.trainings.events.{id}.run.{type}` with the lease; only those of
the launched run change the row: `started` makes it `running`, `sample` adds a sample, `succeeded` records the
artefact and starts its registration, `failed` ends it. The registry registers the artefact as the owner's model,
and only then is the training `succeeded`. The sweep also follows launched runs: one that ended without a result is
relaunched where the launcher does that (a local process resumes from its newest checkpoint), else the training
fails with the run's last log lines. Cancel and every end stop the run first and then remove what it wrote to the
store but its samples (and its log, kept for `logs`), so a failed or canceled training leaves no model and no
orphaned objects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import uuid
from collections.abc import Mapping

from nats.aio.client import Client
from nats.js.errors import NotFoundError
from sqlalchemy import update
from sqlalchemy.ext.asyncio import async_sessionmaker

from easel_common import base_configs
from easel_common.natsio import request
from easel_common.storage import ObjectStore
from easel_jobs.flows import JobFlows
from easel_jobs.settings import JobsSettings
from easel_jobs.trainings import class_images, intermediate, metrics, quotas, service
from easel_jobs.trainings.launchers.base import Launcher
from easel_jobs.trainings.models import LAUNCHED, TERMINAL, Training
from easel_proto.errors import Conflict, EaselError, Forbidden, InvalidInput, NotFound, TrainingFailed, Unavailable
from easel_proto.naming import LEASE_HEADER, dataset_prefix, lease_digest, training_prefix
from easel_proto.v1 import common, trainings
from easel_proto.v1.registry import ModelInfo
from easel_proto.wire import decode, encode, now

log = logging.getLogger(__name__)
LOG_TAIL = 20  # lines of the trainer's output a failed training's error carries


def record(row: Training, progress: trainings.TrainingProgress | None = None) -> trainings.TrainingRecord:
    """The API view of a row (the gateway adds the samples' URLs)."""
    step = progress.step if progress is not None else row.step
    return trainings.TrainingRecord(
        id=row.id, status=row.status, user_id=row.user_id, tenant_id=row.tenant_id, pool=row.pool,
        method=row.method, name=row.name, base_model=row.base_model_id, dataset=row.dataset_id,
        request=trainings.TrainingRequest.model_validate(row.request), created_at=row.created_at,
        started_at=row.started_at, finished_at=row.finished_at, attempts=row.attempts,
        cancel_requested=row.cancel_requested, step=step, total_steps=row.total_steps, progress=progress,
        samples=[trainings.TrainingSample(index=i, step=s["step"], prompt=s.get("prompt", 0))
                 for i, s in enumerate(row.samples or [])],
        model_id=row.model_id, run=row.lease, gpu_seconds=round(row.gpu_s or 0.0, 3),
        error=common.Error.model_validate(row.error) if row.error else None,
        class_images=class_images.view(row),
        checkpoints=[] if row.status in ("failed", "canceled") else [
            trainings.TrainingCheckpoint(step=c["step"], kind=c["artefact"]["kind"], size=c["artefact"]["size"],
                                         sha256=c["artefact"]["sha256"], model_id=c.get("model_id"))
            for c in row.checkpoints or []])


class TrainingFlows:
    def __init__(self, nc: Client, sessions: async_sessionmaker, settings: JobsSettings, launcher: Launcher,
                 store: ObjectStore, jobs_flows: JobFlows | None = None) -> None:
        self.nc, self.js, self.sessions = nc, nc.jetstream(), sessions
        self.settings, self.names, self.launcher, self.store = settings, settings.names, launcher, store
        # the class images a DreamBooth training generates first, as its owner's jobs (None: none are generated)
        self.classes = class_images.ClassImages(nc, sessions, settings.names, jobs_flows, store)
        self.jobs_flows = jobs_flows  # checks the tenant's storage quota
        self.stream = self.names.stream("trainings")["name"]
        self.retention = intermediate.Retention(sessions, store, settings.trainer_intermediate_retention_s)
        self.wake = asyncio.Event()
        self._registering: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    # --- requests -----------------------------------------------------------------------------------------------

    async def create(self, req: trainings.CreateTrainingRequest) -> trainings.TrainingRecord:
        """Record the training (queued, or preparing when it generates class images first), after its quotas; the
        sweep prepares and launches it."""
        owner = req.principal
        _check_inputs(req)
        if self.jobs_flows is not None:  # a training stores its result: not while the tenant's storage is full
            await self.jobs_flows.check_storage(owner.tenant_id, "trainings")
        if req.base.format == "safetensors" and not await base_configs.available(self.store, req.base.base):
            raise InvalidInput("base_model", f"no {req.base.base} configs and tokenizers in the object store for this "
                                             "single-file base yet: the registry fetches them on import (is the hub "
                                             "reachable?), or `easel configs import` them")
        generate = class_images.to_generate(req)
        inputs = {"base": req.base.model_dump(mode="json"), "dataset": req.dataset.model_dump(mode="json"),
                  "class_dataset": req.class_dataset.model_dump(mode="json") if req.class_dataset else None}
        if generate:
            inputs["class_images"] = class_images.plan(req, generate)
        row = Training(
            id=str(uuid.uuid4()), user_id=owner.user_id, tenant_id=owner.tenant_id, username=owner.username,
            pool=req.pool, status="preparing" if generate else "queued", method=req.spec.method,
            name=req.spec.name, base_model_id=req.base.id, dataset_id=req.dataset.id,
            request=req.request.model_dump(mode="json"), spec=req.spec.model_dump(mode="json"), inputs=inputs,
            idempotency_key=req.idempotency_key, attempts=0, cancel_requested=False, step=0, samples=[],
            gpu_s=0.0, created_at=now())
        async with self.sessions.begin() as session:
            await quotas.check(session, req)
            row, created = await service.create(session, row=row)
        if created:
            metrics.entered(row.status, row.pool, row.tenant_id)
            if generate:
                await self.classes.announce(row, inputs["class_images"])
            else:
                await self._status(row, "queued")
            self.wake.set()
        return record(row)

    async def get(self, ref: trainings.TrainingRef) -> trainings.TrainingRecord:
        async with self.sessions() as session:
            row = await service.get(session, training_id=ref.training_id, owner=ref.principal,
                                    any_owner=ref.any_owner)
        return record(row, await self._progress(row))

    async def list(self, req: trainings.ListTrainingsRequest) -> trainings.ListTrainingsReply:
        async with self.sessions() as session:
            page, cursor = await service.list_for(session, owner=req.principal, limit=req.limit, cursor=req.cursor,
                                                  status=req.status, all_users=req.all_users)
        return trainings.ListTrainingsReply(items=[record(r) for r in page], next_cursor=cursor)

    async def cancel(self, ref: trainings.TrainingRef) -> trainings.TrainingRecord:
        """A queued training never runs; a launched one is stopped and its objects removed. A training whose model
        is being registered has finished training: 409, as for one that ended."""
        async with self.sessions() as session:
            row = await service.get(session, training_id=ref.training_id, owner=ref.principal,
                                    any_owner=ref.any_owner)
        if row.status in TERMINAL:
            raise Conflict(f"training already {row.status}", status=row.status)
        if row.artefact is not None:
            raise Conflict("the training has finished; its model is being registered", status=row.status)
        ended = await self._end(row.id, "canceled", allowed_from=("queued", "preparing", *LAUNCHED),
                                cancel_requested=True)
        if ended is None:
            async with self.sessions() as session:
                row = await service.get(session, training_id=ref.training_id)
            raise Conflict(f"training already {row.status}", status=row.status)
        return record(ended)

    async def logs(self, ref: trainings.TrainingRef) -> trainings.TrainingLogs:
        """The run's last lines of output: from the launcher while it runs, else what was kept when it ended (or,
        until the clean-up has kept it, still the launcher's)."""
        async with self.sessions() as session:
            row = await service.get(session, training_id=ref.training_id, owner=ref.principal,
                                    any_owner=ref.any_owner)
        lines: list[str] = []
        if row.status in LAUNCHED:
            lines = await self.launcher.logs(row.id, ref.lines)
        elif row.status in TERMINAL and row.launcher:
            try:
                text = (await self.store.get(self._prefix(row) + "trainer.log")).decode(errors="replace")
                lines = text.splitlines()[-ref.lines:]
            except EaselError:
                with contextlib.suppress(Exception):
                    lines = await self.launcher.logs(row.id, ref.lines)
        return trainings.TrainingLogs(training_id=row.id, lines=lines)

    async def register_checkpoint(self, req: trainings.RegisterCheckpointRequest) -> ModelInfo:
        """Register the model the run kept at `step` as the owner's private model `{name}-step{step}` (the owner's
        even when someone who may manage the tenant's trainings asks). While it runs or once it succeeded: a
        failed or canceled training's were removed. Asked again, the same model comes back."""
        async with self.sessions() as session:
            row = await service.get(session, training_id=req.training_id, owner=req.principal,
                                    any_owner=req.any_owner)
        if row.status in ("failed", "canceled"):
            raise Conflict(f"training {row.status}: the models kept at its checkpoints were removed",
                           status=row.status)
        entry = next((c for c in row.checkpoints or [] if c["step"] == req.step), None)
        if entry is None:
            kept = [c["step"] for c in row.checkpoints or []]
            raise NotFound(f"training {row.id} kept no model at step {req.step}", steps=kept)
        owner = common.Principal(user_id=row.user_id, tenant_id=row.tenant_id, username=row.username)
        register = trainings.RegisterTrainingRequest(
            owner=owner, training_id=row.id, name=f"{row.name}-step{req.step}"[:200], step=req.step,
            artefact=trainings.TrainingArtefact.model_validate(entry["artefact"]), prefix=self._prefix(row),
            metadata={"base_model": row.base_model_id, "dataset": row.dataset_id, "method": row.method,
                      "training_step": req.step})
        model = await request(self.nc, self.names.registry_register, register, ModelInfo,
                              timeout=self.settings.trainer_register_timeout_s)
        async with self.sessions() as session:
            current = await session.get(Training, row.id, populate_existing=True)
            listed = [{**c, "model_id": model.id} if c["step"] == req.step else c for c in current.checkpoints or []]
            await session.execute(update(Training).where(Training.id == row.id).values(checkpoints=listed)
                                  .execution_options(synchronize_session=False))
            await session.commit()
        return model

    # --- the run's events ---------------------------------------------------------------------------------------

    async def apply_run_event(self, subject: str, data: bytes, headers: Mapping[str, str] | None) -> None:
        """Fold a run's event into its training. Only an event with the lease of the launched run counts."""
        lease = (headers or {}).get(LEASE_HEADER)
        parts = subject.split(".")
        training_id, kind = parts[-3], parts[-1]
        if not lease or len(parts) < 6:
            return
        try:
            event = decode(trainings.TrainingEvent, data)
        except ValueError:  # made up (the trainer identity may publish anything there): dropped, not retried
            log.warning("ignoring an undecodable %s event of training %s", kind, training_id)
            return
        if event.training_id != training_id:
            log.warning("ignoring a %s event for training %s sent on %s's subject", kind, event.training_id,
                        training_id)
            return
        if kind == "started":
            async with self.sessions() as session:
                row = await service.transition(session, training_id=training_id, to="running",
                                               allowed_from=("starting",), lease=lease, running_at=now(),
                                               total_steps=event.total_steps)
                if row is None:  # a resumed run: still running, its length may have changed
                    await service.update_run(session, training_id=training_id, lease=lease,
                                             total_steps=event.total_steps)
            if row is not None:
                metrics.entered("running", row.pool, row.tenant_id)
                await self._status(row, "running")
        elif kind == "sample":
            async with self.sessions() as session:
                row = await session.get(Training, training_id)
                if row is None or row.lease != lease_digest(lease) or row.status not in LAUNCHED:
                    return
                known = {s["key"] for s in row.samples or []}
                added = [{"step": event.step, "prompt": _prompt_index(path), "key": self._prefix(row) + path}
                         for path in event.samples]
                samples = [*(row.samples or []), *(s for s in added if s["key"] not in known)]
                await service.update_run(session, training_id=training_id, lease=lease, samples=samples,
                                         step=event.step)
        elif kind == "checkpoint":
            dropped: list[dict] = []
            async with self.sessions() as session:
                values: dict = {"step": event.step}
                if event.artefact is not None:  # the model kept at this step: listed, registrable on request
                    row = await session.get(Training, training_id)
                    if row is None or row.lease != lease_digest(lease) or row.status not in LAUNCHED:
                        return
                    kept = [c for c in row.checkpoints or [] if c["step"] != event.step]
                    entry = {"step": event.step, "artefact": event.artefact.model_dump(mode="json")}
                    values["checkpoints"], dropped = intermediate.prune(
                        sorted([*kept, entry], key=lambda c: c["step"]), self.settings.trainer_keep_intermediate)
                changed = await service.update_run(session, training_id=training_id, lease=lease, **values)
            if changed and dropped:  # older than the newest kept: no longer listed, so no longer in the store
                await intermediate.delete(self.store, training_prefix(row.tenant_id, training_id), dropped)
        elif kind == "succeeded" and event.artefact is not None:
            async with self.sessions() as session:
                changed = await service.update_run(session, training_id=training_id, lease=lease,
                                                   artefact=event.artefact.model_dump(mode="json"), step=event.step,
                                                   total_steps=event.total_steps)
            if changed:
                self._spawn(self.register(training_id))
        elif kind == "failed":
            error = event.error or common.Error(code="training_failed", message="the trainer failed")
            await self._end(training_id, "failed", allowed_from=LAUNCHED, lease=lease,
                            error=await self._with_log(training_id, error))

    async def _progress(self, row: Training) -> trainings.TrainingProgress | None:
        if row.status not in LAUNCHED or not row.lease:
            return None
        msg = await self._last(row.id, "progress", row.lease)
        return decode(trainings.TrainingEvent, msg.data).progress if msg is not None else None

    async def _last(self, training_id: str, kind: str, lease: str):
        """The run's last event of a kind in the stream, when it is the launched run's (lease: its digest)."""
        try:
            msg = await self.js.get_last_msg(self.stream, self.names.training_run_events(training_id, kind))
        except NotFoundError:
            return None
        sent = (msg.headers or {}).get(LEASE_HEADER)
        return msg if sent and lease_digest(sent) == lease else None

    # --- launching and following runs ---------------------------------------------------------------------------

    async def sweep(self) -> None:
        """Generate class images, launch what fits, follow what runs, finish registrations a restart interrupted,
        delete the models succeeded trainings kept at their checkpoints once their retention passed."""
        await self.retention.sweep()
        await self._prepare()
        await self._launch_queued()
        async with self.sessions() as session:
            launched = await service.launched(session, launcher=self.launcher.kind)
        for row in launched:
            try:
                if row.artefact is not None:
                    if row.id not in self._registering:
                        self._spawn(self.register(row.id))
                    continue
                await self._follow(row)
            except Exception:
                log.exception("following training %s failed; will retry", row.id)

    async def _prepare(self) -> None:
        """Drive the preparing trainings (their class images), from their rows: a restart picks them up."""
        for row in await self.classes.preparing():
            try:
                await self.classes.drive(row, self._prepare_failed, self._prepared)
            except Exception:
                log.exception("preparing training %s failed; will retry", row.id)

    async def _prepare_failed(self, training_id: str, error: common.Error) -> None:
        await self._end(training_id, "failed", allowed_from=("preparing",), error=error)

    async def _prepared(self, row: Training, state: dict) -> None:
        """Every class image is made: the training waits for a launcher slot with them among its inputs."""
        async with self.sessions() as session:
            current = await session.get(Training, row.id)
            if current is None:
                return
            ready = await service.transition(session, training_id=row.id, to="queued", allowed_from=("preparing",),
                                             inputs={**current.inputs, "class_images": state})
        if ready is not None:
            metrics.entered("queued", ready.pool, ready.tenant_id)
            await self.classes.announce(ready, state)
            await self._status(ready, "queued")
            self.wake.set()

    async def _launch_queued(self) -> None:
        room = await self.launcher.capacity()
        if room <= 0:
            return
        async with self.sessions() as session:
            waiting = await service.queued(session, limit=room)
        for row in waiting:
            lease = secrets.token_urlsafe(24)
            async with self.sessions() as session:
                started = await service.launch(session, training_id=row.id, lease=lease, launcher=self.launcher.kind)
            if started is None:
                continue  # another replica launched it, or it was canceled meanwhile
            run = self._run(started, lease)
            try:
                await self.launcher.launch(run, pool=started.pool)
            except Exception as exc:
                log.exception("could not launch training %s", row.id)
                error = Unavailable(f"the trainer could not be launched: {type(exc).__name__}: {exc}"[:500])
                await self._end(row.id, "failed", allowed_from=LAUNCHED, error=error.to_wire())
                continue
            if await self._ended_while_launching(row.id):
                continue
            metrics.entered("starting", started.pool, started.tenant_id)
            await self._status(started, "starting")

    async def _ended_while_launching(self, training_id: str) -> bool:
        """A training canceled while its run was being launched: the clean-up may have asked the launcher to stop
        the run before it existed, so stop it (and clean up) again now: a run left going would train, on a GPU, for
        nobody."""
        async with self.sessions() as session:
            row = await session.get(Training, training_id, populate_existing=True)
        if row is None or row.status in LAUNCHED:
            return False
        log.info("training %s ended while its run was launched: stopping the run", training_id)
        await self._clean_up(row)
        return True

    def _run(self, row: Training, lease: str) -> trainings.TrainingRun:
        inputs = row.inputs
        return trainings.TrainingRun(
            training_id=row.id, lease=lease,
            owner=common.Principal(user_id=row.user_id, tenant_id=row.tenant_id, username=row.username),
            spec=trainings.TrainingSpec.model_validate(row.spec), base=ModelInfo.model_validate(inputs["base"]),
            dataset=trainings.TrainingDatasetFiles.model_validate(inputs["dataset"]),
            class_dataset=(trainings.TrainingDatasetFiles.model_validate(inputs["class_dataset"])
                           if inputs.get("class_dataset") else None),
            class_images=list((inputs.get("class_images") or {}).get("keys") or []),
            prefix=self._prefix(row))

    async def _follow(self, row: Training) -> None:
        state = await self.launcher.state(row.id)
        if state.running:
            return
        for kind in ("succeeded", "failed"):  # the run ended: its result may be in the stream, not folded yet
            msg = await self._last(row.id, kind, row.lease or "")
            if msg is not None:
                await self.apply_run_event(msg.subject, msg.data, msg.headers)
                return
        if self.launcher.relaunches and row.attempts < self.settings.trainer_max_attempts:
            async with self.sessions() as session:
                again = await service.count_attempt(session, training_id=row.id, lease=row.lease or "",
                                                    attempts=row.attempts)
            if again:
                log.warning("training %s: %s; starting it again (attempt %d)", row.id, state.reason or "gone",
                            row.attempts + 1)
                await self.launcher.relaunch(row.id)
            return
        reason = state.reason or "the trainer ended without a result"
        error = TrainingFailed(f"{reason} (after {row.attempts} attempts)" if self.launcher.relaunches else reason)
        await self._end(row.id, "failed", allowed_from=LAUNCHED, error=await self._with_log(row.id, error.to_wire()))

    async def run_sweeps(self, stopping: asyncio.Event) -> None:
        """Sweep every EASEL_TRAINER_SWEEP_S, and at once when a training is created."""
        while not stopping.is_set():
            self.wake.clear()  # before the sweep: a wake-up during it (a watched run ended) sweeps again at once
            try:
                await self.sweep()
            except Exception:  # the database or NATS away for a moment must not end the sweeping
                log.exception("the trainings sweep failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), self.settings.trainer_sweep_s)

    # --- results and ends ---------------------------------------------------------------------------------------

    async def register(self, training_id: str) -> None:
        """Register the run's artefact as the owner's model, then end the training `succeeded`; a registry that does
        not answer is asked again at the next sweep, one that refuses fails the training."""
        if training_id in self._registering:
            return
        self._registering.add(training_id)
        try:
            async with self.sessions() as session:
                row = await session.get(Training, training_id)
            if row is None or row.status not in LAUNCHED or row.artefact is None:
                return
            req = trainings.RegisterTrainingRequest(
                owner=common.Principal(user_id=row.user_id, tenant_id=row.tenant_id, username=row.username),
                training_id=row.id, name=row.name, artefact=trainings.TrainingArtefact.model_validate(row.artefact),
                prefix=self._prefix(row), metadata={"base_model": row.base_model_id, "dataset": row.dataset_id,
                                                    "method": row.method})
            try:
                model = await request(self.nc, self.names.registry_register, req, ModelInfo,
                                      timeout=self.settings.trainer_register_timeout_s)
            except Unavailable:
                log.warning("training %s: the registry did not answer; will retry", training_id)
                return
            except EaselError as exc:
                await self._end(training_id, "failed", allowed_from=LAUNCHED, error=exc.to_wire())
                return
            ended = await self._end(training_id, "succeeded", allowed_from=LAUNCHED, model_id=model.id)
            if ended is None:  # it ended otherwise meanwhile: the model must not stay
                with contextlib.suppress(EaselError):
                    await request(self.nc, self.names.registry_register, req.model_copy(update={"unregister": True}),
                                  ModelInfo, timeout=self.settings.trainer_register_timeout_s)
        finally:
            self._registering.discard(training_id)

    async def _end(self, training_id: str, status: str, *, allowed_from: tuple[str, ...], lease: str | None = None,
                   error: common.Error | None = None, **values: object) -> Training | None:
        """End a training (guarded), say so, count it, then stop its run and clean up in the background."""
        async with self.sessions() as session:
            before = await session.get(Training, training_id)
            if before is None:
                return None
            at = now()
            gpu_s = (at - before.running_at).total_seconds() if before.running_at else 0.0
            row = await service.transition(session, training_id=training_id, to=status, allowed_from=allowed_from,
                                           lease=lease, finished_at=at, gpu_s=gpu_s,
                                           error=error.model_dump(mode="json") if error else None, **values)
        if row is None:
            return None
        metrics.ended(status, row.pool, row.tenant_id, gpu_s=gpu_s)
        await self._status(row, status)
        # `before` may predate a launch that raced with this end: a row with a launcher had a run to stop
        if before.status != "queued" or row.launcher or (row.inputs or {}).get("class_images"):
            self._spawn(self._clean_up(row))
        self.wake.set()  # a launcher slot may be free
        return row

    async def _clean_up(self, row: Training) -> None:
        """Stop the run (it may still write), keep its log, remove its objects but the samples (and, when it
        succeeded, the models kept at its checkpoints, which its owner may still register), forget it. One that
        ended without a model also stops the jobs making its class images and deletes those images."""
        if row.status != "succeeded":
            with contextlib.suppress(Exception):
                await self.classes.discard(row)
        with contextlib.suppress(Exception):
            await self.launcher.cancel(row.id)
        prefix = self._prefix(row)
        kept = (prefix + "samples/", prefix + "trainer.log")
        if row.status == "succeeded" and self.settings.trainer_intermediate_retention_s > 0:
            # the unregistered models kept at checkpoints stay registrable for the retention (intermediate.py)
            folders = (intermediate.folder(prefix, c) for c in row.checkpoints or [] if not c.get("model_id"))
            kept = (*kept, *(f for f in folders if f))
        try:
            lines = await self.launcher.logs(row.id, 2000)
            if lines:
                await self.store.put(prefix + "trainer.log", ("\n".join(lines) + "\n").encode(), "text/plain")
            for key in await self.store.list(prefix):
                if not key.startswith(kept):
                    await self.store.delete(key)
            if row.status == "succeeded" and self.settings.trainer_intermediate_retention_s <= 0:
                await self.retention.expire(row)  # no longer listed: their files are gone
            await self.launcher.forget(row.id)
        except Exception:
            log.exception("cleaning up training %s failed", row.id)

    async def _with_log(self, training_id: str, error: common.Error) -> common.Error:
        """The error with the run's last lines of output, as a crash or an out-of-memory needs them."""
        with contextlib.suppress(Exception):
            lines = await self.launcher.logs(training_id, LOG_TAIL)
            if lines:
                return error.model_copy(update={"details": {**(error.details or {}), "log_tail": lines}})
        return error

    async def _status(self, row: Training, status: str) -> None:
        event = trainings.TrainingStatusEvent(training_id=row.id, status=status, at=now(), attempt=row.attempts,
                                              model_id=row.model_id,
                                              error=common.Error.model_validate(row.error) if row.error else None)
        try:
            await self.js.publish(self.names.training_status(row.id, status), encode(event),
                                  headers={"Nats-Msg-Id": f"{row.id}.status.{status}"})
        except Exception:  # the row is the truth; SSE falls back to it
            log.warning("could not publish training %s's %s event", row.id, status, exc_info=True)

    def _prefix(self, row: Training) -> str:
        return training_prefix(row.tenant_id, row.id)

    def _spawn(self, coro) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


def _check_inputs(req: trainings.CreateTrainingRequest) -> None:
    """Every object the run will read is in the owner's tenant: its base (a built-in has none), its datasets."""
    tenant = req.principal.tenant_id
    if any(not f.key.startswith(f"{tenant}/models/") for f in req.base.files):
        raise Forbidden("base_model: not a model of your tenant")
    for field, dataset in (("dataset", req.dataset), ("dreambooth.class_dataset", req.class_dataset)):
        if dataset is not None and any(not f.key.startswith(dataset_prefix(tenant, dataset.id))
                                       for f in dataset.files):
            raise Forbidden(f"{field}: not a dataset of your tenant")


def _prompt_index(path: str) -> int:
    """samples/step-<8 digits>-<n>.png -> n (which of samples.prompts)."""
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    tail = stem.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 0
