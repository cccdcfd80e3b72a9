"""GPU pools as objects (/v1/pools): the platform admin makes, changes and deletes them; nobody else may; pools from
the configuration are read-only; a disabled pool takes no job; deleting or disabling a pool moves or fails its
queued jobs, never losing one; a pool's roles let their holders use it; a pool's status shows its workers."""

from __future__ import annotations

import asyncio
import uuid

from easel_common.natsio import request
from easel_proto import Names
from easel_proto.v1 import pools
from helpers import new_user, submit, until_status, wait_for


def pool_name() -> str:
    return f"p-{uuid.uuid4().hex[:8]}"


async def settle() -> None:
    """Lets the embedded stack's nats-server reload (it does when the set of pools changes) before the next request:
    a reload forgets the reply permissions of requests in flight (documented in docs/architecture.md)."""
    await asyncio.sleep(1)


async def make_pool(api, admin_headers, **fields) -> dict:
    # no workers: the jobs sent to it wait, whatever starts workers for pools
    body = {"name": pool_name(), "min_workers": 0, "max_workers": 0, **fields}
    r = await api.post("/v1/pools", json=body, headers=admin_headers)
    assert r.status_code == 201, r.text
    await settle()
    return r.json()


async def test_pools_crud_is_the_platform_admins(api, admin_headers):
    made = await make_pool(api, admin_headers, gpu_type="NVIDIA-A10G", node_selector={"zone": "a"},
                           preload_models=["sd-tiny"], description="small GPUs")
    assert made["source"] == "api" and made["enabled"] is True and made["gpu_type"] == "NVIDIA-A10G"
    name = made["name"]

    r = await api.get("/v1/pools", headers=admin_headers)
    assert r.status_code == 200, r.text
    listed = r.json()
    by_name = {p["name"]: p for p in listed}
    assert by_name[name]["node_selector"] == {"zone": "a"}
    assert by_name["default"]["source"] == "config"  # seeded from EASEL_POOLS

    r = await api.patch(f"/v1/pools/{name}", json={"max_workers": 3, "gpu_type": ""}, headers=admin_headers)
    assert r.status_code == 200, r.text
    assert r.json()["pool"]["max_workers"] == 3 and r.json()["pool"]["gpu_type"] is None
    assert (await api.get(f"/v1/pools/{name}", headers=admin_headers)).json()["max_workers"] == 3

    r = await api.post("/v1/pools", json={"name": name}, headers=admin_headers)
    assert r.status_code == 409 and r.json()["details"]["field"] == "name"
    r = await api.post("/v1/pools", json={"name": pool_name(), "min_workers": 4, "max_workers": 2},
                       headers=admin_headers)
    assert r.status_code == 422 and r.json()["details"]["field"] == "max_workers"
    r = await api.post("/v1/pools", json={"name": "Not A Pool"}, headers=admin_headers)
    assert r.status_code == 422 and r.json()["details"]["field"] == "name"

    # node labels Kubernetes would refuse are refused here, naming the key (create and change)
    for body, named in (({"node_selector": {"bad key": "a"}}, "node_selector.bad key"),
                        ({"node_selector": {"example.com/zone": "-a"}}, "node_selector.example.com/zone"),
                        ({"gpu_type": "NVIDIA A10G"}, "gpu_type"), ({"instance_type": "x" * 64}, "instance_type")):
        r = await api.post("/v1/pools", json={"name": pool_name(), **body}, headers=admin_headers)
        assert r.status_code == 422 and r.json()["details"]["field"] == named, r.text
        r = await api.patch(f"/v1/pools/{name}", json=body, headers=admin_headers)
        assert r.status_code == 422 and r.json()["details"]["field"] == named, r.text
    assert (await api.get(f"/v1/pools/{name}", headers=admin_headers)).json()["node_selector"] == {"zone": "a"}

    r = await api.delete(f"/v1/pools/{name}", headers=admin_headers)
    await settle()
    assert r.status_code == 200, r.text
    assert (await api.get(f"/v1/pools/{name}", headers=admin_headers)).status_code == 404


async def test_config_pools_are_read_only(api, admin_headers):
    for r in (await api.patch("/v1/pools/default", json={"max_workers": 9}, headers=admin_headers),
              await api.delete("/v1/pools/default", headers=admin_headers)):
        assert r.status_code == 409 and r.json()["details"]["field"] == "name", r.text
    assert (await api.get("/v1/pools/default", headers=admin_headers)).json()["max_workers"] != 9


async def test_plain_users_and_tenant_admins_cannot_manage_pools(api, admin_headers):
    plain = await new_user(api, admin_headers)
    tenant_admin = await new_user(api, admin_headers, roles=["admin"], tenant_id=f"t-{uuid.uuid4().hex[:8]}")
    for who in (plain, tenant_admin):
        r = await api.get("/v1/pools", headers=who["headers"])
        assert r.status_code == 403 and r.json()["details"]["permission"] == "pools:manage", r.text
        r = await api.post("/v1/pools", json={"name": pool_name()}, headers=who["headers"])
        assert r.status_code == 403
        r = await api.patch("/v1/pools/default", json={"enabled": False}, headers=who["headers"])
        assert r.status_code == 403
    # nor may a tenant admin hand the permission out through a role of their own
    r = await api.post("/v1/roles", json={"name": f"r-{uuid.uuid4().hex[:6]}", "permissions": ["pools:manage"]},
                       headers=tenant_admin["headers"])
    assert r.status_code == 403, r.text


async def role_member(api, admin_headers) -> tuple[str, dict]:
    """A role granting jobs but no pool, and a user holding it (and only it)."""
    role = f"r-{uuid.uuid4().hex[:6]}"
    r = await api.post("/v1/roles", json={"name": role, "permissions": ["jobs:create", "models:read"]},
                       headers=admin_headers)
    assert r.status_code == 201, r.text
    return role, await new_user(api, admin_headers, roles=[role])


async def test_a_pools_roles_may_use_it_and_no_one_else(api, admin_headers):
    role, member = await role_member(api, admin_headers)
    _, outsider = await role_member(api, admin_headers)
    pool = (await make_pool(api, admin_headers, roles=[role]))["name"]

    job = await submit(api, member["headers"], pool=pool)
    assert job["pool"] == pool and job["status"] == "queued"
    r = await api.post("/v1/jobs", json={"prompt": "x", "pool": pool}, headers=outsider["headers"])
    assert r.status_code == 403 and r.json()["details"]["permission"] == f"pools:use:{pool}", r.text
    # the role does not reach other pools
    r = await api.post("/v1/jobs", json={"prompt": "x", "pool": "default"}, headers=member["headers"])
    assert r.status_code == 403

    # its status is open to the role's members, not to others
    assert (await api.get(f"/v1/pools/{pool}/status", headers=member["headers"])).json()["queue_depth"] == 1
    assert (await api.get(f"/v1/pools/{pool}/status", headers=outsider["headers"])).status_code == 403
    r = await api.delete(f"/v1/pools/{pool}", headers=admin_headers)
    await settle()
    assert r.json()["failed_jobs"] == 1


async def test_disabling_a_pool_fails_its_queued_jobs_and_refuses_new_ones(api, admin_headers):
    role, member = await role_member(api, admin_headers)
    pool = (await make_pool(api, admin_headers, roles=[role]))["name"]
    queued = [await submit(api, member["headers"], pool=pool, seed=i) for i in range(2)]

    r = await api.patch(f"/v1/pools/{pool}", json={"enabled": False}, headers=admin_headers)
    assert r.status_code == 200, r.text
    assert r.json()["failed_jobs"] == 2 and r.json()["pool"]["enabled"] is False
    for job in queued:
        failed = await until_status(api, job["id"], member["headers"], "failed", timeout=10)
        assert failed["error"]["code"] == "gone" and f"pool {pool} was disabled" in failed["error"]["message"]

    r = await api.post("/v1/jobs", json={"prompt": "x", "pool": pool}, headers=member["headers"])
    assert r.status_code == 409 and r.json()["details"]["field"] == "pool", r.text
    assert "disabled" in r.json()["message"]
    await api.delete(f"/v1/pools/{pool}", headers=admin_headers)
    await settle()


async def test_deleting_a_pool_moves_its_queued_jobs_where_they_run(api, admin_headers):
    role, member = await role_member(api, admin_headers)
    pool = (await make_pool(api, admin_headers, roles=[role]))["name"]
    job = await submit(api, member["headers"], pool=pool)

    r = await api.delete(f"/v1/pools/{pool}", params={"move_to": "no-such-pool"}, headers=admin_headers)
    assert r.status_code == 422 and r.json()["details"]["field"] == "move_to", r.text
    r = await api.delete(f"/v1/pools/{pool}", params={"move_to": "default"}, headers=admin_headers)
    await settle()
    assert r.status_code == 200, r.text
    assert r.json()["moved_jobs"] == 1 and r.json()["failed_jobs"] == 0

    # the default pool's worker runs it: moved, not lost (the owner may follow it though not a user of default)
    done = await until_status(api, job["id"], member["headers"], "succeeded", "failed", timeout=120)
    assert done["status"] == "succeeded" and done["pool"] == "default", done
    r = await api.post("/v1/jobs", json={"prompt": "x", "pool": pool}, headers=admin_headers)
    assert r.status_code == 422 and r.json()["details"]["field"] == "pool"


async def test_pool_status_shows_its_worker(api, admin_headers, stack):
    async def seen():
        r = await api.get("/v1/pools/default/status", headers=admin_headers)
        assert r.status_code == 200, r.text
        return r.json() if r.json()["workers"] else None

    status = await wait_for(seen, timeout=30)
    worker = status["workers"][0]
    assert status["enabled"] is True and worker["state"] in ("idle", "busy", "draining")
    assert worker["worker_id"] and worker["last_seen"]
    assert isinstance(status["queue_depth"], int) and status["jobs_per_minute"] >= 0
    plain = await new_user(api, admin_headers)  # role user: pools:use:default
    assert (await api.get("/v1/pools/default/status", headers=plain["headers"])).status_code == 200
    assert (await api.get("/v1/pools/idle/status", headers=plain["headers"])).status_code == 403


async def test_every_change_is_broadcast_with_the_whole_list(api, admin_headers, stack):
    """Other gateways, the autoscaler and the controller learn the list from the broadcast (or ask for it)."""
    names = Names(stack.options.namespace)
    nc = await stack.connect_as("gateway")
    heard: list[pools.PoolsChanged] = []

    async def keep(msg) -> None:
        heard.append(pools.PoolsChanged.model_validate_json(msg.data))

    await nc.subscribe(names.pools_changed, cb=keep)
    await nc.flush()
    name = (await make_pool(api, admin_headers))["name"]

    async def told():
        return next((h for h in heard if h.reason == f"created:{name}"), None)

    changed = await wait_for(told, timeout=10)
    assert {"default", name} <= {p.name for p in changed.pools}
    current = await request(nc, names.pools_current, pools.PoolsQuery(), pools.PoolsChanged, timeout=5)
    assert name in {p.name for p in current.pools}
    await api.delete(f"/v1/pools/{name}", headers=admin_headers)
    await settle()

    async def told_gone():
        return any(h.reason == f"deleted:{name}" and name not in {p.name for p in h.pools} for h in heard)

    await wait_for(told_gone, timeout=10)


async def test_a_pools_workers_start_with_its_preload_models_loaded(api, admin_headers, stack):
    """The embedded autoscaler starts the pool's worker with EASEL_PRELOAD_MODELS; the worker loads them before it
    announces itself, so the pool's status shows the model in memory before any job ran (a ref naming no model is
    skipped, not fatal)."""
    made = await make_pool(api, admin_headers, min_workers=1, max_workers=1,
                           preload_models=["builtin-tiny-sd", "no-such-model"])
    name = made["name"]
    try:
        async def holding():
            r = await api.get(f"/v1/pools/{name}/status", headers=admin_headers)
            assert r.status_code == 200, r.text
            return next((w for w in r.json()["workers"] if "builtin-tiny-sd" in (w["models"] or [])), None)

        worker = await wait_for(holding, timeout=120)
        assert worker["state"] == "idle" and worker["job_id"] is None
        r = await api.get(f"/v1/pools/{name}/status", headers=admin_headers)
        assert r.json()["jobs_per_minute"] == 0  # loaded at start, not by a job
    finally:
        assert (await api.delete(f"/v1/pools/{name}", headers=admin_headers)).status_code == 200
        await settle()
