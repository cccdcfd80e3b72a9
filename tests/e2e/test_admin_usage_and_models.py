"""Admins' views of their tenant: usage (GET /v1/usage) and every model (GET /v1/models?all_users=true); a tenant's
admin never sees another tenant's, a plain user neither."""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file

from helpers import new_user, submit, until_status, wait_for


async def new_tenant(api, admin_headers) -> dict:
    tenant_id = f"t-{uuid.uuid4().hex[:8]}"
    r = await api.post("/v1/tenants", json={"id": tenant_id, "admin": {"username": f"{tenant_id}-boss",
                                                                       "api_key": True}}, headers=admin_headers)
    assert r.status_code == 201, r.text
    tenant = r.json()
    tenant["headers"] = {"Authorization": f"Bearer {tenant['admin_key']['secret']}"}
    return tenant


async def modeler_role(api, headers) -> str:
    """A role of the caller's tenant that may import models (the built-in user may only read them)."""
    name = f"modeler-{uuid.uuid4().hex[:6]}"
    r = await api.post("/v1/roles", json={"name": name, "permissions": ["models:read", "models:write"]},
                       headers=headers)
    assert r.status_code == 201, r.text
    return name


async def test_usage_adds_up_a_tenants_jobs_and_quota_rejections_and_stays_in_the_tenant(api, admin_headers):
    tenant = await new_tenant(api, admin_headers)
    boss = tenant["headers"]
    ann = await new_user(api, boss, f"ann-{uuid.uuid4().hex[:6]}")
    r = await api.patch(f"/v1/users/{ann['id']}", json={"quotas": {"images_per_day": 1}}, headers=boss)
    assert r.status_code == 200, r.text
    job = await submit(api, ann["headers"], seed=3)
    assert (await until_status(api, job["id"], ann["headers"], "succeeded", "failed"))["status"] == "succeeded"
    r = await api.post("/v1/jobs", json={"prompt": "again", "steps": 4, "width": 64, "height": 64},
                       headers=ann["headers"])
    assert r.status_code == 429, r.text
    outsider = await new_user(api, admin_headers)  # the default tenant's, with a job of their own
    await submit(api, outsider["headers"], seed=4)

    async def counted():  # the audit log's rows arrive asynchronously
        r = await api.get("/v1/usage", params={"days": 1}, headers=boss)
        assert r.status_code == 200, r.text
        usage = r.json()
        return usage if usage["totals"]["quota_rejections"] == 1 else None

    usage = await wait_for(counted, timeout=20, interval=0.3)
    assert usage["tenant_id"] == tenant["id"] and usage["bucket"] == "hour"
    assert usage["totals"]["jobs"] == 1 and usage["totals"]["images"] == 1 and usage["totals"]["failed"] == 0
    assert usage["totals"]["gpu_seconds"] > 0
    assert [u["username"] for u in usage["users"]] == [ann["username"]]  # not the outsider, not the admin
    assert usage["users"][0]["quota_rejections"] == 1 and usage["users"][0]["images"] == 1
    assert {r["role"]: r["jobs"] for r in usage["roles"]} == {"user": 1}
    assert 24 <= len(usage["periods"]) <= 25 and sum(p["jobs"] for p in usage["periods"]) == 1
    assert usage["quota_rejections_complete"] is True

    # another tenant's usage: 403 for a tenant's admin, the platform admin's to read
    r = await api.get("/v1/usage", params={"tenant": "default"}, headers=boss)
    assert r.status_code == 403, r.text
    r = await api.get("/v1/usage", params={"tenant": tenant["id"], "days": 1}, headers=admin_headers)
    assert r.status_code == 200, r.text
    assert r.json()["totals"]["jobs"] == 1 and [u["user_id"] for u in r.json()["users"]] == [ann["id"]]
    # with the names, roles and quota rejections of that tenant, as its own admin sees them
    (theirs,) = r.json()["users"]
    assert theirs["username"] == ann["username"] and theirs["roles"] == ["user"] and theirs["quota_rejections"] == 1
    assert r.json()["totals"]["quota_rejections"] == 1 and r.json()["quota_rejections_complete"] is True
    assert {r["role"]: r["jobs"] for r in r.json()["roles"]} == {"user": 1}
    # the same for its users and audit log: the platform admin's, a tenant's admin gets 403 for another tenant
    r = await api.get("/v1/users", params={"tenant": tenant["id"]}, headers=admin_headers)
    assert r.status_code == 200 and {u["username"] for u in r.json()} == {ann["username"], f"{tenant['id']}-boss"}
    assert (await api.get("/v1/users", params={"tenant": "default"}, headers=boss)).status_code == 403
    assert (await api.get("/v1/users", params={"tenant": tenant["id"]}, headers=boss)).status_code == 200
    r = await api.get("/v1/audit", params={"tenant": tenant["id"], "action": "job.submit", "outcome": "denied"},
                      headers=admin_headers)
    assert r.status_code == 200 and [e["actor_id"] for e in r.json()["items"]] == [ann["id"]], r.text
    r = await api.get("/v1/audit", params={"tenant": "default"}, headers=boss)
    assert r.status_code == 403, r.text
    r = await api.get("/v1/usage", params={"days": 1}, headers=admin_headers)
    assert ann["id"] not in {u["user_id"] for u in r.json()["users"]}
    assert outsider["id"] in {u["user_id"] for u in r.json()["users"]}
    assert r.json()["bucket"] == "hour"

    # a plain user may not; a window over 90 days is refused naming the field
    assert (await api.get("/v1/usage", headers=ann["headers"])).status_code == 403
    r = await api.get("/v1/usage", params={"days": 91}, headers=boss)
    assert r.status_code == 422 and r.json()["details"]["field"] == "days", r.text
    r = await api.get("/v1/usage", params={"days": 30}, headers=boss)
    assert r.json()["bucket"] == "day" and len(r.json()["periods"]) in (30, 31)


async def test_a_tenant_admin_sees_and_shares_every_model_of_their_tenant_and_no_other(api, admin_headers,
                                                                                        tmp_path: Path):
    tenant = await new_tenant(api, admin_headers)
    boss = tenant["headers"]
    ann = await new_user(api, boss, f"ann-{uuid.uuid4().hex[:6]}", roles=["user", await modeler_role(api, boss)])
    bob = await new_user(api, boss, f"bob-{uuid.uuid4().hex[:6]}")
    path = tmp_path / "lora.safetensors"
    save_file({"lora_unet_w.lora_down.weight": np.ones((4, 8), np.float32)}, str(path))
    upload = (await api.post("/v1/models/uploads", headers=ann["headers"])).json()
    assert (await api.put(upload["url"], content=path.read_bytes(), headers=ann["headers"])).status_code == 204
    r = await api.post("/v1/models", json={"name": "ann-private", "kind": "lora", "base": "sd15",
                                           "source": {"type": "upload", "uri": upload["upload_id"]}},
                       headers=ann["headers"])
    assert r.status_code == 201, r.text
    model_id = r.json()["id"]
    elsewhere = await new_user(api, admin_headers, roles=[await modeler_role(api, admin_headers)])  # default tenant
    upload = (await api.post("/v1/models/uploads", headers=elsewhere["headers"])).json()
    await api.put(upload["url"], content=path.read_bytes(), headers=elsewhere["headers"])
    r = await api.post("/v1/models", json={"name": "other-tenant", "kind": "lora", "base": "sd15",
                                           "source": {"type": "upload", "uri": upload["upload_id"]}},
                       headers=elsewhere["headers"])
    assert r.status_code == 201, r.text
    other_id = r.json()["id"]

    r = await api.get("/v1/models", params={"all_users": "true"}, headers=boss)
    assert r.status_code == 200, r.text
    listed = {m["id"]: m for m in r.json()["items"]}
    assert set(listed) == {model_id}  # no built-ins, nothing of another tenant
    assert listed[model_id]["owner_id"] == ann["id"] and listed[model_id]["visibility"] == "private"
    r = await api.get("/v1/models", params={"all_users": "true"}, headers=admin_headers)
    assert other_id in {m["id"] for m in r.json()["items"]} and model_id not in {m["id"] for m in r.json()["items"]}
    # the platform admin names the tenant; its own admin may not name another
    r = await api.get("/v1/models", params={"all_users": "true", "tenant": tenant["id"]}, headers=admin_headers)
    assert r.status_code == 200 and {m["id"] for m in r.json()["items"]} == {model_id}, r.text
    r = await api.get("/v1/models", params={"all_users": "true", "tenant": "default"}, headers=boss)
    assert r.status_code == 403, r.text
    r = await api.get("/v1/models", params={"tenant": tenant["id"]}, headers=admin_headers)
    assert r.status_code == 422 and r.json()["details"]["field"] == "tenant", r.text

    # bob, a plain user: 403 on all_users, and ann's private model is not his to see
    assert (await api.get("/v1/models", params={"all_users": "true"}, headers=bob["headers"])).status_code == 403
    assert model_id not in {m["id"] for m in (await api.get("/v1/models", headers=bob["headers"])).json()["items"]}
    # the admin makes it public: now bob sees it
    r = await api.patch(f"/v1/models/{model_id}", json={"visibility": "public"}, headers=boss)
    assert r.status_code == 200 and r.json()["visibility"] == "public", r.text
    assert model_id in {m["id"] for m in (await api.get("/v1/models", headers=bob["headers"])).json()["items"]}
    # another tenant's admin cannot change it: it does not exist for them
    assert (await api.patch(f"/v1/models/{other_id}", json={"visibility": "public"}, headers=boss)).status_code == 404


async def test_the_platform_admin_shares_another_tenants_model_and_no_one_else_may(api, admin_headers,
                                                                                   tmp_path: Path):
    tenant = await new_tenant(api, admin_headers)
    boss = tenant["headers"]
    theirs = await modeler_role(api, boss)  # a role of that tenant
    ann = await new_user(api, boss, f"ann-{uuid.uuid4().hex[:6]}", roles=["user", theirs])
    path = tmp_path / "lora.safetensors"
    save_file({"lora_unet_w.lora_down.weight": np.ones((4, 8), np.float32)}, str(path))
    upload = (await api.post("/v1/models/uploads", headers=ann["headers"])).json()
    assert (await api.put(upload["url"], content=path.read_bytes(), headers=ann["headers"])).status_code == 204
    r = await api.post("/v1/models", json={"name": "ann-own", "kind": "lora", "base": "sd15",
                                           "source": {"type": "upload", "uri": upload["upload_id"]}},
                       headers=ann["headers"])
    assert r.status_code == 201, r.text
    model_id = r.json()["id"]
    share = {"visibility": "roles", "shared_roles": [theirs]}

    async def unchanged():
        model = (await api.get(f"/v1/models/{model_id}", headers=ann["headers"])).json()
        assert model["visibility"] == "private" and model["shared_roles"] == [] and model["name"] == "ann-own", model

    # another tenant's admin: 403 naming the tenant, 404 without (the model does not exist for them)
    elsewhere = await new_tenant(api, admin_headers)
    foreign = await modeler_role(api, elsewhere["headers"])  # a role of that other tenant
    r = await api.patch(f"/v1/models/{model_id}", params={"tenant": tenant["id"]}, json=share,
                        headers=elsewhere["headers"])
    assert r.status_code == 403, r.text
    r = await api.patch(f"/v1/models/{model_id}", json=share, headers=elsewhere["headers"])
    assert r.status_code == 404, r.text
    # a plain user of the platform admin's tenant: 403; the platform admin without the tenant: 404
    user = await new_user(api, admin_headers)
    r = await api.patch(f"/v1/models/{model_id}", params={"tenant": tenant["id"]}, json=share, headers=user["headers"])
    assert r.status_code == 403, r.text
    assert (await api.patch(f"/v1/models/{model_id}", json=share, headers=admin_headers)).status_code == 404
    # the platform admin: a role of a third tenant is not one of the model's (422 naming the field), and only the
    # sharing of another tenant's model may change, not its name
    r = await api.patch(f"/v1/models/{model_id}", params={"tenant": tenant["id"]},
                        json={"visibility": "roles", "shared_roles": [foreign]}, headers=admin_headers)
    assert r.status_code == 422 and r.json()["details"]["field"] == "shared_roles" and foreign in r.text, r.text
    r = await api.patch(f"/v1/models/{model_id}", params={"tenant": tenant["id"]}, json={"name": "renamed"},
                        headers=admin_headers)
    assert r.status_code == 403, r.text
    await unchanged()

    r = await api.patch(f"/v1/models/{model_id}", params={"tenant": tenant["id"]}, json=share, headers=admin_headers)
    assert r.status_code == 200, r.text
    assert r.json()["visibility"] == "roles" and r.json()["shared_roles"] == [theirs]
    # a holder of that role in the model's tenant now sees it
    bob = await new_user(api, boss, f"bob-{uuid.uuid4().hex[:6]}", roles=["user", theirs])
    assert model_id in {m["id"] for m in (await api.get("/v1/models", headers=bob["headers"])).json()["items"]}
    # the roles the platform admin may pick from: that tenant's and the built-ins, not another tenant's
    r = await api.get("/v1/roles", params={"tenant": tenant["id"]}, headers=admin_headers)
    assert r.status_code == 200, r.text
    assert theirs in {x["name"] for x in r.json()} and foreign not in {x["name"] for x in r.json()}
    assert (await api.get("/v1/roles", params={"tenant": "default"}, headers=boss)).status_code == 403

    async def audited():  # the audit log's rows arrive asynchronously
        r = await api.get("/v1/audit", params={"action": "model.update", "target": f"model:{model_id}"},
                          headers=admin_headers)
        assert r.status_code == 200, r.text
        done = [e for e in r.json()["items"] if e["outcome"] == "ok"]
        return done[0] if done else None

    event = await wait_for(audited, timeout=20, interval=0.3)
    assert event["details"]["model_tenant"] == tenant["id"] and event["actor_id"]
