"""What Kubernetes and KEDA rely on, tried on running processes: health on every process, a pool's backlog where
KEDA reads it (even with no worker), a worker whose GPU breaks stepping aside, and a drain on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from prometheus_client import REGISTRY

from easel_common.callers import public_key_text
from easel_common.health import Health
from easel_common.health import serve as serve_http
from easel_common.runner import nats_checks
from easel_common.storage import open_store
from easel_stack.natsd import NatsServer, free_port
from easel_worker.engine import NullEngine
from easel_worker.settings import WorkerSettings
from easel_worker.worker import Worker
from helpers import fresh_database, stack_with_env, submit, until_status, wait_for

IDLE = "idle"  # a pool of the test stack that no worker of the stack serves


async def _status(url: str) -> tuple[int, dict]:
    async with httpx.AsyncClient(timeout=5) as http:
        try:
            r = await http.get(url)
        except httpx.TransportError:
            return 0, {}
    return r.status_code, r.json()


@pytest.mark.slow
async def test_a_service_is_ready_only_while_it_can_serve_and_stays_alive_while_nats_is_away(tmp_path):
    """A standalone registry: ready with NATS and its database; without NATS not ready but alive (no restart for a
    broker that is coming back); ready again when NATS is."""
    natsd = NatsServer(tmp_path / "nats")
    await natsd.start()
    port = free_port()
    env = {"EASEL_NATS_URL": natsd.url, "EASEL_DATA_DIR": str(tmp_path / "data"), "EASEL_METRICS_PORT": str(port),
           "EASEL_CALLER_PUBLIC_KEY": public_key_text(Ed25519PrivateKey.generate()), "EASEL_NAMESPACE": "healthtest"}
    proc = subprocess.Popen([sys.executable, "-m", "easel_registry"], env={**process_env_base(), **env},
                            stdout=open(tmp_path / "registry.log", "wb"), stderr=subprocess.STDOUT)
    ready, alive = f"http://127.0.0.1:{port}/readyz", f"http://127.0.0.1:{port}/healthz"
    try:
        async def is_ready():
            assert proc.poll() is None, (tmp_path / "registry.log").read_text()
            return (await _status(ready))[0] == 200

        await wait_for(is_ready, timeout=60)
        assert (await _status(ready))[1]["checks"] == {"nats": True, "nats_open": True, "database": True,
                                                       "serving": True}
        await natsd.stop()
        await wait_for(lambda: _is(ready, 503), timeout=20)
        _, body = await _status(ready)
        assert body["checks"]["nats"] is False and body["checks"]["database"] is True
        assert (await _status(alive))[0] == 200
        await natsd.start()  # same port: the client reconnects by itself
        await wait_for(lambda: _is(ready, 200), timeout=30)
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics").text
        assert "python_info" in metrics
    finally:
        proc.terminate()
        await asyncio.to_thread(proc.wait, 20)
        await natsd.stop()


def process_env_base() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("EASEL_")}


async def _is(url: str, code: int) -> bool:
    return (await _status(url))[0] == code


@pytest.mark.slow
async def test_a_pools_backlog_is_on_jsz_for_keda_with_no_worker_and_drains_when_one_comes(session_dir,
                                                                                        database_url):
    """Scale from zero: the jobs service made the pool's consumer, so KEDA's nats-jetstream scaler reads the queued
    jobs from NATS monitoring before any worker exists; the first worker then brings the figure to 0."""
    # a database of its own: the jobs service's demand counts every queued row of the pool, and the other stacks of
    # this run share the session's database
    own_db = fresh_database(database_url) if database_url.startswith("postgresql") else contextlib.nullcontext()
    async with own_db as url, stack_with_env({"EASEL_ENGINE": "null"}, data_dir=session_dir / "keda-stack",
                                             database_url=url, workers=0,
                                             worker_log=session_dir / "keda-worker.log") as stack:
        names = stack.services[0].settings.names
        stream, consumer = names.stream("jobs")["name"], names.worker_consumer("default")
        # what KEDA's scaler asks for (account $G: Easel's identities are users of the global account)
        jsz = f"{stack.natsd.monitor_url}/jsz?acc=$G&consumers=true&config=true"

        async def pending() -> int:
            async with httpx.AsyncClient() as http:
                detail = (await http.get(jsz)).json()
            [account] = [a for a in detail["account_details"] if a["name"] == "$G"]
            [found] = [s for s in account["stream_detail"] if s["name"] == stream]
            [info] = [c for c in found["consumer_detail"] if c["name"] == consumer]
            return info["num_pending"] + info["num_ack_pending"]

        assert await pending() == 0
        async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as api:
            admin = {"Authorization": f"Bearer {stack.admin_key}"}
            queued = [await submit(api, admin, steps=1) for _ in range(5)]
            assert await wait_for(lambda: _equals(pending, 5), timeout=10)
            # the jobs service's own figure, which also counts jobs running from a worker's own queue
            demand = stack.services[2].demand
            snapshot = (await demand.sample())["pools"]["default"]
            assert (snapshot["demand"], snapshot["queued"], snapshot["workers"]) == (5, 5, 0)
            assert snapshot["oldest_queued_s"] > 0
            assert REGISTRY.get_sample_value("easel_pool_jobs", {"pool": "default", "status": "queued"}) == 5
            stack.start_worker()
            await stack.wait_ready()
            for job in queued:
                await until_status(api, job["id"], admin, "succeeded", timeout=60)
            assert await wait_for(lambda: _equals(pending, 0), timeout=10)
            snapshot = (await demand.sample())["pools"]["default"]
            assert (snapshot["demand"], snapshot["workers"]) == (0, 1)


async def _equals(read, value) -> bool:
    return await read() == value


class BreakingEngine(NullEngine):
    """A GPU that fails at its first job with a device error, and is useless from then on."""

    def __init__(self) -> None:
        super().__init__()
        self.jobs = 0
        self.broken = False

    def generate(self, spec, on_step, files=None, inputs=None, on_preview=None):
        self.jobs += 1
        self.broken = True
        raise RuntimeError("CUDA error: an illegal memory access was encountered")

    def healthy(self) -> bool:
        return not self.broken


async def _in_process_worker(stack, engine, port: int):
    settings = WorkerSettings(pool=IDLE, pools=stack.pools, namespace=stack.options.namespace,
                              nats_url=stack.nats_url, data_dir=stack.data_dir, engine="null",
                              metrics_port=port)
    nc = await stack.connect_as(f"worker-{IDLE}")
    worker = Worker(settings, nc, engine, open_store(settings))
    health = Health([*nats_checks(nc), *worker.checks()], interval_s=0.2)
    server = serve_http(port, health)
    health.start()
    await worker.start()
    return worker, health, server


async def test_a_worker_whose_gpu_breaks_stops_taking_jobs_and_its_job_runs_elsewhere(stack, api, admin_headers):
    broken_port, good_port = free_port(), free_port()
    engine = BreakingEngine()
    broken, broken_health, broken_server = await _in_process_worker(stack, engine, broken_port)
    good = None
    try:
        assert await wait_for(lambda: _is(f"http://127.0.0.1:{broken_port}/readyz", 200), timeout=10)
        first = await submit(api, admin_headers, pool=IDLE, steps=1)
        await wait_for(lambda: _equals(lambda: _async(engine.jobs), 1), timeout=30)
        await wait_for(lambda: _is(f"http://127.0.0.1:{broken_port}/readyz", 503), timeout=10)
        code, body = await _status(f"http://127.0.0.1:{broken_port}/healthz")
        assert code == 503 and body["checks"]["engine"] is False  # so Kubernetes restarts it
        # the job is not failed for the GPU's sake: it waits for a worker that can run it
        assert (await api.get(f"/v1/jobs/{first['id']}", headers=admin_headers)).json()["status"] != "failed"
        second = await submit(api, admin_headers, pool=IDLE, steps=1)
        good, good_health, good_server = await _in_process_worker(stack, NullEngine(), good_port)
        for job in (first, second):
            done = await until_status(api, job["id"], admin_headers, "succeeded", "failed", timeout=60)
            assert done["status"] == "succeeded", done
        assert engine.jobs == 1  # the broken worker took nothing more
    finally:
        for worker, health, server in ((broken, broken_health, broken_server),) + (
                ((good, good_health, good_server),) if good else ()):
            await worker.stop()
            await health.stop()
            server.shutdown()


async def _async(value):
    return value


@pytest.mark.slow
async def test_sigterm_hands_a_long_job_back_within_the_grace_period(stack, api, admin_headers):
    """A worker told to stop finishes its job within EASEL_SHUTDOWN_GRACE_S or hands it back: never lost."""
    slow = stack.start_worker(EASEL_POOL=IDLE, EASEL_ENGINE="null", EASEL_NULL_STEP_S="0.2",
                              EASEL_SHUTDOWN_GRACE_S="1")
    job = await submit(api, admin_headers, pool=IDLE, steps=100)  # 20 s of steps
    await until_status(api, job["id"], admin_headers, "processing", timeout=60)
    slow.proc.send_signal(signal.SIGTERM)
    assert await asyncio.to_thread(slow.proc.wait, 15) == 0  # gone well before the job could have finished
    stack.workers.remove(slow)
    assert (await api.get(f"/v1/jobs/{job['id']}", headers=admin_headers)).json()["status"] != "succeeded"
    replacement = stack.start_worker(EASEL_POOL=IDLE, EASEL_ENGINE="null")
    try:
        done = await until_status(api, job["id"], admin_headers, "succeeded", "failed", timeout=60)
        assert done["status"] == "succeeded" and done["attempts"] == 2
    finally:
        await replacement.stop()
        stack.workers.remove(replacement)

