"""The chart's side of the pool controller: the jobs service may manage pool workers in its namespace and nothing
more; the worker template and the release's facts reach it; nats-server reads its authorization from the Secret the
controller rewrites, and the NATS chart's config reloader watches that file."""

from __future__ import annotations

import base64
import json
import posixpath
import re
import subprocess

import jsonpatch
import pytest

from chart_helpers import CI_VALUES
from easel_stack.natsd import binary

MINIMAL = next(p for p in CI_VALUES if p.stem == "minimal-values")
NATS_CONFIG_DIR = "/etc/nats-config"  # where the NATS chart mounts nats.conf


def by_component(objects: list[dict], kind: str, component: str) -> list[dict]:
    return [o for o in objects if o["kind"] == kind and o["metadata"]["labels"].get("app.kubernetes.io/component")
            == component]


def jobs_pod(objects: list[dict]) -> dict:
    (jobs,) = by_component(objects, "Deployment", "jobs")
    return jobs["spec"]["template"]["spec"]


def env(pod: dict) -> dict[str, str]:
    return {e["name"]: e.get("value") for e in pod["containers"][0]["env"]}


def test_the_jobs_service_may_manage_pool_workers_in_its_namespace_and_nothing_more(render):
    objects = render(MINIMAL)
    (role,) = by_component(objects, "Role", "pool-controller")
    assert role["rules"] == [
        {"apiGroups": ["apps"], "resources": ["deployments"],
         "verbs": ["get", "list", "watch", "create", "patch", "delete"]},
        {"apiGroups": ["keda.sh"], "resources": ["scaledobjects"],
         "verbs": ["get", "list", "watch", "create", "patch", "delete"]},
        {"apiGroups": ["policy"], "resources": ["poddisruptionbudgets"],
         "verbs": ["get", "list", "create", "patch", "delete"]},
        # a deleted pool's NATS identity stays until its last pod is gone: listing pods, nothing more
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]},
        # no Secret read but these two: the API pools' seeds and the NATS authorization
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["create"]},
        {"apiGroups": [""], "resources": ["secrets"],
         "resourceNames": ["easel-easel-pool-seeds", "easel-easel-nats-authorization"], "verbs": ["get", "patch"]},
        {"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["easel-pool-template"], "verbs": ["get"]}]
    assert not [o for o in objects if o["kind"] in ("ClusterRole", "ClusterRoleBinding")]
    (binding,) = by_component(objects, "RoleBinding", "pool-controller")
    pod = jobs_pod(objects)
    assert binding["roleRef"]["name"] == role["metadata"]["name"]
    assert [(s["kind"], s["name"], s["namespace"]) for s in binding["subjects"]] == [
        ("ServiceAccount", pod["serviceAccountName"], "easel")]
    assert pod["automountServiceAccountToken"] is True
    assert env(pod)["EASEL_POOL_CONTROLLER"] == "kubernetes"
    assert env(pod)["EASEL_POOL_CONTROLLER_TEMPLATE"] == "easel-pool-template"
    tokens = [d["metadata"]["name"] for d in objects if d["kind"] == "Deployment"
              and d["spec"]["template"]["spec"].get("automountServiceAccountToken")]
    assert tokens == ["easel-jobs"]

    off = render(MINIMAL, {"poolController": {"enabled": False}})
    assert not by_component(off, "Role", "pool-controller") and not by_component(off, "ConfigMap", "pool-controller")
    assert env(jobs_pod(off))["EASEL_POOL_CONTROLLER"] == "none"
    assert jobs_pod(off)["automountServiceAccountToken"] is False


def test_the_template_carries_the_release_and_every_identitys_public_key(render, identities):
    objects = render(MINIMAL)
    (template,) = by_component(objects, "ConfigMap", "pool-controller")
    settings = json.loads(template["data"]["settings.json"])
    values = json.loads((identities(["default"]) / "nats-values.yaml").read_text().split("\n", 1)[1])
    keys = values["natsClient"]["identities"]["publicKeys"]
    assert settings["publicKeys"] == keys and {"jobs", "gateway", "worker-default"} <= set(keys)
    assert settings["release"] == "easel" and settings["authorizationSecret"] == "easel-easel-nats-authorization"
    assert settings["seedsSecret"] == "easel-easel-pool-seeds"
    for key in ("deployment.json", "scaledobject.json"):
        assert json.loads(template["data"][key])["metadata"]["name"] == "easel-worker-__pool__"


@pytest.mark.parametrize("controller", [True, False])
def test_nats_reads_its_authorization_from_the_secret_and_reloads_it(render, identities, tmp_path, controller):
    objects = render(MINIMAL, {"poolController": {"enabled": controller}}, release="prod")
    (stub,) = [o for o in objects if o["metadata"]["name"] == "nats-stub-values"]
    nats = json.loads(stub["data"]["values.json"])
    (secret,) = [o for o in objects if o["kind"] == "Secret" and o["metadata"]["name"].endswith("nats-authorization")]
    assert secret["metadata"]["name"] == "prod-easel-nats-authorization"
    included = base64.b64decode(secret["data"]["authorization.conf"]).decode()
    # what `easel nats-config` wrote, moved out of nats.conf into the Secret
    assert json.loads(included.removeprefix("authorization: ")) == nats["config"]["merge"]["authorization"]

    # the NATS chart: merge, then patch, then `<key>$include` becomes an include directive (nats.formatConfig)
    config = jsonpatch.apply_patch(nats["config"]["merge"], nats["config"]["patch"])
    assert "authorization" not in config
    (include,) = [v for k, v in config.items() if k.endswith("$include")]
    # the volume (named by the NATS chart's $tplYaml, with the release's name) and where it is mounted
    (volume,) = [p["value"] for p in nats["podTemplate"]["patch"] if p["path"] == "/spec/volumes/-"]
    assert volume["secret"]["secretName"]["$tplYaml"].replace("{{ .Release.Name }}", "prod") \
        == secret["metadata"]["name"]
    (mount,) = [p["value"] for p in nats["container"]["patch"] if p["path"] == "/volumeMounts/-"]
    assert mount["name"] == volume["name"] and mount["mountPath"].startswith("/etc/")  # the reloader gets /etc/ mounts
    # the reloader watches every $include, relative to the config's folder (nats.reloaderConfig): this file
    watched = posixpath.normpath(posixpath.join(NATS_CONFIG_DIR, include))
    assert watched == posixpath.join(mount["mountPath"], "authorization.conf")

    # a nats-server with the files where the pod has them (relative to a temp root) takes the configuration
    root = tmp_path / "etc"
    (root / "nats-config").mkdir(parents=True)
    (root / watched.removeprefix("/etc/")).parent.mkdir(parents=True)
    (root / watched.removeprefix("/etc/")).write_text(included)
    text = re.sub(r'".*\$include": "(.*)",?', r"include \1;", json.dumps({"port": 4222, **config}, indent=2))
    (root / "nats-config" / "nats.conf").write_text(text)
    checked = subprocess.run([binary(), "-c", str(root / "nats-config" / "nats.conf"), "-t"], capture_output=True,
                             text=True)
    assert checked.returncode == 0, checked.stderr
