"""The connections the jobs service holds between its per-job statements (db.Lanes): a connection the database
dropped is never kept, so after a database restart (here: its backends terminated) at most the statement already on
such a connection fails, and the next job is stored; held connections go back to the pool once idle."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import select, text

from easel_common import db
from easel_jobs import service
from easel_jobs.main import MIGRATIONS
from easel_jobs.models import Job
from easel_proto.v1 import common, jobs
from easel_proto.v1.registry import ModelInfo

MODEL = ModelInfo(id="builtin-tiny-sd", name="tiny-sd", kind="checkpoint", base="tiny", source="builtin:tiny-sd")


def _request(owner: common.Principal) -> jobs.CreateJobRequest:
    spec = jobs.GenerationSpec(prompt="x", model=MODEL, sampler="Euler", steps=1, cfg_scale=7, width=64, height=64,
                               seeds=[1])
    return jobs.CreateJobRequest(principal=owner, pool="default", spec=spec)


async def _store(lanes: db.Lanes, owner: common.Principal) -> str:
    async with lanes.connect() as conn:
        job, created = await service.create(conn, job_id=str(uuid.uuid4()), req=_request(owner))
    assert created
    return job.id


async def test_a_job_is_stored_after_the_database_dropped_the_held_connections(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("connections are held on PostgreSQL only")
    engine = db.make_engine(database_url)
    await db.migrate(engine, MIGRATIONS, "alembic_version_jobs")
    lanes = db.Lanes(db.autocommit(engine), keep=2, idle_s=0.5)
    owner = common.Principal(user_id=str(uuid.uuid4()), tenant_id="t1", username="u")
    try:
        stored = [await _store(lanes, owner)]
        async with lanes.connect() as conn:
            held_pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar()
        async with engine.connect() as admin:  # what a database restart does to the held connection (only it: other
            await admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": held_pid})  # tests share the db)
        failed = 0
        for _ in range(3):
            try:
                stored.append(await _store(lanes, owner))
                break
            except Exception:
                failed += 1
        assert failed <= 1, "a dropped connection was used again"
        async with lanes.connect() as conn:
            assert (await conn.execute(text("SELECT pg_backend_pid()"))).scalar() != held_pid
        async with engine.connect() as conn:
            found = set((await conn.execute(select(Job.id).where(Job.user_id == owner.user_id))).scalars())
        assert found == set(stored) and len(stored) == 2

        await asyncio.sleep(1.2)  # idle: given back to the pool, which checks a connection before lending it
        assert not lanes._idle
        stored.append(await _store(lanes, owner))
    finally:
        await lanes.aclose()
        await engine.dispose()
