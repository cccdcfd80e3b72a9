"""A queued job's place among all the queued jobs of its pool, whoever submitted them: `queue_position` on the job's
record and `queue` events on its stream, revealing a count and nothing else of other users' jobs."""

from __future__ import annotations

import asyncio
import json
import uuid

from httpx_sse import aconnect_sse

from easel_common.natsio import request
from easel_proto.v1 import jobs
from easel_proto.wire import decode
from helpers import job_status, new_user, submit, until_status


async def test_queue_position_counts_other_users_jobs_ahead_in_the_pool(api, admin_headers):
    # admins (of two tenants) may use any pool; no worker serves `idle`, so its jobs wait
    first = await new_user(api, admin_headers, roles=["admin"], tenant_id=f"q{uuid.uuid4().hex[:8]}")
    second = await new_user(api, admin_headers, roles=["admin"], tenant_id=f"q{uuid.uuid4().hex[:8]}")
    ahead = await submit(api, first["headers"], pool="idle", steps=1, prompt="first in line")
    task_id = f"task-{uuid.uuid4().hex[:8]}"  # as a web UI call would be keyed, for /internal/progress
    mine = await submit(api, {**second["headers"], "Idempotency-Key": f"webui-task:{task_id}"}, pool="idle", steps=1,
                        prompt="second in line")
    try:
        theirs = await job_status(api, ahead["id"], first["headers"])
        record = await job_status(api, mine["id"], second["headers"])
        assert record["status"] == "queued" and record["queue_position"] == theirs["queue_position"] + 1
        assert "first in line" not in json.dumps(record)  # a count, nothing of the other job
        # the other tenant's job stays out of reach
        assert (await api.get(f"/v1/jobs/{ahead['id']}", headers=second["headers"])).status_code == 404
        listed = (await api.get("/v1/jobs", headers=second["headers"])).json()["items"]
        assert [j["queue_position"] for j in listed] == [None]  # only the job's own record counts
        r = await api.post("/internal/progress", json={"id_task": task_id}, headers=second["headers"])
        assert r.json()["queued"] and r.json()["textinfo"] == f"In queue: {record['queue_position']} ahead"

        seen: list[tuple[str, dict]] = []

        async def follow() -> None:
            async with aconnect_sse(api, "GET", f"/v1/jobs/{mine['id']}/events",
                                    headers=second["headers"]) as source:
                async for sse in source.aiter_sse():
                    if sse.data:  # not the keep-alive comment
                        seen.append((sse.event, json.loads(sse.data)))
                    if sse.event == "canceled":
                        return

        stream = asyncio.create_task(follow())
        while not any(kind == "queue" for kind, _ in seen):
            await asyncio.sleep(0.05)
        assert seen[0][0] == "queued" and seen[1] == ("queue", {"queue_position": record["queue_position"]})

        # the job ahead leaves the queue: this one moves up, on its record and on its stream
        assert (await api.delete(f"/v1/jobs/{ahead['id']}", headers=first["headers"])).status_code == 202
        assert (await job_status(api, mine["id"], second["headers"]))["queue_position"] == record[
            "queue_position"] - 1
        await asyncio.wait_for(_until(lambda: ("queue", {"queue_position": record["queue_position"] - 1}) in seen),
                               timeout=15)
        assert (await api.delete(f"/v1/jobs/{mine['id']}", headers=second["headers"])).status_code == 202
        await asyncio.wait_for(stream, timeout=30)
        assert seen[-1][0] == "canceled"
    finally:
        for job, who in ((ahead, first), (mine, second)):
            await api.delete(f"/v1/jobs/{job['id']}", headers=who["headers"])


async def test_streams_of_one_pools_queued_jobs_cost_one_request_per_interval(api, admin_headers, stack):
    """Many streams of queued jobs of one pool, of two users: the gateway asks the jobs service once per pool and
    interval for all of them (no request per stream), and each stream shows its own job's place."""
    names = stack.services[0].settings.names
    users = [await new_user(api, admin_headers, roles=["admin"], tenant_id=f"q{uuid.uuid4().hex[:8]}")
             for _ in range(2)]
    owners = [users[i % 2] for i in range(4)]  # submitted in this order, alternating users
    queued = [await submit(api, who["headers"], pool="idle", steps=1, prompt=f"in line {i}")
              for i, who in enumerate(owners)]
    ids = [job["id"] for job in queued]
    monitor = await stack.connect_as("jobs")  # hears the requests the jobs service serves (not in its queue group)
    asked: list[jobs.QueuePositionsRequest] = []
    read: list[str] = []

    async def heard_positions(msg) -> None:
        asked.append(decode(jobs.QueuePositionsRequest, msg.data))

    async def heard_get(msg) -> None:
        read.append(decode(jobs.JobRef, msg.data).job_id)

    await monitor.subscribe(names.jobs_queue_positions, cb=heard_positions)
    await monitor.subscribe(names.jobs_get, cb=heard_get)
    seen: dict[str, list[tuple[str, dict]]] = {job_id: [] for job_id in ids}

    async def follow(job_id: str, headers: dict) -> None:
        async with aconnect_sse(api, "GET", f"/v1/jobs/{job_id}/events", headers=headers) as source:
            async for sse in source.aiter_sse():
                if sse.data:  # not the keep-alive comment
                    seen[job_id].append((sse.event, json.loads(sse.data)))
                if sse.event == "canceled":
                    return

    def places(job_id: str) -> list[int]:
        return [data["queue_position"] for kind, data in seen[job_id] if kind == "queue"]

    streams = [asyncio.create_task(follow(job_id, who["headers"])) for job_id, who in zip(ids, owners, strict=True)]
    try:
        await asyncio.wait_for(_until(lambda: all(places(job_id) for job_id in ids)), timeout=15)
        first = places(ids[0])[-1]
        assert [places(job_id)[-1] for job_id in ids] == [first, first + 1, first + 2, first + 3]
        # what the jobs service answers the gateway: the same places, in one reply
        reply = await request(await stack.connect_as("gateway"), names.jobs_queue_positions,
                              jobs.QueuePositionsRequest(pool="idle", job_ids=[*ids, "no-such-job"]),
                              jobs.QueuePositionsReply, timeout=5)
        assert reply.positions == {job_id: first + i for i, job_id in enumerate(ids)}
        # the streams are open and quiet: count what they cost over a few intervals
        asked.clear()
        read.clear()
        await asyncio.sleep(6.0)  # three intervals (queue_watch.QUEUE_CHECK_S)
        ours = [req for req in asked if set(ids) & set(req.job_ids)]
        assert 1 <= len(ours) <= 4, ours  # one per interval, however many streams watch
        assert all(req.pool == "idle" and set(ids) <= set(req.job_ids) for req in ours)
        assert not set(read) & set(ids)  # no stream reads its job's record while the pool's answer holds

        # the first job leaves the queue: every other stream moves up by one
        assert (await api.delete(f"/v1/jobs/{ids[0]}", headers=owners[0]["headers"])).status_code == 202
        await asyncio.wait_for(_until(lambda: [places(job_id)[-1] for job_id in ids[1:]] == [first, first + 1,
                                                                                             first + 2]), timeout=15)
        await asyncio.wait_for(streams[0], timeout=30)
        assert seen[ids[0]][-1][0] == "canceled"
    finally:
        for job_id, who in zip(ids, owners, strict=True):
            await api.delete(f"/v1/jobs/{job_id}", headers=who["headers"])
        await asyncio.wait_for(asyncio.gather(*streams, return_exceptions=True), timeout=30)
        await monitor.close()


async def test_a_job_that_is_not_queued_has_no_queue_position(api, user):
    job = await submit(api, user["headers"], steps=1)
    done = await until_status(api, job["id"], user["headers"], "succeeded")
    assert done["queue_position"] is None


async def _until(predicate) -> None:
    while not predicate():
        await asyncio.sleep(0.05)
