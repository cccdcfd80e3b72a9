"""Two real workers: once one has the model loaded, the next jobs go to it and pay no load."""

from __future__ import annotations

import httpx
import pytest

from helpers import events, new_user, stack_with_env, submit, until_status, wait_for

pytestmark = pytest.mark.slow


async def _worker_that_ran(api, job_id: str, headers) -> str:
    return next(d["worker_id"] for kind, d in await events(api, job_id, headers) if kind == "starting")


async def test_jobs_follow_the_worker_that_has_their_model_loaded(session_dir, nats_url, database_url):
    env = {"EASEL_PRESENCE_INTERVAL_S": "0.5", "EASEL_LOG_LEVEL": "INFO"}
    async with stack_with_env(env, data_dir=session_dir / "dispatch-stack",
                              database_url=database_url, workers=2,
                              worker_log=session_dir / "dispatch-workers.log") as stack:
        jobs_service = stack.services[2]
        async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as api:
            user = await new_user(api, {"Authorization": f"Bearer {stack.admin_key}"})
            first = await submit(api, user["headers"], steps=2)
            await until_status(api, first["id"], user["headers"], "succeeded")
            warm = await _worker_that_ran(api, first["id"], user["headers"])
            model = first["spec"]["model"]["id"]
            for _ in range(3):
                # the warm worker has said it is idle again (it does so right after each job)
                await wait_for(lambda: _async(jobs_service.router.board.pick("default", model) is not None),
                               timeout=30, interval=0.05)
                job = await submit(api, user["headers"], steps=2)
                done = await until_status(api, job["id"], user["headers"], "succeeded")
                assert await _worker_that_ran(api, job["id"], user["headers"]) == warm
                assert done["timings"]["load_s"] == 0


async def _async(value):
    return value
