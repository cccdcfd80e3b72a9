"""What charts/easel does with its values: lint clean, wrong values refused with a message that names the problem,
and the settings derived from one place (pools, stream replicas, the model cache) come out right."""

from __future__ import annotations

import json

import pytest

from chart_helpers import CI_VALUES, HelmFailed, pools_of, values_of

MINIMAL = next(p for p in CI_VALUES if p.stem == "minimal-values")


def env(objects: list[dict], name: str) -> dict[str, str]:
    (d,) = [o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == name]
    return {e["name"]: e.get("value") for e in d["spec"]["template"]["spec"]["containers"][0]["env"]}


@pytest.mark.parametrize("values", CI_VALUES, ids=[p.stem for p in CI_VALUES])
def test_helm_lint_is_clean(helm, chart, identities, values):
    made = identities(pools_of(values_of(values)))
    result = helm("lint", "--strict", str(chart), "-f", str(made / "nats-values.yaml"), "-f", str(values))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[WARNING]" not in result.stdout and "[ERROR]" not in result.stdout, result.stdout


@pytest.mark.parametrize(("values", "message"), [
    ({"gateway": {"replicas": 2}}, "replicas"),  # unknown key (replicaCount is meant)
    ({"workers": {"pools": [{"nodeSelector": {"karpenter.sh/nodepool": "gpu"}}]}}, "name"),  # a pool without a name
    ({"workers": {"pools": [{"name": "default", "autoscaling": {"maxReplicaCount": -1}}]}}, "maxReplicaCount"),
    ({"workers": {"pools": [{"name": "Big_GPUs"}]}}, "name"),  # not a Kubernetes name
    ({"workers": {"autoscaling": {"lagThreshold": "two"}}}, "lagThreshold"),  # a wrong type
    ({"env": "staging"}, "env"),
    ({"natsNamespace": "Easel"}, "natsNamespace"),
])
def test_wrong_values_are_refused_naming_the_key(render, values, message):
    with pytest.raises(HelmFailed) as failed:
        render(MINIMAL, values, pools=["default"])
    assert "schema" in str(failed.value) and message in str(failed.value), failed.value


def test_two_pools_with_one_name_are_refused(render):
    with pytest.raises(HelmFailed, match='the pool name "sd15" appears twice'):
        render(MINIMAL, {"workers": {"pools": [{"name": "sd15"}, {"name": "sd15"}]}}, pools=["sd15"])


def test_a_pool_without_a_nats_identity_is_refused(render):
    with pytest.raises(HelmFailed, match=r"pool \"xl\" has no NATS identity.*EASEL_POOLS='\[\"default\",\"xl\"\]'"):
        render(MINIMAL, {"workers": {"pools": [{"name": "default"}, {"name": "xl"}]}}, pools=["default"])


def test_identities_made_for_another_namespace_are_refused(render):
    with pytest.raises(HelmFailed, match="EASEL_NAMESPACE=easel"):
        render(MINIMAL, pools=["default"], nats_namespace="other")


def test_the_bundled_nats_is_never_open(render):
    with pytest.raises(HelmFailed, match="nats.config.merge.authorization is missing"):
        render(MINIMAL, {"nats": {"config": {"merge": {"authorization": None}}}}, pools=["default"])


def test_an_external_nats_needs_its_address_and_monitoring(render):
    with pytest.raises(HelmFailed, match="natsClient.url is required"):
        render(MINIMAL, {"nats": {"enabled": False}})
    with pytest.raises(HelmFailed, match="natsClient.monitoringEndpoint is required"):
        render(MINIMAL, {"nats": {"enabled": False}, "natsClient": {"url": "tls://nats.infra:4222"}})


def test_missing_secrets_are_named(render):
    with pytest.raises(HelmFailed, match="database: set existingSecret"):
        render(MINIMAL, {"database": {"existingSecret": ""}})
    with pytest.raises(HelmFailed, match="objectStore.bucket is required"):
        render(MINIMAL, {"objectStore": {"bucket": ""}})
    created = {"existingSecret": "", "create": True, "jwtSecret": "x" * 40, "adminKey": "esk_1", "callerKey": "k"}
    with pytest.raises(HelmFailed, match="secrets.webhookSecretKey"):  # the jobs service seals webhook secrets
        render(MINIMAL, {"secrets": created})
    with pytest.raises(HelmFailed, match="callerPublicKey is required"):
        render(MINIMAL, {"secrets": {**created, "webhookSecretKey": "w" * 40}})


def test_the_webhook_key_and_its_old_keys_go_into_the_secret_the_chart_makes(render):
    created = {"existingSecret": "", "create": True, "jwtSecret": "x" * 40, "adminKey": "esk_1", "callerKey": "k",
               "callerPublicKey": "p", "webhookSecretKey": "w" * 40}
    (secret,) = [o for o in render(MINIMAL, {"secrets": created}) if o["kind"] == "Secret"
                 and "webhook-secret-key" in o.get("stringData", {})]
    assert secret["stringData"]["webhook-secret-key"] == "w" * 40
    assert "webhook-secret-old-keys" not in secret["stringData"]
    rotating = render(MINIMAL, {"secrets": {**created, "webhookSecretOldKeys": ["o" * 40]}})
    (secret,) = [o for o in rotating if o["kind"] == "Secret" and "webhook-secret-key" in o.get("stringData", {})]
    assert json.loads(secret["stringData"]["webhook-secret-old-keys"]) == ["o" * 40]


def test_streams_are_replicated_across_a_nats_cluster(render):
    clustered = render(MINIMAL)
    single = render(MINIMAL, {"nats": {"config": {"cluster": {"enabled": False}}}})
    for name in ("easel-jobs", "easel-auth"):  # the two that create streams
        assert env(clustered, name)["EASEL_STREAM_REPLICAS"] == "3"
        assert env(single, name)["EASEL_STREAM_REPLICAS"] == "1"
    stub = next(o for o in clustered if o["metadata"]["name"] == "nats-stub-values")
    nats = json.loads(stub["data"]["values.json"])
    assert nats["config"]["cluster"] == {"enabled": True, "replicas": 3}
    assert nats["config"]["jetstream"]["enabled"] and nats["config"]["monitor"]["port"] == 8222


def test_a_pool_overrides_the_workers_defaults_key_by_key(render):
    objects = render(MINIMAL, {"workers": {"pools": [
        {"name": "default"},
        {"name": "batch", "autoscaling": {"enabled": False}, "replicaCount": 2, "gpu": {"count": 0},
         "tolerations": [], "modelCache": {"type": "ephemeral", "sizeGi": 50, "storageClassName": "gp3"},
         "env": {"EASEL_MAX_LOADED_MODELS": "1"}}]}})
    deployments = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Deployment"}
    batch = deployments["easel-worker-batch"]["spec"]
    assert batch["replicas"] == 2  # autoscaling false wins over the default true
    pod = batch["template"]["spec"]
    assert "nvidia.com/gpu" not in pod["containers"][0]["resources"].get("limits", {}) and "tolerations" not in pod
    (cache,) = [v for v in pod["volumes"] if v["name"] == "model-cache"]
    claim = cache["ephemeral"]["volumeClaimTemplate"]["spec"]
    assert claim["resources"]["requests"]["storage"] == "50Gi" and claim["storageClassName"] == "gp3"
    assert env(objects, "easel-worker-batch")["EASEL_CACHE_BUDGET_BYTES"] == str(45 * 1024**3)  # 90% of the volume
    assert env(objects, "easel-worker-batch")["EASEL_MAX_LOADED_MODELS"] == "1"
    assert "EASEL_MAX_LOADED_MODELS" not in env(objects, "easel-worker-default")
    scaled = [o["spec"]["scaleTargetRef"]["name"] for o in objects if o["kind"] == "ScaledObject"]
    assert scaled == ["easel-worker-default"]


def test_the_gateway_sends_jobs_to_a_configured_pool(render):
    assert env(render(MINIMAL), "easel-gateway")["EASEL_DEFAULT_POOL"] == "default"
    with pytest.raises(HelmFailed, match='gateway.defaultPool "xl" is not one of workers.pools'):
        render(MINIMAL, {"gateway": {"defaultPool": "xl"}})


def test_dashboards_ship_for_the_grafana_sidecar(render, chart):
    (chart / "dashboards" / "probe.json").write_text('{"title": "probe", "panels": []}')
    try:
        objects = render(MINIMAL, {"grafana": {"dashboards": {"enabled": True}}})
    finally:
        (chart / "dashboards" / "probe.json").unlink()
    (cm,) = [o for o in objects if o["kind"] == "ConfigMap" and "probe.json" in o.get("data", {})]
    assert cm["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert json.loads(cm["data"]["probe.json"])["title"] == "probe"


def test_notes_give_the_first_steps(helm, chart, identities):
    made = identities(["default"])
    result = helm("install", "easel", str(chart), "-n", "easel", "--dry-run=client",
                  "-f", str(made / "nats-values.yaml"), "-f", str(MINIMAL))
    assert result.returncode == 0, result.stderr
    notes = result.stdout[result.stdout.index("NOTES:"):]
    assert "port-forward svc/easel-gateway 7860:80" in notes
    assert "get secret easel-app -o jsonpath='{.data.admin-key}'" in notes
    assert "worker-<pool> on stream EASEL_JOBS" in notes and "helm test -n easel easel" in notes
