"""DreamBooth class images a training generates before it trains (prior preservation without enough of its own).

A training whose request has a class prompt and asks for more class images than its class dataset holds is
created `preparing`. The trainings sweep drives it from its row alone, so a restarted jobs service picks it up where
it was: the images are generated as the owner's txt2img jobs with the base model at the training's resolution, on
the training's pool, counted in the owner's job quotas as any job of theirs. One job at a time (CHUNK images each),
so they fit a max_concurrent_jobs of one and leave the pool to others between them; each job's Idempotency-Key
names the training and the chunk, so a chunk submitted twice (a crash between the submission and the row's update,
two replicas) is one job. Image i has the seed (training seed + i) mod 2^32. Each time more are done, a `preparing`
status event says how many (SSE shows it); when all are, the training is `queued` with their keys, and the trainer
fetches them beside the class dataset's. A canceled or failed training cancels the jobs and deletes their images;
a succeeded one leaves them as the owner's job images (its record names the jobs).

State, in the row's `inputs["class_images"]`: total, prompt, negative_prompt, steps, cfg_scale, seed, size,
job_ids (in order), done (images of succeeded jobs) and, once all are done, keys.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from nats.aio.client import Client
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from easel_jobs.flows import JobFlows
from easel_jobs.models import ACTIVE as JOB_ACTIVE
from easel_jobs.models import Job
from easel_jobs.trainings.models import Training
from easel_proto import Names
from easel_proto.errors import EaselError, QuotaExceeded, TrainingFailed, Unavailable
from easel_proto.naming import image_key
from easel_proto.v1 import common, jobs, trainings
from easel_proto.v1.registry import ModelInfo
from easel_proto.wire import encode, now

log = logging.getLogger(__name__)
DEFAULT_COUNT = 100  # diffusers' train_dreambooth --num_class_images
CHUNK = 4  # images per generation job
SAMPLER = "Euler a"
DISCARD_PATIENCE_S = 120.0  # how long a canceled job may take to stop before its images are deleted anyway


def to_generate(req: trainings.CreateTrainingRequest) -> int:
    """How many class images the training generates: num_class_images (default 100 without a class dataset, else
    the dataset's count) less the class dataset's images, when there is a class prompt."""
    db = req.request.dreambooth
    if db is None or not db.class_prompt or req.request.method not in ("dreambooth", "dreambooth_lora"):
        return 0
    have = len(req.class_dataset.files) if req.class_dataset is not None else 0
    wanted = db.num_class_images if db.num_class_images is not None else (have if have else DEFAULT_COUNT)
    return max(0, wanted - have)


def plan(req: trainings.CreateTrainingRequest, count: int) -> dict[str, Any]:
    """The generation's state as a new training starts it."""
    db, spec = req.request.dreambooth, req.spec
    return {"total": count, "prompt": db.class_prompt, "negative_prompt": db.class_negative_prompt or "",
            "steps": db.class_steps or 20, "cfg_scale": db.class_cfg_scale if db.class_cfg_scale is not None else 7.0,
            "seed": spec.seed or 0, "size": spec.resolution or 512, "job_ids": [], "done": 0,
            "quotas": req.quotas.model_dump(mode="json") if req.quotas is not None else None}


def view(row: Training) -> trainings.TrainingClassImages | None:
    state = (row.inputs or {}).get("class_images")
    if not state:
        return None
    return trainings.TrainingClassImages(total=state["total"], done=state.get("done", 0),
                                         job_ids=list(state.get("job_ids", [])))


def _owner(row: Training) -> common.Principal:
    return common.Principal(user_id=row.user_id, tenant_id=row.tenant_id, username=row.username)


class ClassImages:
    """Drives the generation of preparing trainings and cleans up after those that end without a model."""

    def __init__(self, nc: Client, sessions: async_sessionmaker, names: Names, jobs_flows: JobFlows | None,
                 store: Any) -> None:
        self.nc, self.js, self.sessions, self.names = nc, nc.jetstream(), sessions, names
        self.jobs, self.store = jobs_flows, store

    async def preparing(self) -> list[Training]:
        async with self.sessions() as session:
            return list(await session.scalars(select(Training).where(Training.status == "preparing")
                                              .order_by(Training.created_at)))

    async def drive(self, row: Training, fail, ready) -> None:
        """One step of a preparing training: count what its jobs made, end it if one failed, submit the next job,
        or hand it on (`ready(row, keys)`) when all are done. `fail(row_id, error)` ends the training failed."""
        if self.jobs is None:
            return
        state = dict(row.inputs["class_images"])
        ids = list(state.get("job_ids", []))
        async with self.sessions() as session:
            found = {j.id: j for j in await session.scalars(select(Job).where(Job.id.in_(ids)))} if ids else {}
        done, keys, active = 0, [], False
        for job_id in ids:
            job = found.get(job_id)
            if job is None or job.status in ("failed", "canceled"):
                reason = (job.error or {}).get("message") if job is not None else "the job is gone"
                status = job.status if job is not None else "missing"
                await fail(row.id, TrainingFailed(f"generating the class images failed: job {job_id} {status}"
                                                  f"{': ' + reason if reason else ''}", job_id=job_id).to_wire())
                return
            if job.status == "succeeded":
                done += len(job.image_keys)
                keys.extend(job.image_keys)
            elif job.status in JOB_ACTIVE:
                active = True
        if done != state.get("done", 0):
            state["done"] = done
            if await self._save(row.id, state):
                await self.announce(row, state)
        if active:
            return
        total = state["total"]
        if done >= total:
            state["keys"] = keys[:total]
            await ready(row, state)
            return
        chunk = len(ids)
        first = chunk * CHUNK
        if first >= total:  # every image planned, yet fewer done: cannot happen unless a worker made fewer
            await fail(row.id, TrainingFailed(f"generating the class images made {done} of {total}").to_wire())
            return
        seeds = [(state["seed"] + i) % 2**32 for i in range(first, min(total, first + CHUNK))]
        try:
            reply = await self.jobs.submit(self._job(row, state, seeds, chunk))
        except QuotaExceeded as exc:
            if exc.details.get("limit") == "max_concurrent_jobs":
                return  # the owner's other jobs hold their slots: the next sweep tries again
            await fail(row.id, exc.to_wire())
            return
        except Unavailable:
            log.warning("training %s: could not queue a class image job; will retry", row.id)
            return
        except EaselError as exc:
            await fail(row.id, exc.to_wire())
            return
        job_id = reply.job.id
        if job_id not in ids:
            state["job_ids"] = [*ids, job_id]
            if not await self._save(row.id, state):  # the training ended meanwhile: the job is not wanted
                await self.discard_jobs(_owner(row), [job_id])
                return
            await self.announce(row, state)

    def _job(self, row: Training, state: dict, seeds: list[int], chunk: int) -> jobs.CreateJobRequest:
        spec = jobs.GenerationSpec(
            task="txt2img", prompt=state["prompt"], negative_prompt=state["negative_prompt"],
            model=ModelInfo.model_validate(row.inputs["base"]), sampler=SAMPLER, steps=state["steps"],
            cfg_scale=state["cfg_scale"], width=state["size"], height=state["size"], seeds=seeds)
        quotas = common.Quotas.model_validate(state["quotas"]) if state.get("quotas") else None
        return jobs.CreateJobRequest(principal=_owner(row), pool=row.pool, spec=spec, quotas=quotas,
                                     idempotency_key=f"training-{row.id}-class-{chunk}")

    async def _save(self, training_id: str, state: dict) -> bool:
        """The generation's state into a training that is still preparing; False when it is not."""
        async with self.sessions() as session:
            row = await session.get(Training, training_id)
            if row is None or row.status != "preparing":
                return False
            inputs = {**row.inputs, "class_images": state}
            result = await session.execute(
                update(Training).where(Training.id == training_id, Training.status == "preparing")
                .values(inputs=inputs).execution_options(synchronize_session=False))
            await session.commit()
            return result.rowcount == 1

    async def announce(self, row: Training, state: dict) -> None:
        """A `preparing` status event with how many class images are done (SSE passes it on)."""
        shown = trainings.TrainingClassImages(total=state["total"], done=state.get("done", 0),
                                              job_ids=list(state.get("job_ids", [])))
        event = trainings.TrainingStatusEvent(training_id=row.id, status="preparing", at=now(), class_images=shown)
        msg_id = f"{row.id}.status.preparing.{shown.done}.{len(shown.job_ids)}"
        try:
            await self.js.publish(self.names.training_status(row.id, "preparing"), encode(event),
                                  headers={"Nats-Msg-Id": msg_id})
        except Exception:  # the row is the truth; the record shows the count
            log.warning("could not publish training %s's class image progress", row.id, exc_info=True)

    async def discard(self, row: Training) -> None:
        """A training that ended without a model: its generation jobs stopped, their images deleted."""
        state = (row.inputs or {}).get("class_images") or {}
        if state.get("job_ids"):
            await self.discard_jobs(_owner(row), list(state["job_ids"]))

    async def discard_jobs(self, owner: common.Principal, job_ids: list[str]) -> None:
        for job_id in job_ids:
            if self.jobs is not None:
                with contextlib.suppress(EaselError):  # ended already
                    await self.jobs.cancel(jobs.JobRef(principal=owner, job_id=job_id))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + DISCARD_PATIENCE_S
        while True:  # a running job stops at its next step; its images are deleted once it wrote its last
            async with self.sessions() as session:
                rows = list(await session.scalars(select(Job).where(Job.id.in_(job_ids))))
            if not any(j.status in JOB_ACTIVE for j in rows) or loop.time() > deadline:
                break
            await asyncio.sleep(0.5)
        for job in rows:
            folder = image_key(job.tenant_id, job.user_id, job.id, 0).rsplit("/", 1)[0] + "/"
            with contextlib.suppress(Exception):
                for key in {*(job.image_keys or []), *await self.store.list(folder)}:
                    await self.store.delete(key)
