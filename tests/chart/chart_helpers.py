"""What the chart tests share besides fixtures: where things are, how helm fails, reading values files."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "charts" / "easel"
CI_VALUES = sorted((CHART / "ci").glob("*.yaml"))
STUB = Path(__file__).with_name("nats-stub")


class HelmFailed(Exception):
    """helm refused the chart or the values; the message is helm's."""


def helm_binary() -> Path:
    helm = Path(sys.executable).with_name("helm")
    if not helm.exists():
        pytest.fail(f"no helm at {helm}: `make install` puts it there (python tools/install_helm.py {helm})")
    return helm


def values_of(path: Path) -> dict:
    return yaml.safe_load(path.read_text()) or {}


def pools_of(values: dict) -> list[str]:
    return [p.get("name") for p in values.get("workers", {}).get("pools", [{"name": "default"}])]
