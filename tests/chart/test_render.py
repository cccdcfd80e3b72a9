"""charts/easel rendered with each of its ci/ values files: every object is valid for Kubernetes (built-in kinds
strictly, KEDA and Prometheus operator objects against their models), and what a platform team relies on holds."""

from __future__ import annotations

import json
from pathlib import Path

import kubernetes_validate
import pytest
from cloudcoil.models.keda.v1alpha1 import ScaledObject
from cloudcoil.models.prometheus_operator.v1 import PrometheusRule, ServiceMonitor

from chart_helpers import CI_VALUES, pools_of, values_of
from easel_proto import Names

KUBE_VERSIONS = ("1.29.0", "1.35.0")  # the chart's kubeVersion floor, and the newest the helm in use knows
CRD_MODELS = {("keda.sh/v1alpha1", "ScaledObject"): ScaledObject,
              ("monitoring.coreos.com/v1", "ServiceMonitor"): ServiceMonitor,
              ("monitoring.coreos.com/v1", "PrometheusRule"): PrometheusRule}
COMPONENTS = ("gateway", "auth", "registry", "jobs")
IDS = [p.stem for p in CI_VALUES]


@pytest.fixture(scope="module", params=CI_VALUES, ids=IDS)
def rendered(request, render) -> tuple[dict, list[dict]]:
    values = values_of(request.param)
    objects = [o for o in render(request.param) if not o["metadata"].get("labels", {}).get("easel.test/stub")]
    return values, objects


def kinds(objects: list[dict], kind: str) -> list[dict]:
    return [o for o in objects if o["kind"] == kind]


def containers(objects: list[dict]) -> list[tuple[str, dict, dict]]:
    """(owner, pod spec, container) for every container the release runs, the helm test's too."""
    out = []
    for o in objects:
        spec = o["spec"]["template"]["spec"] if o["kind"] == "Deployment" else o["spec"] if o["kind"] == "Pod" else None
        if spec is not None:
            out += [(o["metadata"]["name"], spec, c) for c in [*spec.get("initContainers", []), *spec["containers"]]]
    return out


def env_of(container: dict) -> dict[str, dict]:
    return {e["name"]: e for e in container.get("env", [])}


def worker_deployments(objects: list[dict]) -> dict[str, dict]:
    """Each pool's Deployment, by pool (from its EASEL_POOL)."""
    return {env_of(d["spec"]["template"]["spec"]["containers"][0])["EASEL_POOL"]["value"]: d
            for d in kinds(objects, "Deployment")
            if d["metadata"]["labels"]["app.kubernetes.io/component"] == "gpu-worker"}


def test_every_object_is_valid_for_kubernetes(rendered):
    _, objects = rendered
    assert objects
    for o in objects:
        model = CRD_MODELS.get((o["apiVersion"], o["kind"]))
        if model is not None:
            parsed = model.model_validate(o)
            # the models ignore unknown fields: a round trip that loses one means a typo the operator would reject
            assert parsed.model_dump(mode="json", by_alias=True, exclude_unset=True) == o, o["metadata"]["name"]
            continue
        for version in KUBE_VERSIONS:
            try:
                kubernetes_validate.validate(o, version, strict=True)
            except kubernetes_validate.ValidationError as exc:
                pytest.fail(f"{o['kind']}/{o['metadata']['name']} is not valid for Kubernetes {version}: {exc}")


def test_each_pool_has_a_deployment_scaled_by_keda_on_its_own_consumer(rendered):
    values, objects = rendered
    names = Names(values.get("natsNamespace", "easel"))
    deployments = worker_deployments(objects)
    assert sorted(deployments) == sorted(pools_of(values))
    scaled = {s["spec"]["scaleTargetRef"]["name"]: s for s in kinds(objects, "ScaledObject")}
    for pool, deployment in deployments.items():
        name = deployment["metadata"]["name"]
        autoscaled = values.get("workers", {}).get("autoscaling", {}).get("enabled", True)
        if not autoscaled:
            assert name not in scaled and deployment["spec"]["replicas"] >= 1
            continue
        so = scaled[name]
        assert so["spec"]["scaleTargetRef"]["kind"] == "Deployment"
        assert "replicas" not in deployment["spec"], "KEDA owns the replica count of an autoscaled pool"
        triggers = {t["type"]: t for t in so["spec"]["triggers"]}
        assert sorted(triggers) == ["metrics-api", "nats-jetstream"]
        meta = triggers["nats-jetstream"]["metadata"]
        assert meta["stream"] == names.stream("jobs")["name"]  # exactly what the jobs service creates
        assert meta["consumer"] == names.worker_consumer(pool)
        assert meta["account"] == "$G"
        assert meta["natsServerMonitoringEndpoint"].rsplit(":", 1)[1].isdigit()
        # the jobs service's count of the pool's queued and running jobs, which also sees cache-aware dispatch
        demand = triggers["metrics-api"]["metadata"]
        assert demand["url"].endswith(":9464/pools") and "-jobs." in demand["url"]
        assert demand["valueLocation"] == f"pools.{pool}.demand"
        assert demand["targetValue"] == meta["lagThreshold"]
        assert so["spec"]["minReplicaCount"] <= so["spec"]["maxReplicaCount"]
    assert len(scaled) == sum(1 for d in deployments.values() if "replicas" not in d["spec"])


def test_gpus_and_gpu_tolerations_only_on_worker_pods(rendered):
    values, objects = rendered
    gpu_pools = 0
    for owner, spec, container in containers(objects):
        limits = container.get("resources", {}).get("limits", {})
        tolerated = [t for t in spec.get("tolerations", []) if t.get("key") == "nvidia.com/gpu"]
        is_worker = owner in {d["metadata"]["name"] for d in worker_deployments(objects).values()}
        if not is_worker:
            assert "nvidia.com/gpu" not in limits and not tolerated, owner
        elif values.get("workers", {}).get("gpu", {}).get("count", 1):
            gpu_pools += 1
            assert limits["nvidia.com/gpu"] >= 1 and tolerated, owner
    if values.get("workers", {}).get("gpu", {}).get("count", 1):
        assert gpu_pools == len(pools_of(values))


def test_no_container_runs_as_root(rendered):
    _, objects = rendered
    for owner, spec, container in containers(objects):
        context = {**spec.get("securityContext", {}), **container.get("securityContext", {})}
        assert context.get("runAsNonRoot") is True, owner
        assert context.get("runAsUser", 0) != 0, owner
        assert container["securityContext"].get("allowPrivilegeEscalation") is False, owner
        assert container["securityContext"].get("readOnlyRootFilesystem") is True, owner


def test_every_deployment_is_probed_on_healthz_and_readyz(rendered):
    _, objects = rendered
    for d in kinds(objects, "Deployment"):
        (c,) = d["spec"]["template"]["spec"]["containers"]
        ports = {p["name"]: p["containerPort"] for p in c["ports"]}
        assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
        port = c["livenessProbe"]["httpGet"]["port"]
        assert port == c["readinessProbe"]["httpGet"]["port"]
        if d["metadata"]["labels"]["app.kubernetes.io/component"] == "gateway":
            assert port == "http"
        else:  # auth, registry, jobs and the workers serve health beside their metrics
            assert port == "metrics" and ports["metrics"] == int(env_of(c)["EASEL_METRICS_PORT"]["value"]) == 9464


def test_every_component_gets_the_same_pools(rendered):
    values, objects = rendered
    seen = {}
    for d in kinds(objects, "Deployment"):
        (c,) = d["spec"]["template"]["spec"]["containers"]
        seen[d["metadata"]["name"]] = json.loads(env_of(c)["EASEL_POOLS"]["value"])
    assert len({json.dumps(p) for p in seen.values()}) == 1, seen
    assert next(iter(seen.values())) == pools_of(values)
    assert sorted(worker_deployments(objects)) == sorted(pools_of(values))


def test_the_registry_knows_each_pools_preload_list_as_its_workers_get_it(rendered):
    """The registry answers a worker's preload refs only when on its pool's list: the list it holds for each of the
    chart's pools is the one that pool's workers start with."""
    _values, objects = rendered
    (registry,) = [d for d in kinds(objects, "Deployment")
                   if d["metadata"]["labels"]["app.kubernetes.io/component"] == "registry"]
    listed = json.loads(env_of(registry["spec"]["template"]["spec"]["containers"][0])["EASEL_POOL_PRELOAD_MODELS"]
                        ["value"])
    workers = {pool: json.loads(env_of(d["spec"]["template"]["spec"]["containers"][0])["EASEL_PRELOAD_MODELS"]["value"])
               for pool, d in worker_deployments(objects).items()}
    assert listed == workers


def test_each_process_signs_in_to_nats_with_its_own_seed(rendered):
    values, objects = rendered
    secret = values.get("natsClient", {}).get("identities", {}).get("existingSecret", "easel-nats-identities")
    for d in kinds(objects, "Deployment"):
        spec = d["spec"]["template"]["spec"]
        (c,) = spec["containers"]
        component = d["metadata"]["labels"]["app.kubernetes.io/component"]
        identity = f"worker-{env_of(c)['EASEL_POOL']['value']}" if component == "gpu-worker" else component
        seed_file = Path(env_of(c)["EASEL_NATS_SEED_FILE"]["value"])
        (mount,) = [m for m in c["volumeMounts"] if seed_file.parent == Path(m["mountPath"])]
        (volume,) = [v for v in spec["volumes"] if v["name"] == mount["name"]]
        # only its own key of the Secret is projected into the pod
        assert volume["secret"]["secretName"] == secret
        assert volume["secret"]["items"] == [{"key": f"{identity}.nk", "path": seed_file.name}], d["metadata"]["name"]
        if values.get("natsClient", {}).get("tls", {}).get("enabled", True):
            assert env_of(c)["EASEL_NATS_TLS_CA_FILE"]["value"].startswith("/")
        assert env_of(c)["EASEL_ENV"]["value"] == values.get("env", "prod")


def test_secrets_reach_only_the_processes_that_use_them(rendered):
    _, objects = rendered
    for d in kinds(objects, "Deployment"):
        component = d["metadata"]["labels"]["app.kubernetes.io/component"]
        env = env_of(d["spec"]["template"]["spec"]["containers"][0])
        for name in ("EASEL_JWT_SECRET", "EASEL_ADMIN_KEY", "EASEL_CALLER_KEY"):
            assert (name in env) == (component == "auth"), (component, name)
            if name in env:
                assert "secretKeyRef" in env[name]["valueFrom"]
        # the key that seals webhook signing secrets at rest: the jobs service's alone, from the Secret
        for name in ("EASEL_WEBHOOK_SECRET_KEY", "EASEL_WEBHOOK_SECRET_OLD_KEYS"):
            assert (name in env) == (component == "jobs"), (component, name)
            if name in env:
                assert "secretKeyRef" in env[name]["valueFrom"]
        if component == "jobs":
            ref = env["EASEL_WEBHOOK_SECRET_KEY"]["valueFrom"]["secretKeyRef"]
            assert ref["key"] == "webhook-secret-key" and not ref.get("optional")
        assert ("EASEL_DATABASE_URL" in env) == (component in ("auth", "registry", "jobs")), component
        # the jobs service removes what an ended training wrote (and keeps its log there)
        assert ("EASEL_S3_BUCKET" in env) == (component in ("gateway", "registry", "jobs", "gpu-worker")), component
        assert ("EASEL_CALLER_PUBLIC_KEY" in env) == (component in ("gateway", "registry", "jobs")), component


def test_workers_outlive_their_shutdown_grace(rendered):
    _, objects = rendered
    for d in worker_deployments(objects).values():
        spec = d["spec"]["template"]["spec"]
        grace = float(env_of(spec["containers"][0])["EASEL_SHUTDOWN_GRACE_S"]["value"])
        assert spec["terminationGracePeriodSeconds"] > grace


def test_each_pool_keeps_a_disruption_budget(rendered):
    _, objects = rendered
    budgets = [p["spec"]["selector"]["matchLabels"] for p in kinds(objects, "PodDisruptionBudget")]
    for pool, d in worker_deployments(objects).items():
        assert d["spec"]["selector"]["matchLabels"] in budgets, pool


def test_only_the_gateway_takes_traffic_and_only_easel_reaches_nats(rendered):
    values, objects = rendered
    policies = {p["metadata"]["name"]: p["spec"] for p in kinds(objects, "NetworkPolicy")}
    for d in kinds(objects, "Deployment"):
        labels = d["spec"]["template"]["metadata"]["labels"]
        (c,) = d["spec"]["template"]["spec"]["containers"]
        selecting = [s for s in policies.values()
                     if all(labels.get(k) == v for k, v in s["podSelector"]["matchLabels"].items())]
        assert selecting, f"no NetworkPolicy guards {d['metadata']['name']}"
        open_ports = {p["port"] for s in selecting for rule in s.get("ingress") or [] for p in rule["ports"]}
        if labels["app.kubernetes.io/component"] == "gateway":
            assert open_ports == {c["ports"][0]["containerPort"]}
        else:  # nothing but the metrics port, and only for the scrapers
            assert open_ports == {9464}
            for s in selecting:
                for rule in s["ingress"]:
                    assert rule.get("from"), f"{d['metadata']['name']}: metrics open to everyone"
    if values.get("nats", {}).get("enabled", True):
        nats = policies["easel-nats"]
        (clients,) = [r for r in nats["ingress"] if r["ports"][0]["port"] == 4222]
        (peer,) = clients["from"]
        assert peer["podSelector"]["matchLabels"]["app.kubernetes.io/instance"] == "easel"
        assert "app.kubernetes.io/component" not in peer["podSelector"]["matchLabels"]  # every Easel pod
        (monitor,) = [r for r in nats["ingress"] if r["ports"][0]["port"] == 8222]
        assert any("keda" in json.dumps(peer) for peer in monitor["from"])


def test_every_component_is_scraped(rendered):
    values, objects = rendered
    services = {s["metadata"]["name"]: s for s in kinds(objects, "Service")}
    monitors = kinds(objects, "ServiceMonitor")
    enabled = values.get("monitoring", {}).get("serviceMonitor", {}).get("enabled", False)
    for component in (*COMPONENTS, "gpu-worker"):
        (service,) = [s for s in services.values()
                      if s["spec"]["selector"].get("app.kubernetes.io/component") == component]
        if enabled:
            (monitor,) = [m for m in monitors
                          if m["spec"]["selector"]["matchLabels"].get("app.kubernetes.io/component") == component]
            assert monitor["spec"]["endpoints"][0]["port"] in {p["name"] for p in service["spec"]["ports"]}
    for d in kinds(objects, "Deployment"):
        annotations = d["spec"]["template"]["metadata"].get("annotations", {})
        assert annotations.get("prometheus.io/scrape") == "true", d["metadata"]["name"]


def test_the_jobs_service_may_run_trainer_jobs_and_nothing_else(rendered):
    values, objects = rendered
    roles = [r for r in kinds(objects, "Role") if r["metadata"]["labels"]["app.kubernetes.io/component"] == "trainer"]
    (jobs,) = [d for d in kinds(objects, "Deployment")
               if d["metadata"]["labels"]["app.kubernetes.io/component"] == "jobs"]
    pod = jobs["spec"]["template"]["spec"]
    if not values.get("trainer", {}).get("enabled"):
        # the API token is there for the pool controller alone (test_chart_pool_controller.py), when it is on
        controller = values.get("poolController", {}).get("enabled", True)
        assert not roles and pod["automountServiceAccountToken"] is controller
        assert env_of(pod["containers"][0])["EASEL_TRAINER_LAUNCHER"]["value"] == "none"
        return
    (role,) = roles
    writes = [r for r in role["rules"] if set(r["verbs"]) & {"create", "delete", "update", "patch"}]
    assert writes == [{"apiGroups": ["batch"], "resources": ["jobs"],
                       "verbs": ["create", "get", "list", "watch", "delete"]},
                      {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["create", "get", "delete"]}]
    (binding,) = [b for b in kinds(objects, "RoleBinding") if b["metadata"]["labels"]["app.kubernetes.io/component"]
                  == "trainer"]
    assert binding["roleRef"]["name"] == role["metadata"]["name"]
    # bound to the jobs service (the launcher), whose pod alone mounts an API token
    assert [(s["kind"], s["name"]) for s in binding["subjects"]] == [("ServiceAccount", pod["serviceAccountName"])]
    assert pod["automountServiceAccountToken"] is True
    tokens = [d["metadata"]["name"] for d in kinds(objects, "Deployment")
              if d["spec"]["template"]["spec"].get("automountServiceAccountToken")]
    assert tokens == [jobs["metadata"]["name"]]


def test_webhook_settings_reach_the_gateway_and_the_jobs_service(render):
    """The gateway checks job callbacks and the jobs service sends webhooks: both get the allow list and the public
    address; unset, neither variable is there (the services' defaults apply)."""
    def env_of(objects: list[dict], component: str) -> dict[str, str]:
        [deployment] = [o for o in objects if o["kind"] == "Deployment"
                        and o["metadata"]["labels"].get("app.kubernetes.io/component") == component]
        return {e["name"]: e.get("value") for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}

    objects = render(CI_VALUES[0], {"webhooks": {"allowHosts": ["hooks.internal"]},
                                    "publicUrl": "https://easel.example.com"})
    for component in ("gateway", "jobs"):
        env = env_of(objects, component)
        assert json.loads(env["EASEL_WEBHOOK_ALLOW_HOSTS"]) == ["hooks.internal"], component
        assert env["EASEL_PUBLIC_URL"] == "https://easel.example.com", component
    plain = env_of(render(CI_VALUES[0]), "jobs")
    assert "EASEL_WEBHOOK_ALLOW_HOSTS" not in plain and "EASEL_PUBLIC_URL" not in plain
