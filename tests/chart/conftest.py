"""Render charts/easel with the real helm binary (tools/install_helm.py puts it next to the venv's python).

The chart's NATS dependency is replaced by tests/chart/nats-stub (no network here): a chart of the same name that
renders the values it receives, so tests check what the official NATS chart would be given.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from chart_helpers import CHART, STUB, HelmFailed, helm_binary, pools_of, values_of


@pytest.fixture(scope="session")
def helm(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., subprocess.CompletedProcess]:
    """Run helm offline, with its cache and config in a temp dir."""
    home = tmp_path_factory.mktemp("helm-home")
    env = {**os.environ, "HELM_CACHE_HOME": str(home / "cache"), "HELM_CONFIG_HOME": str(home / "config"),
           "HELM_DATA_HOME": str(home / "data")}
    binary = helm_binary()

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(binary), *args], capture_output=True, text=True, env=env, timeout=120)

    return run


@pytest.fixture(scope="session")
def chart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """charts/easel as helm would package it after `helm dependency build`, with the stub for NATS."""
    copy = tmp_path_factory.mktemp("chart") / "easel"
    shutil.copytree(CHART, copy)
    shutil.copytree(STUB, copy / "charts" / "nats")
    return copy


@pytest.fixture(scope="session")
def identities(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """`easel nats-config` for these pools and namespace: the folder with nats-values.yaml and the Secret."""
    made: dict[tuple, Path] = {}

    def make(pools: list[str], namespace: str = "easel") -> Path:
        key = (tuple(pools), namespace)
        if key not in made:
            out = tmp_path_factory.mktemp("nats-config")
            env = {**os.environ, "EASEL_POOLS": json.dumps(pools), "EASEL_NAMESPACE": namespace}
            subprocess.run([str(Path(sys.executable).with_name("easel")), "nats-config", "--out", str(out)],
                           env=env, check=True, capture_output=True)
            made[key] = out
        return made[key]

    return make


@pytest.fixture(scope="session")
def render(helm, chart, identities, tmp_path_factory) -> Callable[..., list[dict]]:
    """Render the chart as `helm install` would with these values (files and/or dicts, later ones winning) on top
    of the nats-values.yaml `easel nats-config` writes for their pools; returns the objects."""
    scratch = tmp_path_factory.mktemp("values")

    def run(*values: Path | dict, release: str = "easel", namespace: str = "easel", pools: list[str] | None = None,
            nats_namespace: str = "easel") -> list[dict]:
        files = []
        merged_pools = None
        for i, v in enumerate(values):
            if isinstance(v, dict):
                path = scratch / f"{len(list(scratch.iterdir()))}-{i}.yaml"
                path.write_text(yaml.safe_dump(v))
                v = path
            files.append(v)
            if pools is None and "pools" in values_of(v).get("workers", {}):
                merged_pools = pools_of(values_of(v))
        made_for = pools or merged_pools or ["default"]
        args = ["template", release, str(chart), "-n", namespace, "--kube-version", "1.33.0",
                "-f", str(identities(made_for, nats_namespace) / "nats-values.yaml")]
        for f in files:
            args += ["-f", str(f)]
        result = helm(*args)
        if result.returncode != 0:
            raise HelmFailed(result.stderr.strip())
        return [doc for doc in yaml.safe_load_all(result.stdout) if doc]

    return run
