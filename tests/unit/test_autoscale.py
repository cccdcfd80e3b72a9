"""The autoscaling simulation (bench/autoscale.py) behaves as KEDA and the HPA would for a planner."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np

_spec = importlib.util.spec_from_file_location("autoscale", Path(__file__).parents[2] / "bench" / "autoscale.py")
autoscale = importlib.util.module_from_spec(_spec)
sys.modules["autoscale"] = autoscale  # dataclasses look their module up
_spec.loader.exec_module(autoscale)
Cluster, Pool, Scaling, hpa_desired = autoscale.Cluster, autoscale.Pool, autoscale.Scaling, autoscale.hpa_desired


def simulate(scaling, arrive_at, gpu_s, hours=1.0, seed=0):
    pool = Pool(scaling, Cluster(), np.asarray(arrive_at, float), np.asarray(gpu_s, float), hours * 3600, seed=seed)
    return pool, pool.run()


def test_with_no_jobs_the_pool_stays_at_zero_and_costs_nothing():
    pool, r = simulate(Scaling(), [], [], hours=24)
    assert r["peak_replicas"] == 0 and r["nodes_started"] == 0
    assert r["gpu_hours"] == 0 and r["served"] == 0


def test_light_steady_load_with_one_warm_worker_never_waits_longer_than_a_job():
    arrive_at, gpu_s = autoscale.workload("steady", 2, rate=0.02, peak=0, night=0, bursts_per_hour=0, burst_size=0,
                                          burst_spread_s=0, job_s=(1.0, 1.0), seed=3)
    _, r = simulate(Scaling(min_replicas=1), arrive_at, gpu_s, hours=2)
    assert r["served"] == r["jobs"] > 100
    assert r["cold_jobs"] == 0 and r["wait_max_s"] <= 1.0


def test_a_burst_scales_up_by_the_hpa_steps_to_max_then_to_zero_after_cooldown():
    scaling = Scaling(max_replicas=20, up_window_s=0, cooldown_s=300)
    pool, r = simulate(scaling, np.linspace(61, 63, 400), [2.0] * 400)
    replicas = [n for _, n in pool.timeline]
    assert replicas[:5] == [0, 1, 5, 10, 20]  # KEDA wakes it; then max(+4, x2) per 15 s
    assert r["served"] == 400
    last_done = max(pool.arrive_at + pool.wait + pool.gpu_s)
    zero_at, n = pool.timeline[-1]
    assert n == 0 and 300 - 15 <= zero_at - last_done <= 300 + 15
    assert r["gpu_hours"] > r["busy_gpu_hours"] > 0


def test_the_hpa_tolerance_keeps_replicas_near_the_target():
    assert hpa_desired(10.5, 1, 10) == 10 and hpa_desired(9.1, 1, 10) == 10  # within 10%: unchanged
    assert hpa_desired(11.5, 1, 10) == 12 and hpa_desired(8.5, 1, 10) == 9
    assert hpa_desired(21, 2, 10) == 10 and hpa_desired(0, 2, 3) == 0


def test_an_activation_threshold_above_zero_leaves_a_lone_job_waiting():
    _, stuck = simulate(Scaling(activation=1), [10.0], [1.5])
    _, woken = simulate(Scaling(activation=0), [10.0], [1.5])
    assert stuck["served"] == 0 and stuck["gpu_hours"] == 0
    assert woken["served"] == 1 and woken["wait_p50_s"] > 60  # a GPU node had to start


def test_the_same_seed_gives_the_same_figures(capsys):
    argv = ["--hours", "3", "--arrivals", "bursty", "--max", "4", "--json"]
    outputs = []
    for _ in range(2):
        autoscale.main(argv)
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    rows = json.loads(outputs[0].splitlines()[-1])["results"]
    assert rows[0]["served"] > 0 and rows[0]["peak_replicas"] <= 4
    autoscale.main([*argv, "--seed", "2"])
    assert capsys.readouterr().out != outputs[0]
