"""A pool deleted while one of its jobs runs: the job finishes if its worker lives; if the worker falls silent, the
job fails saying why instead of waiting for good on the deleted pool's queue (real NATS and database, the jobs
service's own parts: pool list, flows, handover)."""

from __future__ import annotations

import uuid

from easel_common import db
from easel_common.natsio import close, connect, ensure_streams
from easel_jobs import service
from easel_jobs.flows import JobFlows
from easel_jobs.handover import Handover
from easel_jobs.main import MIGRATIONS
from easel_jobs.pools.manage import Pools
from easel_jobs.routing import Board, open_bucket
from easel_jobs.settings import JobsSettings
from easel_proto import Names
from easel_proto.v1 import common, jobs, pools
from easel_proto.v1.registry import ModelInfo
from easel_proto.v1.workers import WorkerPresence
from easel_proto.wire import encode, now
from helpers import namespace

MODEL = ModelInfo(id="builtin-tiny-sd", name="tiny-sd", kind="checkpoint", base="tiny", source="builtin:tiny-sd")
ADMIN = common.Principal(user_id="root", tenant_id="default", username="root", roles=["platform-admin"],
                         permissions=["*", "pools:manage"])


class Clock:
    t = 1000.0

    def __call__(self) -> float:
        return self.t


async def test_a_running_job_of_a_deleted_pool_fails_when_its_worker_falls_silent(nats_url, database_url):
    names = Names(namespace())
    nc = await connect(nats_url, "pool-removal-test")
    engine = db.make_engine(database_url)
    try:
        await ensure_streams(nc, names)
        kv = await open_bucket(nc, names, ttl_s=60)
        await db.migrate(engine, MIGRATIONS, "alembic_version_jobs")
        sessions = db.sessions(engine)
        settings = JobsSettings(_env_file=None, namespace=names.ns, nats_url=nats_url, pools=["default"])
        clock = Clock()
        board = Board(stale_s=6.0, reroute_after_s=10.0, clock=clock)
        flows = JobFlows(nc, sessions, names)
        flows.pools = listed = Pools(nc, sessions, settings, board, flows.fail)
        await listed.start()
        handover = Handover(nc, settings, sessions, board, flows)
        pool, worker = f"gone-{uuid.uuid4().hex[:6]}", f"w-{uuid.uuid4().hex[:6]}"
        await listed.handle(pools.PoolRequest(actor=ADMIN, op="create", spec=pools.PoolSpec(name=pool)))

        owner = common.Principal(user_id=str(uuid.uuid4()), tenant_id="t1", username="u")
        spec = jobs.GenerationSpec(prompt="x", model=MODEL, sampler="Euler", steps=1, cfg_scale=7, width=64,
                                   height=64, seeds=[1])
        async with sessions.begin() as s:
            job, _ = await service.create(s, job_id=str(uuid.uuid4()),
                                          req=jobs.CreateJobRequest(principal=owner, pool=pool, spec=spec))
        message = jobs.JobSubmitted(job_id=job.id, principal=owner, pool=pool, spec=spec, image_keys=job.image_keys,
                                    submitted_at=job.created_at)
        ack = await nc.jetstream().publish(names.job_queue(pool), encode(message), headers={"Nats-Msg-Id": job.id})
        claim = jobs.ClaimJobRequest(job_id=job.id, worker_id=worker, delivery=1, sequence=ack.seq)
        assert (await flows.claim(claim, pool=pool)).proceed
        seen = WorkerPresence(worker_id=worker, pool=pool, busy=True, job_id=job.id, at=now())
        board.put(f"{pool}.{worker}", seen, revision=await kv.put(f"{pool}.{worker}", encode(seen)))

        gone = await listed.handle(pools.PoolRequest(actor=ADMIN, op="delete", name=pool))
        assert (gone.moved_jobs, gone.failed_jobs) == (0, 0)  # a running job is left to finish
        async with sessions() as s:
            assert (await service.get(s, job_id=job.id)).status == "starting"

        clock.t += 7.0  # the worker fell silent
        assert await handover.sweep() == 1
        async with sessions() as s:
            row = await service.get(s, job_id=job.id)
        assert row.status == "failed" and row.error["code"] == "gone"
        assert f"pool {pool} was deleted while the job ran" in row.error["message"]
        await listed.stop()
    finally:
        await close(nc)
        await engine.dispose()
