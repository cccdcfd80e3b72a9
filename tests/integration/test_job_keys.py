"""Idempotency keys and deadlines at the jobs service: one key, one job; a derived key only within its window; and
nothing stored once the caller's deadline has passed."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update

from easel_common import db
from easel_common.natsio import close, connect
from easel_jobs import quotas, service
from easel_jobs.flows import JobFlows
from easel_jobs.main import MIGRATIONS
from easel_jobs.models import Job
from easel_proto import Names
from easel_proto.errors import Conflict, QuotaExceeded, Unavailable
from easel_proto.v1 import common, jobs
from easel_proto.v1.registry import ModelInfo

MODEL = ModelInfo(id="builtin-tiny-sd", name="tiny-sd", kind="checkpoint", base="tiny", source="builtin:tiny-sd")


@pytest.fixture
async def engine(database_url):
    engine = db.make_engine(database_url)
    await db.migrate(engine, MIGRATIONS, "alembic_version_jobs")
    yield engine
    await engine.dispose()


def _request(owner: common.Principal, key: str | None, window_s: float | None = None, prompt: str = "x",
             limits: common.Quotas | None = None) -> jobs.CreateJobRequest:
    spec = jobs.GenerationSpec(prompt=prompt, model=MODEL, sampler="Euler", steps=1, cfg_scale=7, width=64,
                               height=64, seeds=[1])
    return jobs.CreateJobRequest(principal=owner, pool="default", spec=spec, idempotency_key=key,
                                 request_hash=prompt, idempotency_window_s=window_s, quotas=limits)


def _owner() -> common.Principal:
    return common.Principal(user_id=str(uuid.uuid4()), tenant_id="t1", username="u")


async def _create(engine, req: jobs.CreateJobRequest) -> tuple[str, bool]:
    async with db.autocommit(engine).connect() as conn:
        job, created = await service.create(conn, job_id=str(uuid.uuid4()), req=req)
    return job.id, created


async def _age(engine, job_id: str, seconds: float) -> None:
    """Make a job look `seconds` older."""
    async with db.sessions(engine).begin() as s:
        job = await s.get(Job, job_id)
        older = job.created_at - timedelta(seconds=seconds)
        await s.execute(update(Job).where(Job.id == job_id).values(created_at=older))


async def test_a_clients_key_names_its_job_for_good_and_refuses_another_body(engine):
    owner = _owner()
    first, created = await _create(engine, _request(owner, "k"))
    assert created
    await _age(engine, first, 3600)
    assert await _create(engine, _request(owner, "k")) == (first, False)
    with pytest.raises(Conflict):
        await _create(engine, _request(owner, "k", prompt="another request"))
    assert (await _create(engine, _request(_owner(), "k")))[1]  # keys are per user


async def test_a_derived_key_names_its_job_only_within_the_window(engine):
    owner = _owner()
    first, _ = await _create(engine, _request(owner, "auto(1)", window_s=10))
    assert await _create(engine, _request(owner, "auto(1)", window_s=10)) == (first, False)
    await _age(engine, first, 11)
    second, created = await _create(engine, _request(owner, "auto(1)", window_s=10))
    assert created and second != first
    async with db.sessions(engine)() as s:  # the first job keeps a key of its own
        assert (await s.get(Job, first)).idempotency_key == f"auto(1)@{first}"
    assert await _create(engine, _request(owner, "auto(1)", window_s=10)) == (second, False)


async def test_a_derived_key_does_not_name_a_job_that_failed_or_was_canceled(engine):
    owner = _owner()
    first, _ = await _create(engine, _request(owner, "auto(2)", window_s=10))
    async with db.autocommit(engine).connect() as conn:
        await service.transition(conn, job_id=first, to="canceled", allowed_from=("queued",))
    second, created = await _create(engine, _request(owner, "auto(2)", window_s=10))
    assert created and second != first


async def test_a_retry_within_the_window_is_never_refused_by_a_quota(engine):
    owner, limits = _owner(), common.Quotas(max_concurrent_jobs=1)
    sessions = db.sessions(engine)
    async with sessions.begin() as s:
        await quotas.check(s, _request(owner, "auto(3)", window_s=10, limits=limits))
        first, _ = await service.create(s, job_id=str(uuid.uuid4()), req=_request(owner, "auto(3)", window_s=10))
    async with sessions.begin() as s:  # the same call again: its job, although the one place is taken
        await quotas.check(s, _request(owner, "auto(3)", window_s=10, limits=limits))
    await _age(engine, first.id, 11)
    with pytest.raises(QuotaExceeded):  # past the window it is a new job, and it counts
        async with sessions.begin() as s:
            await quotas.check(s, _request(owner, "auto(3)", window_s=10, limits=limits))


async def test_nothing_is_stored_once_the_callers_deadline_has_passed(engine, nats_url):
    nc = await connect(nats_url, "job-keys-test")
    try:
        flows, owner = JobFlows(nc, db.sessions(engine), Names("unused")), _owner()
        for limits in (None, common.Quotas(max_concurrent_jobs=5)):  # without and with the quota transaction
            with pytest.raises(Unavailable):
                await flows.submit(_request(owner, "late", limits=limits), deadline=time.time() - 0.001)
    finally:
        await close(nc)
    async with db.sessions(engine)() as s:
        page, _ = await service.list_for(s, owner=owner, limit=10, cursor=None, status=None)
    assert page == []
