"""Autoscaling simulation: how one GPU pool, scaled by KEDA and the HPA on its queue, serves a day of jobs.

Usage: .venv/bin/python bench/autoscale.py [--arrivals steady|bursty|daily] [--hours H] [--model sd15|sdxl]
           [--lag-threshold N ...] [--activation N ...] [--min N ...] [--max N ...] [--cooldown S ...]
           [--polling S ...] [--up-window S ...] [--down-window S ...] [--office-min N ...]
           [--price USD] [--seed N] [--json]

A discrete-event model of one pool: the `worker-{pool}` consumer, one Deployment, one GPU per worker.
  arrivals  steady (Poisson at --rate), bursty (that plus bursts of --burst-size jobs, Poisson in time) or daily
            (from --night jobs/s outside 07:00-21:00 up to --peak at 14:00, plus bursts that follow the curve);
  KEDA      every pollingInterval reads the consumer's lag, num_pending + num_ack_pending as the nats-jetstream
            scaler does (so running jobs count); lag > activationLagThreshold is "active". At 0 replicas it
            scales to max(1, min) when active; with minReplicaCount 0 it scales to 0 once inactive for
            cooldownPeriod. --office-min adds a cron trigger holding that many replicas 08:00-18:00;
  HPA       every 15 s, above 0 replicas: desired = ceil(lag / lagThreshold) unless lag / (lagThreshold x
            replicas) is within 10% of 1; up to the lowest desire of the scale-up window, down to the highest of
            the scale-down window (Kubernetes: 0 s and 300 s), up by at most max(4 pods, 100%) per 15 s; within
            [max(1, min), max];
  pods      a new GPU node from Karpenter unless an empty one is still up, the image pull on a node that lacks it,
            container start, model load; then one job at a time, oldest first. A pod the ReplicaSet deletes
            (not-ready first, then the most recently ready) finishes its job first, as Easel's worker drains;
  cost      GPU-hours are node uptime (provisioning, start, idle, and the linger after its pod left): the bill.
With no scaling flag it runs SWEEP; with any, every combination of the values given. Arrivals and job times depend
on --seed only, so every setting sees the same jobs. It prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import json
import math
from collections import deque
from dataclasses import asdict, dataclass, fields

import numpy as np

DAY, OFFICE_HOURS = 86400.0, (8.0, 18.0)
# one H100-class GPU: seconds per job as (5th, 95th) percentiles, model load on a fresh worker as (lowest, highest)
MODELS = {"sd15": {"job_s": (1.0, 2.0), "model_load_s": (10.0, 30.0)},   # 512x512, 30 steps, batch 1
          "sdxl": {"job_s": (5.0, 8.0), "model_load_s": (20.0, 60.0)}}   # 1024x1024, 30 steps, batch 1


@dataclass(frozen=True)
class Scaling:
    """One pool's ScaledObject; the defaults are the chart's (docs/scaling.md says why)."""

    lag_threshold: int = 1
    activation: int = 0
    min_replicas: int = 0
    max_replicas: int = 8
    cooldown_s: float = 900.0
    polling_s: float = 15.0
    up_window_s: float = 60.0  # the HPA's stabilizationWindowSeconds up and down, set through KEDA's `advanced`
    down_window_s: float = 300.0
    office_min: int = 0  # replicas a KEDA cron trigger asks for during OFFICE_HOURS (0: no such trigger)
    cache_aware: int = 0  # 1: EASEL_CACHE_AWARE_DISPATCH on, a job meeting an idle worker skips the pool consumer

    def label(self) -> str:
        """The setting in one short line."""
        office = f" office {self.office_min}" if self.office_min else ""
        office += " cache-aware" if self.cache_aware else ""
        return (f"lag {self.lag_threshold} act {self.activation} min {self.min_replicas} max {self.max_replicas} "
                f"cool {self.cooldown_s:g} poll {self.polling_s:g} up {self.up_window_s:g} "
                f"down {self.down_window_s:g}{office}")


@dataclass(frozen=True)
class Cluster:
    """How long a pod takes to serve, and the HPA controller's settings."""

    node_start_s: tuple[float, float] = (60.0, 180.0)  # Karpenter: NodeClaim to a Ready GPU node
    image_pull_s: tuple[float, float] = (45.0, 120.0)  # the CUDA worker image (~10 GB), once per node
    container_start_s: tuple[float, float] = (5.0, 15.0)  # Python, torch, the CUDA context
    model_load_s: tuple[float, float] = MODELS["sd15"]["model_load_s"]  # object store -> disk -> GPU
    node_linger_s: float = 60.0  # an empty node's life before Karpenter removes it (its consolidateAfter)
    hpa_sync_s: float = 15.0
    tolerance: float = 0.1
    up_pods: int = 4
    up_percent: float = 100.0
    up_period_s: float = 15.0


# The default sweep: the chart's defaults, then one value changed at a time, then KEDA's and the HPA's own
# defaults (cooldownPeriod 300 s, no scale-up window) and a fixed fleet sized for the peak.
SWEEP = [Scaling(), Scaling(up_window_s=0), Scaling(up_window_s=120), Scaling(cooldown_s=300),
         Scaling(cooldown_s=1800), Scaling(down_window_s=120), Scaling(min_replicas=1), Scaling(office_min=1),
         Scaling(lag_threshold=2), Scaling(activation=2), Scaling(max_replicas=6), Scaling(max_replicas=12),
         Scaling(polling_s=5), Scaling(polling_s=30), Scaling(cache_aware=1), Scaling(cooldown_s=300, up_window_s=0),
         Scaling(min_replicas=6, max_replicas=6)]


def hpa_desired(metric: float, target: float, current: int, tolerance: float = 0.1) -> int:
    """The HPA's replicas for an AverageValue target: unchanged while metric / (target x current) is near 1."""
    if abs(metric / (target * current) - 1.0) <= tolerance:
        return current
    return math.ceil(metric / target)


def daily_rate(t: np.ndarray, peak: float, night: float) -> np.ndarray:
    """Jobs/s at times t: `night` outside 07:00-21:00, rising on a sin^2 curve to `peak` at 14:00."""
    hour = (np.asarray(t) % DAY) / 3600.0
    bump = np.where((hour > 7) & (hour < 21), np.sin(np.pi * (hour - 7) / 14) ** 2, 0.0)
    return night + (peak - night) * bump


def spread(rng: np.random.Generator, lo: float, hi: float, size: int | None = None) -> np.ndarray | float:
    """Log-normal draws whose 5th and 95th percentiles are lo and hi (lo == hi: always lo)."""
    return rng.lognormal(math.log(math.sqrt(lo * hi)), math.log(hi / lo) / (2 * 1.645), size)


def workload(kind: str, hours: float, *, rate: float, peak: float, night: float, bursts_per_hour: float,
             burst_size: int, burst_spread_s: float, job_s: tuple[float, float],
             seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted arrival times and each job's GPU seconds."""
    rng, horizon = np.random.default_rng(seed), hours * 3600.0
    if kind == "daily":  # thinning: a Poisson stream at the peak rate, each arrival kept with odds rate(t)/peak
        t = rng.uniform(0.0, horizon, rng.poisson(peak * horizon))
        t = t[rng.uniform(0.0, peak, t.size) < daily_rate(t, peak, night)]
    else:
        t = rng.uniform(0.0, horizon, rng.poisson(rate * horizon))
    starts = rng.uniform(0.0, horizon, rng.poisson(bursts_per_hour * hours))
    if kind == "daily":  # people send batches when they work: bursts follow the curve, bursts_per_hour at its peak
        starts = starts[rng.uniform(0.0, peak, starts.size) < daily_rate(starts, peak, night)]
    burst = (starts[:, None] + rng.uniform(0.0, burst_spread_s, (starts.size, burst_size))).ravel()
    arrive_at = np.sort(np.concatenate([t, burst[burst < horizon]]))
    return arrive_at, spread(rng, *job_s, arrive_at.size)


@dataclass(slots=True, eq=False)
class Node:
    """A GPU node; `lease` changes whenever a pod takes or leaves it, so a stale removal can tell."""

    up_since: float
    ready_at: float
    has_image: bool = False
    lease: int = 0


@dataclass(slots=True, eq=False)
class Pod:
    """One worker: one job at a time."""

    node: Node
    created: float
    ready_at: float | None = None
    job_start: float | None = None
    seen: bool = False  # its job came through worker-{pool}, so KEDA counts it
    draining: bool = False
    gone: bool = False


ARRIVE, READY, DONE, KEDA, HPA, EXPIRE = range(6)


class Pool:
    """One pool under one Scaling, fed one workload; run() returns its figures.

    The event loop is a heap of (time, sequence, kind, payload): one FIFO queue, workers that take one job at a
    time and two periodic controllers need no process or resource machinery (simpy's), and the sequence number
    orders simultaneous events in the order they were scheduled, so a seed gives the same figures every time.
    """

    def __init__(self, scaling: Scaling, cluster: Cluster, arrive_at: np.ndarray, gpu_s: np.ndarray,
                 horizon_s: float, seed: int = 0) -> None:
        self.s, self.c, self.arrive_at, self.gpu_s, self.horizon = scaling, cluster, arrive_at, gpu_s, horizon_s
        self.rng = np.random.default_rng([seed, 1])  # start times: a stream apart from the jobs'
        self.now, self.events, self.seq = 0.0, [], itertools.count()
        self.queue: deque[int] = deque()  # num_pending
        self.idle: deque[Pod] = deque()  # ready workers with a pull request waiting
        self.pods: list[Pod] = []  # the Deployment's replicas (draining pods are no longer among them)
        self.free_nodes: list[Node] = []
        self.nodes_up: set[Node] = set()
        self.in_flight = 0  # num_ack_pending: running jobs that came through worker-{pool}
        self.wait = np.full(arrive_at.size, np.nan)
        self.cold = np.zeros(arrive_at.size, dtype=bool)  # arrived while the pool was at zero replicas
        self.busy_s = self.node_s = 0.0
        self.recommendations: deque[tuple[float, int]] = deque()
        self.scale_ups: deque[tuple[float, int]] = deque()
        self.last_active = -math.inf
        self.timeline: list[tuple[float, int]] = []  # (time, replicas) at every change
        self.nodes_made = self.wakeups = 0

    def at(self, t: float, kind: int, payload=None) -> None:
        """Schedule an event."""
        heapq.heappush(self.events, (t, next(self.seq), kind, payload))

    def lag(self) -> int:
        """What the nats-jetstream scaler reads now."""
        return len(self.queue) + self.in_flight

    def office(self) -> bool:
        """Whether the cron trigger, if any, holds its replicas now."""
        hour = self.now % DAY / 3600.0
        return bool(self.s.office_min) and OFFICE_HOURS[0] <= hour < OFFICE_HOURS[1]

    def run(self) -> dict:
        """Simulate up to the horizon and return the figures."""
        for _ in range(self.s.min_replicas):  # a pool held at min starts the day warm
            self.start_pod(warm=True)
        self.timeline.append((0.0, len(self.pods)))
        if self.arrive_at.size:
            self.at(float(self.arrive_at[0]), ARRIVE, 0)
        self.at(0.0, KEDA)
        self.at(0.0, HPA)
        handle = {ARRIVE: self.arrive, READY: self.ready, DONE: self.done, KEDA: self.keda, HPA: self.hpa,
                  EXPIRE: self.expire}
        while self.events and self.events[0][0] <= self.horizon:
            self.now, _, kind, payload = heapq.heappop(self.events)
            handle[kind](payload)
        return self.figures()

    # -- jobs and workers
    def arrive(self, i: int) -> None:
        """Job i is submitted."""
        self.cold[i] = not self.pods
        if self.s.cache_aware and self.idle:  # to an idle worker's own consumer: not in worker-{pool}'s lag
            self.begin(self.idle.popleft(), i, seen=False)
        else:
            self.queue.append(i)
            self.dispatch()
        if i + 1 < self.arrive_at.size:
            self.at(float(self.arrive_at[i + 1]), ARRIVE, i + 1)

    def dispatch(self) -> None:
        """Idle workers take the oldest jobs."""
        while self.queue and self.idle:
            self.begin(self.idle.popleft(), self.queue.popleft())

    def begin(self, pod: Pod, i: int, seen: bool = True) -> None:
        """The worker starts job i."""
        self.wait[i] = self.now - self.arrive_at[i]
        pod.job_start, pod.seen = self.now, seen
        self.in_flight += seen
        self.at(self.now + float(self.gpu_s[i]), DONE, pod)

    def ready(self, pod: Pod) -> None:
        """The pod's model is loaded: it pulls jobs from now on (unless deleted while it started)."""
        pod.node.has_image = True
        if not pod.gone:
            pod.ready_at = self.now
            self.idle.append(pod)
            self.dispatch()

    def done(self, pod: Pod) -> None:
        """The pod's job ends: ack, then the next job or, if it was deleted meanwhile, exit."""
        self.in_flight -= pod.seen
        self.busy_s += self.now - pod.job_start
        pod.job_start = None
        if pod.draining:
            self.release(pod.node)
        else:
            self.idle.append(pod)
            self.dispatch()

    # -- the controllers
    def keda(self, _) -> None:
        """KEDA's own loop: activation (0 -> 1) and, after cooldownPeriod inactive, scale to zero."""
        self.at(self.now + self.s.polling_s, KEDA)
        active = self.lag() > self.s.activation or self.office()
        if active:
            self.last_active = self.now
        if not self.pods and active:
            self.wakeups += 1
            self.scale_to(max(1, self.s.min_replicas))
        elif (self.pods and not active and self.s.min_replicas == 0
              and self.now - self.last_active >= self.s.cooldown_s):
            self.scale_to(0)

    def hpa(self, _) -> None:
        """The HPA KEDA creates: one sync of its replica calculation, stabilization and rate limits."""
        self.at(self.now + self.c.hpa_sync_s, HPA)
        current, s, c = len(self.pods), self.s, self.c
        if not current:  # at zero replicas the HPA stands aside; KEDA wakes the pool
            return
        desired = hpa_desired(self.lag(), s.lag_threshold, current, c.tolerance)
        if self.office():  # with several metrics the HPA takes the largest proposal
            desired = max(desired, hpa_desired(s.office_min, 1, current, c.tolerance))
        recs = self.recommendations  # up to the lowest desire within the up window, down to the highest
        while recs and recs[0][0] <= self.now - max(s.up_window_s, s.down_window_s):
            recs.popleft()
        up = min([desired] + [r for t, r in recs if t > self.now - s.up_window_s])
        down = max([desired] + [r for t, r in recs if t > self.now - s.down_window_s])
        recs.append((self.now, desired))
        target = min(max(current, up), down)
        if target > current:
            while self.scale_ups and self.scale_ups[0][0] <= self.now - c.up_period_s:
                self.scale_ups.popleft()
            base = current - sum(n for _, n in self.scale_ups)  # replicas when the current period began
            limit = max(base + c.up_pods, math.ceil(base * (1 + c.up_percent / 100)), current)
            target = min(target, limit)
        target = min(max(target, 1, s.min_replicas), s.max_replicas)
        if target > current:
            self.scale_ups.append((self.now, target - current))
        if target != current:
            self.scale_to(target)

    # -- pods and nodes
    def scale_to(self, n: int) -> None:
        """Set the Deployment's replicas: new pods start; the ReplicaSet picks which go, knowing nothing of jobs."""
        while len(self.pods) < n:
            self.start_pod()
        doomed = sorted(self.pods, key=lambda p: (p.ready_at is not None,
                                                  -(p.created if p.ready_at is None else p.ready_at)))
        for pod in doomed[:len(self.pods) - n]:
            self.stop_pod(pod)
        self.timeline.append((self.now, n))

    def start_pod(self, warm: bool = False) -> None:
        """A new replica, on an empty node still up or a new one (warm: ready at once, for the initial minimum)."""
        c, rng = self.c, self.rng
        if self.free_nodes:  # an empty node still up: no provisioning
            node = self.free_nodes.pop()
            node.lease += 1
            ready = max(self.now, node.ready_at)
        else:
            ready = self.now if warm else self.now + rng.uniform(*c.node_start_s)
            node = Node(self.now, ready)
            node.has_image = warm
            self.nodes_up.add(node)
            self.nodes_made += not warm
        if not warm:
            ready += (0.0 if node.has_image else rng.uniform(*c.image_pull_s))
            ready += rng.uniform(*c.container_start_s) + rng.uniform(*c.model_load_s)
        pod = Pod(node, self.now)
        self.pods.append(pod)
        self.at(ready, READY, pod)

    def stop_pod(self, pod: Pod) -> None:
        """The ReplicaSet deletes the pod: a starting or idle one goes at once, a busy one after its job."""
        self.pods.remove(pod)
        if pod.ready_at is None:
            pod.gone = True
            self.release(pod.node)
        elif pod.job_start is not None:
            pod.draining = True  # SIGTERM: no more fetches; the node frees when its job is done
        else:
            self.idle.remove(pod)
            self.release(pod.node)

    def release(self, node: Node) -> None:
        """The node is empty: Karpenter removes it after the linger unless a new pod lands on it."""
        node.lease += 1
        self.free_nodes.append(node)
        self.at(max(self.now, node.ready_at) + self.c.node_linger_s, EXPIRE, (node, node.lease))

    def expire(self, payload: tuple[Node, int]) -> None:
        """Karpenter removes an empty node; its uptime goes on the bill."""
        node, lease = payload
        if node.lease == lease:  # nobody took it since it emptied
            self.free_nodes.remove(node)
            self.nodes_up.discard(node)
            self.node_s += self.now - node.up_since

    def figures(self) -> dict:
        """What a planner reads: queue waits, GPU-hours billed and busy."""
        end = self.horizon
        busy = self.busy_s + sum(end - p.job_start for _, _, kind, p in self.events
                                 if kind == DONE and p.job_start is not None)
        billed = self.node_s + sum(end - n.up_since for n in self.nodes_up)
        served = ~np.isnan(self.wait)
        waits, cold = self.wait[served], self.wait[served & self.cold]
        pct = lambda xs, q: float(np.percentile(xs, q)) if xs.size else None  # noqa: E731
        return {"setting": self.s.label(), "scaling": asdict(self.s), "jobs": int(self.arrive_at.size),
                "served": int(served.sum()), "wait_p50_s": pct(waits, 50), "wait_p95_s": pct(waits, 95),
                "wait_p99_s": pct(waits, 99), "wait_max_s": pct(waits, 100), "cold_jobs": int(self.cold.sum()),
                "cold_p95_s": pct(cold, 95), "wakeups": self.wakeups, "nodes_started": self.nodes_made,
                "peak_replicas": max(n for _, n in self.timeline), "gpu_hours": billed / 3600,
                "busy_gpu_hours": busy / 3600, "idle_share": 1 - busy / billed if billed else 0.0}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    load = p.add_argument_group("load")
    load.add_argument("--arrivals", choices=("steady", "bursty", "daily"), default="daily")
    load.add_argument("--hours", type=float, default=24.0, help="simulated time, from midnight (default 24)")
    load.add_argument("--rate", type=float, default=0.5, help="jobs/s of steady and bursty (default 0.5)")
    load.add_argument("--peak", type=float, default=3.0, help="daily: jobs/s at 14:00 (default 3)")
    load.add_argument("--night", type=float, default=0.001, help="daily: jobs/s outside 07:00-21:00 (default 0.001)")
    load.add_argument("--bursts-per-hour", type=float, help="daily: at 14:00 (default 0 for steady, 2 otherwise)")
    load.add_argument("--burst-size", type=int, default=50, help="jobs per burst (default 50)")
    load.add_argument("--burst-spread", type=float, default=5.0, help="seconds a burst's jobs arrive within")
    load.add_argument("--model", choices=sorted(MODELS), default="sd15", help="job and model load times (sd15)")
    load.add_argument("--job-s", type=float, nargs=2, metavar=("P5", "P95"), help="GPU seconds per job")
    pods = p.add_argument_group("pods")
    pods.add_argument("--node-start", type=float, nargs=2, default=Cluster.node_start_s, metavar=("LO", "HI"))
    pods.add_argument("--image-pull", type=float, nargs=2, default=Cluster.image_pull_s, metavar=("LO", "HI"))
    pods.add_argument("--container-start", type=float, nargs=2, default=Cluster.container_start_s,
                      metavar=("LO", "HI"))
    pods.add_argument("--model-load", type=float, nargs=2, metavar=("LO", "HI"))
    pods.add_argument("--node-linger", type=float, default=Cluster.node_linger_s, help="s an empty node lives")
    keda = p.add_argument_group("scaling (each takes several values; without any, the default sweep)")
    keda.add_argument("--lag-threshold", type=int, nargs="+")
    keda.add_argument("--activation", type=int, nargs="+", help="activationLagThreshold")
    keda.add_argument("--min", type=int, nargs="+", dest="min_replicas", help="minReplicaCount")
    keda.add_argument("--max", type=int, nargs="+", dest="max_replicas", help="maxReplicaCount")
    keda.add_argument("--cooldown", type=float, nargs="+", dest="cooldown_s", help="cooldownPeriod, s")
    keda.add_argument("--polling", type=float, nargs="+", dest="polling_s", help="pollingInterval, s")
    keda.add_argument("--up-window", type=float, nargs="+", dest="up_window_s",
                      help="the HPA's scale-up stabilization window, s (chart: 60; Kubernetes: 0)")
    keda.add_argument("--down-window", type=float, nargs="+", dest="down_window_s",
                      help="the HPA's scale-down stabilization window, s (default 300)")
    keda.add_argument("--office-min", type=int, nargs="+", help="replicas a cron trigger holds 08:00-18:00")
    keda.add_argument("--cache-aware", type=int, nargs="+", choices=(0, 1),
                      help="1: Easel's cache-aware dispatch on (jobs for idle workers bypass the pool consumer)")
    p.add_argument("--price", type=float, default=4.0, help="$ per GPU-hour (default 4)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", action="store_true", help="also print the results as one JSON line")
    return p.parse_args(argv)


def settings(args: argparse.Namespace) -> list[Scaling]:
    """The sweep, or every combination of the scaling values on the command line."""
    names = [f.name for f in fields(Scaling)]
    given = {n: getattr(args, n) for n in names if getattr(args, n) is not None}
    if not given:
        return SWEEP
    values = [given.get(n, [getattr(Scaling(), n)]) for n in names]
    return [Scaling(**dict(zip(names, combo, strict=True))) for combo in itertools.product(*values)]


def report(args: argparse.Namespace, rows: list[dict], jobs: int, busy_h: float) -> None:
    """Print the load and one line per setting."""
    hours = args.hours
    print(f"load: {args.arrivals}, {jobs} jobs in {hours:g} h ({jobs / hours / 3600:.3f} jobs/s on average), "
          f"{args.model} jobs {args.job_s[0]:g}-{args.job_s[1]:g} GPU-s (p5-p95), {busy_h:.2f} busy GPU-hours")
    print(f"pods: node {args.node_start[0]:g}-{args.node_start[1]:g} s, image pull {args.image_pull[0]:g}-"
          f"{args.image_pull[1]:g} s, container {args.container_start[0]:g}-{args.container_start[1]:g} s, model "
          f"load {args.model_load[0]:g}-{args.model_load[1]:g} s, empty node lingers {args.node_linger:g} s; "
          f"${args.price:g}/GPU-hour; seed {args.seed}")
    width = max(len(r["setting"]) for r in rows)
    print(f"\n{'setting':<{width}}  {'wait s: p50':>11} {'p95':>6} {'p99':>6} {'max':>6}  {'served':>6}  "
          f"{'cold':>5} {'cold p95':>8}  {'peak':>4} {'nodes':>5}  {'GPU-h':>6} {'busy':>6} {'idle':>5} {'cost $':>7}")
    num = lambda v, spec: "-" if v is None else format(v, spec)  # noqa: E731  (no job: no wait figure)
    for r in rows:
        print(f"{r['setting']:<{width}}  {num(r['wait_p50_s'], '.1f'):>11} {num(r['wait_p95_s'], '.1f'):>6} "
              f"{num(r['wait_p99_s'], '.1f'):>6} {num(r['wait_max_s'], '.0f'):>6}  {r['served']:>6}  "
              f"{r['cold_jobs']:>5} {num(r['cold_p95_s'], '.0f'):>8}  {r['peak_replicas']:>4} {r['nodes_started']:>5}  "
              f"{r['gpu_hours']:>6.1f} {r['busy_gpu_hours']:>6.1f} {r['idle_share']:>5.0%} {r['cost_usd']:>7.0f}")


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    args = parse_args(argv)
    args.job_s = tuple(args.job_s or MODELS[args.model]["job_s"])
    args.model_load = tuple(args.model_load or MODELS[args.model]["model_load_s"])
    if args.bursts_per_hour is None:
        args.bursts_per_hour = 0.0 if args.arrivals == "steady" else 2.0
    arrive_at, gpu_s = workload(args.arrivals, args.hours, rate=args.rate, peak=args.peak, night=args.night,
                                bursts_per_hour=args.bursts_per_hour, burst_size=args.burst_size,
                                burst_spread_s=args.burst_spread, job_s=args.job_s, seed=args.seed)
    cluster = Cluster(node_start_s=tuple(args.node_start), image_pull_s=tuple(args.image_pull),
                      container_start_s=tuple(args.container_start), model_load_s=args.model_load,
                      node_linger_s=args.node_linger)
    rows = []
    for scaling in settings(args):
        row = Pool(scaling, cluster, arrive_at, gpu_s, args.hours * 3600, seed=args.seed).run()
        rows.append(row | {"cost_usd": row["gpu_hours"] * args.price})
    report(args, rows, arrive_at.size, float(gpu_s.sum()) / 3600)
    if args.json:
        print(json.dumps({"load": {k: v for k, v in vars(args).items() if k != "json"}, "results": rows}))


if __name__ == "__main__":
    main()
