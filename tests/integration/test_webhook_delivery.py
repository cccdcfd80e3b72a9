"""The webhook pipeline on its own: the intake's durable consumer turns a job's end into one delivery per endpoint,
only once the job's row has ended; deliveries survive a sender that stops, and the next one finishes them."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import select, update
from standardwebhooks.webhooks import Webhook

from easel_common import db
from easel_common.natsio import close, connect, ensure_streams
from easel_jobs import service
from easel_jobs.main import MIGRATIONS
from easel_jobs.models import Job
from easel_jobs.settings import JobsSettings
from easel_jobs.webhooks.intake import Intake
from easel_jobs.webhooks.manage import Webhooks
from easel_jobs.webhooks.models import WebhookDelivery
from easel_jobs.webhooks.sender import Sender
from easel_proto.v1 import common, jobs, webhooks
from easel_proto.v1.registry import ModelInfo
from easel_proto.wire import encode, now
from helpers import namespace, wait_for
from receivers import Receiver

MODEL = ModelInfo(id="builtin-tiny-sd", name="tiny-sd", kind="checkpoint", base="tiny", source="builtin:tiny-sd")


@pytest.fixture
async def pipeline(nats_url, database_url):
    settings = JobsSettings(namespace=namespace(), database_url=database_url, webhook_allow_hosts=["127.0.0.1"],
                            webhook_retry_schedule_s=[0.3, 0.3, 0.3], webhook_sweep_s=0.1)
    nc = await connect(nats_url, "webhooks-test")
    await ensure_streams(nc, settings.names, ("jobs", "events", "trainings"))
    engine = db.make_engine(database_url)
    await db.migrate(engine, MIGRATIONS, "alembic_version_jobs")
    sessions = db.sessions(engine)
    stopping = asyncio.Event()
    intake = Intake(sessions, settings, lambda: None)
    job_ends, *_ = await intake.consumers(nc)
    task = asyncio.create_task(intake.run_job_events(job_ends, stopping))
    try:
        yield nc, settings, sessions
    finally:
        stopping.set()
        await task
        await close(nc)
        await engine.dispose()


async def _job(sessions, owner: common.Principal) -> str:
    spec = jobs.GenerationSpec(prompt="x", model=MODEL, sampler="Euler", steps=1, cfg_scale=7, width=64, height=64,
                               seeds=[1])
    async with sessions.begin() as s:
        job, _ = await service.create(s, job_id=str(uuid.uuid4()),
                                      req=jobs.CreateJobRequest(principal=owner, pool="default", spec=spec))
    return job.id


async def _ended(nc, settings, job_id: str, kind: str = "succeeded") -> None:
    await nc.jetstream().publish(settings.names.job_events(job_id, kind), encode(jobs.JobStatusEvent(
        job_id=job_id, status=kind, at=now())))


async def _deliveries(sessions, job_id: str) -> list[WebhookDelivery]:
    async with sessions() as s:
        return list((await s.execute(select(WebhookDelivery).where(WebhookDelivery.subject_id == job_id))).scalars())


async def test_an_end_is_announced_once_and_only_after_the_jobs_row_ended(pipeline):
    nc, settings, sessions = pipeline
    owner = common.Principal(user_id=str(uuid.uuid4()), tenant_id="t1", username="u")
    hook = (await Webhooks(sessions, settings).handle(webhooks.WebhookRequest(
        actor=owner, op="create", url="http://127.0.0.1:9/hook"))).endpoints[0]
    job_id = await _job(sessions, owner)
    await _ended(nc, settings, job_id)  # a succeeded event, but the row still says queued (or was forged)
    await asyncio.sleep(1.5)
    assert await _deliveries(sessions, job_id) == []
    async with sessions.begin() as s:  # the jobs service folds the event: the row ends
        await s.execute(update(Job).where(Job.id == job_id).values(status="succeeded", finished_at=now()))
    await wait_for(lambda: _deliveries(sessions, job_id), timeout=10)
    await _ended(nc, settings, job_id)  # the same end again (a redelivery): nothing new
    await asyncio.sleep(1.0)
    found = await _deliveries(sessions, job_id)
    assert [(d.endpoint_id, d.type, d.status) for d in found] == [(hook.id, "job.succeeded", "pending")]


async def test_a_delivery_outlives_a_stopped_sender_and_the_next_one_delivers_it(pipeline):
    nc, settings, sessions = pipeline
    owner = common.Principal(user_id=str(uuid.uuid4()), tenant_id="t1", username="u")
    with Receiver() as receiver:
        receiver.answers.extend([500])
        hook = (await Webhooks(sessions, settings).handle(webhooks.WebhookRequest(
            actor=owner, op="create", url=receiver.url))).endpoints[0]
        job_id = await _job(sessions, owner)
        async with sessions.begin() as s:
            await s.execute(update(Job).where(Job.id == job_id).values(status="failed", finished_at=now(),
                                                                       error={"code": "x", "message": "boom"}))
        await _ended(nc, settings, job_id, "failed")
        await wait_for(lambda: _deliveries(sessions, job_id), timeout=10)

        first, stop_first = Sender(sessions, settings), asyncio.Event()
        running = asyncio.create_task(first.run(stop_first))
        await wait_for(lambda: _async(receiver.received), timeout=10)  # one attempt, answered 500
        stop_first.set()
        await running
        [pending] = await _deliveries(sessions, job_id)
        assert (pending.status, pending.attempts, pending.last_status) == ("pending", 1, 500)

        second, stop_second = Sender(sessions, settings), asyncio.Event()
        running = asyncio.create_task(second.run(stop_second))
        try:
            await wait_for(lambda: _delivered(sessions, job_id), timeout=10)
        finally:
            stop_second.set()
            await running
    assert len(receiver.received) == 2
    event = Webhook(hook.secret).verify(receiver.received[1]["body"], receiver.received[1]["headers"])
    assert event["type"] == "job.failed" and event["data"]["error"]["message"] == "boom"


async def _async(value):
    return value


async def _delivered(sessions, job_id):
    return [d for d in await _deliveries(sessions, job_id) if d.status == "delivered"]
