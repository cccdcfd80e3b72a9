"""An interrupted job's record lists the images its run made: the `canceled` event under the run's lease names the
job's first image keys, and the jobs service keeps them (only the job's own keys, only from its current run)."""

from __future__ import annotations

import uuid

from test_event_folding import MODEL, folding  # noqa: F401  (the fixture)

from easel_jobs import service
from easel_jobs.flows import JobFlows
from easel_proto.naming import LEASE_HEADER
from easel_proto.v1 import common, jobs
from easel_proto.wire import encode, now
from helpers import wait_for


async def _started(flows: JobFlows, seeds: list[int]) -> tuple[jobs.JobRecord, list[str], str]:
    owner = common.Principal(user_id=str(uuid.uuid4()), tenant_id="t1", username="u")
    spec = jobs.GenerationSpec(prompt="x", model=MODEL, sampler="Euler", steps=1, cfg_scale=7, width=64, height=64,
                               seeds=seeds, batch_size=1)
    async with flows.sessions.begin() as s:
        job, _ = await service.create(s, job_id=str(uuid.uuid4()),
                                      req=jobs.CreateJobRequest(principal=owner, pool="default", spec=spec))
    claim = await flows.claim(jobs.ClaimJobRequest(job_id=job.id, worker_id="w1", delivery=1, sequence=1),
                              pool="default")
    return owner, list(job.image_keys), claim.lease


async def _canceled(flows: JobFlows, job_id: str, keys: list[str], lease: str) -> None:
    event = jobs.JobStatusEvent(job_id=job_id, status="canceled", at=now(), worker_id="w1", attempt=1, image_keys=keys)
    await flows.js.publish(flows.names.job_events(job_id, "canceled"), encode(event), headers={LEASE_HEADER: lease})


async def _ended(flows: JobFlows, owner: common.Principal, job_id: str) -> jobs.JobRecord:
    async def done():
        record = await flows.get(jobs.JobRef(principal=owner, job_id=job_id))
        return record if record.status == "canceled" else None

    return await wait_for(done, timeout=10, interval=0.05)


async def test_the_record_of_an_interrupted_job_lists_the_images_its_run_made(folding):  # noqa: F811
    flows = folding
    owner, keys, lease = await _started(flows, [7, 8, 9])
    job_id = keys[0].split("/")[-2]
    await _canceled(flows, job_id, keys[:2], "another-runs-lease")  # not the current run: nothing
    await _canceled(flows, job_id, keys[:2], lease)
    record = await _ended(flows, owner, job_id)
    assert [(i.index, i.seed) for i in record.images] == [(0, 7), (1, 8)]
    listed = await flows.list(jobs.ListJobsRequest(principal=owner, limit=5))
    assert [len(r.images) for r in listed.items] == [2]


async def test_keys_that_are_not_the_jobs_own_first_ones_are_not_listed(folding):  # noqa: F811
    flows = folding
    _, others, _ = await _started(flows, [1, 2])
    owner, keys, lease = await _started(flows, [1, 2])
    job_id = keys[0].split("/")[-2]
    await _canceled(flows, job_id, [others[0]], lease)  # another user's image named as this job's
    record = await _ended(flows, owner, job_id)
    assert record.images == []


async def test_an_interrupt_before_any_image_leaves_none(folding):  # noqa: F811
    flows = folding
    owner, keys, lease = await _started(flows, [1, 2])
    job_id = keys[0].split("/")[-2]
    await _canceled(flows, job_id, [], lease)
    assert (await _ended(flows, owner, job_id)).images == []
