"""Cancel, worker crashes, graceful shutdown, exhausted deliveries: nothing is lost or doubled."""

from __future__ import annotations

import asyncio
import signal

import pytest

from easel_proto.v1 import common, jobs, registry
from helpers import as_gateway, events, job_status, metric, metric_reaches, submit, until_status, wait_for


async def _progress_at_least(api, job_id, headers, step):
    async def check():
        job = await job_status(api, job_id, headers)
        return job if (job.get("progress") or {}).get("step", 0) >= step else None

    return await wait_for(check, timeout=120, interval=0.05)


async def test_cancel_queued_and_running_jobs(api, user):
    running = await submit(api, user["headers"], steps=150, seed=3)
    await _progress_at_least(api, running["id"], user["headers"], 2)
    queued = await submit(api, user["headers"], steps=2)
    r = await api.delete(f"/v1/jobs/{queued['id']}", headers=user["headers"])
    assert r.status_code == 202 and r.json()["status"] == "canceled"

    r = await api.delete(f"/v1/jobs/{running['id']}", headers=user["headers"])
    assert r.status_code == 202 and r.json()["cancel_requested"] is True
    stopped = await until_status(api, running["id"], user["headers"], "canceled", "succeeded")
    assert stopped["status"] == "canceled"
    seen = await events(api, running["id"], user["headers"])
    assert seen[-1][0] == "canceled"
    assert max(d["step"] for k, d in seen if k == "progress") < 150

    # the queued job never ran: no worker ever started it, and it has no images
    queued_events = [k for k, _ in await events(api, queued["id"], user["headers"])]
    assert queued_events == ["queued", "canceled"]
    later = await submit(api, user["headers"], steps=1)  # the worker moved on past the canceled job
    await until_status(api, later["id"], user["headers"], "succeeded")
    assert (await job_status(api, queued["id"], user["headers"]))["status"] == "canceled"
    r = await api.get(f"/v1/jobs/{queued['id']}/images/0", headers=user["headers"])
    assert r.status_code == 404
    again = await api.delete(f"/v1/jobs/{queued['id']}", headers=user["headers"])
    assert again.status_code == 409


async def _count_events(stack, job_id: str, kind: str) -> int:
    js = (await stack.connect_as("jobs")).jetstream()  # an identity that may read the event stream
    names = stack.services[0].settings.names
    info = await js.stream_info(names.stream("events")["name"], subjects_filter=names.job_events(job_id, kind))
    return (info.state.subjects or {}).get(names.job_events(job_id, kind), 0)


async def test_killed_worker_job_completes_once_on_a_restarted_worker(api, user, stack):
    job = await submit(api, user["headers"], steps=60, batch_size=2, seed=11)
    await _progress_at_least(api, job["id"], user["headers"], 3)
    victim = stack.workers.pop()
    victim.kill()
    stack.start_worker()
    await stack.wait_ready()
    done = await until_status(api, job["id"], user["headers"], "succeeded", "failed")
    assert done["status"] == "succeeded"
    assert done["attempts"] == 2
    assert await _count_events(stack, job["id"], "succeeded") == 1
    store = stack.services[0]  # any service sees the same store layout; list what the worker wrote
    from easel_common.storage import open_store

    keys = await open_store(store.settings).list(f"{done['tenant_id']}/{done['user_id']}/jobs/{job['id']}/")
    assert [k.rsplit("/", 1)[-1] for k in keys] == ["0.png", "1.png"]


async def test_sigterm_lets_the_running_job_finish(api, user, stack):
    job = await submit(api, user["headers"], steps=25)
    await _progress_at_least(api, job["id"], user["headers"], 1)
    worker = stack.workers.pop()
    worker.proc.send_signal(signal.SIGTERM)
    code = await asyncio.to_thread(worker.proc.wait, 60)
    assert code == 0
    assert (await job_status(api, job["id"], user["headers"]))["status"] == "succeeded"
    stack.start_worker()
    await stack.wait_ready()


async def test_job_whose_deliveries_run_out_becomes_failed_with_the_reason(stack, user):
    """A pool whose only 'worker' takes jobs and dies without answering, every time (the stack's pool consumers
    redeliver after 2 s, 4 times)."""
    names = stack.services[0].settings.names
    model = registry.ModelInfo(id="builtin-tiny-sd", name="tiny-sd", kind="checkpoint", base="tiny",
                               source="builtin:tiny-sd")
    principal = common.Principal(user_id=user["id"], tenant_id=user["tenant_id"], username=user["username"])
    crashy_worker = await stack.connect_as("worker-crashy")
    crashy = await crashy_worker.jetstream().pull_subscribe_bind(names.worker_consumer("crashy"),
                                                                 names.stream("jobs")["name"])
    spec = jobs.GenerationSpec(prompt="x", model=model, sampler="Euler", steps=1, cfg_scale=7, width=64, height=64,
                               seeds=[1])
    created = await as_gateway(stack, names.jobs_create, jobs.CreateJobRequest(principal=principal, pool="crashy",
                                                                               spec=spec),
                               jobs.CreateJobReply, principal)
    job_id = created.job.id
    dead_lettered = metric("easel_jobs_dead_lettered_total", pool="crashy")
    for attempt in (1, 2, 3, 4):  # take it, never ack: like a worker killed mid-job, every time
        msgs = await crashy.fetch(1, timeout=10)
        assert msgs[0].metadata.num_delivered == attempt
    # the next pull finds nothing: JetStream gives up on the job and says so in an advisory
    with pytest.raises(TimeoutError):
        await crashy.fetch(1, timeout=3)

    async def failed():
        record = await as_gateway(stack, names.jobs_get, jobs.JobRef(principal=principal, job_id=job_id),
                                  jobs.JobRecord, principal)
        return record if record.status == "failed" else None

    record = await wait_for(failed, timeout=30)
    assert record.error.code == "deliveries_exhausted"
    assert "delivered 4 times" in record.error.message
    # what the EaselJobsDeadLettered alert counts
    assert await metric_reaches("easel_jobs_dead_lettered_total", dead_lettered + 1, pool="crashy") \
        == dead_lettered + 1
