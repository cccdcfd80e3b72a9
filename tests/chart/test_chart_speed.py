"""GPU speed settings (compile, memory mode, dtype, xformers, a shared compile cache) per pool."""

from __future__ import annotations

import pytest

from chart_helpers import CHART, HelmFailed

MINIMAL = CHART / "ci" / "minimal-values.yaml"
SPEED = ("EASEL_COMPILE", "EASEL_MEMORY_MODE", "EASEL_DTYPE", "EASEL_XFORMERS", "EASEL_COMPILE_CACHE_DIR",
         "EASEL_COMPILE_CACHE_STORE")


def workers(objects: list[dict]) -> dict[str, dict]:
    """Each pool's worker pod spec, by pool."""
    out = {}
    for d in objects:
        if d["kind"] != "Deployment" or d["metadata"]["labels"].get("app.kubernetes.io/component") != "gpu-worker":
            continue
        pod = d["spec"]["template"]["spec"]
        env = {e["name"]: e.get("value") for e in pod["containers"][0]["env"]}
        out[env["EASEL_POOL"]] = {"env": {k: v for k, v in env.items() if k in SPEED}, "pod": pod}
    return out


def test_speed_defaults_and_a_pool_with_its_own(render):
    objects = render(MINIMAL, {"workers": {"pools": [
        {"name": "default"},
        {"name": "t4", "speed": {"memoryMode": "offload", "compile": "max-autotune", "compileCacheStore": True,
                                 "compileCacheVolume": {"persistentVolumeClaim": {"claimName": "compiled"}}}}]}})
    pools = workers(objects)
    assert pools["default"]["env"] == {"EASEL_COMPILE": "auto", "EASEL_MEMORY_MODE": "auto", "EASEL_DTYPE": "auto",
                                       "EASEL_XFORMERS": "false", "EASEL_COMPILE_CACHE_STORE": "false"}
    assert pools["t4"]["env"] == {"EASEL_COMPILE": "max-autotune", "EASEL_MEMORY_MODE": "offload",
                                  "EASEL_DTYPE": "auto", "EASEL_XFORMERS": "false", "EASEL_COMPILE_CACHE_STORE": "true",
                                  "EASEL_COMPILE_CACHE_DIR": "/var/cache/easel/compiled"}
    pod = pools["t4"]["pod"]
    assert {"name": "compile-cache", "persistentVolumeClaim": {"claimName": "compiled"}} in pod["volumes"]
    assert {"name": "compile-cache", "mountPath": "/var/cache/easel/compiled"} in pod["containers"][0]["volumeMounts"]


@pytest.mark.parametrize("speed", [{"compile": "fastest"}, {"memoryMode": "huge"}, {"dtype": "fp8"},
                                   {"tomesd": 0.5}])
def test_an_unknown_speed_value_is_refused(render, speed):
    with pytest.raises(HelmFailed):
        render(MINIMAL, {"workers": {"pools": [{"name": "default", "speed": speed}]}})
