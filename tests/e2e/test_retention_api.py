"""A tenant's retention through the API: set by the platform admin, applied by the jobs service's sweep; an
expired job's record says so and its images answer 410; a tenant admin cannot set it."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update

from easel_jobs.models import Job
from easel_proto.wire import now
from helpers import new_user, submit, until_status, wait_for


async def _async(value):
    return value


async def test_a_tenants_retention_expires_its_old_jobs_images(api, admin_headers, stack):
    tenant = f"ret{uuid.uuid4().hex[:6]}"
    admin = await new_user(api, admin_headers, roles=["admin"], tenant_id=tenant)
    member = await new_user(api, admin_headers, tenant_id=tenant)
    r = await api.patch(f"/v1/tenants/{tenant}", json={"retention_days": 2}, headers=admin["headers"])
    assert r.status_code == 403, r.text  # the tenant's own admin may not shorten (or lengthen) it
    r = await api.patch(f"/v1/tenants/{tenant}", json={"retention_days": 2}, headers=admin_headers)
    assert r.status_code == 200 and r.json()["retention_days"] == 2, r.text
    r = await api.patch(f"/v1/tenants/{tenant}", json={"retention_days": 99999}, headers=admin_headers)
    assert r.status_code == 422 and r.json()["details"]["field"] == "retention_days", r.text

    jobs_service = next(s for s in stack.services if hasattr(s, "retention"))
    await wait_for(lambda: _async(jobs_service.tenants.get(tenant).retention_days == 2), timeout=10)
    old, fresh = await submit(api, member["headers"]), await submit(api, member["headers"], seed=5)
    for job in (old, fresh):
        await until_status(api, job["id"], member["headers"], "succeeded")
    async with jobs_service.flows.sessions.begin() as session:  # as if it had ended three days ago
        await session.execute(update(Job).where(Job.id == old["id"]).values(finished_at=now() - timedelta(days=3)))
    assert await jobs_service.retention.expire_tenant(tenant, 2) == 1

    record = (await api.get(f"/v1/jobs/{old['id']}", headers=member["headers"])).json()
    assert record["expired_at"] is not None
    r = await api.get(f"/v1/jobs/{old['id']}/images/0", headers=member["headers"])
    assert r.status_code == 410 and r.json()["code"] == "gone", r.text
    r = await api.get(f"/v1/jobs/{fresh['id']}/images/0", headers=member["headers"])
    assert r.status_code == 200 and r.content.startswith(b"\x89PNG")
