"""Cache-aware dispatch: a job goes to an idle worker that holds its model, never waits there for a gone or busy
worker, and runs exactly once whichever copy of its message a worker picks up."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from pathlib import Path

import httpx
import pytest
from nats.js.errors import NotFoundError
from prometheus_client import REGISTRY

from easel_common import db
from easel_common.natsio import close, connect, durable_consumer, ensure_streams, pull_config, request
from easel_common.storage import open_store
from easel_jobs import service
from easel_jobs.main import MIGRATIONS
from easel_jobs.routing import Board, Router
from easel_jobs.settings import JobsSettings
from easel_proto import Names
from easel_proto.naming import worker_token
from easel_proto.v1 import common, jobs
from easel_proto.v1.registry import ModelInfo
from easel_proto.v1.workers import WorkerPresence
from easel_proto.wire import encode, now
from easel_worker.cache import MARKER
from easel_worker.presence import JobFeed, Presence
from helpers import namespace, new_user, stack_with_env, submit, until_status, wait_for

MODEL = "builtin-tiny-sd"


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def presence(worker_id: str, *, loaded=(), cached=(), busy=False, job_id=None, pool="default") -> WorkerPresence:
    return WorkerPresence(worker_id=worker_id, pool=pool, loaded=list(loaded), cached=list(cached), busy=busy,
                          job_id=job_id, at=now())


def board_of(*entries: WorkerPresence) -> tuple[Board, Clock]:
    clock = Clock()
    board = Board(stale_s=15.0, reroute_after_s=10.0, clock=clock)
    for p in entries:
        board.put(p.worker_id, p)
    return board, clock


def test_a_job_goes_to_the_idle_worker_that_has_its_model_in_memory():
    board, _ = board_of(presence("a", loaded=["other"]), presence("b", loaded=["other", MODEL]),
                        presence("c", cached=[MODEL]))
    assert board.pick("default", MODEL) == "b"
    board, _ = board_of(presence("a", loaded=[MODEL, "other"]), presence("b", loaded=["other", MODEL]))
    assert board.pick("default", MODEL) == "b"  # used last there, so last to be evicted
    board, _ = board_of(presence("a", loaded=["other"]), presence("c", cached=[MODEL]))
    assert board.pick("default", MODEL) == "c"  # on disk beats a download


def test_busy_gone_or_foreign_holders_and_unheld_models_leave_the_job_to_the_pool():
    board, clock = board_of(presence("busy", loaded=[MODEL], busy=True, job_id="j0"),
                            presence("stopping", loaded=[MODEL], busy=True),
                            presence("elsewhere", loaded=[MODEL], pool="big"),
                            presence("late", loaded=[MODEL]))
    clock.t += 15.1  # nothing heard from "late" for longer than the staleness
    for key in ("busy", "stopping", "elsewhere"):
        board.put(key, board.workers[key].presence)
    assert board.pick("default", MODEL) is None
    assert board.pick("big", MODEL) == "elsewhere"
    assert board.pick("big", "never-loaded") is None
    assert not board.alive("late") and board.alive("busy")


def test_a_burst_spreads_over_the_holders_and_a_holder_is_free_again_once_it_shows_the_job():
    board, clock = board_of(presence("a", loaded=[MODEL]), presence("b", loaded=[MODEL]))
    first = board.pick("default", MODEL)
    board.reserve(first, "j1")
    second = board.pick("default", MODEL)
    board.reserve(second, "j2")
    assert {first, second} == {"a", "b"}
    assert board.pick("default", MODEL) is None  # both have a job on the way
    board.put(first, presence(first, loaded=[MODEL]))  # an update from before j1 arrived: still reserved
    assert board.pick("default", MODEL) is None
    board.put(first, presence(first, loaded=[MODEL], busy=True, job_id="j1"))
    board.put(first, presence(first, loaded=[MODEL]))  # j1 done
    assert board.pick("default", MODEL) == first
    clock.t += 10.0  # j2 never showed: the reservation lapses
    board.put(second, presence(second, loaded=[MODEL]))
    board.put(first, presence(first, loaded=[MODEL], busy=True, job_id="j3"))
    assert board.pick("default", MODEL) == second


def test_a_job_leaves_a_worker_queue_when_the_worker_is_gone_or_let_it_wait_too_long():
    board, clock = board_of(presence("runs-it", loaded=[MODEL], busy=True, job_id="j1"),
                            presence("idle", loaded=[MODEL]))
    assert board.verdict("runs-it", "j1", waited_s=60) is None  # it is on it, however long that takes
    assert board.verdict("idle", "j2", waited_s=1) is None
    assert board.verdict("idle", "j2", waited_s=10) == "waited"
    assert board.verdict("never-heard-of", "j3", waited_s=0) == "worker_gone"
    clock.t += 15.1  # silence, even from a worker whose last word was that it runs the job
    assert board.verdict("runs-it", "j1", waited_s=0) == "worker_gone"


class HoldingEngine:
    def __init__(self) -> None:
        self.loaded: list[str] = []

    def loaded_models(self) -> list[str]:
        return list(self.loaded)


async def test_the_jobs_service_view_follows_what_workers_put_in_the_bucket(nats_url, tmp_path: Path):
    names = Names(namespace())
    nc = await connect(nats_url, "routing-test")
    router = Router(nc, names, JobsSettings(namespace=names.ns, nats_url=nats_url), sessions=None)
    await router.start()
    (tmp_path / "on-disk").mkdir()
    (tmp_path / "on-disk" / MARKER).write_text("{}")
    (tmp_path / "half-fetched").mkdir()  # no marker: not a model the worker can use yet
    engine = HoldingEngine()
    worker = Presence(nc, names, "gpu-7.example.org", "default", engine, tmp_path, interval_s=30)
    key = f"default.{worker_token('gpu-7.example.org')}"
    jobs_stream = names.stream("jobs")["name"]
    await ensure_streams(nc, names)
    await durable_consumer(nc, jobs_stream, names.direct_consumer("gpu-7.example.org"),
                           [names.job_direct("default", "gpu-7.example.org")])
    try:
        await worker.start()
        seen = await wait_for(lambda: _async(router.board.workers.get(key)), timeout=10, interval=0.02)
        assert seen.presence.cached == ["on-disk"] and seen.presence.loaded == [] and not seen.presence.busy
        assert router.board.pick("default", "on-disk") == key

        await worker.job_started("j1")
        await wait_for(lambda: _async(router.board.running(key, "j1")), timeout=10, interval=0.02)
        assert router.board.pick("default", "on-disk") is None
        engine.loaded.append(MODEL)
        await worker.job_ended()
        await wait_for(lambda: _async(router.board.pick("default", MODEL) == key), timeout=10, interval=0.02)

        await worker.stop()
        await wait_for(lambda: _async(key not in router.board.workers), timeout=10, interval=0.02)

        async def own_queue_dropped() -> bool:  # a worker may not delete consumers: the jobs service does it
            try:
                await nc.jetstream().consumer_info(jobs_stream, names.direct_consumer("gpu-7.example.org"))
            except NotFoundError:
                return True
            return False

        await wait_for(own_queue_dropped, timeout=10, interval=0.05)
    finally:
        await router.stop()
        await close(nc)


async def _async(value):
    return value


def _request(user_id: str) -> jobs.CreateJobRequest:
    model = ModelInfo(id=MODEL, name="tiny-sd", kind="checkpoint", base="tiny", source="builtin:tiny-sd")
    spec = jobs.GenerationSpec(prompt="x", model=model, sampler="Euler", steps=1, cfg_scale=7, width=64,
                               height=64, seeds=[1])
    principal = common.Principal(user_id=user_id, tenant_id="t1", username="u")
    return jobs.CreateJobRequest(principal=principal, pool="default", spec=spec)


async def test_a_second_copy_never_restarts_a_started_job_and_a_gone_workers_job_is_freed(database_url):
    engine = db.make_engine(database_url)
    await db.migrate(engine, MIGRATIONS, "alembic_version_jobs")
    sessions = db.sessions(engine)
    try:
        async with sessions.begin() as s:
            job, _ = await service.create(s, job_id=str(uuid.uuid4()), req=_request(str(uuid.uuid4())))

        async def claim(worker: str, delivery: int, pool: str = "default") -> tuple[bool, str]:
            async with sessions.begin() as s:
                row, status = await service.claim(s, job_id=job.id, worker_id=worker, delivery=delivery, pool=pool,
                                                  lease=f"lease-of-{worker}")
            return row is not None and status == "starting", status

        assert await claim("x", 2, pool="other") == (False, "failed")  # another pool's worker never starts it

        assert await claim("a.host", 1) == (True, "starting")  # from a's own queue
        assert await claim("b", 1) == (False, "starting")  # the copy moved to the pool: a runs it, b drops it
        assert await claim("a.host", 1) == (True, "starting")  # a retrying its own claim keeps it
        async with sessions.begin() as s:  # b is not the worker that started it: nothing to free
            assert not await service.release(s, job_id=job.id, worker_key="b")
        async with sessions.begin() as s:  # a is gone: its job waits for a worker again
            assert await service.release(s, job_id=job.id, worker_key=worker_token("a.host"))
        assert await claim("b", 1) == (True, "starting")
        assert await claim("c", 2) == (True, "starting")  # JetStream handing it back: b died or timed out
        async with sessions() as s:
            assert (await service.get(s, job_id=job.id)).attempts == 4
    finally:
        await engine.dispose()


# --- a stack with a null-engine worker (it holds no model, so nothing is sent to it alone) and fake workers ---

FAST = {"EASEL_ENGINE": "null", "EASEL_PRESENCE_STALE_S": "1.5", "EASEL_REROUTE_AFTER_S": "1.5",
        "EASEL_ROUTE_SWEEP_S": "0.2", "EASEL_PRESENCE_INTERVAL_S": "0.5"}


@pytest.fixture(scope="module")
async def routed_stack(session_dir, nats_url, database_url):
    async with stack_with_env(FAST, data_dir=session_dir / "routing-stack",
                              database_url=database_url, worker_log=session_dir / "routing-worker.log") as stack:
        async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as api:
            user = await new_user(api, {"Authorization": f"Bearer {stack.admin_key}"})
            yield stack, api, user


def _names(stack) -> Names:
    return stack.services[0].settings.names


async def _as(stack, identity: str):
    """A connection on one of the stack's NATS identities: fake workers sign in as the pool's workers do, and the
    tests look into the streams as the jobs service may."""
    cached = getattr(stack, "_test_connections", {})
    stack._test_connections = cached
    if identity not in cached:
        cached[identity] = await stack.connect_as(identity)
    return cached[identity]


async def _announce(stack, worker_id: str) -> None:
    """A fake worker says it is idle and holds the model."""
    ghost = await _as(stack, "worker-default")
    await ghost.jetstream().publish(_names(stack).worker_presence("default", worker_id),
                                    encode(presence(worker_id, loaded=[MODEL])))


async def _waiting_in_own_queue(stack, worker_id: str) -> int:
    names = _names(stack)
    subject = names.job_direct("default", worker_id)
    observer = await _as(stack, "jobs")
    info = await observer.jetstream().stream_info(names.stream("jobs")["name"], subjects_filter=subject)
    return (info.state.subjects or {}).get(subject, 0)


async def _once_and_whole(stack, api, user, job_id: str) -> dict:
    """The job succeeded, with one result event and its one image."""
    done = await until_status(api, job_id, user["headers"], "succeeded", "failed", timeout=60)
    assert done["status"] == "succeeded", done
    names = _names(stack)
    subject = names.job_events(job_id, "succeeded")
    observer = await _as(stack, "jobs")
    info = await observer.jetstream().stream_info(names.stream("events")["name"], subjects_filter=subject)
    assert (info.state.subjects or {}).get(subject) == 1
    keys = await open_store(stack.services[0].settings).list(f"{done['tenant_id']}/{done['user_id']}/jobs/{job_id}/")
    assert [k.rsplit("/", 1)[-1] for k in keys] == ["0.png"]
    return done


def _rerouted(reason: str) -> float:
    return REGISTRY.get_sample_value("easel_jobs_rerouted_total", {"pool": "default", "reason": reason}) or 0.0


@pytest.mark.slow
async def test_a_job_sent_to_a_worker_that_is_gone_runs_once_on_another(routed_stack):
    stack, api, user = routed_stack
    before = _rerouted("worker_gone")
    await _announce(stack, "ghost-1")  # and never a word again, nor a fetch
    job = await submit(api, user["headers"], steps=1)
    assert await _waiting_in_own_queue(stack, "ghost-1") == 1
    done = await _once_and_whole(stack, api, user, job["id"])
    assert done["attempts"] == 1
    assert await _waiting_in_own_queue(stack, "ghost-1") == 0
    assert _rerouted("worker_gone") == before + 1


@pytest.mark.slow
async def test_a_job_a_worker_started_before_it_went_runs_again_elsewhere(routed_stack):
    stack, api, user = routed_stack
    names = _names(stack)
    await _announce(stack, "ghost-2")
    job = await submit(api, user["headers"], steps=1)
    ghost = await _as(stack, "worker-default")
    own = await durable_consumer(ghost, names.stream("jobs")["name"], names.direct_consumer("ghost-2"),
                                 [names.job_direct("default", "ghost-2")])
    try:
        msg = (await own.fetch(1, timeout=5))[0]
        claim = jobs.ClaimJobRequest(job_id=job["id"], worker_id="ghost-2", delivery=msg.metadata.num_delivered)
        started = await request(ghost, names.jobs_claim("default"), claim, jobs.ClaimJobReply, timeout=5)
        assert started.proceed and started.lease
        busy = presence("ghost-2", loaded=[MODEL], busy=True, job_id=job["id"])
        await ghost.jetstream().publish(names.worker_presence("default", "ghost-2"), encode(busy))
        # and then the worker dies, its job unfinished and unacked
        done = await _once_and_whole(stack, api, user, job["id"])
        assert done["attempts"] == 2
    finally:
        observer = await _as(stack, "jobs")
        await observer.jetstream().delete_consumer(names.stream("jobs")["name"], names.direct_consumer("ghost-2"))


@pytest.mark.slow
async def test_a_job_that_waited_on_a_busy_worker_moves_and_the_late_copy_is_dropped(routed_stack):
    stack, api, user = routed_stack
    names = _names(stack)
    before = _rerouted("waited")

    async def heartbeat() -> None:  # alive and idle as far as presence goes, yet it never gets to the job
        while True:
            await _announce(stack, "ghost-3")
            await asyncio.sleep(0.3)

    beat = asyncio.create_task(heartbeat())
    ghost = await _as(stack, "worker-default")
    own = await durable_consumer(ghost, names.stream("jobs")["name"], names.direct_consumer("ghost-3"),
                                 [names.job_direct("default", "ghost-3")])
    try:
        await asyncio.sleep(0.1)
        job = await submit(api, user["headers"], steps=1)
        msg = (await own.fetch(1, timeout=5))[0]  # taken, held, not claimed
        done = await _once_and_whole(stack, api, user, job["id"])
        assert done["attempts"] == 1
        assert _rerouted("waited") == before + 1
        late = jobs.ClaimJobRequest(job_id=job["id"], worker_id="ghost-3", delivery=msg.metadata.num_delivered)
        reply = await request(ghost, names.jobs_claim("default"), late, jobs.ClaimJobReply, timeout=5)
        assert not reply.proceed and reply.status == "succeeded"
    finally:
        beat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beat
        await ghost.jetstream().publish(names.worker_presence("default", "ghost-3"), b"",
                                        headers={"KV-Operation": "DEL"})


async def test_a_worker_runs_a_job_from_either_queue_and_keeps_one_that_came_while_it_was_busy(nats_url):
    names = Names(namespace())
    nc = await connect(nats_url, "feed-test")
    js = nc.jetstream()
    await ensure_streams(nc, names)
    # the jobs service makes the pool's consumer; a worker only binds to it and takes its settings
    await js.add_consumer(names.stream("jobs")["name"], pull_config(
        names.worker_consumer("default"), [names.job_queue("default")], ack_wait=1.0, max_deliver=3))
    stopping = asyncio.Event()
    feed = JobFeed(nc, names, "w1", "default")
    await feed.open(stopping)
    assert (feed.ack_wait_s, feed.max_deliver) == (1.0, 3)
    colleague = await js.pull_subscribe_bind(names.worker_consumer("default"), names.stream("jobs")["name"])
    ran: list[tuple[bytes, int]] = []

    async def handle(msg) -> None:
        ran.append((msg.data, msg.metadata.num_delivered))
        if msg.data == b"own-1":
            await js.publish(names.job_queue("default"), b"pool-1")  # the pool's poll is still out: it lands here
            # another worker of the pool asks for longer than ack_wait: only in-progress acks keep pool-1 ours
            with pytest.raises(TimeoutError):
                await colleague.fetch(1, timeout=2.5)
        await msg.ack()
        if len(ran) == 2:
            stopping.set()

    runner = asyncio.create_task(feed.run(handle, stopping))
    try:
        await asyncio.sleep(0.1)
        await js.publish(names.job_direct("default", "w1"), b"own-1")
        await asyncio.wait_for(runner, 30)
        assert ran == [(b"own-1", 1), (b"pool-1", 1)]
        info = await js.consumer_info(names.stream("jobs")["name"], names.worker_consumer("default"))
        assert info.num_redelivered == 0
    finally:
        runner.cancel()
        await feed.close()
        await close(nc)


async def test_two_replicas_never_hand_one_idle_worker_a_job_each(nats_url):
    """Each jobs-service replica keeps its own view of the workers; the reservation they share lets one of them send
    the idle holder a job, and sends the other's to the pool. Once the worker shows its job, it is free again."""
    names = Names(namespace())
    nc = await connect(nats_url, "routing-replicas-test")
    settings = JobsSettings(namespace=names.ns, nats_url=nats_url)
    first, second = (Router(nc, names, settings, sessions=None) for _ in range(2))
    await first.start()
    await second.start()
    key = f"default.{worker_token('gpu-1')}"
    kv = await nc.jetstream().key_value(names.workers_bucket)
    spec = _request("u1").spec
    try:
        await kv.put(key, encode(presence("gpu-1", loaded=[MODEL])))
        for router in (first, second):
            await wait_for(lambda r=router: _async(r.board.pick("default", MODEL) == key), timeout=10, interval=0.02)
        routed = await asyncio.gather(first.route("job-a", "default", spec), second.route("job-b", "default", spec))
        direct = names.job_direct("default", worker_token("gpu-1"))
        assert sorted(routed) == sorted([direct, names.job_queue("default")])
        # the loser passes the worker over; the winner's reservation ends when the worker shows the job
        winner = first if routed[0] == direct else second
        loser = second if winner is first else first
        assert await loser.route("job-c", "default", spec) == names.job_queue("default")
        started = "job-a" if winner is first else "job-b"
        await kv.put(key, encode(presence("gpu-1", loaded=[MODEL], busy=True, job_id=started)))
        await kv.put(key, encode(presence("gpu-1", loaded=[MODEL])))  # done, idle again
        await wait_for(lambda: _async(not winner._held and winner.board.pick("default", MODEL) == key), timeout=10,
                       interval=0.02)
        assert await winner.route("job-d", "default", spec) == direct
    finally:
        await first.stop()
        await second.stop()
        await close(nc)


async def test_a_replica_reserving_again_after_its_own_release_loses_to_one_that_reserved_since(nats_url):
    """A replica reserves a worker again on top of its own release (one round trip); should another replica have
    reserved the worker in between, the first one passes it over, as with a plain create."""
    names = Names(namespace())
    nc = await connect(nats_url, "routing-rereserve-test")
    settings = JobsSettings(namespace=names.ns, nats_url=nats_url)
    first, second = (Router(nc, names, settings, sessions=None) for _ in range(2))
    await first.start()
    key = f"default.{worker_token('gpu-1')}"
    kv = await nc.jetstream().key_value(names.workers_bucket)
    spec, direct = _request("u1").spec, names.job_direct("default", worker_token("gpu-1"))
    try:
        await kv.put(key, encode(presence("gpu-1", loaded=[MODEL])))
        await wait_for(lambda: _async(first.board.pick("default", MODEL) == key), timeout=10, interval=0.02)
        assert await first.route("job-a", "default", spec) == direct
        await kv.put(key, encode(presence("gpu-1", loaded=[MODEL], busy=True, job_id="job-a")))
        await kv.put(key, encode(presence("gpu-1", loaded=[MODEL])))
        await wait_for(lambda: _async(not first._held and first.board.pick("default", MODEL) == key), timeout=10,
                       interval=0.02)
        assert await first.route("job-b", "default", spec) == direct  # again, on top of its own release
        await kv.put(key, encode(presence("gpu-1", loaded=[MODEL], busy=True, job_id="job-b")))
        await kv.put(key, encode(presence("gpu-1", loaded=[MODEL])))
        await wait_for(lambda: _async(not first._held and first.board.pick("default", MODEL) == key), timeout=10,
                       interval=0.02)
        await second.start()  # a replica that comes now sees the worker idle and reserves it first
        await wait_for(lambda: _async(second.board.pick("default", MODEL) == key), timeout=10, interval=0.02)
        assert await second.route("job-c", "default", spec) == direct
        assert await first.route("job-d", "default", spec) == names.job_queue("default")
    finally:
        await first.stop()
        await second.stop()
        await close(nc)


async def test_a_worker_going_straight_on_to_its_next_job_is_never_shown_idle_between(nats_url, tmp_path: Path):
    names = Names(namespace())
    nc = await connect(nats_url, "presence-test")
    worker = Presence(nc, names, "gpu-8.example.org", "default", HoldingEngine(), tmp_path, interval_s=30)
    shown: list[str | None] = []  # the job each put says it runs

    async def put(msg) -> None:
        shown.append(WorkerPresence.model_validate_json(msg.data).job_id)

    sub = await nc.subscribe(names.worker_presence("default", "gpu-8.example.org"), cb=put)
    try:
        await worker.start()
        await wait_for(lambda: _async(shown == [None]), timeout=10, interval=0.02)
        await worker.job_started("j1")
        await worker.job_ended()
        await worker.job_started("j2")  # the next job, fetched at once: the jobs service never sees it idle
        await worker.job_ended()  # nothing follows: it says so
        await wait_for(lambda: _async(len(shown) >= 4), timeout=10, interval=0.02)
        await asyncio.sleep(0.2)
        assert shown == [None, "j1", "j2", None]
    finally:
        await sub.unsubscribe()
        await worker.stop()
        await close(nc)
