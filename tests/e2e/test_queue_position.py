"""A queued job's place among all the queued jobs of its pool, whoever submitted them: `queue_position` on the job's
record and `queue` events on its stream, revealing a count and nothing else of other users' jobs."""

from __future__ import annotations

import asyncio
import json
import uuid

from httpx_sse import aconnect_sse

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


async def test_a_job_that_is_not_queued_has_no_queue_position(api, user):
    job = await submit(api, user["headers"], steps=1)
    done = await until_status(api, job["id"], user["headers"], "succeeded")
    assert done["queue_position"] is None


async def _until(predicate) -> None:
    while not predicate():
        await asyncio.sleep(0.05)
