"""The embedded stack keeps itself up: what dies comes back, and a restart with a backlog is ready at once."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from easel_stack.stack import EmbeddedStack, StackOptions
from helpers import namespace, stack_with_env, submit, until_status, wait_for

NULL = {"EASEL_ENGINE": "null"}


async def _running(proc_of) -> bool:
    return proc_of() is not None and proc_of().poll() is None


@pytest.mark.slow
async def test_a_killed_worker_and_a_killed_nats_server_come_back(session_dir, database_url):
    async with stack_with_env(NULL, data_dir=session_dir / "supervised-stack", database_url=database_url,
                              worker_log=session_dir / "supervised-worker.log") as stack:
        admin = {"Authorization": f"Bearer {stack.admin_key}"}
        async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as api:
            worker = stack.workers[0]
            first = worker.proc.pid
            worker.proc.kill()
            await wait_for(lambda: _async(worker.proc.pid != first and worker.proc.poll() is None), timeout=20)
            job = await submit(api, admin, steps=1)
            assert (await until_status(api, job["id"], admin, "succeeded", "failed"))["status"] == "succeeded"

            server = stack.natsd.proc
            server.kill()
            await wait_for(lambda: _async(stack.natsd.proc is not server and stack.natsd.proc.poll() is None),
                           timeout=20)
            await stack.wait_ready(timeout=60)  # every process reconnected on its own
            job = await submit(api, admin, steps=1)
            assert (await until_status(api, job["id"], admin, "succeeded", "failed"))["status"] == "succeeded"
            assert stack.supervisor.restarts == 2


async def _async(value):
    return value


@pytest.mark.slow
async def test_a_stack_restarted_with_a_backlog_is_ready_at_once_and_drains_it_once(session_dir, database_url):
    """Readiness does not wait for an idle worker: with hundreds of jobs queued, the stack is ready as soon as its
    processes are, and every queued job then runs exactly once."""
    options = dict(data_dir=session_dir / "backlog-stack", port=0, namespace=namespace(), database_url=database_url,
                   worker_env=NULL, worker_log=session_dir / "backlog-worker.log",
                   settings={"default_max_concurrent_jobs": None, "default_requests_per_second": None})
    first = EmbeddedStack(StackOptions(workers=0, **options))
    await first.start()
    admin = {"Authorization": f"Bearer {first.admin_key}"}
    try:
        async with httpx.AsyncClient(base_url=first.gateway_url, timeout=60) as api:
            places = asyncio.Semaphore(16)  # the gateway has 32 places for submissions: more at once get 503

            async def queue(n: int) -> dict:
                async with places:
                    return await submit(api, admin, steps=1, seed=n)

            queued = await asyncio.gather(*(queue(n) for n in range(300)))
    finally:
        await first.stop()

    again = EmbeddedStack(StackOptions(workers=1, **options))
    await again.start()  # returns once ready: raises after wait_ready's timeout otherwise
    try:
        async with httpx.AsyncClient(base_url=again.gateway_url, timeout=60) as api:
            for job in queued:
                done = await until_status(api, job["id"], admin, "succeeded", "failed", timeout=120)
                assert done["status"] == "succeeded" and done["attempts"] == 1, done
    finally:
        await again.stop()
