"""Pools created through the API run on a laptop too: the embedded stack admits their workers on NATS at run time
and starts and stops them by queue depth (easel_stack.autoscale)."""

from __future__ import annotations

import asyncio
import secrets

import httpx
import nats
import pytest

from easel_common.nats_access import inbox_prefix, worker_identity
from helpers import stack_with_env, submit, until_status, wait_for

NULL = {"EASEL_ENGINE": "null", "EASEL_SHUTDOWN_GRACE_S": "5"}


@pytest.fixture(scope="module")
async def pool_stack(session_dir, database_url):
    """A stack with no fixed worker: every worker here is one the autoscaler started."""
    async with stack_with_env(NULL, workers=0, data_dir=session_dir / "autoscaled-stack", database_url=database_url,
                              worker_log=session_dir / "autoscaled-worker.log") as stack:
        async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60,
                                     headers={"Authorization": f"Bearer {stack.admin_key}"}) as api:
            yield stack, api


def _pool_name(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(3)}"  # the test database is shared by every stack of the run


def _workers(stack, pool: str) -> list:
    return [w for w in stack.workers if w.pool == pool]


async def _create(api: httpx.AsyncClient, **spec) -> dict:
    r = await api.post("/v1/pools", json=spec)
    assert r.status_code == 201, r.text
    return r.json()


async def _denied(stack, identity: str, subject: str, timeout: float = 2.0) -> bool:
    """Whether nats-server refuses `identity` a publish to `subject` (it tells the client asynchronously)."""
    errors: list[str] = []

    async def on_error(exc: Exception) -> None:
        errors.append(str(exc).lower())

    nc = await nats.connect(stack.nats_url, nkeys_seed=str(stack.identity(identity).seed_file),
                            inbox_prefix=inbox_prefix(identity), error_cb=on_error, allow_reconnect=False)
    try:
        await nc.publish(subject, b"{}")
        await nc.flush()
        wanted = f'permissions violation for publish to "{subject.lower()}"'
        for _ in range(int(timeout / 0.02)):
            if any(wanted in e for e in errors):
                return True
            await asyncio.sleep(0.02)
        return False
    finally:
        await nc.close()


async def test_a_pool_made_at_run_time_gets_workers_for_its_queue_that_touch_no_other_pool(pool_stack):
    stack, api = pool_stack
    names = stack.services[0].settings.names
    pool = _pool_name("burst")
    await _create(api, name=pool, min_workers=0, max_workers=2, queue_depth_target=1, cooldown_seconds=1)
    assert not _workers(stack, pool)  # nothing waits: no worker
    # nats-server forgets the reply grants of requests in flight when it reloads: submit once it has
    await wait_for(lambda: _now(pool in stack.admitted), timeout=10)

    queued = [await submit(api, dict(api.headers), pool=pool, steps=1, seed=n) for n in range(2)]
    # two jobs waiting, one per worker: two workers start, admitted by NATS, and claim them
    await wait_for(lambda: _now(len(_workers(stack, pool)) == 2), timeout=20)
    for job in queued:
        assert (await until_status(api, job["id"], dict(api.headers), "succeeded", "failed",
                                   timeout=60))["status"] == "succeeded"
    # the reload that admitted them dropped none of the services' connections
    assert [nc.stats["reconnects"] for nc in stack.connections] == [0] * len(stack.connections)

    # its identity serves its own pool only, and the workers already running were told about the new pool
    jobs_stream = names.stream("jobs")["name"]
    assert await _denied(stack, worker_identity(pool), names.jobs_claim("default"))
    assert await _denied(stack, worker_identity(pool),
                         f"$JS.API.CONSUMER.MSG.NEXT.{jobs_stream}.{names.worker_consumer('default')}")
    assert await _denied(stack, worker_identity("default"),
                         f"$JS.API.CONSUMER.MSG.NEXT.{jobs_stream}.{names.worker_consumer(pool)}")
    assert not await _denied(stack, worker_identity(pool), names.worker_presence(pool, "probe"), timeout=0.5)

    # the queue empty, after the cooldown both workers drain and stop
    await wait_for(lambda: _now(not _workers(stack, pool) and not stack.autoscaler.draining), timeout=30)
    assert (await api.delete(f"/v1/pools/{pool}")).status_code in (200, 204)
    await wait_for(lambda: _now(pool not in stack.admitted), timeout=10)  # the reload done before the next request


async def test_a_disabled_or_deleted_pools_workers_stop(pool_stack):
    stack, api = pool_stack
    pool = _pool_name("steady")
    await _create(api, name=pool, min_workers=1, max_workers=1, cooldown_seconds=0)
    await wait_for(lambda: _now(len(_workers(stack, pool)) == 1), timeout=20)
    first = _workers(stack, pool)[0]
    await wait_for(lambda: _ready(first), timeout=30)  # min_workers: it runs with nothing queued

    r = await api.patch(f"/v1/pools/{pool}", json={"enabled": False})
    assert r.status_code == 200, r.text
    await wait_for(lambda: _now(not _workers(stack, pool) and first.proc.poll() is not None), timeout=30)
    assert first.proc.returncode == 0  # a drain, not a kill

    assert (await api.patch(f"/v1/pools/{pool}", json={"enabled": True})).status_code == 200
    await wait_for(lambda: _now(len(_workers(stack, pool)) == 1), timeout=20)
    second = _workers(stack, pool)[0]
    assert (await api.delete(f"/v1/pools/{pool}")).status_code in (200, 204)
    await wait_for(lambda: _now(second.proc.poll() is not None and pool not in stack.admitted), timeout=30)
    # once its workers are gone, NATS no longer admits the deleted pool's identity
    with pytest.raises(Exception, match="(?i)authorization"):
        await nats.connect(stack.nats_url, nkeys_seed=str(stack.identity(worker_identity(pool)).seed_file),
                           allow_reconnect=False, max_reconnect_attempts=0, connect_timeout=2)


async def _now(value):
    return value


async def _ready(worker) -> bool:
    async with httpx.AsyncClient(timeout=2) as http:
        try:
            return (await http.get(f"{worker.health_url}/readyz")).status_code == 200
        except httpx.TransportError:
            return False
