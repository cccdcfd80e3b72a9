"""Quotas and rate limits: over a limit is a 429 that names it and says when to retry; counters are shared."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import delete, update

from easel_auth.models import User as UserRow
from easel_common.db import make_engine, sessions
from easel_jobs import quotas, service
from easel_jobs.models import Job
from easel_jobs.trainings.models import Training
from easel_proto.errors import QuotaExceeded
from easel_proto.v1 import auth, common, jobs, registry
from easel_proto.wire import encode
from easel_stack.natsd import free_port
from helpers import metric, new_user, process_env, submit, until_status, wait_for

JOB = {"prompt": "a red fox in the snow", "steps": 1, "width": 64, "height": 64, "seed": 1}


async def set_quotas(stack, database_url: str, user_id: str, **limits) -> None:
    """Set a user's quota override in the auth tables, then tell every gateway to drop what it cached."""
    engine = make_engine(database_url)
    try:
        async with sessions(engine).begin() as session:
            await session.execute(update(UserRow).where(UserRow.id == user_id).values(quotas=limits))
    finally:
        await engine.dispose()
    names = stack.services[0].settings.names
    nc = await stack.connect_as("auth")  # only auth may announce a user change
    await nc.publish(names.auth_changed(user_id),
                     encode(auth.UserChanged(user_id=user_id, reason="quotas", at=datetime.now(UTC))))
    await nc.flush()
    await asyncio.sleep(0.1)  # the gateway's subscription runs on its own callback


async def limited_user(api, admin_headers, stack, database_url, **limits) -> dict:
    user = await new_user(api, admin_headers)
    await set_quotas(stack, database_url, user["id"], **limits)
    return user


def assert_refused(r: httpx.Response, code: str, limit: str) -> dict:
    assert r.status_code == 429, r.text
    body = r.json()
    assert body["code"] == code and body["details"]["limit"] == limit, body
    assert limit in body["message"]
    assert int(r.headers["Retry-After"]) >= 1
    assert int(r.headers["Retry-After"]) == body["details"]["retry_after_s"]
    return body


async def my_job_ids(api, headers) -> set[str]:
    r = await api.get("/v1/jobs", params={"limit": 100}, headers=headers)
    assert r.status_code == 200, r.text
    return {j["id"] for j in r.json()["items"]}


async def test_concurrent_job_limit_refuses_the_extra_job_until_one_finishes(api, admin_headers, stack, database_url):
    user = await limited_user(api, admin_headers, stack, database_url, max_concurrent_jobs=2)
    h = user["headers"]
    refused = {"code": "quota_exceeded", "limit": "max_concurrent_jobs", "tenant": user["tenant_id"]}
    before = metric("easel_gateway_rejections_total", **refused)
    slow = [await submit(api, h, steps=150, seed=s) for s in (1, 2)]
    try:
        r = await api.post("/v1/jobs", json=JOB, headers=h)
        body = assert_refused(r, "quota_exceeded", "max_concurrent_jobs")
        assert metric("easel_gateway_rejections_total", **refused) == before + 1
        assert body["details"]["allowed"] == 2 and body["details"]["used"] == 2
        assert await my_job_ids(api, h) == {j["id"] for j in slow}  # nothing was queued for the refused one
    finally:
        for job in slow:
            assert (await api.delete(f"/v1/jobs/{job['id']}", headers=h)).status_code in (202, 409)
    for job in slow:
        await until_status(api, job["id"], h, "canceled", "succeeded", timeout=60)
    again = await submit(api, h, steps=1)
    await until_status(api, again["id"], h, "succeeded", timeout=60)


async def test_daily_image_quota_counts_images_not_jobs(api, admin_headers, stack, database_url):
    user = await limited_user(api, admin_headers, stack, database_url, images_per_day=3)
    h = user["headers"]
    first = await submit(api, h, steps=1, batch_size=2)
    r = await api.post("/v1/jobs", json={**JOB, "batch_size": 2}, headers=h)
    body = assert_refused(r, "quota_exceeded", "images_per_day")
    assert body["details"]["allowed"] == 3 and body["details"]["used"] == 2  # one job so far, two images
    assert await my_job_ids(api, h) == {first["id"]}
    last = await submit(api, h, steps=1, batch_size=1)
    r = await api.post("/v1/jobs", json=JOB, headers=h)
    assert assert_refused(r, "quota_exceeded", "images_per_day")["details"]["used"] == 3
    for job in (first, last):
        await until_status(api, job["id"], h, "succeeded", timeout=60)


async def test_trainings_gpu_seconds_count_against_the_job_quota(api, admin_headers, stack, database_url):
    """One GPU-seconds quota for trainings and jobs: trainings that used up the month refuse the next job."""
    user = await limited_user(api, admin_headers, stack, database_url, gpu_seconds_per_month=60)
    h, now = user["headers"], datetime.now(UTC)
    month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    engine = make_engine(database_url)
    try:
        async with sessions(engine).begin() as session:
            # this month's count 45 + 15; last month's does not
            for gpu_s, created in ((45.0, now), (15.0, now), (1000.0, month - timedelta(days=1))):
                session.add(Training(
                    id=str(uuid.uuid4()), user_id=user["id"], tenant_id=user["tenant_id"], username=user["username"],
                    pool="default", status="succeeded", method="lora", name=f"m{uuid.uuid4().hex[:8]}",
                    base_model_id="builtin-tiny-sd", dataset_id="d", request={}, spec={}, inputs={},
                    gpu_s=gpu_s, created_at=created))
        r = await api.post("/v1/jobs", json=JOB, headers=h)
        body = assert_refused(r, "quota_exceeded", "gpu_seconds_per_month")
        assert body["details"]["allowed"] == 60 and body["details"]["used"] == 60
        assert await my_job_ids(api, h) == set()  # nothing was queued
    finally:
        async with sessions(engine).begin() as session:
            await session.execute(delete(Training).where(Training.user_id == user["id"]))
        await engine.dispose()


async def test_rate_limit_is_a_token_bucket_per_user(api, admin_headers, stack, database_url):
    alice = await limited_user(api, admin_headers, stack, database_url, requests_per_second=1, burst=2)
    bob = await limited_user(api, admin_headers, stack, database_url, requests_per_second=1, burst=2)
    limited = {"code": "rate_limited", "limit": "requests_per_second", "tenant": alice["tenant_id"]}
    before = metric("easel_gateway_rejections_total", **limited)
    burst = await asyncio.gather(*(api.get("/v1/me", headers=alice["headers"]) for _ in range(5)))
    statuses = sorted(r.status_code for r in burst)
    assert statuses == [200, 200, 429, 429, 429], statuses
    assert metric("easel_gateway_rejections_total", **limited) == before + 3
    refused = next(r for r in burst if r.status_code == 429)
    body = assert_refused(refused, "rate_limited", "requests_per_second")
    assert body["details"]["allowed"] == 1
    # bob has his own bucket; the admin has no rate limit at all
    assert [(await api.get("/v1/me", headers=bob["headers"])).status_code for _ in range(2)] == [200, 200]
    assert (await api.get("/v1/me", headers=admin_headers)).status_code == 200
    await asyncio.sleep(int(refused.headers["Retry-After"]))
    assert (await api.get("/v1/me", headers=alice["headers"])).status_code == 200


@pytest.fixture
async def second_gateway(stack, tmp_path):
    """Another gateway process on the same NATS and object store, as a second replica would be."""
    port = free_port()
    env = process_env(stack, "gateway", EASEL_PORT=str(port), EASEL_METRICS_PORT="0", EASEL_LOG_LEVEL="WARNING")
    log = open(tmp_path / "gateway2.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "easel_gateway"], env=env, stdout=log, stderr=subprocess.STDOUT,
                            cwd=tmp_path)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            async def ready():
                assert proc.poll() is None, (tmp_path / "gateway2.log").read_text()
                try:
                    return (await client.get("/readyz")).status_code == 200
                except httpx.TransportError:
                    return False

            await wait_for(ready, timeout=30, interval=0.1)
            yield client
    finally:
        proc.terminate()
        try:
            await asyncio.to_thread(proc.wait, 10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


async def test_two_gateways_share_one_bucket(api, admin_headers, stack, database_url, second_gateway):
    # a slow refill (one token per 5 s) so that only the shared burst of 3 decides
    user = await limited_user(api, admin_headers, stack, database_url, requests_per_second=0.2, burst=3)
    gateways = [api, second_gateway, api, second_gateway, api, second_gateway]
    answers = [await gw.get("/v1/me", headers=user["headers"]) for gw in gateways]
    assert [r.status_code for r in answers] == [200, 200, 200, 429, 429, 429]
    for refused in answers[3:]:
        assert_refused(refused, "rate_limited", "requests_per_second")
        assert 1 <= int(refused.headers["Retry-After"]) <= 5


SPEC = jobs.GenerationSpec(
    prompt="x", sampler="Euler", steps=1, cfg_scale=7, width=64, height=64, seeds=[1],
    model=registry.ModelInfo(id="builtin-tiny-sd", name="tiny-sd", kind="checkpoint", base="tiny",
                             source="builtin:tiny-sd"))


async def test_job_quota_counts_in_the_database(stack, database_url):
    """What counts: today's images except refunds, active jobs, this month's generation seconds."""
    tenant, user_id = f"quota-{uuid.uuid4().hex[:8]}", str(uuid.uuid4())
    principal = common.Principal(user_id=user_id, tenant_id=tenant, username="q")
    at = datetime(2030, 5, 15, 12, 0, tzinfo=UTC)
    rows = [  # (status, images, created, started, generation_s)
        ("succeeded", 2, at - timedelta(hours=1), True, 10.0),
        ("failed", 3, at - timedelta(hours=1), True, None),  # refunded: nothing delivered
        ("canceled", 4, at - timedelta(hours=1), False, None),  # refunded: never started
        ("canceled", 1, at - timedelta(hours=1), True, None),  # counts: canceled while running
        ("queued", 1, at - timedelta(minutes=1), False, None),  # counts, and is active
        ("succeeded", 5, at - timedelta(days=1), True, 20.0),  # yesterday: this month only
        ("succeeded", 5, at - timedelta(days=20), True, 100.0),  # last month: not at all
    ]
    engine = make_engine(database_url)
    maker = sessions(engine)
    try:
        async with maker.begin() as session:
            for status, images, created, started, gen in rows:
                job_id = str(uuid.uuid4())
                session.add(Job(id=job_id, user_id=user_id, tenant_id=tenant, pool="default", status=status,
                                spec=SPEC.model_dump(mode="json"), image_keys=[], images=images, attempts=0,
                                cancel_requested=False, created_at=created, started_at=created if started else None,
                                generation_s=gen))

        async def check(batch: int = 1, **limits) -> QuotaExceeded | None:
            spec = SPEC.model_copy(update={"seeds": list(range(batch))})
            req = jobs.CreateJobRequest(principal=principal, pool="default", spec=spec,
                                        quotas=common.Quotas(**limits))
            async with maker.begin() as session:
                try:
                    await quotas.check(session, req, at=at)
                except QuotaExceeded as exc:
                    return exc
            return None

        assert await check(images_per_day=5) is None  # used 4 = 2 + 1 + 1
        refused = await check(batch=2, images_per_day=5)
        assert refused.details == {"limit": "images_per_day", "allowed": 5, "used": 4, "retry_after_s": 12 * 3600}
        too_big = await check(batch=6, images_per_day=5)
        assert too_big.details["limit"] == "images_per_day" and "retry_after_s" not in too_big.details
        assert await check(max_concurrent_jobs=2) is None
        assert (await check(max_concurrent_jobs=1)).details["retry_after_s"] == quotas.CONCURRENCY_RETRY_S
        assert await check(gpu_seconds_per_month=30.5) is None  # used 30 = 10 + 20
        refused = await check(gpu_seconds_per_month=30)
        assert refused.details["limit"] == "gpu_seconds_per_month" and refused.details["used"] == 30
        assert refused.details["retry_after_s"] == int((datetime(2030, 6, 1, tzinfo=UTC) - at).total_seconds())

        # submissions racing for the last slot: exactly one gets it (one is already queued). Each waits after its
        # check until all have checked (or 0.5 s), so without the per-user lock all four would count one job.
        checked, all_checked = [], asyncio.Event()

        async def submit_one() -> bool:
            req = jobs.CreateJobRequest(principal=principal, pool="default", spec=SPEC,
                                        quotas=common.Quotas(max_concurrent_jobs=2))
            try:
                async with maker.begin() as session:
                    await quotas.check(session, req)
                    checked.append(1)
                    if len(checked) == 4:
                        all_checked.set()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(all_checked.wait(), 0.5)
                    await service.create(session, job_id=str(uuid.uuid4()), req=req)
            except QuotaExceeded:
                return False
            return True

        assert sorted(await asyncio.gather(*(submit_one() for _ in range(4)))) == [False, False, False, True]
    finally:
        async with maker.begin() as session:
            await session.execute(delete(Job).where(Job.tenant_id == tenant))
        await engine.dispose()
