"""The chart's Grafana dashboards: each parses as a Grafana dashboard model (grafana-foundation-sdk), is what
tools/gen_dashboards.py writes, and asks only for metrics the code registers."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.cog.plugins import register_default_plugins
from grafana_foundation_sdk.models.dashboard import Dashboard

from chart_helpers import CHART, ROOT

DASHBOARDS = sorted((CHART / "dashboards").glob("*.json"))
# Where every Prometheus metric of Easel is registered (importing them registers them).
METRIC_MODULES = ("easel_gateway.main", "easel_auth.main", "easel_registry.main", "easel_jobs.main",
                  "easel_worker.worker", "easel_worker.cache")
SUFFIXES = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_count", "_sum", "_created"),
            "gauge": ("",), "summary": ("_count", "_sum", "_created"), "info": ("_info",)}


def registered_series() -> set[str]:
    """Every series name the code's metrics expose, read from prometheus_client's registry in a fresh process."""
    code = ("import json, importlib; from prometheus_client import REGISTRY\n"
            f"for m in {METRIC_MODULES!r}: importlib.import_module(m)\n"
            "print(json.dumps([[f.name, f.type] for f in REGISTRY.collect() if f.name.startswith('easel_')]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return {name + suffix for name, kind in json.loads(result.stdout) for suffix in SUFFIXES[kind]}


def expressions(model: dict) -> list[str]:
    found = [t["expr"] for p in model["panels"] for t in p.get("targets", []) if "expr" in t]
    found += [v["query"] for v in model.get("templating", {}).get("list", []) if v.get("type") == "query"]
    return found


@pytest.fixture(scope="module")
def series() -> set[str]:
    return registered_series()


def test_there_is_a_dashboard_and_it_is_shipped():
    assert [p.stem for p in DASHBOARDS] == ["overview"]


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


@pytest.mark.parametrize("path", DASHBOARDS, ids=[p.stem for p in DASHBOARDS])
def test_every_metric_a_dashboard_asks_for_is_registered(path, series):
    asked = {m for expr in expressions(json.loads(path.read_text())) for m in re.findall(r"\beasel_\w+", expr)}
    assert asked and asked <= series, f"not registered by any Easel process: {sorted(asked - series)}"


def test_the_dashboards_are_what_the_generator_writes():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_dashboards.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
