"""Dispatch benchmark: how fast a job gets from the gateway to a worker whose pipeline does no work.

Usage: .venv/bin/python bench/dispatch.py [--jobs N] [--rate R] [--concurrency C] [--workers W]
                                         [--nats-url URL] [--database-url URL] [--json]
(`make bench` runs `.venv/bin/python bench/dispatch.py`.)

Starts the embedded stack (gateway, auth, registry and jobs in this process; nats-server and the workers
beside it) with EASEL_ENGINE=null, then runs, after a short warm-up:
  unloaded    jobs one at a time: the stack's own overhead against calling the engine directly;
  latency     N jobs offered open-loop at R jobs/s; submit->start runs from the client's send time to the
              arrival here of the job's `starting` event (published once the jobs service accepted the claim);
  throughput  N jobs closed-loop, C in flight, each slot waiting for its job's `succeeded` event;
  direct      NullEngine load + generate of the same spec, called in this process.
It prints figures and asserts nothing. The load generator shares this process (and its event loop) with the
gateway and the jobs service, as the embedded stack does, so its own cost is part of what is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

import httpx
from nats.js.api import ConsumerConfig, DeliverPolicy
from tqdm import tqdm

from easel_proto import Names
from easel_proto.v1.jobs import GenerationSpec
from easel_stack.stack import EmbeddedStack, StackOptions
from easel_worker.engine import NullEngine
from easel_worker.images import to_png

BODY = {"prompt": "a red fox in the snow", "steps": 1, "width": 64, "height": 64, "seed": 1}
GOAL_P50_MS, GOAL_P99_MS, GOAL_RATE = 5.0, 20.0, 200.0
WARMUP_JOBS, UNLOADED_JOBS, DRAIN_S = 20, 100, 120.0
COLUMNS = ("p50", "p90", "p99", "max", "mean")
UNLOADED, DIRECT = "unloaded submit -> result (1 in flight)", "direct NullEngine load + generate"


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


def percentiles(seconds: list[float]) -> dict[str, float]:
    """p50/p90/p99/max/mean in milliseconds (NaN when there is nothing)."""
    xs = sorted(seconds)
    if not xs:
        return dict.fromkeys(COLUMNS, float("nan"))
    pick = lambda q: xs[min(len(xs) - 1, round(q * (len(xs) - 1)))] * 1e3  # noqa: E731
    return {"p50": pick(0.50), "p90": pick(0.90), "p99": pick(0.99), "max": xs[-1] * 1e3,
            "mean": statistics.fmean(xs) * 1e3}


def machine(args: argparse.Namespace) -> dict[str, str]:
    """What this ran on."""
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    cpu = next((x.split(":", 1)[1].strip() for x in lines if x.startswith("model name")), platform.processor() or "?")
    return {"platform": platform.platform(), "cpu": cpu, "cores": str(os.cpu_count()),
            "python": platform.python_version(), "database": "PostgreSQL" if args.database_url else "SQLite",
            "nats": "external" if args.nats_url else "embedded nats-server"}


async def admin_sql(url: str, statement: str) -> None:
    """Run one statement on the PostgreSQL server of `url`, connected to the database it names."""
    import asyncpg

    u = urlparse(url.replace("+asyncpg", ""))
    conn = await asyncpg.connect(host=u.hostname, port=u.port or 5432, user=u.username, password=u.password,
                                 database=u.path.lstrip("/") or "postgres")
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


class Events:
    """Arrival times here of every job's events, by type and job id, from one wildcard subscription."""

    def __init__(self, names: Names) -> None:
        self.names = names
        self.seen: dict[str, dict[str, float]] = {kind: {} for kind in ("queued", "starting", "processing")}
        self.started_at: dict[str, str] = {}  # the `starting` event's own `at`, for the server-side queue time
        self.done: dict[str, asyncio.Future[float]] = {}

    def waiter(self, job_id: str) -> asyncio.Future[float]:
        """Resolves with the arrival time of the job's `succeeded` event (which may come before we ask)."""
        return self.done.setdefault(job_id, asyncio.get_running_loop().create_future())

    async def on_event(self, msg) -> None:
        """Record the arrival; the job id and type are the subject's last two tokens."""
        at = time.perf_counter()
        job_id, kind = msg.subject.rsplit(".", 2)[-2:]
        if kind in self.seen:
            self.seen[kind].setdefault(job_id, at)
            if kind == "starting":
                self.started_at.setdefault(job_id, json.loads(msg.data)["at"])
        elif kind in ("succeeded", "failed", "canceled"):
            fut = self.waiter(job_id)
            if not fut.done():
                fut.set_result(at) if kind == "succeeded" else fut.set_exception(RuntimeError(f"job {job_id} {kind}"))


@dataclass
class Sample:
    """One submitted job: when it was sent and answered, and what the gateway said."""

    sent: float
    answered: float
    job: dict


async def new_user(api: httpx.AsyncClient, admin_key: str) -> dict[str, str]:
    """A fresh user's Authorization header, made through the admin key."""
    admin = {"Authorization": f"Bearer {admin_key}"}
    r = await api.post("/v1/users", json={"username": f"bench{uuid.uuid4().hex[:8]}"}, headers=admin)
    r.raise_for_status()
    r = await api.post(f"/v1/users/{r.json()['id']}/keys", json={"name": "bench"}, headers=admin)
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['secret']}"}


async def submit(api: httpx.AsyncClient, headers: dict[str, str]) -> Sample:
    """POST one job; raises with the gateway's answer unless it was 201."""
    sent = time.perf_counter()
    r = await api.post("/v1/jobs", json=BODY, headers=headers)
    if r.status_code != 201:
        raise RuntimeError(f"{r.status_code} {r.json().get('code', r.text[:80])}")
    return Sample(sent, time.perf_counter(), r.json())


async def run_jobs(api, headers, events: Events, n: int, *, rate: float = 0.0, slots: int = 0,
                   desc: str = "") -> tuple[list[Sample], list[str], float]:
    """Open loop at `rate` jobs/s, or closed loop with `slots` in flight: (finished samples, errors, offered/s)."""
    done: list[Sample] = []
    errors: list[str] = []
    bar = tqdm(total=n, desc=desc, unit="job", leave=False)

    async def one() -> None:
        try:
            sample = await submit(api, headers)
            await asyncio.wait_for(asyncio.shield(events.waiter(sample.job["id"])), DRAIN_S)
            done.append(sample)
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
        bar.update()

    t0 = time.perf_counter()
    if slots:
        remaining = iter(range(n))

        async def slot() -> None:
            for _ in remaining:
                await one()

        await asyncio.gather(*(slot() for _ in range(slots)))
        offered = n / (time.perf_counter() - t0)
    else:
        tasks = []
        for i in range(n):
            if rate:
                await asyncio.sleep(max(0.0, t0 + i / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(one()))
        offered = n / max(time.perf_counter() - t0, 1e-9)
        await asyncio.gather(*tasks)
    bar.close()
    return done, errors, offered


def _epoch(text: str) -> float:
    """An RFC 3339 timestamp as epoch seconds."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def stages(samples: list[Sample], events: Events) -> dict[str, list[float]]:
    """Per-job intervals in seconds, for the jobs whose every event arrived."""
    seen, done = events.seen, events.done
    ok = [s for s in samples if all(s.job["id"] in times for times in seen.values())]
    at = {kind: [times[s.job["id"]] for s in ok] for kind, times in seen.items()}
    at["succeeded"] = [done[s.job["id"]].result() for s in ok]
    at["sent"] = [s.sent for s in ok]
    gap = lambda a, b: [y - x for x, y in zip(at[a], at[b], strict=True)]  # noqa: E731
    return {"submit HTTP round trip": [s.answered - s.sent for s in ok],
            "submit -> worker start": gap("sent", "starting"),
            "  created -> claimed (server clocks)": [
                _epoch(events.started_at[s.job["id"]]) - _epoch(s.job["created_at"]) for s in ok],
            "submit -> result": gap("sent", "succeeded"),
            "  submit -> queued event": gap("sent", "queued"),
            "  queued -> starting (fetch + claim)": gap("queued", "starting"),
            "  starting -> processing": gap("starting", "processing"),
            "  processing -> succeeded": gap("processing", "succeeded")}


def direct(spec: GenerationSpec, calls: int) -> tuple[list[float], list[float]]:
    """Per-call seconds of NullEngine load + generate, and the same plus the worker's PNG encoding."""
    engine, bare, with_png = NullEngine(), [], []
    for _ in tqdm(range(calls), desc="direct", unit="call", leave=False):
        t = time.perf_counter()
        engine.load(spec.model)
        images = engine.generate(spec, lambda step, total: None)
        bare.append(time.perf_counter() - t)
        [to_png(im, spec, s) for im, s in zip(images, spec.seeds, strict=True)]
        with_png.append(time.perf_counter() - t)
    return bare, with_png


async def measure(args: argparse.Namespace, stack: EmbeddedStack) -> dict:
    """The phases, on a started stack."""
    events = Events(Names(stack.options.namespace))
    if stack.secured:  # on the stack's own NATS only the gateway reads events: through the stream, as SSE does
        reader = await stack.connect_as("gateway")
        sub = await reader.jetstream().subscribe(
            events.names.all_job_events(), stream=events.names.stream("events")["name"], ordered_consumer=True,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW), cb=events.on_event)
    else:
        sub = await stack.nc.subscribe(events.names.all_job_events(), cb=events.on_event)
    pool = max(64, args.concurrency)
    limits = httpx.Limits(max_connections=pool, max_keepalive_connections=pool)
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60, limits=limits) as api:
        headers = await new_user(api, stack.admin_key)
        await run_jobs(api, headers, events, WARMUP_JOBS, slots=4, desc="warm-up")  # connections, caches, pages
        unloaded, errors, _ = await run_jobs(api, headers, events, min(UNLOADED_JOBS, args.jobs), slots=1,
                                             desc="unloaded")
        if not unloaded:
            raise RuntimeError(f"no job finished ({errors[:1]}); see the worker log")
        latency = await run_jobs(api, headers, events, args.jobs, rate=args.rate,
                                 desc=f"latency @ {args.rate:g}/s" if args.rate else "latency (burst)")
        t0 = time.perf_counter()
        closed, closed_errors, _ = await run_jobs(api, headers, events, args.jobs, slots=args.concurrency,
                                                  desc=f"throughput x{args.concurrency}")
        throughput = len(closed) / (time.perf_counter() - t0)
    await sub.unsubscribe()
    samples, errors, offered = latency
    ends = [events.done[s.job["id"]].result() for s in samples]
    return {"rows": stages(samples, events), "unloaded": stages(unloaded, events)["submit -> result"],
            "spec": unloaded[0].job["spec"], "offered_rate": offered, "errors": errors + closed_errors,
            "finished": len(samples), "throughput": throughput,
            "completed_rate": len(samples) / (max(ends) - min(s.sent for s in samples)) if samples else 0.0}


async def run(args: argparse.Namespace, data_dir: Path, database_url: str | None) -> dict:
    """Start the stack, measure, and stop the stack whatever happens; then the direct baseline."""
    stack = EmbeddedStack(StackOptions(
        data_dir=data_dir / "stack", port=0, namespace=f"bench{uuid.uuid4().hex[:8]}", nats_url=args.nats_url,
        database_url=database_url, workers=args.workers, worker_log=data_dir / "worker.log",
        # one user offers the whole load: a fresh install's per-user limits would refuse most of it
        settings={"default_max_concurrent_jobs": None, "default_requests_per_second": None},
        worker_env={"EASEL_ENGINE": "null", "EASEL_LOG_LEVEL": "WARNING"}))
    print(f"starting the stack (worker log: {data_dir / 'worker.log'}) ...", file=sys.stderr)
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the throw-away stack's admin key is no one's business
            await stack.start()
        results = await measure(args, stack)
    finally:
        print("stopping the stack ...", file=sys.stderr)
        await stack.stop()
    results["direct"], results["direct_png"] = direct(GenerationSpec.model_validate(results.pop("spec")), 2000)
    return results


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
    rows = {name: percentiles(values) for name, values in r["rows"].items()}
    rows[UNLOADED] = percentiles(r["unloaded"])
    rows[DIRECT] = percentiles(r["direct"])
    rows["direct call + PNG encode"] = percentiles(r["direct_png"])
    for key, value in info.items():
        print(f"{key:>9}: {value}")
    offered = f"{args.rate:g} jobs/s" if args.rate else "all at once"
    print(f"     jobs: {args.jobs} per phase, workers: {args.workers}, offered: {offered} "
          f"(achieved {r['offered_rate']:.0f}/s), closed-loop concurrency: {args.concurrency}")
    width = max(map(len, rows))
    print(f"\n{'ms':<{width}}" + "".join(f"{c:>10}" for c in COLUMNS))
    for name, p in rows.items():
        print(f"{name:<{width}}" + "".join(f"{p[c]:>10.2f}" for c in COLUMNS))
    overhead = rows[UNLOADED]["p50"] - rows[DIRECT]["p50"]
    print(f"\ngateway -> result overhead, unloaded (p50 through the stack - p50 direct): {overhead:.2f} ms")
    print(f"latency phase: {r['finished']}/{args.jobs} finished, completion rate {r['completed_rate']:.1f} jobs/s")
    print(f"sustained throughput (closed loop, {args.concurrency} in flight): {r['throughput']:.1f} jobs/s")
    if r["errors"]:
        common = max(set(r["errors"]), key=r["errors"].count)
        print(f"errors: {len(r['errors'])} (most common: {common})")
    start = rows["submit -> worker start"]
    verdict = lambda ok: "meets" if ok else "misses"  # noqa: E731
    short = r["offered_rate"] < 0.95 * GOAL_RATE
    where = f" (offered {r['offered_rate']:.0f} jobs/s, not {GOAL_RATE:g})" if short else ""
    print(f"goal p50 <= {GOAL_P50_MS:g} ms, p99 <= {GOAL_P99_MS:g} ms at {GOAL_RATE:g} jobs/s: "
          f"p50 {start['p50']:.2f} ms {verdict(start['p50'] <= GOAL_P50_MS)}, "
          f"p99 {start['p99']:.2f} ms {verdict(start['p99'] <= GOAL_P99_MS)}{where}; "
          f"throughput {r['throughput']:.0f} jobs/s {verdict(r['throughput'] >= GOAL_RATE)} {GOAL_RATE:g} jobs/s")
    return {"machine": info, "jobs": args.jobs, "rate": args.rate, "workers": args.workers,
            "concurrency": args.concurrency, "offered_rate": r["offered_rate"], "finished": r["finished"],
            "completed_rate": r["completed_rate"], "throughput": r["throughput"], "errors": len(r["errors"]),
            "overhead_ms": overhead, "ms": rows}


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
