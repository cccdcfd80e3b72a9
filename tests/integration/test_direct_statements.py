"""The per-job statements run straight on asyncpg (easel_common.direct) store and return exactly what the same
statements store and return through SQLAlchemy: a job's row through its insert, claim and end, its error's JSON, an
ended job's `tell`, and the audit log's rows (each once)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from easel_auth import audit
from easel_auth.main import MIGRATIONS as AUTH_MIGRATIONS
from easel_auth.models import AuditEvent as AuditRow
from easel_common import db
from easel_jobs import service
from easel_jobs.main import MIGRATIONS
from easel_jobs.models import Job
from easel_proto.v1 import audit as audit_proto
from easel_proto.v1 import common, jobs
from easel_proto.v1.registry import ModelInfo

MODEL = ModelInfo(id="builtin-tiny-sd", name="tiny-sd", kind="checkpoint", base="tiny", source="builtin:tiny-sd")


@pytest.fixture
async def engine(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("statements run straight on asyncpg on PostgreSQL only")
    engine = db.make_engine(database_url)
    await db.migrate(engine, MIGRATIONS, "alembic_version_jobs")
    await db.migrate(engine, AUTH_MIGRATIONS, "alembic_version_auth")
    yield engine
    await engine.dispose()


def _request(key: str | None) -> jobs.CreateJobRequest:
    owner = common.Principal(user_id=str(uuid.uuid4()), tenant_id="t1", username="u")
    spec = jobs.GenerationSpec(prompt="a lighthouse", model=MODEL, sampler="Euler", steps=1, cfg_scale=7, width=64,
                               height=64, seeds=[1, 2])
    return jobs.CreateJobRequest(principal=owner, pool="default", spec=spec, idempotency_key=key,
                                 callback_url="https://example.com/hook" if key else None)


async def _life(conn, key: str | None) -> tuple[str, list]:
    """Insert, claim and end a job as the jobs service does; its id and what each step returned."""
    job, created = await service.create(conn, job_id=str(uuid.uuid4()), req=_request(key))
    assert created
    claimed = await service.claim_fresh(conn, job_id=job.id, worker_id="w1", pool="default", lease="L1", sequence=7)
    again = await service.claim_fresh(conn, job_id=job.id, worker_id="w2", pool="default", lease="L2", sequence=8)
    ended = await service.transition(conn, job_id=job.id, to="failed", allowed_from=("starting", "processing"),
                                     lease="L1", tell=True, finished_at=datetime(2030, 1, 1, tzinfo=UTC),
                                     error={"code": "boom", "message": "it broke", "details": {"n": [1, 2]}})
    stale = await service.transition(conn, job_id=job.id, to="succeeded", allowed_from=("starting",), lease="L1",
                                     tell=True, finished_at=datetime(2030, 1, 1, tzinfo=UTC), load_s=1.0)
    return job.id, [claimed, again, ended, stale]


def _same(row) -> tuple | None:
    """A returned row as its values by column, without what differs between two jobs (ids, clocks)."""
    if row is None:
        return None
    values = row._asdict() if hasattr(row, "_asdict") else dict(row._mapping)
    return tuple(sorted((k, v) for k, v in values.items() if k not in ("id", "created_at", "started_at")))


async def _stored(engine, job_id: str) -> dict:
    async with engine.connect() as conn:
        row = (await conn.execute(select(Job.__table__).where(Job.id == job_id))).one()._asdict()
    assert row["created_at"].tzinfo is not None and row["started_at"].tzinfo is not None
    return {k: v for k, v in row.items() if k not in ("id", "user_id", "idempotency_key", "created_at",
                                                        "started_at")} | {"image_keys": len(row["image_keys"])}


@pytest.mark.parametrize("key", [None, "k1"])
async def test_a_jobs_statements_store_and_return_the_same_straight_on_asyncpg_as_through_sqlalchemy(engine, key):
    lanes = db.Lanes(db.autocommit(engine))  # autocommit on PostgreSQL: straight on asyncpg
    try:
        async with lanes.connect() as conn:
            direct_id, direct_returned = await _life(conn, key)
        async with db.sessions(engine).begin() as session:  # a session's transaction: through SQLAlchemy
            orm_id, orm_returned = await _life(session, key)
    finally:
        await lanes.aclose()
    assert [_same(r) for r in direct_returned] == [_same(r) for r in orm_returned]
    assert direct_returned[1] is None and direct_returned[3] is None  # a second claim, a stale end: nothing
    assert direct_returned[2].tell is True if key else direct_returned[2].tell is False
    stored = await _stored(engine, direct_id)
    assert stored == await _stored(engine, orm_id)
    assert stored["status"] == "failed" and stored["attempts"] == 1 and stored["queue_seq"] == 7
    assert stored["error"] == {"code": "boom", "message": "it broke", "details": {"n": [1, 2]}}
    assert stored["spec"]["prompt"] == "a lighthouse" and stored["spec"]["seeds"] == [1, 2]


async def test_audit_rows_stored_straight_on_asyncpg_hold_each_event_once(engine):
    def event() -> audit_proto.AuditEvent:
        return audit_proto.AuditEvent(id=str(uuid.uuid4()), at=datetime.now(UTC), tenant_id="t1",
                                      actor_id=str(uuid.uuid4()), actor_name="carol", action="job.submit",
                                      target="job:1", source="127.0.0.1", outcome="ok", status=201,
                                      details={"route": "/v1/jobs", "key_prefix": "esk_0123abcd"})

    events = [event() for _ in range(3)]
    lanes = db.Lanes(db.autocommit(engine), keep=1)
    try:
        async with lanes.connect() as conn:
            await audit.record(conn, events[:2])
            await audit.record(conn, [events[1], events[2], events[2]])  # a redelivery, and one event twice
    finally:
        await lanes.aclose()
    async with db.sessions(engine)() as session:
        rows = list((await session.execute(select(AuditRow).where(AuditRow.id.in_([e.id for e in events]))))
                    .scalars())
    assert sorted(audit.view(r).model_dump_json() for r in rows) == sorted(e.model_dump_json() for e in events)
