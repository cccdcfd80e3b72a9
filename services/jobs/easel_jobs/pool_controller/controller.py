"""PoolController: keeps each API-defined pool's worker Deployment, KEDA ScaledObject and NATS identity applied.

It is handed the jobs service's pool list whenever its view changes (easel_jobs.pools: a change through /v1/pools,
another replica's `pools_changed` broadcast, the rows read again each minute) and applies on each change and every
EASEL_POOL_CONTROLLER_RESYNC_S, so an edit made by hand (an image, a replica count) is put back. Pools of the Helm
values (source "config") are the chart's: they are left alone. Objects are written by server-side apply with the
field manager `easel-pool-controller` (forcing: the pool's settings win over anyone's edit), and every one carries
the owner labels, by which the objects of a pool no longer in the list are found and deleted. Nothing is deleted
before the first list has arrived.

A pool's NATS identity: its seed is made once into the Secret `<release>-easel-pool-seeds` (key `worker-<pool>.nk`,
the only key its pods mount; never replaced: its workers keep signing in with it; gone with the pool), and the
Secret nats-server includes its authorization from is rewritten with every identity's permissions for the new pool
list; the NATS chart's config reloader makes nats-server reload it. Both Secrets have fixed names, so the Role names
the only Secrets this service may read or change. A deleted pool's identity (its seed and its authorization) stays
while any pod with its labels remains: its workers drain their last jobs after the Deployment is deleted, and need
NATS to report them; the first pass that finds none of its pods drops it.

The official `kubernetes` client is blocking: every call runs on a worker thread.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from typing import Any

from easel_common import nats_access
from easel_jobs.pool_controller.manifests import FIELD_MANAGER, POOL_LABEL, Template, seed_key
from easel_proto import Names
from easel_proto.v1.pools import Pool

log = logging.getLogger(__name__)
APPLY = "application/apply-patch+yaml"
KEDA = ("keda.sh", "v1alpha1", "scaledobjects")


class PoolController:
    def __init__(self, api_client: Any, namespace: str, names: Names, template_config_map: str, *,
                 resync_s: float = 60.0) -> None:
        from kubernetes import client

        self.api, self.namespace, self.names = api_client, namespace, names
        self.template_config_map, self.resync_s = template_config_map, resync_s
        self.apps, self.core = client.AppsV1Api(api_client), client.CoreV1Api(api_client)
        self.custom, self.policy = client.CustomObjectsApi(api_client), client.PolicyV1Api(api_client)
        self.pools: list[Pool] | None = None  # None until the first list: nothing is deleted before
        self.changed = asyncio.Event()
        self._warned = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self.run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await asyncio.to_thread(self.api.close)

    def set_pools(self, pools: list[Pool]) -> None:
        self.pools = list(pools)
        self.changed.set()

    async def run(self) -> None:
        """Apply on every change, and every resync_s without one."""
        while True:
            try:
                await asyncio.wait_for(self.changed.wait(), self.resync_s)
            except TimeoutError:
                pass
            self.changed.clear()
            try:
                await self.reconcile()
            except Exception:
                log.exception("pool controller: reconciling the pools failed; trying again in %.0fs", self.resync_s)

    async def reconcile(self) -> None:
        """Make the cluster match the pool list: apply each API pool's objects, delete those of pools gone."""
        if self.pools is None:
            return
        template = await self.template()
        api_pools = [p for p in self.pools if p.source == "api"]
        draining = await self._draining(template, {p.name for p in api_pools})
        keys = await self._ensure_seeds(template, [*(p.name for p in api_pools), *draining])
        if template.authorization_secret and template.public_keys:
            await self._apply_authorization(template, keys, draining)
        elif api_pools and not self._warned:
            self._warned = True
            log.warning("pool controller: NATS will not admit the workers of %s: %s", ", ".join(keys),
                        "no public keys in natsClient.identities.publicKeys (run `easel nats-config` again)"
                        if template.authorization_secret else "an external NATS (admit worker-<pool> there)")
        for pool in api_pools:
            await self._apply(self.apps.patch_namespaced_deployment, template.object_name(pool.name),
                              template.deployment_for(pool))
            await self._apply_scaled_object(template.object_name(pool.name), template.scaled_object_for(pool))
            if (pdb := template.pdb_for(pool)) is not None:
                await self._apply(self.policy.patch_namespaced_pod_disruption_budget, pdb["metadata"]["name"], pdb)
        await self._delete_others(template, {p.name for p in api_pools})

    async def template(self) -> Template:
        config_map = await asyncio.to_thread(self.core.read_namespaced_config_map, self.template_config_map,
                                             self.namespace)
        return Template.from_config_map(config_map.data or {})

    async def _apply(self, patch: Any, name: str, body: dict[str, Any]) -> None:
        await asyncio.to_thread(patch, name, self.namespace, body, field_manager=FIELD_MANAGER, force=True,
                                _content_type=APPLY)

    async def _apply_scaled_object(self, name: str, body: dict[str, Any]) -> None:
        await asyncio.to_thread(self.custom.patch_namespaced_custom_object, *KEDA[:2], self.namespace, KEDA[2], name,
                                body, field_manager=FIELD_MANAGER, force=True, _content_type=APPLY)

    async def _ensure_seeds(self, template: Template, pools: list[str]) -> dict[str, str]:
        """The public key of each API pool's workers. A pool's seed is made the first time it is seen and never
        replaced (its workers keep signing in with it); a deleted pool's goes."""
        from kubernetes.client.exceptions import ApiException

        for _ in range(3):  # another replica may change the Secret between our read and write
            try:
                return await self._ensure_seeds_once(template, pools)
            except ApiException as exc:
                if exc.status != 409:
                    raise
        raise RuntimeError(f"the Secret {template.seeds_secret} keeps changing under the pool controller")

    async def _ensure_seeds_once(self, template: Template, pools: list[str]) -> dict[str, str]:
        from kubernetes.client.exceptions import ApiException

        try:
            secret = await asyncio.to_thread(self.core.read_namespaced_secret, template.seeds_secret, self.namespace)
            found, version = secret.data or {}, secret.metadata.resource_version
        except ApiException as exc:
            if exc.status != 404:
                raise
            found, version = None, None
        found_seeds = {p: base64.b64decode(found[seed_key(p)]).decode().strip()
                       for p in pools if seed_key(p) in (found or {})}
        seeds = {**found_seeds, **{p: nats_access.new_seed() for p in pools if p not in found_seeds}}
        if found is None:
            await asyncio.to_thread(self.core.create_namespaced_secret, self.namespace,
                                    template.seeds_secret_for(seeds), field_manager=FIELD_MANAGER)
        elif set(found) != {seed_key(p) for p in seeds}:
            # the keys of new pools in, those of deleted ones out (null), if nobody changed it since it was read
            change = template.seeds_secret_for(seeds)["data"]
            change.update({key: None for key in found if key not in change})
            await asyncio.to_thread(self.core.patch_namespaced_secret, template.seeds_secret, self.namespace,
                                    {"metadata": {"resourceVersion": version}, "data": change},
                                    field_manager=FIELD_MANAGER, _content_type="application/merge-patch+json")
        return {p: nats_access.public_key(seed) for p, seed in seeds.items()}

    async def _draining(self, template: Template, live: set[str]) -> list[str]:
        """The deleted API pools some pod of which is still there (running, or terminating: draining its job)."""
        pods = await asyncio.to_thread(self.core.list_namespaced_pod, self.namespace,
                                       label_selector=template.selector())
        left: dict[str, int] = {}
        for pod in pods.items:
            pool = (pod.metadata.labels or {}).get(POOL_LABEL)
            if pool and pool not in live:
                left[pool] = left.get(pool, 0) + 1
        for pool, count in sorted(left.items()):
            log.info("pool controller: keeping the NATS identity of the deleted pool %s while its %d pods stop",
                     pool, count)
        return sorted(left)

    async def _apply_authorization(self, template: Template, keys: dict[str, str], draining: list[str]) -> None:
        pools = [*(p.name for p in self.pools or []), *draining]
        body = template.authorization_secret_for(self.names, pools, keys)
        await self._apply(self.core.patch_namespaced_secret, template.authorization_secret, body)

    async def _delete_others(self, template: Template, keep: set[str]) -> None:
        """Delete what carries the owner labels but belongs to no API pool any more (the ScaledObject first, so
        KEDA lets go of the Deployment; then the PodDisruptionBudget)."""
        from kubernetes.client.exceptions import ApiException

        listed = await asyncio.to_thread(self.custom.list_namespaced_custom_object, *KEDA[:2], self.namespace,
                                         KEDA[2], label_selector=template.selector())
        kinds = [(listed.get("items", []), lambda n: self.custom.delete_namespaced_custom_object(
            *KEDA[:2], self.namespace, KEDA[2], n))]
        for list_fn, delete_fn in ((self.apps.list_namespaced_deployment, self.apps.delete_namespaced_deployment),
                                   (self.policy.list_namespaced_pod_disruption_budget,
                                    self.policy.delete_namespaced_pod_disruption_budget)):
            items = (await asyncio.to_thread(list_fn, self.namespace, label_selector=template.selector())).items
            kinds.append(([self.api.sanitize_for_serialization(i) for i in items],
                          lambda n, delete=delete_fn: delete(n, self.namespace)))
        for items, delete in kinds:
            for item in items:
                labels = item["metadata"].get("labels") or {}
                owned = all(labels.get(k) == v for k, v in template.owner_labels().items())
                if not owned or POOL_LABEL not in labels or labels[POOL_LABEL] in keep:
                    continue  # the selector says so already; checked again before anything is deleted
                log.info("pool controller: deleting %s of the deleted pool %s", item["metadata"]["name"],
                         labels[POOL_LABEL])
                try:
                    await asyncio.to_thread(delete, item["metadata"]["name"])
                except ApiException as exc:
                    if exc.status != 404:
                        raise
