"""Recovery from a dead worker: seconds from killing a worker mid-job to its job's next start on another.

Usage: .venv/bin/python bench/worker_death.py [--kills N] [--workers W] [--pause] [--database-url URL]

Starts the embedded stack with the production ack wait (30 s) and the default presence timings, W workers on the
null engine at 0.1 s a step. For each kill it submits a 10 s job, waits a random 0-2 s into it (the kill falls
anywhere between two heartbeats), SIGKILLs the worker running it (SIGSTOP with --pause: a worker that is only
stalled) and starts another. It prints, per kill, when the jobs service handed the job over (`detected`) and when
the job started again (`restarted`, from its `starting` event), both in seconds after the kill; then min, median
and max. It asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import random
import signal
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from prometheus_client import REGISTRY
from sqlalchemy import select

from easel_jobs.models import Job
from easel_proto.v1.jobs import JobStatusEvent
from easel_proto.wire import decode
from easel_stack.stack import EmbeddedStack, StackOptions

BODY = {"prompt": "a red fox in the snow", "steps": 100, "width": 64, "height": 64}  # 10 s at 0.1 s a step


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kills", type=int, default=5, help="workers to kill, one after another (default 5)")
    p.add_argument("--workers", type=int, default=3, help="worker processes (default 3)")
    p.add_argument("--pause", action="store_true", help="SIGSTOP the worker instead (SIGCONT once replaced)")
    p.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite in a scratch folder)")
    return p.parse_args()


def handed_over() -> float:
    return REGISTRY.get_sample_value("easel_jobs_rerouted_total", {"pool": "default", "reason": "worker_dead"}) or 0


async def until(predicate, timeout: float = 120.0, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := await predicate():
            return value
        await asyncio.sleep(interval)
    raise TimeoutError("gave up waiting")


async def one_kill(stack: EmbeddedStack, api: httpx.AsyncClient, headers: dict, pause: bool) -> tuple[float, float]:
    """Kill (or pause) the worker of a fresh job; seconds from then to the handover and to the job's restart."""
    jobs_service = stack.services[2]
    names = jobs_service.settings.names
    js = (await stack.connect_as("jobs")).jetstream()
    job_id = (await api.post("/v1/jobs", json=BODY, headers=headers)).json()["id"]

    async def running() -> Job | None:
        async with jobs_service.flows.sessions() as s:
            return (await s.execute(select(Job).where(Job.id == job_id, Job.status == "processing"))).scalar()

    row = await until(running)
    await asyncio.sleep(random.uniform(0.0, 2.0))
    victim = next(w for w in stack.workers if f"-{w.proc.pid}-" in row.worker_id)
    before = handed_over()
    os.kill(victim.proc.pid, signal.SIGSTOP if pause else signal.SIGKILL)
    killed = time.time()
    if not pause:
        stack.workers.remove(victim)
        stack.start_worker()

    async def moved() -> bool:
        return handed_over() > before

    await until(moved)
    detected = time.time() - killed

    async def restarted() -> JobStatusEvent | None:
        with contextlib.suppress(Exception):
            event = decode(JobStatusEvent, (await js.get_last_msg(names.stream("events")["name"],
                                                                  names.job_events(job_id, "starting"))).data)
            return event if event.attempt == 2 else None
        return None

    event = await until(restarted)
    if pause:
        os.kill(victim.proc.pid, signal.SIGCONT)
    await until(lambda: _finished(api, job_id, headers), timeout=60)
    return detected, event.at.timestamp() - killed


async def _finished(api: httpx.AsyncClient, job_id: str, headers: dict) -> bool:
    return (await api.get(f"/v1/jobs/{job_id}", headers=headers)).json()["status"] in ("succeeded", "failed")


async def run(args: argparse.Namespace, data_dir: Path) -> list[tuple[float, float]]:
    stack = EmbeddedStack(StackOptions(
        data_dir=data_dir / "stack", port=0, namespace=f"bench{uuid.uuid4().hex[:8]}",
        database_url=args.database_url, workers=args.workers, worker_log=data_dir / "worker.log",
        settings={"ack_wait_s": 30.0},
        worker_env={"EASEL_ENGINE": "null", "EASEL_NULL_STEP_S": "0.1", "EASEL_LOG_LEVEL": "WARNING"}))
    print(f"starting the stack (worker log: {data_dir / 'worker.log'}) ...", file=sys.stderr)
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the throw-away stack's admin key is no one's business
            await stack.start()
        admin = {"Authorization": f"Bearer {stack.admin_key}"}
        async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as api:
            user = (await api.post("/v1/users", json={"username": f"b{uuid.uuid4().hex[:8]}"}, headers=admin)).json()
            key = (await api.post(f"/v1/users/{user['id']}/keys", json={"name": "bench"}, headers=admin)).json()
            headers = {"Authorization": f"Bearer {key['secret']}"}
            figures = []
            for n in range(1, args.kills + 1):
                detected, restarted = await one_kill(stack, api, headers, args.pause)
                print(f"kill {n}: detected {detected:5.2f} s, restarted {restarted:5.2f} s after the "
                      f"{'pause' if args.pause else 'kill'}")
                figures.append((detected, restarted))
            return figures
    finally:
        print("stopping the stack ...", file=sys.stderr)
        await stack.stop()


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="easel-bench-") as tmp:
        figures = asyncio.run(run(args, Path(tmp)))
    for name, values in (("detected", [d for d, _ in figures]), ("restarted", [r for _, r in figures])):
        print(f"{name:>9}: min {min(values):.2f} s, median {statistics.median(values):.2f} s, "
              f"max {max(values):.2f} s")


if __name__ == "__main__":
    main()
