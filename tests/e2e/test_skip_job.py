"""Skip from the native API: `POST /v1/jobs/{id}/skip` ends the running batch of an n_iter job, keeps its image and
runs the next; only the owner may (another user gets 404), and only a running job (409 naming `status`)."""

from __future__ import annotations

import pytest

from helpers import events, job_status, new_user, submit, until_status, wait_for

pytestmark = pytest.mark.slow


async def _running(api, job_id: str, headers: dict[str, str]) -> dict:
    """The job once its first batch has done a few of its steps."""

    async def seen():
        job = await job_status(api, job_id, headers)
        assert job["status"] not in ("failed", "canceled"), job
        progress = job.get("progress") or {}
        return job if job["status"] in ("starting", "processing") and 2 <= progress.get("step", 0) < 40 else None

    return await wait_for(seen, timeout=180, interval=0.05)


async def test_owner_skips_the_running_batch_and_the_job_ends_with_both_batches(api, user, admin_headers):
    job = await submit(api, user["headers"], steps=60, n_iter=2, seed=40, prompt="a skipped batch")
    await _running(api, job["id"], user["headers"])

    other = await new_user(api, admin_headers)
    r = await api.post(f"/v1/jobs/{job['id']}/skip", headers=other["headers"])
    assert r.status_code == 404, r.text  # another user's job does not exist for them
    assert (await job_status(api, job["id"], user["headers"]))["status"] in ("starting", "processing")

    r = await api.post(f"/v1/jobs/{job['id']}/skip", headers=user["headers"])
    assert r.status_code == 202, r.text
    assert r.json()["id"] == job["id"] and r.json()["status"] in ("starting", "processing")

    done = await until_status(api, job["id"], user["headers"], "succeeded", "failed", "canceled", timeout=240)
    # the skipped batch kept its image as it was; the second ran whole; the job did not end canceled
    assert done["status"] == "succeeded" and [i["seed"] for i in done["images"]] == [40, 41]
    assert not done["cancel_requested"]
    for image in done["images"]:
        assert (await api.get(image["url"], headers=user["headers"])).status_code == 200
    # the first batch's remaining steps never ran: fewer steps were reported than the job's two batches have
    steps = [d for kind, d in await events(api, job["id"], user["headers"]) if kind == "progress"]
    assert len({d["step"] for d in steps}) < max(d["steps"] for d in steps), [d["step"] for d in steps]


async def test_skipping_a_job_that_is_not_running_is_409_naming_status(api, admin_headers):
    # an admin may use any pool; no worker serves pool `idle`, so the job stays queued
    user = await new_user(api, admin_headers, roles=["admin"])
    waiting = await submit(api, user["headers"], pool="idle", steps=1)
    r = await api.post(f"/v1/jobs/{waiting['id']}/skip", headers=user["headers"])
    assert r.status_code == 409, r.text
    assert r.json()["details"]["field"] == "status" and r.json()["details"]["status"] == "queued"
    assert (await api.delete(f"/v1/jobs/{waiting['id']}", headers=user["headers"])).status_code == 202

    finished = await submit(api, user["headers"], steps=1)
    await until_status(api, finished["id"], user["headers"], "succeeded")
    r = await api.post(f"/v1/jobs/{finished['id']}/skip", headers=user["headers"])
    assert r.status_code == 409 and r.json()["details"]["status"] == "succeeded"
