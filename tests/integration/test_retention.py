"""Retention: a tenant's jobs past its retention lose their images and inputs (not the inputs a newer job still
uses), are marked expired, and the sweep counts what it freed; other tenants and newer jobs keep theirs."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update

from easel_common import db
from easel_common.storage import LocalStore
from easel_common.tenants import TenantView
from easel_jobs import service
from easel_jobs.main import MIGRATIONS
from easel_jobs.models import Job
from easel_jobs.retention import Retention
from easel_proto import Names
from easel_proto.naming import image_key, input_key
from easel_proto.v1 import common, jobs
from easel_proto.v1.auth import TenantState
from easel_proto.v1.registry import ModelInfo
from easel_proto.wire import now
from helpers import metric

MODEL = ModelInfo(id="builtin-tiny-sd", name="tiny-sd", kind="checkpoint", base="tiny", source="builtin:tiny-sd")


async def _ended_job(sessions, store, owner: common.Principal, days_ago: float, inputs: list[str]) -> str:
    spec = jobs.GenerationSpec(task="img2img", prompt="x", model=MODEL, sampler="Euler", steps=1, cfg_scale=7,
                               width=64, height=64, seeds=[1, 2],
                               init_images=[jobs.InputImage(key=k, width=64, height=64) for k in inputs])
    async with sessions.begin() as s:
        job, _ = await service.create(s, job_id=str(uuid.uuid4()),
                                      req=jobs.CreateJobRequest(principal=owner, pool="default", spec=spec))
        await s.execute(update(Job).where(Job.id == job.id).values(
            status="succeeded", finished_at=now() - timedelta(days=days_ago)))
    for i in range(2):
        await store.put(image_key(owner.tenant_id, owner.user_id, job.id, i), b"p" * 100)
    return job.id


async def test_jobs_past_their_tenants_retention_lose_their_images_and_unshared_inputs(database_url, tmp_path):
    engine = db.make_engine(database_url)
    await db.migrate(engine, MIGRATIONS, "alembic_version_jobs")
    sessions, store = db.sessions(engine), LocalStore(tmp_path)
    tenant, other = f"r{uuid.uuid4().hex[:8]}", f"k{uuid.uuid4().hex[:8]}"
    alice = common.Principal(user_id=str(uuid.uuid4()), tenant_id=tenant, username="alice")
    carol = common.Principal(user_id=str(uuid.uuid4()), tenant_id=other, username="carol")
    own_input, shared_input = (input_key(tenant, alice.user_id, d * 64) for d in "ab")
    for key in (own_input, shared_input):
        await store.put(key, b"i" * 1000)
    old = await _ended_job(sessions, store, alice, 10, [own_input, shared_input])
    recent = await _ended_job(sessions, store, alice, 1, [shared_input])
    elsewhere = await _ended_job(sessions, store, carol, 10, [])
    view = TenantView(None, Names("x"))  # the states the bucket would hold
    view.states = {tenant: TenantState(tenant_id=tenant, retention_days=7), other: TenantState(tenant_id=other)}
    freed_before = metric("easel_retention_bytes_freed_total", tenant=tenant)
    try:
        assert await Retention(sessions, store, view).sweep() == 1
        assert await Retention(sessions, store, view).sweep() == 0  # done once
        async with sessions() as s:
            rows = {j: await s.get(Job, j) for j in (old, recent, elsewhere)}
        assert rows[old].expired_at is not None
        assert rows[recent].expired_at is None and rows[elsewhere].expired_at is None
        assert not await store.exists(image_key(tenant, alice.user_id, old, 0))
        assert not await store.exists(own_input)
        assert await store.exists(shared_input)  # the recent job still uses it
        assert await store.exists(image_key(tenant, alice.user_id, recent, 0))
        assert await store.exists(image_key(other, carol.user_id, elsewhere, 0))
        assert metric("easel_retention_bytes_freed_total", tenant=tenant) - freed_before == 2 * 100 + 1000
    finally:
        await engine.dispose()
