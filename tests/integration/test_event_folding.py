"""Worker events into job rows: a `processing` event is written a moment late, or not at all when its run ends
first; nothing else changes, and every event is acked."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from easel_common import db
from easel_common.natsio import close, connect, durable_consumer, ensure_streams
from easel_jobs import handlers, service
from easel_jobs.flows import JobFlows
from easel_jobs.folding import EventFolder
from easel_jobs.main import MIGRATIONS
from easel_proto import Names
from easel_proto.errors import Unavailable
from easel_proto.naming import LEASE_HEADER
from easel_proto.v1 import common, jobs
from easel_proto.v1.registry import ModelInfo
from easel_proto.wire import encode, now
from helpers import namespace, wait_for

MODEL = ModelInfo(id="builtin-tiny-sd", name="tiny-sd", kind="checkpoint", base="tiny", source="builtin:tiny-sd")


@pytest.fixture
async def folding(nats_url, database_url):
    names = Names(namespace())
    nc = await connect(nats_url, "folding-test")
    await ensure_streams(nc, names)
    engine = db.make_engine(database_url)
    await db.migrate(engine, MIGRATIONS, "alembic_version_jobs")
    flows = JobFlows(nc, db.sessions(engine), names)
    sub = await durable_consumer(nc, names.stream("events")["name"], names.jobs_events_consumer,
                                 handlers.worker_event_subjects(flows))
    stopping = asyncio.Event()
    task = asyncio.create_task(EventFolder(flows, sub, stopping, hold_s=1.0).run())
    try:
        yield flows
    finally:
        stopping.set()
        await task
        await close(nc)
        await flows.engine.aclose()  # the connections it keeps between statements (db.Lanes)
        await engine.dispose()


async def _started(flows: JobFlows) -> tuple[str, str]:
    """A job claimed by a worker: its id and the run's lease."""
    owner = common.Principal(user_id=str(uuid.uuid4()), tenant_id="t1", username="u")
    spec = jobs.GenerationSpec(prompt="x", model=MODEL, sampler="Euler", steps=1, cfg_scale=7, width=64, height=64,
                               seeds=[1])
    async with flows.sessions.begin() as s:
        job, _ = await service.create(s, job_id=str(uuid.uuid4()),
                                      req=jobs.CreateJobRequest(principal=owner, pool="default", spec=spec))
    claim = await flows.claim(jobs.ClaimJobRequest(job_id=job.id, worker_id="w1", delivery=1, sequence=1),
                              pool="default")
    return job.id, claim.lease


async def _publish(flows: JobFlows, job_id: str, kind: str, lease: str) -> None:
    message = (jobs.JobResult(job_id=job_id, at=now(), worker_id="w1", image_keys=[], seeds=[1],
                              timings=jobs.Timings(generation_s=0.1)) if kind == "succeeded"
               else jobs.JobStatusEvent(job_id=job_id, status=kind, at=now(), worker_id="w1", attempt=1))
    await flows.js.publish(flows.names.job_events(job_id, kind), encode(message), headers={LEASE_HEADER: lease})


async def _status(flows: JobFlows, job_id: str) -> str:
    async with flows.sessions() as s:
        return (await service.get(s, job_id=job_id)).status


async def test_a_long_run_shows_processing_and_a_short_one_goes_straight_to_its_end(folding):
    flows = folding
    long_id, long_lease = await _started(flows)
    await _publish(flows, long_id, "processing", "someone-elses-lease")  # changes nothing
    await _publish(flows, long_id, "processing", long_lease)
    assert await _status(flows, long_id) == "starting"  # held a moment
    await wait_for(lambda: _is(flows, long_id, "processing"), timeout=10, interval=0.05)

    short_id, short_lease = await _started(flows)
    await _publish(flows, short_id, "processing", short_lease)
    await _publish(flows, short_id, "succeeded", short_lease)
    await wait_for(lambda: _is(flows, short_id, "succeeded"), timeout=10, interval=0.05)
    await asyncio.sleep(1.5)  # past the hold: the moot `processing` wrote nothing
    assert await _status(flows, short_id) == "succeeded"

    await _publish(flows, long_id, "succeeded", long_lease)
    await wait_for(lambda: _is(flows, long_id, "succeeded"), timeout=10, interval=0.05)
    info = await flows.js.consumer_info(flows.events_stream, flows.names.jobs_events_consumer)
    assert info.num_ack_pending == 0 and info.num_pending == 0  # every event acked, none left


async def _is(flows: JobFlows, job_id: str, status: str) -> bool:
    return await _status(flows, job_id) == status


async def test_a_job_the_queue_does_not_take_is_failed_and_answered_so(folding: JobFlows):
    """The queued event and the queue message leave together: when the queue does not take the job (its stream
    gone here), the caller hears 503 naming the job, the row ends `failed`, its events say so after `queued`, and a
    worker's claim of a copy that got through anyway is refused."""
    flows = folding
    await flows.js.delete_stream(flows.names.stream("jobs")["name"])
    owner = common.Principal(user_id=str(uuid.uuid4()), tenant_id="t1", username="u")
    spec = jobs.GenerationSpec(prompt="x", model=MODEL, sampler="Euler", steps=1, cfg_scale=7, width=64, height=64,
                               seeds=[1])
    with pytest.raises(Unavailable) as refused:
        await flows.submit(jobs.CreateJobRequest(principal=owner, pool="default", spec=spec))
    job_id = refused.value.details["job_id"]
    async with flows.sessions() as s:
        row = await service.get(s, job_id=job_id)
    assert row.status == "failed" and row.error["code"] == "unavailable"
    kinds = []
    for kind in ("queued", "failed"):
        msg = await flows.js.get_last_msg(flows.events_stream, flows.names.job_events(job_id, kind))
        kinds.append((msg.seq, kind))
    assert [k for _, k in sorted(kinds)] == ["queued", "failed"]
    claim = await flows.claim(jobs.ClaimJobRequest(job_id=job_id, worker_id="w1", delivery=1, sequence=1),
                              pool="default")
    assert not claim.proceed and claim.status == "failed"
