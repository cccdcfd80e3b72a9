"""The Kubernetes objects of a pool made through /v1/pools, built from the worker template the chart renders.

The chart renders one pool's worker Deployment and KEDA ScaledObject with the workers' defaults for the pool name
`TEMPLATE_POOL` into a ConfigMap (charts/easel/templates/gpu-worker/pool-template.yaml), from the same templates
that render the pools of the Helm values, so image, env, volumes, probes and securityContext never diverge. Here
the placeholder becomes the pool's name everywhere, and what a pool sets replaces the defaults: its nodes
(gpu_type -> `nvidia.com/gpu.product`, instance_type -> `node.kubernetes.io/instance-type`, node_selector), GPUs per
worker, min/max workers, the queue depth per worker KEDA aims for (lagThreshold, the metrics-api targetValue) and
the cooldown. A disabled pool keeps its objects at zero workers: replicas 0 and KEDA paused there. The pool's
PodDisruptionBudget comes from the template too, when the chart's workers have one.

Every object carries the owner labels (`Template.owner_labels`): the controller finds and deletes what it made by
them.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from easel_common import nats_access
from easel_proto import Names
from easel_proto.v1.pools import Pool

TEMPLATE_POOL = "__pool__"
FIELD_MANAGER = "easel-pool-controller"
MANAGED_BY = "app.kubernetes.io/managed-by"
INSTANCE = "app.kubernetes.io/instance"
POOL_LABEL = "easel.dev/pool"  # the chart's label for a pool's objects
GPU_PRODUCT_LABEL = "nvidia.com/gpu.product"
INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type"
PAUSED_REPLICAS = "autoscaling.keda.sh/paused-replicas"
AUTHORIZATION_KEY = "authorization.conf"


def k8s_name(pool: str) -> str:
    """A pool name as part of an object name: `_` is not allowed there, so it becomes `-` and a short hash of the
    real name keeps `a_b` and `a-b` apart."""
    if "_" not in pool:
        return pool
    return f"{pool.replace('_', '-')}-{hashlib.sha256(pool.encode()).hexdigest()[:6]}"


def _name(prefix: str, suffix: str = "") -> str:
    return f"{prefix}{suffix}"[:63].rstrip("-")


@dataclass(frozen=True)
class Template:
    """What the chart's ConfigMap holds: one pool's objects for the placeholder pool, and the release's facts."""

    deployment: dict[str, Any]
    scaled_object: dict[str, Any]
    release: str
    pdb: dict[str, Any] | None = None  # none when the chart's workers.pdb is off
    gpu_resource: str = "nvidia.com/gpu"
    authorization_secret: str = ""  # the Secret nats-server includes its authorization from ("": none)
    seeds_secret: str = "easel-pool-seeds"  # the API pools' workers' seeds, one key each
    public_keys: dict[str, str] = field(default_factory=dict)  # the chart's identities (easel nats-config)

    @classmethod
    def from_config_map(cls, data: dict[str, str]) -> Template:
        settings = json.loads(data["settings.json"])
        return cls(deployment=json.loads(data["deployment.json"]), scaled_object=json.loads(data["scaledobject.json"]),
                   pdb=json.loads(data["pdb.json"]) if data.get("pdb.json") else None, release=settings["release"],
                   gpu_resource=settings.get("gpuResource", "nvidia.com/gpu"),
                   authorization_secret=settings.get("authorizationSecret", ""),
                   seeds_secret=settings.get("seedsSecret", "easel-pool-seeds"),
                   public_keys=settings.get("publicKeys") or {})

    def owner_labels(self, pool: str | None = None) -> dict[str, str]:
        labels = {MANAGED_BY: FIELD_MANAGER, INSTANCE: self.release}
        if pool is not None:
            labels[POOL_LABEL] = pool
        return labels

    def selector(self) -> str:
        return ",".join(f"{k}={v}" for k, v in self.owner_labels().items())

    def object_name(self, pool: str) -> str:
        """The Deployment's and the ScaledObject's name: the chart's `<fullname>-worker-<pool>`."""
        return _name(self.deployment["metadata"]["name"].replace(TEMPLATE_POOL, k8s_name(pool)))

    def deployment_for(self, pool: Pool) -> dict[str, Any]:
        d = self._for_pool(self.deployment, pool.name)
        d["metadata"]["name"] = self.object_name(pool.name)
        d["metadata"]["labels"].update(self.owner_labels(pool.name))
        spec = d["spec"]
        pod_meta, pod = spec["template"]["metadata"], spec["template"]["spec"]
        pod_meta["labels"].update(self.owner_labels(pool.name))
        spec.pop("replicas", None)  # KEDA's HPA sets it ...
        if pool.enabled is False:
            spec["replicas"] = 0  # ... unless the pool is disabled (KEDA paused there too)
        nodes = dict(pod.get("nodeSelector") or {})
        if pool.gpu_type:
            nodes[GPU_PRODUCT_LABEL] = pool.gpu_type
        if pool.instance_type:
            nodes[INSTANCE_TYPE_LABEL] = pool.instance_type
        nodes.update(pool.node_selector or {})
        if nodes:
            pod["nodeSelector"] = nodes
        (container,) = [c for c in pod["containers"] if c["name"] == "gpu-worker"]
        limits = container.setdefault("resources", {}).setdefault("limits", {})
        limits[self.gpu_resource] = pool.gpus_per_worker or 1
        for env in container["env"]:
            if env["name"] == "EASEL_PRELOAD_MODELS":
                env["value"] = json.dumps(list(pool.preload_models or []), separators=(",", ":"))
            elif env["name"] == "EASEL_POOLS":  # a worker starts only for a pool it is told of
                pools = json.loads(env["value"])
                env["value"] = json.dumps([*pools, pool.name] if pool.name not in pools else pools,
                                          separators=(",", ":"))
        for volume in pod["volumes"]:
            if volume["name"] == "nats-identity":  # its own seed (that key only), from the API pools' Secret
                volume["secret"]["secretName"] = self.seeds_secret
        return d

    def scaled_object_for(self, pool: Pool) -> dict[str, Any]:
        s = self._for_pool(self.scaled_object, pool.name)
        name = self.object_name(pool.name)
        s["metadata"]["name"] = name
        s["metadata"]["labels"].update(self.owner_labels(pool.name))
        annotations = s["metadata"].setdefault("annotations", {})
        if pool.enabled is False:
            annotations[PAUSED_REPLICAS] = "0"
        else:
            annotations.pop(PAUSED_REPLICAS, None)
        if not annotations:
            del s["metadata"]["annotations"]
        spec = s["spec"]
        spec["scaleTargetRef"]["name"] = name
        spec["minReplicaCount"] = pool.min_workers or 0
        spec["maxReplicaCount"] = pool.max_workers if pool.max_workers is not None else 1
        spec["cooldownPeriod"] = pool.cooldown_seconds if pool.cooldown_seconds is not None else 300
        target = str(pool.queue_depth_target or 2)
        for trigger in spec["triggers"]:
            if trigger["type"] == "nats-jetstream":
                trigger["metadata"]["lagThreshold"] = target
            elif trigger["type"] == "metrics-api":
                trigger["metadata"]["targetValue"] = target
        return s

    def pdb_for(self, pool: Pool) -> dict[str, Any] | None:
        if self.pdb is None:
            return None
        p = self._for_pool(self.pdb, pool.name)
        p["metadata"]["name"] = self.object_name(pool.name)
        p["metadata"]["labels"].update(self.owner_labels(pool.name))
        return p

    def seeds_secret_for(self, seeds: dict[str, str]) -> dict[str, Any]:
        """The API pools' workers' seeds (`worker-<pool>.nk`), pool -> seed; each pool's pods mount their key only.
        One Secret of a known name, so the controller's Role names the Secrets it may read."""
        return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                "metadata": {"name": self.seeds_secret, "labels": {INSTANCE: self.release, MANAGED_BY: FIELD_MANAGER}},
                "data": {seed_key(pool): _b64(seed) for pool, seed in sorted(seeds.items())}}

    def authorization_secret_for(self, names: Names, pools: list[str], pool_keys: dict[str, str]) -> dict[str, Any]:
        """The Secret nats-server includes its `authorization` from: the chart's identities (their public keys from
        `easel nats-config`) and each API pool's worker, every one with its permissions for this pool list (a worker
        is denied every other pool's consumer by name, so the whole block follows the list)."""
        keys = {**self.public_keys, **{nats_access.worker_identity(p): k for p, k in pool_keys.items()}}
        users = [{"nkey": key, "permissions": nats_access.permissions(names, identity, pools).server_block()}
                 for identity, key in sorted(keys.items())]
        text = "authorization: " + json.dumps({"users": users}, indent=2) + "\n"
        return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                "metadata": {"name": self.authorization_secret, "labels": {INSTANCE: self.release}},
                "data": {AUTHORIZATION_KEY: _b64(text)}}

    @staticmethod
    def _for_pool(obj: dict[str, Any], pool: str) -> dict[str, Any]:
        """The template object with the placeholder replaced by the pool's name wherever the chart put it (labels,
        EASEL_POOL, the consumer, the seed's key ...); object names are set by the caller."""
        return _replace(copy.deepcopy(obj), pool)


def seed_key(pool: str) -> str:
    return f"{nats_access.worker_identity(pool)}.nk"


def _replace(value: Any, pool: str) -> Any:
    if isinstance(value, str):
        return value.replace(TEMPLATE_POOL, pool)
    if isinstance(value, list):
        return [_replace(v, pool) for v in value]
    if isinstance(value, dict):
        return {_replace(k, pool): _replace(v, pool) for k, v in value.items()}
    return value


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()
