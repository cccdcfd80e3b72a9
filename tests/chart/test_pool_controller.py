"""The Kubernetes pool controller against an in-memory Kubernetes API (kmock's KubernetesEmulator), with the official
client and the worker template the chart renders: a pool made through the API gets a Deployment (valid for
Kubernetes, strictly) and a KEDA ScaledObject (KEDA's models) equal to what the chart renders for the same pool in
its values; a change of max_workers reaches the ScaledObject; edits made by hand are put back on resync; a disabled
pool is held at zero; a deleted pool's objects go, its identity once its last worker pod is gone; the chart's own
pools are never touched; the pool's workers sign in to a nats-server running with the authorization the controller
wrote."""

from __future__ import annotations

import asyncio
import base64
import datetime
import json
import re
import socket
import subprocess

import httpx
import kmock
import kubernetes
import kubernetes_validate
import pytest
import yaml
from cloudcoil.models.keda.v1alpha1 import ScaledObject

from chart_helpers import CI_VALUES
from easel_common import nats_access
from easel_common.natsio import Identity, close, connect
from easel_jobs.pool_controller import PoolController
from easel_jobs.pool_controller.manifests import TEMPLATE_POOL, Template
from easel_proto import Names
from easel_proto.v1.pools import Pool
from easel_stack.natsd import binary
from easel_stack.stack import EmbeddedStack, StackOptions
from helpers import namespace

NS = "easel"
KUBE_VERSION = "1.33.0"
TWO_POOLS = next(p for p in CI_VALUES if p.stem == "two-pools-values")
KEDA = ("keda.sh", "v1alpha1", NS, "scaledobjects")
# a pool of the Helm values with the settings the API pool `xl` gets below, to compare what each one runs
XL_VALUES = {"name": "xl", "nodeSelector": {"nvidia.com/gpu.product": "NVIDIA-L40S",
                                            "node.kubernetes.io/instance-type": "g6e.2xlarge"},
             "gpu": {"count": 2}, "preloadModels": ["sdxl-base"],
             "autoscaling": {"minReplicaCount": 1, "maxReplicaCount": 4, "lagThreshold": 3, "cooldownPeriod": 120}}


def api_pool(name: str = "xl", source: str = "api", **changes) -> Pool:
    now = datetime.datetime.now(datetime.UTC)
    fields = dict(name=name, gpu_type="NVIDIA-L40S", instance_type="g6e.2xlarge", gpus_per_worker=2, min_workers=1,
                  max_workers=4, queue_depth_target=3, cooldown_seconds=120, preload_models=["sdxl-base"],
                  source=source, created_at=now, updated_at=now)
    return Pool(**{**fields, **changes})


class ApplyingEmulator(kmock.KubernetesEmulator):
    """The emulator merges every PATCH into the object and refuses one for an object that is not there; a server-side
    apply (one field manager here) creates the object, or makes the fields it sets exactly the applied ones, keeping
    what the server owns (uid, creation time, status)."""

    async def _handle(self, request):
        if (request.action == kmock.action.UPDATE and request.name
                and request.headers.get("Content-Type", "").startswith("application/apply-patch")):
            key = (request.resource, request.namespace, request.name)
            body = dict(request.data)
            if key not in self.objects or self.objects[key].deleted:
                body["metadata"] = {**body["metadata"], "namespace": request.namespace}
                if key in self.objects:
                    self.objects[key].create(body)
                else:
                    self.objects[key] = body
            else:
                old = self.objects[key].raw
                kept = {k: v for k, v in old["metadata"].items() if k not in ("labels", "annotations")}
                body["metadata"] = {**kept, **body["metadata"]}
                if "status" in old:
                    body["status"] = old["status"]
                self.objects[key].delete()
                self.objects[key].create(body)
        return await super()._handle(request)


@pytest.fixture(scope="module")
def chart_objects(render, identities):
    """The two-pool chart with a pool `xl` of the values added: its objects (the worker template among them)."""
    pools = ["sd15", "sdxl", "xl"]
    values = yaml.safe_load(TWO_POOLS.read_text())
    values["workers"]["pools"].append(XL_VALUES)
    return render(values, pools=pools), identities(pools)


@pytest.fixture
async def cluster(chart_objects):
    objects, _ = chart_objects
    async with ApplyingEmulator() as emulator, kmock.Server(emulator) as server:
        emulator.resources["keda.sh/v1alpha1/scaledobjects"] = {}
        emulator.resources["v1/pods"] = {}  # the workers' pods, which the controller lists (none until a test adds)
        config = kubernetes.client.Configuration()
        config.host = str(server.url).rstrip("/")
        api = kubernetes.client.ApiClient(config)
        core, apps = kubernetes.client.CoreV1Api(api), kubernetes.client.AppsV1Api(api)
        custom = kubernetes.client.CustomObjectsApi(api)
        # what helm installed: the template, the Deployment of one pool of the values, the NATS authorization
        template = named(objects, "ConfigMap", "easel-pool-template")
        await call(core.create_namespaced_config_map, NS, template)
        await call(apps.create_namespaced_deployment, NS, named(objects, "Deployment", "easel-worker-sd15"))
        await call(core.create_namespaced_secret, NS, named(objects, "Secret", "easel-easel-nats-authorization"))
        controller = PoolController(kubernetes.client.ApiClient(config), NS, Names("easel"),
                                    template["metadata"]["name"], resync_s=0.2)
        yield controller, api, core, apps, custom, kubernetes.client.PolicyV1Api(api)
        await controller.stop()


def named(objects: list[dict], kind: str, name: str) -> dict:
    (obj,) = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    return obj


async def call(fn, *args, **kwargs):
    """The client blocks; the emulator answers on this event loop."""
    return await asyncio.to_thread(fn, *args, **kwargs)


async def read(api, fn, *args):
    return api.sanitize_for_serialization(await call(fn, *args))


async def names_of(api, list_fn, *args) -> set[str]:
    listed = await call(list_fn, *args)
    items = listed["items"] if isinstance(listed, dict) else api.sanitize_for_serialization(listed.items)
    return {i["metadata"]["name"] for i in items}


async def eventually(check, timeout: float = 10.0):
    """Poll `check` (async, returns a truthy value when done) while the controller's loop runs."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        if result := await check():
            return result
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail("the controller did not get there in time")
        await asyncio.sleep(0.05)


async def test_a_pool_gets_what_a_pool_of_the_values_gets_and_max_workers_reaches_keda(cluster, chart_objects):
    controller, api, core, apps, custom, policy = cluster
    objects, _ = chart_objects
    controller.set_pools([api_pool("sd15", source="config"), api_pool()])
    await controller.reconcile()

    deployment = await read(api, apps.read_namespaced_deployment, "easel-worker-xl", NS)
    scaled = await call(custom.get_namespaced_custom_object, *KEDA, "easel-worker-xl")
    kubernetes_validate.validate(strip_server_fields(deployment), KUBE_VERSION, strict=True)
    # KEDA's models ignore unknown fields: a round trip that loses one means a typo the operator would reject
    parsed = ScaledObject.model_validate(strip_server_fields(scaled))
    assert parsed.model_dump(mode="json", by_alias=True, exclude_unset=True) == strip_server_fields(scaled)
    assert TEMPLATE_POOL not in json.dumps(deployment) + json.dumps(scaled)

    # the same as the chart renders for a pool of its values with these settings, but for who manages it and the
    # Secret its seed comes from
    chart_d = named(objects, "Deployment", "easel-worker-xl")
    chart_s = named(objects, "ScaledObject", "easel-worker-xl")
    assert deployment["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "easel-pool-controller"
    seed = next(v for v in deployment["spec"]["template"]["spec"]["volumes"] if v["name"] == "nats-identity")
    assert seed["secret"] == {"secretName": "easel-easel-pool-seeds", "defaultMode": 0o440,
                              "items": [{"key": "worker-xl.nk", "path": "worker-xl.nk"}]}
    assert as_chart(strip_server_fields(deployment)) == as_chart(chart_d)
    assert as_chart(strip_server_fields(scaled)) == as_chart(chart_s)
    pdb = as_chart(strip_server_fields(await read(api, policy.read_namespaced_pod_disruption_budget,
                                                  "easel-worker-xl", NS)))
    assert pdb["metadata"]["labels"].pop("easel.dev/pool") == "xl"  # an owner label the chart's has not
    assert pdb == as_chart(named(objects, "PodDisruptionBudget", "easel-worker-xl"))
    pod = deployment["spec"]["template"]["spec"]
    assert pod["nodeSelector"]["nvidia.com/gpu.product"] == "NVIDIA-L40S"
    assert pod["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == "2"
    assert (scaled["spec"]["minReplicaCount"], scaled["spec"]["maxReplicaCount"], scaled["spec"]["cooldownPeriod"]) \
        == (1, 4, 120)
    assert [t["metadata"].get("lagThreshold", t["metadata"].get("targetValue")) for t in scaled["spec"]["triggers"]] \
        == ["3", "3"]

    controller.set_pools([api_pool("sd15", source="config"), api_pool(max_workers=12)])
    await controller.reconcile()
    scaled = await call(custom.get_namespaced_custom_object, *KEDA, "easel-worker-xl")
    assert scaled["spec"]["maxReplicaCount"] == 12

    # the config pool is the chart's: no second Deployment, no ScaledObject, its own left as helm made it
    assert await names_of(api, apps.list_namespaced_deployment, NS) == {"easel-worker-sd15", "easel-worker-xl"}
    helm_sd15 = await read(api, apps.read_namespaced_deployment, "easel-worker-sd15", NS)
    assert helm_sd15["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "Helm"
    assert await names_of(api, custom.list_namespaced_custom_object, *KEDA) == {"easel-worker-xl"}


async def test_edits_are_put_back_a_disabled_pool_stays_at_zero_and_a_deleted_one_goes(cluster):
    controller, api, core, apps, custom, policy = cluster
    controller.set_pools([api_pool("sd15", source="config"), api_pool()])
    controller.start()
    image = (await eventually(lambda: _deployment(api, apps)))["spec"]["template"]["spec"]["containers"][0]["image"]

    # someone edits the image: the next resync puts it back
    edit = {"spec": {"template": {"spec": {"containers": [{"name": "gpu-worker", "image": "evil/miner:1"}]}}}}
    await call(apps.patch_namespaced_deployment, "easel-worker-xl", NS, edit)
    assert (await read(api, apps.read_namespaced_deployment, "easel-worker-xl", NS))[
        "spec"]["template"]["spec"]["containers"][0]["image"] == "evil/miner:1"

    async def image_back():
        d = await _deployment(api, apps)
        return d and d["spec"]["template"]["spec"]["containers"][0]["image"] == image
    await eventually(image_back)

    # disabled: zero workers and KEDA paused there; scaled up by hand, it goes back to zero
    controller.set_pools([api_pool("sd15", source="config"), api_pool(enabled=False)])

    async def at_zero():
        d = await _deployment(api, apps)
        return d and d["spec"].get("replicas") == 0
    await eventually(at_zero)
    scaled = await call(custom.get_namespaced_custom_object, *KEDA, "easel-worker-xl")
    assert scaled["metadata"]["annotations"] == {"autoscaling.keda.sh/paused-replicas": "0"}
    await call(apps.patch_namespaced_deployment, "easel-worker-xl", NS, {"spec": {"replicas": 3}})
    await eventually(at_zero)

    # deleted: its Deployment, ScaledObject, PodDisruptionBudget and seed go; the chart's pool, the authorization stay
    controller.set_pools([api_pool("sd15", source="config")])

    async def gone():
        return ("easel-worker-xl" not in await names_of(api, apps.list_namespaced_deployment, NS)
                and not await names_of(api, custom.list_namespaced_custom_object, *KEDA))
    await eventually(gone)
    assert not await names_of(api, policy.list_namespaced_pod_disruption_budget, NS)
    seeds = await read(api, core.read_namespaced_secret, "easel-easel-pool-seeds", NS)
    assert "worker-xl.nk" not in (seeds.get("data") or {})
    assert "easel-easel-nats-authorization" in await names_of(api, core.list_namespaced_secret, NS)
    assert await names_of(api, apps.list_namespaced_deployment, NS) == {"easel-worker-sd15"}


async def _identity_kept(api, core, pool: str) -> bool:
    """Whether the pool's workers may still sign in: their seed is kept and its key is in the authorization."""
    seeds = (await read(api, core.read_namespaced_secret, "easel-easel-pool-seeds", NS)).get("data") or {}
    if f"worker-{pool}.nk" not in seeds:
        return False
    key = nats_access.public_key(base64.b64decode(seeds[f"worker-{pool}.nk"]).decode().strip())
    included = await read(api, core.read_namespaced_secret, "easel-easel-nats-authorization", NS)
    text = base64.b64decode(included["data"]["authorization.conf"]).decode()
    return key in {u["nkey"] for u in json.loads(text.removeprefix("authorization: "))["users"]}


async def test_a_deleted_pools_identity_stays_until_its_last_worker_pod_is_gone(cluster):
    controller, api, core, apps, custom, policy = cluster
    controller.set_pools([api_pool("sd15", source="config"), api_pool()])
    await controller.reconcile()
    labels = (await _deployment(api, apps))["spec"]["template"]["metadata"]["labels"]
    # a worker pod of the pool, as its Deployment's ReplicaSet made it (another release's pod of `xl` is no matter)
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "easel-worker-xl-abc12", "labels": labels},
           "spec": {"containers": [{"name": "gpu-worker", "image": "easel/gpu-worker:1"}]}}
    await call(core.create_namespaced_pod, NS, pod)
    assert await _identity_kept(api, core, "xl")

    # deleted while its pod still drains a job: the Deployment goes, the identity stays, so the worker reports it
    controller.set_pools([api_pool("sd15", source="config")])
    await controller.reconcile()
    assert await _deployment(api, apps) is None
    assert await _identity_kept(api, core, "xl")
    await controller.reconcile()  # and on every pass while the pod is there
    assert await _identity_kept(api, core, "xl")

    # the pod gone: the next pass drops the seed and the authorization
    await call(core.delete_namespaced_pod, "easel-worker-xl-abc12", NS)
    await controller.reconcile()
    assert not await _identity_kept(api, core, "xl")
    seeds = (await read(api, core.read_namespaced_secret, "easel-easel-pool-seeds", NS)).get("data") or {}
    assert "worker-xl.nk" not in seeds


async def test_nothing_is_deleted_before_the_first_pool_list(cluster):
    controller, api, core, apps, custom, policy = cluster
    controller.set_pools([api_pool()])
    await controller.reconcile()
    fresh = PoolController(controller.api, NS, Names("easel"), controller.template_config_map)
    await fresh.reconcile()  # started, no list heard yet
    assert "easel-worker-xl" in await names_of(api, apps.list_namespaced_deployment, NS)


async def test_the_pools_workers_sign_in_with_the_seed_and_authorization_it_wrote(cluster, tmp_path):
    controller, api, core, apps, custom, policy = cluster
    controller.set_pools([api_pool("sd15", source="config"), api_pool()])
    await controller.reconcile()
    seeds = await read(api, core.read_namespaced_secret, "easel-easel-pool-seeds", NS)
    assert list(seeds["data"]) == ["worker-xl.nk"]  # API pools only: the chart's seeds stay in their own Secret
    seed = base64.b64decode(seeds["data"]["worker-xl.nk"]).decode()
    controller.set_pools([api_pool("sd15", source="config"), api_pool(), api_pool("yz")])
    await controller.reconcile()  # again, with another pool: the same seed for xl, never a new one
    again = await read(api, core.read_namespaced_secret, "easel-easel-pool-seeds", NS)
    assert again["data"]["worker-xl.nk"] == seeds["data"]["worker-xl.nk"] and "worker-yz.nk" in again["data"]

    included = await read(api, core.read_namespaced_secret, "easel-easel-nats-authorization", NS)
    text = base64.b64decode(included["data"]["authorization.conf"]).decode()
    users = {u["nkey"]: u["permissions"] for u in json.loads(text.removeprefix("authorization: "))["users"]}
    names = Names("easel")
    assert users[nats_access.public_key(seed)] == json.loads(json.dumps(
        nats_access.permissions(names, "worker-xl", ["sd15", "xl", "yz"]).server_block()))
    # the chart's pool's workers are now denied the new pool's consumer by name
    sd15 = next(p for p in users.values() if "easel.jobs.claim.sd15" in p["publish"]["allow"])
    assert f"$JS.API.CONSUMER.MSG.NEXT.{names.stream('jobs')['name']}.worker-xl" in sd15["publish"]["deny"]

    port = free_port()
    (tmp_path / "authorization.conf").write_text(text)
    (tmp_path / "nats.conf").write_text(f'port: {port}\ninclude "authorization.conf"\n')
    server = subprocess.Popen([binary(), "-c", str(tmp_path / "nats.conf")], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        await wait_port(port)
        (tmp_path / "worker-xl.nk").write_text(seed)
        worker = Identity("worker-xl", tmp_path / "worker-xl.nk")
        nc = await connect(f"nats://127.0.0.1:{port}", "test-worker-xl", worker)
        assert nc.is_connected
        await close(nc)
    finally:
        server.terminate()
        server.wait(timeout=10)


async def test_a_pool_made_through_the_api_is_reconciled_by_the_jobs_service(chart_objects, tmp_path, monkeypatch):
    """The whole path: /v1/pools on the gateway, the jobs service's pool list, its controller (EASEL_POOL_CONTROLLER
    =kubernetes, the client set up from a kubeconfig as outside a pod), the cluster's objects."""
    objects, _ = chart_objects
    async with ApplyingEmulator() as emulator, kmock.Server(emulator) as server:
        emulator.resources["keda.sh/v1alpha1/scaledobjects"] = {}
        emulator.resources["v1/pods"] = {}  # the workers' pods, which the controller lists (none until a test adds)
        kubeconfig = {"apiVersion": "v1", "kind": "Config", "current-context": "emulator",
                      "clusters": [{"name": "emulator", "cluster": {"server": str(server.url).rstrip("/")}}],
                      "users": [{"name": "jobs", "user": {"token": "not-checked"}}],
                      "contexts": [{"name": "emulator", "context": {"cluster": "emulator", "user": "jobs"}}]}
        (tmp_path / "kubeconfig").write_text(json.dumps(kubeconfig))
        monkeypatch.setenv("KUBECONFIG", str(tmp_path / "kubeconfig"))
        config = kubernetes.client.Configuration()
        config.host = str(server.url).rstrip("/")
        api = kubernetes.client.ApiClient(config)
        apps, custom = kubernetes.client.AppsV1Api(api), kubernetes.client.CustomObjectsApi(api)
        core = kubernetes.client.CoreV1Api(api)
        await call(core.create_namespaced_config_map, NS, named(objects, "ConfigMap", "easel-pool-template"))
        await call(core.create_namespaced_secret, NS, named(objects, "Secret", "easel-easel-nats-authorization"))
        stack = EmbeddedStack(StackOptions(
            data_dir=tmp_path / "stack", port=0, namespace=namespace(), workers=0, pools=["default"],
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'stack.db'}",
            settings={"pool_controller": "kubernetes", "pool_controller_namespace": NS,
                      "pool_controller_template": "easel-pool-template", "pool_controller_resync_s": 0.5}))
        await stack.start()
        try:
            async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as client:
                admin = {"Authorization": f"Bearer {stack.admin_key}"}
                made = await client.post("/v1/pools", headers=admin, json={
                    "name": "xl", "gpu_type": "NVIDIA-L40S", "min_workers": 0, "max_workers": 2})
                assert made.status_code == 201, made.text

                async def scaled_to(n: int):
                    try:
                        s = await call(custom.get_namespaced_custom_object, *KEDA, "easel-worker-xl")
                    except kubernetes.client.exceptions.ApiException:
                        return None
                    return s["spec"]["maxReplicaCount"] == n
                await eventually(lambda: scaled_to(2), timeout=30)
                pod = (await _deployment(api, apps))["spec"]["template"]["spec"]
                assert pod["nodeSelector"]["nvidia.com/gpu.product"] == "NVIDIA-L40S"
                # the configured pool is the chart's: the controller makes nothing for it
                assert await names_of(api, apps.list_namespaced_deployment, NS) == {"easel-worker-xl"}

                changed = await client.patch("/v1/pools/xl", headers=admin, json={"max_workers": 6})
                assert changed.status_code == 200, changed.text
                await eventually(lambda: scaled_to(6), timeout=30)

                deleted = await client.delete("/v1/pools/xl", headers=admin)
                assert deleted.status_code == 200, deleted.text

                async def gone():
                    return not await names_of(api, apps.list_namespaced_deployment, NS) \
                        and not await names_of(api, custom.list_namespaced_custom_object, *KEDA)
                await eventually(gone, timeout=30)
        finally:
            await stack.stop()
            await call(api.close)


def test_pool_names_with_an_underscore_still_make_distinct_kubernetes_names():
    template = Template(deployment={"metadata": {"name": f"easel-worker-{TEMPLATE_POOL}"}}, scaled_object={},
                        release="easel")
    names = {template.object_name(p) for p in ("gpu_a10", "gpu-a10", "a" * 32 + "_")}
    assert len(names) == 3
    assert all(re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", n) and len(n) <= 63 for n in names), names


async def _deployment(api, apps) -> dict | None:
    try:
        return await read(api, apps.read_namespaced_deployment, "easel-worker-xl", NS)
    except kubernetes.client.exceptions.ApiException:
        return None


def strip_server_fields(obj: dict) -> dict:
    """The object as applied, without what the (emulated) server adds."""
    obj = json.loads(json.dumps(obj))
    obj["metadata"].pop("namespace", None)
    obj.pop("status", None)
    return obj


def as_chart(obj: dict) -> dict:
    """An object with what differs by design between the chart's pools and the controller's taken out: who manages
    it, the owner labels, and the Secret its workers' seed comes from."""
    obj = json.loads(json.dumps(obj))
    for labels in (obj["metadata"].get("labels", {}), obj.get("spec", {}).get("template", {}).get("metadata", {})
                   .get("labels", {})):
        labels.pop("app.kubernetes.io/managed-by", None)
    pod = obj.get("spec", {}).get("template", {}).get("spec", {})
    for volume in pod.get("volumes", []):
        if volume["name"] == "nats-identity":
            volume["secret"].pop("secretName")
    for container in pod.get("containers", []):  # quantities, as the API server gives them back: strings
        for kind, amounts in container.get("resources", {}).items():
            container["resources"][kind] = {k: str(v) for k, v in amounts.items()}
    return obj


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_port(port: int) -> None:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            await asyncio.sleep(0.05)
