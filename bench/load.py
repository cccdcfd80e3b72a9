"""Easel under load, in the cluster's shape: open-loop arrivals against separate service processes on PostgreSQL.

    python bench/load.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test
    python bench/load.py --rates 50 200 --seconds 15 --replicas 1 2 --workers 2 --json

Each service runs as its own process and NATS identity (`easel_stack.processes.ProcessCluster`), with `--replicas`
gateways and jobs services, and null-engine workers (jobs of `--steps`, each `--step-ms` long; above 0 every step
sends a progress event, as a GPU's would). For each replica count and rate it offers jobs at that rate
for `--seconds` (each with its own Idempotency-Key, round-robin over the gateways), waits for the accepted ones to
end, and prints per phase:

- accepted, refused (429/503 by code) and other answers; **ghosts**: submissions answered with an error (or no
  answer) whose job exists in the database all the same;
- submit (the HTTP round trip of an accepted submission), refused in (that of a 429 or 503) and created -> started
  (the jobs service's clocks) p50 / p99, and how many of the 201s and 503s left the gateways within 100 ms (their own
  request histograms, apart from this process's delays);
- completed jobs/s (accepted jobs over the phase and the wait for them to end; and by the jobs' own clocks, from the
  first one's creation to the last one's end), and **CPU per job** for each kind of process (user + system time
  over the phase / jobs accepted);
- **NATS messages per job** for each kind of process (messages it sent plus messages it was delivered, by the
  server's count of its connections: requests, replies, publishes, acks, fetches, KV updates) and **database
  transactions per job** (PostgreSQL's count for the scratch database; a statement outside a transaction counts as
  one), both over the phase / jobs accepted, background work included.
- **the rest of the bill**: nats-server's CPU, PostgreSQL's (every one of its processes on the machine) and the whole
  machine's (every core, this load generator included) per job, and so the most jobs/s this machine could serve at
  that cost.

It prints figures and asserts nothing. Submissions come from this process, on the same machine: on a 2-core box
the load generator takes a core of its own, so read the figures as relative (replicas, before/after a change).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import aiohttp
import httpx

from easel_auth.keys import new_key
from easel_common import runner
from easel_stack.processes import ProcessCluster, cpu_seconds

SERVICE_KINDS = ("gateway", "auth", "registry", "jobs", "worker")


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test",
                   help="PostgreSQL to create a scratch database on")
    p.add_argument("--rates", type=float, nargs="+", default=[50.0, 200.0], help="offered jobs/s, one phase each")
    p.add_argument("--seconds", type=float, default=10.0, help="how long each phase offers jobs")
    p.add_argument("--replicas", type=int, nargs="+", default=[1], help="gateway and jobs-service replicas")
    p.add_argument("--workers", type=int, default=2, help="null-engine worker processes")
    p.add_argument("--steps", type=int, default=1, help="denoising steps of each job")
    p.add_argument("--step-ms", type=float, default=0.0,
                   help="how long the null engine takes a step; above 0 each step also sends a progress event")
    p.add_argument("--timeout", type=float, default=10.0, help="a client's patience for one submission (s)")
    p.add_argument("--json", action="store_true", help="also print the results as one JSON line")
    return p.parse_args()


@dataclass
class Phase:
    rate: float
    sent: int = 0
    answers: dict[str, int] = field(default_factory=dict)  # "201", "429 rate_limited", "timeout" ...
    submit_s: list[float] = field(default_factory=list)  # accepted submissions' round trips
    refused_s: list[float] = field(default_factory=list)  # how long a refusal (429, 503) took to come
    accepted: dict[str, str] = field(default_factory=dict)  # idempotency key -> job id
    unanswered: list[str] = field(default_factory=list)  # keys of submissions that got no job id back


def postgres_cpu() -> dict[int, float]:
    """CPU seconds of every PostgreSQL process on the machine (the server and its backends), by pid."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == "postgres":
                    found[int(entry.name)] = cpu_seconds(int(entry.name))
    return found


def machine_cpu() -> float:
    """CPU seconds the whole machine has spent busy (every core: user, nice, system, interrupts, steal)."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def submit(api: Submitter, headers: dict[str, str], phase: Phase, timeout: float, steps: int) -> None:
    key = uuid.uuid4().hex
    body = {"prompt": "a lighthouse", "steps": steps, "width": 64, "height": 64, "seed": 1}
    started = time.perf_counter()
    try:
        status, answer = await api.post("/v1/jobs", body, {**headers, "Idempotency-Key": key}, timeout)
    except (aiohttp.ClientError, TimeoutError) as exc:
        label = "timeout" if isinstance(exc, TimeoutError) else type(exc).__name__
        phase.answers[label] = phase.answers.get(label, 0) + 1
        phase.unanswered.append(key)
        return
    took = time.perf_counter() - started
    label = str(status)
    if status >= 400:  # the code, and the limit that refused it (max_inflight_submits: the gateway's gate)
        limit = (answer.get("details") or {}).get("limit")
        label = f"{label} {answer.get('code', '')}" + (f" ({limit})" if limit else "")
    phase.answers[label] = phase.answers.get(label, 0) + 1
    if status in (200, 201):
        phase.accepted[key] = answer["id"]
        phase.submit_s.append(took)
    else:
        phase.unanswered.append(key)
        if status in (429, 503):
            phase.refused_s.append(took)


class Submitter:
    """Submissions to one gateway over kept-alive connections, with aiohttp: its C HTTP parser costs this process a
    fraction of httpx's CPU per request, which on a small machine is CPU the stack under test gets back."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=512))

    async def post(self, path: str, body: dict, headers: dict[str, str], timeout: float) -> tuple[int, dict]:
        async with self.session.post(self.base_url + path, json=body, headers=headers,
                                     timeout=aiohttp.ClientTimeout(total=timeout)) as r:
            return r.status, await r.json(content_type=None)

    async def aclose(self) -> None:
        await self.session.close()


async def offer(gateways: list[Submitter], headers: dict[str, str], rate: float, seconds: float,
                timeout: float, steps: int = 1) -> Phase:
    """Open loop: one submission every 1/rate s whatever the answers, spread over the gateways."""
    phase = Phase(rate)
    tasks = []
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        due = phase.sent / rate
        if due > elapsed:
            await asyncio.sleep(due - elapsed)
        tasks.append(asyncio.create_task(submit(gateways[phase.sent % len(gateways)], headers, phase, timeout,
                                                 steps)))
        phase.sent += 1
    await asyncio.gather(*tasks)
    return phase


async def gateway_answers(gateways: list[httpx.AsyncClient]) -> dict[str, list[float]]:
    """For 201 and 503 answers to POST /v1/jobs: [within 100 ms, all], as the gateways timed them (their request
    histograms): how fast an answer left the gateway, apart from the load generator's own delays."""
    counts = {"201": [0.0, 0.0], "503": [0.0, 0.0]}
    for g in gateways:
        for line in (await g.get("/metrics")).text.splitlines():
            status = line.partition('status="')[2][:3]
            if status not in counts or 'route="/v1/jobs"' not in line or 'method="POST"' not in line:
                continue
            if line.startswith("easel_http_request_duration_seconds_bucket") and 'le="0.1"' in line:
                counts[status][0] += float(line.rsplit(" ", 1)[1])
            elif line.startswith("easel_http_request_duration_seconds_count"):
                counts[status][1] += float(line.rsplit(" ", 1)[1])
    return counts


async def rows(database_url: str, query: str, *args) -> list:
    import asyncpg

    u = urlparse(database_url.replace("+asyncpg", ""))
    conn = await asyncpg.connect(host=u.hostname, port=u.port or 5432, user=u.username, password=u.password,
                                 database=u.path.lstrip("/"))
    try:
        return await conn.fetch(query, *args)
    finally:
        await conn.close()


async def nats_messages(cluster: ProcessCluster) -> dict[str, int]:
    """Messages each kind of process has sent and been delivered over NATS so far (the server's connection counts,
    by the connection names the processes give: easel-jobs, ...)."""
    async with httpx.AsyncClient(base_url=cluster.natsd.monitor_url, timeout=5) as http:
        connections = (await http.get("/connz", params={"limit": 4096})).json().get("connections") or []
    counts = dict.fromkeys(SERVICE_KINDS, 0)
    for c in connections:
        kind = next((k for k in SERVICE_KINDS if k in (c.get("name") or "")), None)
        if kind is not None:
            counts[kind] += c.get("in_msgs", 0) + c.get("out_msgs", 0)
    return counts


STATS_LAG_S = 11.0  # PostgreSQL reports an idle backend's transaction counts up to 10 s late


async def transactions(database_url: str) -> int:
    """Transactions committed or rolled back in the scratch database so far (every service's)."""
    found = await rows(database_url, "SELECT xact_commit + xact_rollback AS n FROM pg_stat_database "
                                     "WHERE datname = current_database()")
    return int(found[0]["n"])


async def settle(database_url: str, job_ids: list[str], timeout: float = 300.0) -> list:
    """Wait until every accepted job has ended; their rows."""
    deadline = time.monotonic() + timeout
    while True:
        found = await rows(database_url, "SELECT id, status, created_at, started_at, finished_at, attempts "
                                         "FROM jobs WHERE id = ANY($1::varchar[])", job_ids)
        if all(r["status"] in ("succeeded", "failed", "canceled") for r in found) or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.5)


def served_rate(ended: list) -> float:
    """Jobs ended per second from the first one's creation to the last one's end, by the jobs' own clocks: the
    stack's rate, apart from how long this process took to send the submissions and read the answers."""
    done = [r for r in ended if r["finished_at"]]
    if not done:
        return 0.0
    span = (max(r["finished_at"] for r in done) - min(r["created_at"] for r in done)).total_seconds()
    return len(done) / span if span > 0 else float("nan")


async def measure(cluster: ProcessCluster, args: argparse.Namespace, replicas: int) -> list[dict]:
    results = []
    gateways = [httpx.AsyncClient(base_url=g.url) for g in cluster.of("gateway")]  # admin calls, /metrics
    submitters = [Submitter(g.url) for g in cluster.of("gateway")]
    try:
        admin = {"Authorization": f"Bearer {cluster.admin_key}"}
        r = await gateways[0].post("/v1/users", json={"username": f"load{uuid.uuid4().hex[:6]}"}, headers=admin)
        user_id = r.json()["id"]
        key = (await gateways[0].post(f"/v1/users/{user_id}/keys", json={"name": "load"}, headers=admin)).json()
        headers = {"Authorization": f"Bearer {key['secret']}"}
        await offer(submitters, headers, 20.0, 1.0, args.timeout)  # warm-up: connections, caches
        await asyncio.sleep(STATS_LAG_S)
        xacts_before = await transactions(cluster.database_url)
        for rate in args.rates:
            before = {p.proc.pid: p.cpu_seconds() for p in cluster.processes}
            natsd_pid = cluster.natsd.proc.pid  # started by run()
            others_before = (cpu_seconds(natsd_pid), postgres_cpu(), machine_cpu())
            messages_before = await nats_messages(cluster)
            answers_before = await gateway_answers(gateways)
            t0, own_cpu = time.perf_counter(), time.process_time()
            phase = await offer(submitters, headers, rate, args.seconds, args.timeout, args.steps)
            ended = await settle(cluster.database_url, list(phase.accepted.values()))
            took = time.perf_counter() - t0
            cpu = {kind: sum(p.cpu_seconds() - before[p.proc.pid] for p in cluster.of(kind)) for kind in SERVICE_KINDS}
            postgres = postgres_cpu()
            others = {"nats-server": cpu_seconds(natsd_pid) - others_before[0],
                      "postgresql": sum(t - others_before[1].get(pid, 0.0) for pid, t in postgres.items()),
                      "machine": machine_cpu() - others_before[2]}
            messages = {kind: n - messages_before[kind] for kind, n in (await nats_messages(cluster)).items()}
            at_gateways = {status: {"within_100ms": int(now[0] - answers_before[status][0]),
                                    "all": int(now[1] - answers_before[status][1])}
                           for status, now in (await gateway_answers(gateways)).items()}
            ghosts = await rows(cluster.database_url, "SELECT count(*) AS n FROM jobs WHERE idempotency_key = "
                                                      "ANY($1::varchar[])", phase.unanswered)
            waits = [(r["started_at"] - r["created_at"]).total_seconds() for r in ended if r["started_at"]]
            runs = [(r["finished_at"] - r["started_at"]).total_seconds() for r in ended
                    if r["started_at"] and r["finished_at"]]
            accepted = max(1, len(phase.accepted))
            results.append({
                "replicas": replicas, "offered_per_s": rate, "sent": phase.sent, "answers": phase.answers,
                "accepted": len(phase.accepted), "ghosts": ghosts[0]["n"],
                "succeeded": sum(r["status"] == "succeeded" for r in ended),
                "ran_twice": sum(r["attempts"] > 1 for r in ended),
                "submit_ms": {"p50": 1e3 * pct(phase.submit_s, 0.5), "p99": 1e3 * pct(phase.submit_s, 0.99)},
                "refused_ms": {"p50": 1e3 * pct(phase.refused_s, 0.5), "p99": 1e3 * pct(phase.refused_s, 0.99)},
                "at_gateways": at_gateways,
                "start_ms": {"p50": 1e3 * pct(waits, 0.5), "p99": 1e3 * pct(waits, 0.99)},
                # a run as the jobs service saw it, from the claim it granted to the result it recorded
                "run_ms": {"p50": 1e3 * pct(runs, 0.5), "p99": 1e3 * pct(runs, 0.99)},
                "completed_per_s": len(ended) / took,
                # what else ran: this process's CPU over the phase, and the machine's load average at its end
                "generator_cpu_s": time.process_time() - own_cpu, "took_s": took, "load_1m": os.getloadavg()[0],
                "served_per_s": served_rate(ended),
                "cpu_ms_per_job": {kind: 1e3 * seconds / accepted for kind, seconds in cpu.items()},
                # the rest of the bill: the broker, the database (all of its processes) and the whole machine
                "other_cpu_ms_per_job": {what: 1e3 * seconds / accepted for what, seconds in others.items()},
                "nats_messages_per_job": {kind: n / accepted for kind, n in messages.items()},
            })
            await asyncio.sleep(STATS_LAG_S)  # the phase's transactions, reported (the next phase starts from here)
            xacts = await transactions(cluster.database_url)
            results[-1]["db_transactions_per_job"], xacts_before = (xacts - xacts_before) / accepted, xacts
            print_phase(results[-1])
    finally:
        for g in [*gateways, *submitters]:
            await g.aclose()
    return results


def spread(ms: dict) -> str:
    return f"p50 {ms['p50']:.1f} ms p99 {ms['p99']:.1f} ms"


def print_phase(r: dict) -> None:
    answers = ", ".join(f"{k}: {v}" for k, v in sorted(r["answers"].items()))
    cpu = r["cpu_ms_per_job"]
    print(f"replicas {r['replicas']}, offered {r['offered_per_s']:g}/s: sent {r['sent']}, accepted {r['accepted']} "
          f"({answers}); ghosts {r['ghosts']}, ran twice {r['ran_twice']}")
    gw = r["at_gateways"]
    refused = (f"refused in {spread(r['refused_ms'])}" if r["refused_ms"]["p50"] == r["refused_ms"]["p50"]
               else "none refused")  # p50 is NaN when nothing was refused
    print(f"  at the gateways: {gw['201']['within_100ms']} of {gw['201']['all']} 201s and {gw['503']['within_100ms']} "
          f"of {gw['503']['all']} 503s answered within 100 ms")
    print(f"  submit {spread(r['submit_ms'])}; {refused}; created -> started {spread(r['start_ms'])}; "
          f"started -> ended {spread(r['run_ms'])}; completed {r['completed_per_s']:.1f}/s (by the jobs' clocks "
          f"{r['served_per_s']:.1f}/s)")
    print("  CPU per job: " + ", ".join(f"{k} {v:.2f} ms" for k, v in cpu.items())
          + f"; services total {sum(v for k, v in cpu.items() if k != 'worker'):.2f} ms")
    other = r["other_cpu_ms_per_job"]
    cores = os.cpu_count() or 1
    print(f"  CPU per job elsewhere: nats-server {other['nats-server']:.2f} ms, PostgreSQL "
          f"{other['postgresql']:.2f} ms; the whole machine {other['machine']:.2f} ms (at that cost its {cores} "
          f"cores serve at most {1e3 * cores / max(other['machine'], 1e-9):.0f} jobs/s)")
    nats = r["nats_messages_per_job"]
    print("  NATS messages per job: " + ", ".join(f"{k} {v:.1f}" for k, v in nats.items())
          + f"; database transactions per job {r['db_transactions_per_job']:.2f}")
    print(f"  this load generator: {r['generator_cpu_s']:.1f} s of CPU in {r['took_s']:.1f} s; machine load average "
          f"{r['load_1m']:.1f}")


@contextlib.asynccontextmanager
async def scratch_database(url: str):
    import asyncpg

    name = f"easel_load_{uuid.uuid4().hex[:8]}"
    u = urlparse(url.replace("+asyncpg", ""))
    conn = await asyncpg.connect(host=u.hostname, port=u.port or 5432, user=u.username, password=u.password,
                                 database=u.path.lstrip("/") or "postgres")
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
        yield url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


async def run(args: argparse.Namespace) -> list[dict]:
    results = []
    for replicas in args.replicas:
        with tempfile.TemporaryDirectory(prefix="easel-load-") as tmp:
            async with scratch_database(args.database_url) as url:
                cluster = ProcessCluster(Path(tmp), url, namespace=f"load{uuid.uuid4().hex[:6]}",
                                         admin_key=new_key()[0],
                                         env={"EASEL_ENGINE": "null", "EASEL_DEFAULT_MAX_CONCURRENT_JOBS": "unlimited",
                                              "EASEL_DEFAULT_REQUESTS_PER_SECOND": "unlimited",
                                              "EASEL_NULL_STEP_S": str(args.step_ms / 1000)})
                await cluster.start_nats()
                try:
                    for kind in ("auth", "registry", *["jobs"] * replicas, *["gateway"] * replicas,
                                 *["worker"] * args.workers):
                        cluster.spawn(kind)
                    await cluster.wait_ready()
                    results += await measure(cluster, args, replicas)
                finally:
                    await cluster.stop()
    return results


def main() -> None:
    args = parse_args()
    print(f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}; PostgreSQL, "
          f"separate processes, null-engine workers: {args.workers}; {args.seconds:g} s per phase; jobs of "
          f"{args.steps} steps of {args.step_ms:g} ms", file=sys.stderr)
    results = runner.run(run(args))  # on uvloop, as the services: less of the machine for the load generator
    if args.json:
        print(json.dumps(results))
    totals = [sum(v for k, v in r["cpu_ms_per_job"].items() if k != "worker") for r in results]
    if totals:
        print(f"services' CPU per job: median {statistics.median(totals):.2f} ms (goal 5 ms)")


if __name__ == "__main__":
    main()
