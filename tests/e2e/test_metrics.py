"""What the tenancy and overview dashboards show moves when a tenant's people act: their jobs, GPU time and images,
job latency, and the event streams they hold open. (Sign-ins, 429s, imports and dead-lettered jobs are checked where
those actions are tested: test_identity, test_quotas, test_models, test_cancel_and_faults.)"""

from __future__ import annotations

import json
import uuid

import pytest
from httpx_sse import aconnect_sse

from helpers import metric, metric_reaches, new_user, submit, until_status, wait_for


async def tenant_user(api, admin_headers, **fields) -> tuple[str, dict]:
    """A user of a tenant of its own, so that the tenant's series count this test's actions alone."""
    tenant = f"t{uuid.uuid4().hex[:8]}"
    return tenant, await new_user(api, admin_headers, tenant_id=tenant, **fields)


async def test_a_tenants_jobs_gpu_time_and_images_are_counted(api, admin_headers):
    tenant, user = await tenant_user(api, admin_headers)
    latencies = metric("easel_job_latency_seconds_count", pool="default")
    job = await submit(api, user["headers"], steps=2, batch_size=2)
    done = await until_status(api, job["id"], user["headers"], "succeeded")
    await metric_reaches("easel_tenant_jobs_total", 1, tenant=tenant, status="succeeded")
    counted = {s: metric("easel_tenant_jobs_total", tenant=tenant, status=s) for s in ("queued", "starting", "failed")}
    assert counted["queued"] == 1 and counted["starting"] >= 1 and counted["failed"] == 0  # a run per start
    timings = done["timings"]
    assert metric("easel_tenant_gpu_seconds_total", tenant=tenant, pool="default") == pytest.approx(
        (timings["load_s"] or 0) + timings["generation_s"])
    assert timings["generation_s"] > 0
    assert metric("easel_images_generated_total", pool="default", tenant=tenant) == 2
    assert metric("easel_job_latency_seconds_count", pool="default") >= latencies + 1


async def test_open_event_streams_are_counted_per_tenant(api, admin_headers):
    # a tenant admin may use any pool; in `idle` no worker runs, so the job (and its stream) stays open
    tenant, user = await tenant_user(api, admin_headers, roles=["admin"])
    job = await submit(api, user["headers"], pool="idle", steps=1)
    try:
        async with aconnect_sse(api, "GET", f"/v1/jobs/{job['id']}/events", headers=user["headers"]) as source:
            events = source.aiter_sse()
            first = await anext(events)
            assert (first.event, json.loads(first.data)["status"]) == ("queued", "queued")
            assert metric("easel_gateway_event_streams", tenant=tenant) == 1
            r = await api.delete(f"/v1/jobs/{job['id']}", headers=user["headers"])
            assert r.status_code in (200, 202), r.text
            assert [sse.event async for sse in events][-1] == "canceled"  # the stream ends with the job
    finally:
        await api.delete(f"/v1/jobs/{job['id']}", headers=user["headers"])

    async def closed():  # the gateway lets go of the stream once it has ended
        return metric("easel_gateway_event_streams", tenant=tenant) == 0

    await wait_for(closed, timeout=10)
