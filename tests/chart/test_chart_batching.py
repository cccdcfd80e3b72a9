"""Cross-request batching is a setting of each pool: the workers' defaults (off), overridden per pool."""

from __future__ import annotations

import pytest

from chart_helpers import CHART, HelmFailed

MINIMAL = CHART / "ci" / "minimal-values.yaml"


def batching_env(objects: list[dict]) -> dict[str, dict[str, str]]:
    """Each pool's EASEL_BATCH_* settings, by pool."""
    out = {}
    for d in objects:
        if d["kind"] != "Deployment" or d["metadata"]["labels"].get("app.kubernetes.io/component") != "gpu-worker":
            continue
        env = {e["name"]: e.get("value") for e in d["spec"]["template"]["spec"]["containers"][0]["env"]}
        out[env["EASEL_POOL"]] = {k: v for k, v in env.items() if k.startswith("EASEL_BATCH_")}
    return out


def test_batching_is_off_by_default_and_set_per_pool(render):
    objects = render(MINIMAL, {"workers": {"pools": [{"name": "default"},
                                            {"name": "fast", "batching": {"maxJobs": 8, "waitMs": 20}}]}})
    assert batching_env(objects) == {
        "default": {"EASEL_BATCH_MAX_JOBS": "1", "EASEL_BATCH_MAX_IMAGES": "16", "EASEL_BATCH_WAIT_MS": "50"},
        "fast": {"EASEL_BATCH_MAX_JOBS": "8", "EASEL_BATCH_MAX_IMAGES": "16", "EASEL_BATCH_WAIT_MS": "20"},
    }


def test_an_unknown_or_impossible_batching_value_is_refused(render):
    for batching in ({"maxjobs": 4}, {"maxJobs": 0}):
        with pytest.raises(HelmFailed):
            render(MINIMAL, {"workers": {"pools": [{"name": "default", "batching": batching}]}})
