"""A worker against the real jobs service and NATS. Batching: queued jobs that can share their UNet calls run as one
batch, each with its own claim, events and images, and an interrupt stops only its own job, at once. Progress: a
run's first and last steps always, the steps between at most one per `progress_min_interval_s` (a fast GPU steps
faster than a progress bar is read, and each event is a stored message)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from prometheus_client import REGISTRY

from easel_common.callers import load_issuer
from easel_common.natsio import close, connect
from easel_common.storage import open_store
from easel_jobs.main import JobsService
from easel_jobs.settings import JobsSettings
from easel_proto.naming import image_key
from easel_proto.v1 import common, jobs
from easel_proto.v1.registry import ModelInfo
from easel_worker.engine import GenerationEngine, NullEngine
from easel_worker.settings import WorkerSettings
from easel_worker.worker import Worker
from helpers import namespace, wait_for

MODEL = ModelInfo(id="builtin-tiny-sd", name="tiny-sd", kind="checkpoint", base="tiny", source="builtin:tiny-sd")
OWNER = common.Principal(user_id=str(uuid.uuid4()), tenant_id="t1", username="alice")


@pytest.fixture
async def service(nats_url, database_url, tmp_path):
    settings = JobsSettings(namespace=namespace(), nats_url=nats_url, database_url=database_url,
                            data_dir=tmp_path, trainer_launcher="none")
    load_issuer(None, tmp_path, 60.0)  # the caller key auth makes in dev, which the jobs service reads
    nc = await connect(nats_url, "batch-jobs")
    svc = JobsService(settings, nc)
    await svc.start()
    try:
        yield svc
    finally:
        await svc.stop()
        await close(nc)


@pytest.fixture
async def worker(service, nats_url, tmp_path):
    settings = WorkerSettings(namespace=service.settings.names.ns, nats_url=nats_url, data_dir=tmp_path, engine="null",
                              batch_max_jobs=4, batch_wait_ms=1000, preview_every=0)
    nc = await connect(nats_url, "batch-worker")
    made = Worker(settings, nc, NullEngine(step_s=0.05), open_store(settings))
    yield made
    await made.stop()
    await close(nc)


def spec(seeds: list[int], prompt: str = "a fox", steps: int = 60) -> jobs.GenerationSpec:
    return jobs.GenerationSpec(prompt=prompt, model=MODEL, sampler="Euler a", steps=steps, cfg_scale=7, width=64,
                               height=64, seeds=seeds)


async def submit(service: JobsService, job: jobs.GenerationSpec) -> str:
    reply = await service.flows.submit(jobs.CreateJobRequest(principal=OWNER, pool="default", spec=job))
    return reply.job.id


async def ended(service: JobsService, job_id: str) -> jobs.JobRecord:
    async def done():
        record = await service.flows.get(jobs.JobRef(principal=OWNER, job_id=job_id))
        return record if record.status in ("succeeded", "failed", "canceled") else None

    return await wait_for(done, timeout=60, interval=0.05)


def batched() -> float:
    return REGISTRY.get_sample_value("easel_worker_batched_jobs_total", {"pool": "default"}) or 0.0


async def test_queued_jobs_run_as_one_batch_and_an_interrupt_stops_only_its_job(service, worker):
    before = batched()
    ids = [await submit(service, spec([1])), await submit(service, spec([2, 3], prompt="a crow")),
           await submit(service, spec([4], prompt="a barn"))]
    await worker.start()
    running = await wait_for(lambda: _stepping(worker, ids[1]), timeout=30, interval=0.02)
    assert set(running) == set(ids)  # all three in one batch, each claimed under its own lease
    await service.flows.cancel(jobs.JobRef(principal=OWNER, job_id=ids[1]))
    canceled = await ended(service, ids[1])
    assert canceled.status == "canceled"
    assert len(canceled.images) == 2  # what it made, as a job interrupted alone keeps
    others = [await ended(service, ids[0]), await ended(service, ids[2])]
    assert [r.status for r in others] == ["succeeded", "succeeded"]
    assert all(r.finished_at > canceled.finished_at for r in others)  # it did not wait for the batch to end
    assert [len(r.images) for r in others] == [1, 1]
    for record in others:
        assert await worker.store.get(image_key(OWNER.tenant_id, OWNER.user_id, record.id, 0))
    assert batched() - before == 3


async def test_jobs_that_cannot_share_calls_run_one_after_the_other(service, worker):
    before = batched()
    first = await submit(service, spec([1], steps=4))
    other = await submit(service, spec([2], steps=5))  # other steps: another batch
    await worker.start()
    records = [await ended(service, first), await ended(service, other)]
    assert [r.status for r in records] == ["succeeded", "succeeded"]
    assert batched() == before


async def test_the_diffusers_engine_runs_a_batch_through_the_worker(service, nats_url, tmp_path):
    settings = WorkerSettings(namespace=service.settings.names.ns, nats_url=nats_url, data_dir=tmp_path,
                              batch_max_jobs=4, batch_wait_ms=500, preview_every=1, preview_min_interval_s=0)
    nc = await connect(nats_url, "batch-worker-diffusers")
    worker = Worker(settings, nc, GenerationEngine(settings.cache_dir, device="cpu"), open_store(settings))
    before = batched()
    ids = [await submit(service, spec([7], steps=3)), await submit(service, spec([8], prompt="a crow", steps=3))]
    try:
        await worker.start()
        records = [await ended(service, job_id) for job_id in ids]
    finally:
        await worker.stop()
        await close(nc)
    assert [r.status for r in records] == ["succeeded", "succeeded"]
    assert batched() - before == 2
    pngs = [await worker.store.get(image_key(OWNER.tenant_id, OWNER.user_id, job_id, 0)) for job_id in ids]
    assert pngs[0] != pngs[1] and all(png.startswith(b"\x89PNG") for png in pngs)


async def _stepping(worker: Worker, job_id: str):
    member = worker.batches.running.get(job_id)
    await asyncio.sleep(0)
    return dict(worker.batches.running) if member is not None and member.steps > 2 else None


STEPS = 40


@pytest.mark.parametrize(("interval_s", "most"), [(0.1, 8), (0.0, STEPS)])
async def test_steps_between_the_first_and_last_are_sent_at_most_once_an_interval(service, nats_url, tmp_path,
                                                                                   interval_s, most):
    settings = WorkerSettings(namespace=service.settings.names.ns, nats_url=nats_url, data_dir=tmp_path,
                              engine="null", preview_every=0, progress_min_interval_s=interval_s)
    nc = await connect(nats_url, "progress-worker")
    worker = Worker(settings, nc, NullEngine(step_s=0.005), open_store(settings))  # 40 steps in about 0.2 s
    steps: list[int] = []

    async def heard(msg) -> None:
        steps.append(jobs.JobProgress.model_validate_json(msg.data).step)

    sub = await nc.subscribe(service.settings.names.job_events("*", "progress"), cb=heard)
    try:
        job_id = await submit(service, spec([1], steps=STEPS))
        await worker.start()
        assert (await ended(service, job_id)).status == "succeeded"
        await nc.flush()
    finally:
        await sub.unsubscribe()
        await worker.stop()
        await close(nc)
    assert steps[0] == 1 and steps[-1] == STEPS  # where it starts and that it got to the end, always
    assert steps == sorted(set(steps))
    assert len(steps) <= most if interval_s else steps == list(range(1, STEPS + 1))
