"""Dispatch benchmark: how fast a job gets from the gateway to a worker whose pipeline does no work.

Usage: .venv/bin/python bench/dispatch.py [--jobs N] [--rate R] [--concurrency C] [--workers W]
                                         [--nats-url URL] [--database-url URL] [--json]
(`make bench` runs `.venv/bin/python bench/dispatch.py`.)

Starts the embedded stack (gateway, auth, registry, jobs in this process; nats-server and workers beside it)
with EASEL_ENGINE=null, then:
  latency     N jobs offered open-loop at R jobs/s; submit->start is the client's send time to the arrival here
              of the job's `starting` event (published once the jobs service accepted the worker's claim);
  throughput  N jobs closed-loop, C in flight, each slot waiting for its job's `succeeded` event;
  direct      NullEngine load + text_to_image of the same spec, called in this process.
It prints figures and asserts nothing. The load generator shares this process's event loop with the gateway and
the jobs service, as the embedded stack does: its cost is part of what is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import httpx
from easel_proto import Names
from easel_proto.v1.jobs import GenerationSpec
from easel_stack.stack import EmbeddedStack, StackOptions
from easel_worker.engine import NullEngine
from easel_worker.images import to_png
from tqdm import tqdm

BODY = {"prompt": "a red fox in the snow", "steps": 1, "width": 64, "height": 64, "seed": 1}
GOAL_P50_MS, GOAL_P99_MS, GOAL_RATE = 5.0, 20.0, 200.0
WARMUP_JOBS = 20


def parse_args() -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--jobs", type=int, default=500, help="jobs per phase (default 500)")
    p.add_argument("--rate", type=float, default=200.0, help="offered jobs/s in the latency phase; 0 = all at once")
    p.add_argument("--concurrency", type=int, default=32, help="jobs in flight in the throughput phase")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--nats-url", help="an external NATS (default: start a nats-server)")
    p.add_argument("--database-url", help="PostgreSQL to create a scratch database on (default: SQLite)")
    p.add_argument("--json", action="store_true", help="also print the results as one JSON line")
    return p.parse_args()


def percentiles(values: list[float]) -> dict[str, float]:
    """p50/p90/p99/max/mean of seconds, in milliseconds."""
    xs = sorted(values)
    if not xs:
        return {}
    pick = lambda q: xs[min(len(xs) - 1, round(q * (len(xs) - 1)))] * 1e3  # noqa: E731
    return {"p50": pick(0.50), "p90": pick(0.90), "p99": pick(0.99), "max": xs[-1] * 1e3,
            "mean": statistics.fmean(xs) * 1e3}


def machine(args: argparse.Namespace) -> dict[str, str]:
    """What this ran on."""
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    cpu = next((x.split(":", 1)[1].strip() for x in lines if x.startswith("model name")), platform.processor() or "?")
    return {"platform": platform.platform(), "cpu": cpu, "cores": str(os.cpu_count()),
            "python": platform.python_version(),
            "database": "PostgreSQL" if args.database_url else "SQLite",
            "nats": "external" if args.nats_url else "embedded nats-server"}


async def admin_sql(url: str, statement: str) -> None:
    """Run one statement on the PostgreSQL server of `url` (its maintenance database)."""
    import asyncpg

    u = urlparse(url.replace("+asyncpg", ""))
    conn = await asyncpg.connect(host=u.hostname, port=u.port or 5432, user=u.username, password=u.password,
                                 database=u.path.lstrip("/") or "postgres")
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


class Events:
    """Arrival times here of every job's `starting` and terminal events, from one wildcard subscription."""

    def __init__(self, names: Names) -> None:
        self.names = names
        self.started: dict[str, float] = {}
        self.started_at: dict[str, str] = {}  # the event's own `at`, for the server-side queue time
        self.done: dict[str, asyncio.Future[float]] = {}

    def waiter(self, job_id: str) -> asyncio.Future[float]:
        """Resolves with the arrival time of the job's `succeeded` event (which may come before we ask)."""
        return self.done.setdefault(job_id, asyncio.get_running_loop().create_future())

    async def on_event(self, msg) -> None:
        """Record the arrival; the job id and type are the subject's last two tokens."""
        at = time.perf_counter()
        job_id, kind = msg.subject.rsplit(".", 2)[-2:]
        if kind == "starting":
            self.started.setdefault(job_id, at)
            self.started_at.setdefault(job_id, json.loads(msg.data)["at"])
        elif kind in ("succeeded", "failed", "canceled"):
            fut = self.waiter(job_id)
            if not fut.done():
                fut.set_result(at) if kind == "succeeded" else fut.set_exception(RuntimeError(f"job {job_id} {kind}"))


async def new_user(api: httpx.AsyncClient, admin_key: str) -> dict[str, str]:
    """A fresh user's Authorization header, made through the admin key."""
    admin = {"Authorization": f"Bearer {admin_key}"}
    r = await api.post("/v1/users", json={"username": f"bench{uuid.uuid4().hex[:8]}"}, headers=admin)
    r.raise_for_status()
    r = await api.post(f"/v1/users/{r.json()['id']}/keys", json={"name": "bench"}, headers=admin)
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['secret']}"}


async def submit(api: httpx.AsyncClient, headers: dict[str, str]) -> tuple[float, float, dict]:
    """POST one job; returns (send time, response time, JobRecord)."""
    sent = time.perf_counter()
    r = await api.post("/v1/jobs", json=BODY, headers=headers)
    answered = time.perf_counter()
    if r.status_code != 201:
        raise RuntimeError(f"submit failed: {r.status_code} {r.text}")
    return sent, answered, r.json()


async def latency_phase(api, headers, events: Events, n: int, rate: float) -> dict:
    """N jobs offered open-loop at `rate` jobs/s; waits until every one succeeded."""
    results: list[tuple[float, float, dict]] = []
    bar = tqdm(total=n, desc=f"latency @ {rate:g}/s" if rate else "latency (burst)", unit="job", leave=False)

    async def one() -> None:
        sent, answered, job = await submit(api, headers)
        results.append((sent, answered, job))
        await events.waiter(job["id"])
        bar.update()

    t0 = time.perf_counter()
    tasks = []
    for i in range(n):
        if rate:
            await asyncio.sleep(max(0.0, t0 + i / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(one()))
    offered_s = time.perf_counter() - t0
    await asyncio.gather(*tasks)
    bar.close()
    ends = [events.done[job["id"]].result() for _, _, job in results]
    started = [events.started[job["id"]] - sent for sent, _, job in results]
    server = [(_iso(events.started_at[job["id"]]) - _iso(job["created_at"])) for _, _, job in results]
    return {"http": [a - s for s, a, _ in results], "start": started, "server": server,
            "result": [end - s for end, (s, _, _) in zip(ends, results, strict=True)],
            "offered_rate": n / offered_s if offered_s > 0 else float("inf"),
            "completed_rate": n / (max(ends) - t0), "spec": results[0][2]["spec"]}


def _iso(text: str) -> float:
    """An RFC 3339 timestamp as epoch seconds."""
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


async def throughput_phase(api, headers, events: Events, n: int, concurrency: int) -> float:
    """Closed loop, `concurrency` slots each submitting and waiting for success; sustained jobs/s."""
    remaining = iter(range(n))
    bar = tqdm(total=n, desc=f"throughput x{concurrency}", unit="job", leave=False)

    async def slot() -> None:
        for _ in remaining:
            _, _, job = await submit(api, headers)
            await events.waiter(job["id"])
            bar.update()

    t0 = time.perf_counter()
    await asyncio.gather(*(slot() for _ in range(concurrency)))
    bar.close()
    return n / (time.perf_counter() - t0)


def direct_phase(spec: GenerationSpec, calls: int) -> tuple[list[float], list[float]]:
    """Per-call seconds of NullEngine load + text_to_image, and the same plus the worker's PNG encoding."""
    engine, bare, with_png = NullEngine(), [], []
    for _ in tqdm(range(calls), desc="direct", unit="call", leave=False):
        t = time.perf_counter()
        engine.load(spec.model)
        images = engine.text_to_image(spec, lambda step, total: None)
        bare.append(time.perf_counter() - t)
        [to_png(im, spec, s) for im, s in zip(images, spec.seeds, strict=True)]
        with_png.append(time.perf_counter() - t)
    return bare, with_png


async def run(args: argparse.Namespace, data_dir: Path, database_url: str | None) -> dict:
    """Start the stack, run the three phases, stop the stack whatever happens."""
    namespace = f"bench{uuid.uuid4().hex[:8]}"
    stack = EmbeddedStack(StackOptions(
        data_dir=data_dir / "stack", port=0, namespace=namespace, nats_url=args.nats_url,
        database_url=database_url, workers=args.workers, worker_log=data_dir / "worker.log",
        worker_env={"EASEL_ENGINE": "null", "EASEL_LOG_LEVEL": "WARNING"}))
    print("starting the stack ...", file=sys.stderr)
    try:
        await stack.start()
        events = Events(Names(namespace))
        sub = await stack.nc.subscribe(events.names.all_job_events(), cb=events.on_event)
        limits = httpx.Limits(max_connections=max(64, args.concurrency), max_keepalive_connections=64)
        async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60, limits=limits) as api:
            headers = await new_user(api, stack.admin_key)
            await throughput_phase(api, headers, events, WARMUP_JOBS, 4)  # connections, caches, DB pages
            latency = await latency_phase(api, headers, events, args.jobs, args.rate)
            rate = await throughput_phase(api, headers, events, args.jobs, args.concurrency)
        await sub.unsubscribe()
    finally:
        print("stopping the stack ...", file=sys.stderr)
        await stack.stop()
    bare, with_png = direct_phase(GenerationSpec.model_validate(latency.pop("spec")), max(1000, args.jobs))
    latency.update(direct=bare, direct_png=with_png, throughput=rate)
    return latency


async def main_async(args: argparse.Namespace) -> dict:
    """Make the scratch database (PostgreSQL) or none (SQLite), run, clean up."""
    with tempfile.TemporaryDirectory(prefix="easel-bench-") as tmp:
        if not args.database_url:
            return await run(args, Path(tmp), None)
        name = f"easel_bench_{uuid.uuid4().hex[:10]}"
        await admin_sql(args.database_url, f'CREATE DATABASE "{name}"')
        try:
            return await run(args, Path(tmp), args.database_url.rsplit("/", 1)[0] + f"/{name}")
        finally:
            await admin_sql(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def report(args: argparse.Namespace, r: dict) -> dict:
    """Print the machine, the parameters and the figures; return them as one dict."""
    info = machine(args)
    rows = {"submit HTTP round trip": percentiles(r["http"]), "submit -> worker start": percentiles(r["start"]),
            "  created -> claimed (server clocks)": percentiles(r["server"]),
            "submit -> result": percentiles(r["result"]), "direct NullEngine call": percentiles(r["direct"]),
            "direct call + PNG encode": percentiles(r["direct_png"])}
    for key, value in info.items():
        print(f"{key:>9}: {value}")
    print(f"     jobs: {args.jobs} per phase, workers: {args.workers}, offered rate: "
          f"{f'{args.rate:g} jobs/s' if args.rate else 'all at once'} (achieved {r['offered_rate']:.0f}/s), "
          f"closed-loop concurrency: {args.concurrency}")
    width = max(map(len, rows))
    print(f"\n{'ms':<{width}}" + "".join(f"{c:>9}" for c in ("p50", "p90", "p99", "max", "mean")))
    for name, p in rows.items():
        print(f"{name:<{width}}" + "".join(f"{p[c]:>9.2f}" for c in ("p50", "p90", "p99", "max", "mean")))
    overhead = rows["submit -> result"]["p50"] - rows["direct NullEngine call"]["p50"]
    print(f"\ngateway -> result overhead (p50 through the stack - p50 direct): {overhead:.2f} ms")
    print(f"completion rate in the latency phase: {r['completed_rate']:.1f} jobs/s")
    print(f"sustained throughput (closed loop, {args.concurrency} in flight): {r['throughput']:.1f} jobs/s")
    start = rows["submit -> worker start"]
    verdict = lambda ok: "meets" if ok else "misses"  # noqa: E731
    at_goal_rate = args.rate == GOAL_RATE and r["offered_rate"] >= 0.95 * GOAL_RATE
    print(f"goal (p50 <= {GOAL_P50_MS:g} ms, p99 <= {GOAL_P99_MS:g} ms at {GOAL_RATE:g} jobs/s): "
          f"p50 {start['p50']:.2f} ms {verdict(start['p50'] <= GOAL_P50_MS)}, "
          f"p99 {start['p99']:.2f} ms {verdict(start['p99'] <= GOAL_P99_MS)}"
          + ("" if at_goal_rate else f" (measured at {r['offered_rate']:.0f} jobs/s offered, not {GOAL_RATE:g})"))
    return {"machine": info, "jobs": args.jobs, "rate": args.rate, "workers": args.workers,
            "concurrency": args.concurrency, "offered_rate": r["offered_rate"], "completed_rate": r["completed_rate"],
            "throughput": r["throughput"], "overhead_ms": overhead, "ms": rows}


def main() -> None:
    """Entry point."""
    args = parse_args()
    try:
        results = asyncio.run(main_async(args))
    except KeyboardInterrupt:
        sys.exit("interrupted")
    summary = report(args, results)
    if args.json:
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
