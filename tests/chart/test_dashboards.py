"""The chart's Grafana dashboards: each parses as a Grafana dashboard model (grafana-foundation-sdk), is what
tools/gen_dashboards.py writes, asks only for metrics the code registers (or the listed external ones), in PromQL
that promtool parses."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import yaml
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.cog.plugins import register_default_plugins
from grafana_foundation_sdk.models.dashboard import Dashboard

from chart_helpers import CHART, CI_VALUES, ROOT
from promql import EXTERNAL, metric_names, promtool, registered_series

DASHBOARDS = sorted((CHART / "dashboards").glob("*.json"))


def expressions(model: dict) -> list[str]:
    found = [t["expr"] for p in model["panels"] for t in p.get("targets", []) if "expr" in t]
    found += [v["query"] for v in model.get("templating", {}).get("list", []) if v.get("type") == "query"]
    return found


def as_promql(expr: str) -> str:
    """A panel's expression as Prometheus gets it, once Grafana has put in its variables."""
    expr = re.sub(r"\$__(rate_interval|range|interval)\b", "5m", expr)
    return re.sub(r"\$\{?\w+\}?", ".*", expr)  # a variable's All value


@pytest.fixture(scope="module")
def series() -> set[str]:
    return registered_series()


def test_the_three_dashboards_are_shipped():
    assert [p.stem for p in DASHBOARDS] == ["gpu-pools", "overview", "tenancy"]


@pytest.mark.parametrize("path", DASHBOARDS, ids=[p.stem for p in DASHBOARDS])
def test_a_dashboard_is_a_valid_grafana_model(path):
    register_default_plugins()
    model = json.loads(path.read_text())
    parsed = Dashboard.from_json(model)
    # the SDK's types keep every field Grafana knows: a field it drops or retypes is not Grafana's
    assert json.loads(JSONEncoder().encode(parsed)) == model
    ids = [p["id"] for p in model["panels"]]
    assert len(set(ids)) == len(ids)
    for panel in model["panels"]:  # on Grafana's 24-column grid
        pos = panel["gridPos"]
        assert all(isinstance(pos[k], int) for k in "hwxy") and pos["x"] + pos["w"] <= 24, panel["title"]
    assert all(p.get("datasource", {}).get("uid") == "${datasource}" for p in model["panels"] if p["type"] != "row")
    assert all(t.get("datasource", {}).get("uid") == "${datasource}" for p in model["panels"]
               for t in p.get("targets", []))


@pytest.mark.parametrize("path", DASHBOARDS, ids=[p.stem for p in DASHBOARDS])
def test_every_metric_a_dashboard_asks_for_is_registered(path, series):
    asked = {m for expr in expressions(json.loads(path.read_text())) for m in metric_names(expr)}
    unknown = asked - series - set(EXTERNAL)
    assert asked and not unknown, f"not registered by any Easel process, nor external: {sorted(unknown)}"


def test_each_dashboard_ships_in_a_configmap_for_the_grafana_sidecar(render):
    minimal = next(p for p in CI_VALUES if p.stem == "minimal-values")
    objects = render(minimal, {"grafana": {"dashboards": {"enabled": True}}})
    shipped = {name: json.loads(text) for o in objects if o["kind"] == "ConfigMap"
               and o["metadata"]["labels"].get("grafana_dashboard") == "1" for name, text in o["data"].items()}
    assert shipped == {p.name: json.loads(p.read_text()) for p in DASHBOARDS}


def test_the_dashboards_pick_pools_and_tenants():
    variables = {p.stem: {v["name"]: v for v in json.loads(p.read_text())["templating"]["list"]} for p in DASHBOARDS}
    assert set(variables["overview"]) == set(variables["gpu-pools"]) == {"datasource", "pool"}
    assert set(variables["tenancy"]) == {"datasource", "tenant"}
    for board, by in (("overview", "pool"), ("gpu-pools", "pool"), ("tenancy", "tenant")):
        assert variables[board][by]["multi"] and variables[board][by]["includeAll"]


def test_every_expression_is_promql_that_promtool_parses(tmp_path):
    rules = [{"record": f"easel_dashboard:{path.stem.replace('-', '_')}:{n}", "expr": as_promql(expr)}
             for path in DASHBOARDS for n, expr in enumerate(expressions(json.loads(path.read_text())))
             if not expr.startswith("label_values(")]
    (tmp_path / "panels.yaml").write_text(yaml.safe_dump({"groups": [{"name": "panels", "rules": rules}]}))
    result = promtool("check", "rules", "panels.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_gpu_panels_join_the_dcgm_exporters_gpus_to_the_worker_pools(tmp_path):
    """Two sd15 workers with a GPU each, an sdxl worker with two, and a GPU of something else in the cluster."""
    panels = {p["title"]: p for p in json.loads((CHART / "dashboards" / "gpu-pools.json").read_text())["panels"]}

    def by_pool(title: str) -> str:
        return as_promql(panels[title]["targets"][0]["expr"])

    def worker(metric: str, pod: str, values: str, **labels: str) -> dict:
        extra = "".join(f', {k}="{v}"' for k, v in labels.items())
        return {"series": f'{metric}{{namespace="easel", pod="{pod}"{extra}}}', "values": values}

    pods = {"easel-worker-sd15-1": "sd15", "easel-worker-sd15-2": "sd15", "easel-worker-sdxl-1": "sdxl"}
    series = [worker("easel_worker_busy", pod, "1x10", pool=pool, container="gpu-worker") for pod, pool in pods.items()]
    series += [worker("DCGM_FI_DEV_GPU_UTIL", pod, f"{util}x10", gpu=gpu) for pod, gpu, util in [
        ("easel-worker-sd15-1", "0", 80), ("easel-worker-sd15-2", "0", 40), ("easel-worker-sdxl-1", "0", 90),
        ("easel-worker-sdxl-1", "1", 70), ("trainer-abc", "0", 99)]]
    series += [worker(f"DCGM_FI_DEV_FB_{kind}", pod, f"{mib}x10", gpu="0") for pod, kind, mib in [
        ("easel-worker-sd15-1", "USED", 12000), ("easel-worker-sd15-1", "FREE", 12000),
        ("easel-worker-sd15-2", "USED", 0), ("easel-worker-sd15-2", "FREE", 24000)]]
    series += [worker("easel_worker_model_cache_hits_total", "easel-worker-sd15-1", "0+3x10", kind="checkpoint"),
               worker("easel_worker_model_cache_misses_total", "easel-worker-sd15-1", "0+1x10", kind="checkpoint")]
    expected = [("GPU utilisation, by pool", {"sd15": 60, "sdxl": 80}), ("GPU memory used, by pool", {"sd15": 0.25}),
                ("Model cache hit rate, by pool", {"sd15": 0.75})]
    tests = [{"expr": by_pool(title), "eval_time": "8m",
              "exp_samples": [{"labels": f'{{pool="{pool}"}}', "value": value} for pool, value in values.items()]}
             for title, values in expected]
    (tmp_path / "gpu.yaml").write_text(yaml.safe_dump({"rule_files": [], "tests": [
        {"interval": "1m", "input_series": series, "promql_expr_test": tests}]}))
    result = promtool("test", "rules", "gpu.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_metric_names_are_read_from_promql_as_prometheus_would():
    assert metric_names('histogram_quantile(0.95, sum by (le, pool) (rate(a_bucket{pool=~"$pool"}[$__rate_interval])))'
                        ) == {"a_bucket"}
    assert metric_names('label_replace(increase(b_total{x="y"}[30m]), "pool", "$1", "pod", "w-(.+)") >= 3 '
                        "and on (pool) max by (pool) (c) == 0 unless d offset 5m") == {"b_total", "c", "d"}
    assert metric_names("(e * on (namespace, pod) group_left (pool) group by (namespace, pod, pool) (f)) > 1e3"
                        ) == {"e", "f"}
    assert metric_names("label_values(g_total, tenant)") == {"g_total"}


def test_the_dashboards_are_what_the_generator_writes():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_dashboards.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
