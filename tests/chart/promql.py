"""What the chart's PromQL (dashboards and alerts) asks Prometheus for: the metric names in an expression, the metrics
Easel's code registers, the external ones it may use, and promtool, which checks the expressions themselves."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from chart_helpers import ROOT

# Where every Prometheus metric of Easel is registered (importing them registers them).
METRIC_MODULES = ("easel_gateway.main", "easel_auth.main", "easel_registry.main", "easel_jobs.main",
                  "easel_worker.worker", "easel_worker.cache")
SUFFIXES = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_count", "_sum", "_created"),
            "gauge": ("",), "summary": ("_count", "_sum", "_created"), "info": ("_info",)}
# Metrics of other exporters that panels and alerts may use, each with where it comes from.
EXTERNAL = {
    "DCGM_FI_DEV_GPU_UTIL": "NVIDIA DCGM exporter: GPU utilisation, percent",
    "DCGM_FI_DEV_FB_USED": "NVIDIA DCGM exporter: GPU memory used, MiB",
    "DCGM_FI_DEV_FB_FREE": "NVIDIA DCGM exporter: GPU memory free, MiB",
    "kube_pod_container_status_restarts_total": "kube-state-metrics: container restarts",
}
_KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan", "atan2"}
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGES = re.compile(r"\[[^\[\]]*\]")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_LABEL_VALUES = re.compile(r"^label_values\(\s*([A-Za-z_:][\w:]*)")


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression (or a Grafana label_values() variable query) selects."""
    found = _LABEL_VALUES.match(expr.strip())
    if found:
        return {found.group(1)}
    rest = _STRING.sub('""', expr)  # label values, label_replace's arguments
    rest = _MATCHERS.sub(" ", rest)
    rest = _RANGES.sub(" ", rest)  # [5m], [$__rate_interval], subqueries
    rest = _GROUPING.sub(" ", rest)  # label names
    names = set()
    for match in re.finditer(r"(?<![\w$.])([A-Za-z_:][\w:]*)(\s*\()?", rest):
        name, call = match.groups()
        if not call and name.lower() not in _KEYWORDS:
            names.add(name)
    return names


def registered_series() -> set[str]:
    """Every series name the code's metrics expose, read from prometheus_client's registry in a fresh process."""
    code = ("import json, importlib; from prometheus_client import REGISTRY\n"
            f"for m in {METRIC_MODULES!r}: importlib.import_module(m)\n"
            "print(json.dumps([[f.name, f.type] for f in REGISTRY.collect() if f.name.startswith('easel_')]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return {name + suffix for name, kind in json.loads(result.stdout) for suffix in SUFFIXES[kind]}


def promtool_binary() -> Path:
    promtool = Path(sys.executable).with_name("promtool")
    if not promtool.exists():
        pytest.fail(f"no promtool at {promtool}: `make install` puts it there "
                    f"(python tools/install_promtool.py {promtool})")
    return promtool


def promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(promtool_binary()), *args], capture_output=True, text=True, cwd=cwd, timeout=120)
