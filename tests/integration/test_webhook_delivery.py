"""The webhook pipeline on its own: the event folder hands a job's end, once folded into its row, to the intake,
which makes one delivery per endpoint, only once the row has ended and even when the hand-over failed the first
time; job ends an earlier version's own consumer still holds are announced and that consumer goes; deliveries
survive a sender that stops, and the next one finishes them.

These run on a database of their own (a sender of the session's stack would otherwise take their deliveries), and
auth's part, where owners stand, is `Everyone`: deliveries following owners' rights are tested end to end
(e2e/test_webhook_owners.py)."""

from __future__ import annotations

import asyncio
import uuid
from types import SimpleNamespace

import pytest
from nats.js.api import DeliverPolicy
from nats.js.errors import NotFoundError
from sqlalchemy import select, update
from standardwebhooks.webhooks import Webhook

from easel_common import db
from easel_common.natsio import close, connect, durable_consumer, ensure_streams, pull_config
from easel_jobs import handlers, service
from easel_jobs.flows import JobFlows
from easel_jobs.folding import EventFolder
from easel_jobs.main import MIGRATIONS
from easel_jobs.models import Job
from easel_jobs.settings import JobsSettings
from easel_jobs.webhooks.intake import Intake
from easel_jobs.webhooks.manage import Webhooks
from easel_jobs.webhooks.models import WebhookDelivery
from easel_jobs.webhooks.sealed import box_of
from easel_jobs.webhooks.sender import Sender
from easel_proto.naming import LEASE_HEADER, TERMINAL_EVENTS
from easel_proto.v1 import auth, common, jobs, webhooks
from easel_proto.v1.registry import ModelInfo
from easel_proto.wire import encode, now
from helpers import cluster_database, namespace, wait_for
from receivers import Receiver

MODEL = ModelInfo(id="builtin-tiny-sd", name="tiny-sd", kind="checkpoint", base="tiny", source="builtin:tiny-sd")


class Everyone:
    """Auth's answer (owners.Owners) for the owners these tests make up: each active in tenant t1."""

    async def standing(self, user_ids) -> dict[str, auth.OwnerStanding]:
        return {u: auth.OwnerStanding(user_id=u, tenant_id="t1", active=True) for u in user_ids}


@pytest.fixture
async def pipeline(nats_url, database_url, tmp_path):
    async with cluster_database(database_url, tmp_path / "db") as url:
        settings = JobsSettings(namespace=namespace(), database_url=url, webhook_allow_hosts=["127.0.0.1"],
                                webhook_retry_schedule_s=[0.3, 0.3, 0.3], webhook_sweep_s=0.1, data_dir=tmp_path)
        async for ready in _pipeline(nats_url, settings):
            yield ready


async def _pipeline(nats_url, settings):
    nc = await connect(nats_url, "webhooks-test")
    await ensure_streams(nc, settings.names, ("jobs", "events", "trainings"))
    engine = db.make_engine(settings.database_url)
    box = box_of(settings)
    await db.migrate(engine, MIGRATIONS, "alembic_version_jobs", webhook_secrets=box)
    sessions = db.sessions(engine)
    stopping = asyncio.Event()
    intake = Intake(sessions, settings, lambda: None, Everyone())
    flows = JobFlows(nc, sessions, settings.names)
    events = await durable_consumer(nc, settings.names.stream("events")["name"], settings.names.jobs_events_consumer,
                                    handlers.worker_event_subjects(flows))
    failures = []  # hand-overs still to fail, as the service stopping between a row's end and its deliveries would

    async def ends(batch: list[tuple[str, bool | None]]) -> None:
        if failures:
            raise failures.pop()
        await intake.on_job_ends(batch)

    task = asyncio.create_task(EventFolder(flows, events, stopping, ends=ends).run())
    try:
        yield SimpleNamespace(nc=nc, settings=settings, sessions=sessions, flows=flows, intake=intake,
                              failures=failures, box=box)
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


async def _started(flows, owner: common.Principal) -> tuple[str, str]:
    """A job a worker claimed: its id and the run's lease."""
    job_id = await _job(flows.sessions, owner)
    claim = await flows.claim(jobs.ClaimJobRequest(job_id=job_id, worker_id="w1", delivery=1, sequence=1),
                              pool="default")
    return job_id, claim.lease


async def _ended(nc, settings, job_id: str, kind: str = "succeeded", lease: str | None = None) -> None:
    """A job's terminal event: a worker's (with its run's lease) or the jobs service's own (none)."""
    message = (jobs.JobResult(job_id=job_id, at=now(), worker_id="w1", image_keys=[], seeds=[1],
                              timings=jobs.Timings(generation_s=0.1)) if kind == "succeeded" and lease
               else jobs.JobStatusEvent(job_id=job_id, status=kind, at=now()))
    await nc.jetstream().publish(settings.names.job_events(job_id, kind), encode(message),
                                 headers={LEASE_HEADER: lease} if lease else None)


async def _deliveries(sessions, job_id: str) -> list[WebhookDelivery]:
    async with sessions() as s:
        return list((await s.execute(select(WebhookDelivery).where(WebhookDelivery.subject_id == job_id))).scalars())


async def test_an_end_is_announced_once_and_only_after_the_jobs_row_ended(pipeline):
    nc, settings, sessions = pipeline.nc, pipeline.settings, pipeline.sessions
    owner = common.Principal(user_id=str(uuid.uuid4()), tenant_id="t1", username="u")
    hook = (await Webhooks(sessions, settings, pipeline.box).handle(webhooks.WebhookRequest(
        actor=owner, op="create", url="http://127.0.0.1:9/hook"))).endpoints[0]
    job_id, lease = await _started(pipeline.flows, owner)
    await _ended(nc, settings, job_id, lease="someone-elses-lease")  # a forged end, or a replaced run's
    await _ended(nc, settings, job_id)  # and one without any: the row still says starting
    await asyncio.sleep(1.5)
    assert await _deliveries(sessions, job_id) == []
    await _ended(nc, settings, job_id, lease=lease)  # the run's own end: folded, the row ends
    await wait_for(lambda: _deliveries(sessions, job_id), timeout=10)
    await _ended(nc, settings, job_id, lease=lease)  # the same end again (a redelivery): nothing new
    await _ended(nc, settings, job_id)
    await asyncio.sleep(1.5)
    found = await _deliveries(sessions, job_id)
    # one delivery; its status is not asserted: a sender of another stack on this test database may have tried it
    assert [(d.endpoint_id, d.type) for d in found] == [(hook.id, "job.succeeded")]
    async with sessions() as s:
        assert (await s.get(Job, job_id)).status == "succeeded"


async def test_an_end_whose_deliveries_failed_after_its_row_ended_is_still_announced(pipeline):
    nc, settings, sessions = pipeline.nc, pipeline.settings, pipeline.sessions
    owner = common.Principal(user_id=str(uuid.uuid4()), tenant_id="t1", username="u")
    hook = (await Webhooks(sessions, settings, pipeline.box).handle(webhooks.WebhookRequest(
        actor=owner, op="create", url="http://127.0.0.1:9/hook", events=["job.failed"]))).endpoints[0]
    job_id, lease = await _started(pipeline.flows, owner)
    pipeline.failures.append(ConnectionError("the service stopped between the row's end and the deliveries"))
    await nc.jetstream().publish(settings.names.job_events(job_id, "failed"), encode(jobs.JobFailed(
        job_id=job_id, at=now(), error=common.Error(code="x", message="boom"))), headers={LEASE_HEADER: lease})
    await wait_for(lambda: _deliveries(sessions, job_id), timeout=15)
    assert not pipeline.failures  # the first hand-over did fail, after the row had ended
    await asyncio.sleep(1.5)
    found = await _deliveries(sessions, job_id)
    assert [(d.endpoint_id, d.type) for d in found] == [(hook.id, "job.failed")]
    assert found[0].payload["data"]["error"]["message"] == "boom"


async def test_job_ends_an_earlier_consumer_still_holds_are_announced_and_the_consumer_goes(pipeline):
    nc, settings, sessions, names = pipeline.nc, pipeline.settings, pipeline.sessions, pipeline.settings.names
    js, stream = nc.jetstream(), names.stream("events")["name"]
    config = pull_config(names.jobs_webhooks_consumer, [names.job_events("*", kind) for kind in TERMINAL_EVENTS])
    config.deliver_policy = DeliverPolicy.NEW
    await js.add_consumer(stream, config)  # as the earlier version made it
    await js.delete_consumer(stream, names.jobs_events_consumer)  # no folder here: only that consumer announces
    owner = common.Principal(user_id=str(uuid.uuid4()), tenant_id="t1", username="u")
    hook = (await Webhooks(sessions, settings, pipeline.box).handle(webhooks.WebhookRequest(
        actor=owner, op="create", url="http://127.0.0.1:9/hook"))).endpoints[0]
    job_id = await _job(sessions, owner)
    async with sessions.begin() as s:  # folded by that version, which stopped before announcing it
        await s.execute(update(Job).where(Job.id == job_id).values(status="canceled", finished_at=now()))
    await js.publish(names.job_events(job_id, "canceled"), encode(jobs.JobStatusEvent(
        job_id=job_id, status="canceled", at=now())))
    stopping = asyncio.Event()
    await asyncio.wait_for(pipeline.intake.catch_up(nc, stopping), timeout=30)
    found = await _deliveries(sessions, job_id)
    assert [(d.endpoint_id, d.type) for d in found] == [(hook.id, "job.canceled")]
    with pytest.raises(NotFoundError):
        await js.consumer_info(stream, names.jobs_webhooks_consumer)


async def test_a_delivery_outlives_a_stopped_sender_and_the_next_one_delivers_it(pipeline):
    nc, settings, sessions = pipeline.nc, pipeline.settings, pipeline.sessions
    owner = common.Principal(user_id=str(uuid.uuid4()), tenant_id="t1", username="u")
    with Receiver() as receiver:
        receiver.answers.extend([500])
        hook = (await Webhooks(sessions, settings, pipeline.box).handle(webhooks.WebhookRequest(
            actor=owner, op="create", url=receiver.url))).endpoints[0]
        job_id = await _job(sessions, owner)
        async with sessions.begin() as s:
            await s.execute(update(Job).where(Job.id == job_id).values(status="failed", finished_at=now(),
                                                                       error={"code": "x", "message": "boom"}))
        await _ended(nc, settings, job_id, "failed")
        await wait_for(lambda: _deliveries(sessions, job_id), timeout=10)

        first, stop_first = Sender(sessions, settings, Everyone(), pipeline.box), asyncio.Event()
        running = asyncio.create_task(first.run(stop_first))
        await wait_for(lambda: _async(receiver.received), timeout=10)  # one attempt, answered 500

        async def recorded() -> bool:  # the receiver has it before the sender has written down its answer
            return [d.attempts for d in await _deliveries(sessions, job_id)] == [1]

        await wait_for(recorded, timeout=10)
        stop_first.set()
        await running
        [pending] = await _deliveries(sessions, job_id)
        assert (pending.status, pending.attempts, pending.last_status) == ("pending", 1, 500)

        second, stop_second = Sender(sessions, settings, Everyone(), pipeline.box), asyncio.Event()
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
