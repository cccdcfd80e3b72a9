"""skaffold.yaml (no skaffold binary here): what it builds exists, and each profile's Helm release renders the chart
as skaffold would hand it over (its values files, the hook's output, the built images)."""

from __future__ import annotations

import copy
import re

import pytest
import yaml

from chart_helpers import ROOT

SKAFFOLD = yaml.safe_load((ROOT / "skaffold.yaml").read_text())
COMPONENT_IMAGES = {"gateway": "easel-services", "auth": "easel-services", "registry": "easel-services",
                    "jobs": "easel-services", "workers": "easel-gpu-worker", "trainer": "easel-trainer"}


def patched(config: dict, patches: list[dict]) -> dict:
    """Apply a profile's JSON patches (the operations skaffold.yaml uses: add, replace, remove)."""
    config = copy.deepcopy(config)
    for patch in patches:
        *parents, last = [int(p) if p.isdigit() else p for p in patch["path"].strip("/").split("/")]
        node = config
        for key in parents:
            node = node[key]
        if patch["op"] == "remove":
            del node[last]
        elif patch["op"] == "add" and isinstance(node, list):
            node.insert(last, patch["value"])
        else:
            node[last] = patch["value"]
    return config


PROFILES = {"default": SKAFFOLD, **{p["name"]: patched(SKAFFOLD, p["patches"]) for p in SKAFFOLD["profiles"]}}


def test_it_builds_every_image_from_an_existing_dockerfile():
    assert SKAFFOLD["apiVersion"].startswith("skaffold/v4") and SKAFFOLD["kind"] == "Config"
    artifacts = {a["image"]: a for a in SKAFFOLD["build"]["artifacts"]}
    assert set(artifacts) == set(COMPONENT_IMAGES.values())
    for artifact in artifacts.values():
        assert (ROOT / artifact["context"] / artifact["docker"]["dockerfile"]).is_file()
        for arg in artifact["docker"].get("buildArgs", {}):
            assert f"ARG {arg}" in (ROOT / artifact["docker"]["dockerfile"]).read_text(), arg


def test_the_hook_makes_the_values_file_the_release_reads():
    (release,) = SKAFFOLD["deploy"]["helm"]["releases"]
    assert (ROOT / release["chartPath"] / "Chart.yaml").is_file()
    generated = [f for f in release["valuesFiles"] if f.startswith(".easel/")]
    assert generated == [".easel/k8s/nats-values.yaml"]
    (hook,) = SKAFFOLD["deploy"]["helm"]["hooks"]["before"]
    assert hook["host"]["command"] == ["make", "k8s-dev-secrets"]
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile[makefile.index("\nk8s-dev-secrets:"):]
    assert "K8S_DIR ?= .easel/k8s" in makefile and "nats-config --out $(K8S_DIR)" in recipe
    for profile in PROFILES.values():
        for f in profile["deploy"]["helm"]["releases"][0]["valuesFiles"]:
            assert f in generated or (ROOT / f).is_file(), f


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_each_profile_deploys_a_chart_that_renders(profile, render):
    (release,) = PROFILES[profile]["deploy"]["helm"]["releases"]
    images = {}
    for key, template in release["setValueTemplates"].items():
        component, _, field = key.split(".")
        (artifact,) = re.findall(r"IMAGE_(?:REPO|TAG)_(\w+)", template)
        images.setdefault(component, set()).add(artifact)
        assert artifact.replace("_", "-") == COMPONENT_IMAGES[component], key
    assert set(images) == set(COMPONENT_IMAGES)  # every component runs what skaffold just built
    built = {}
    for key in release["setValueTemplates"]:
        component, _, field = key.split(".")
        built.setdefault(component, {"image": {}})["image"][field] = "built" if field == "tag" else "registry/x"
    files = [ROOT / f for f in release["valuesFiles"] if not f.startswith(".easel/")]
    objects = render(*files, built, release=release["name"])
    pods = {o["metadata"]["name"]: o["spec"]["template"]["spec"] for o in objects if o["kind"] == "Deployment"}
    assert {c["image"] for pod in pods.values() for c in pod["containers"]} == {"registry/x:built"}
    workers = [pod["containers"][0] for name, pod in pods.items() if "-worker-" in name]
    limits = [c.get("resources", {}).get("limits", {}) for c in workers]
    engines = {e["value"] for c in workers for e in c["env"] if e["name"] == "EASEL_ENGINE"}
    scaled = [o for o in objects if o["kind"] == "ScaledObject"]
    if profile == "gpu":
        assert all(lim.get("nvidia.com/gpu", 0) >= 1 for lim in limits) and engines == {"diffusers"} and scaled
    else:  # kind or minikube: no GPU, no KEDA, the null engine
        assert not any("nvidia.com/gpu" in lim for lim in limits) and engines == {"null"} and not scaled
