"""A tenant's storage quota (`storage_bytes`, tenant-wide): a tenant at its limit can start no upload, no import and no
job, with a 429 naming `tenant.storage_bytes` and saying how much it stores; an upload started before may still be
imported; another tenant is unaffected; a higher limit lets it go on. Users and roles cannot hold that limit."""

from __future__ import annotations

import uuid

import numpy as np
from safetensors.numpy import save

from helpers import new_user, wait_for

JOB = {"prompt": "x", "steps": 1, "width": 64, "height": 64}


def _weights(seed: int) -> bytes:
    return save({"lora_unet_down.lora_down.weight": np.full((16, 16), seed, dtype=np.float32)})


async def _upload(api, who, content: bytes) -> str:
    """Start an upload and PUT `content`; its id."""
    r = await api.post("/v1/models/uploads", headers=who["headers"])
    assert r.status_code == 201, r.text
    upload = r.json()
    r = await api.put(upload["url"], content=content, headers=who["headers"])
    assert r.status_code == 204, r.text
    return upload["upload_id"]


async def _import_upload(api, who, upload_id: str):
    return await api.post("/v1/models", json={"name": f"m-{uuid.uuid4().hex[:6]}", "kind": "lora", "base": "sd15",
                                              "source": {"type": "upload", "uri": upload_id}},
                          headers=who["headers"])


async def _import(api, who, content: bytes):
    """Upload `content` and ask for its import; the import request's response."""
    return await _import_upload(api, who, await _upload(api, who, content))


async def _ready(api, who, model_id: str) -> bool:
    return (await api.get(f"/v1/models/{model_id}", headers=who["headers"])).json()["status"] == "ready"


def _limit(service, tenant_id: str) -> int | None:
    quotas = service.tenants.get(tenant_id).quotas
    return quotas.storage_bytes if quotas else None


async def _set_limit(api, stack, admin_headers, tenant_id: str, limit: int) -> None:
    r = await api.patch(f"/v1/tenants/{tenant_id}", json={"quotas": {"storage_bytes": limit}}, headers=admin_headers)
    assert r.status_code == 200 and r.json()["quotas"]["storage_bytes"] == limit, r.text

    async def seen() -> bool:  # the registry and the jobs service follow the tenants bucket
        return all(_limit(service, tenant_id) == limit for service in stack.services[1:3])

    await wait_for(seen, timeout=10)


async def test_a_tenant_at_its_storage_limit_cannot_import_or_start_a_job_until_the_limit_is_raised(
        api, stack, admin_headers):
    full, spare = (f"store{uuid.uuid4().hex[:6]}" for _ in range(2))
    owner = await new_user(api, admin_headers, roles=["admin"], tenant_id=full)
    neighbour = await new_user(api, admin_headers, roles=["admin"], tenant_id=spare)
    r = await _import(api, owner, _weights(1))
    assert r.status_code == 201, r.text
    await wait_for(lambda: _ready(api, owner, r.json()["id"]), timeout=30)
    stored = len(_weights(1))
    earlier = await _upload(api, owner, _weights(5))  # started while under the limit
    stored += len(_weights(5))  # an upload not imported yet counts

    for tenant in (full, spare):  # the same limit: below what `full` stores, above what `spare` does (nothing)
        await _set_limit(api, stack, admin_headers, tenant, stored // 2)
    for refused in (await api.post("/v1/models/uploads", headers=owner["headers"]),
                    await api.post("/v1/models", json={"name": "m-http", "kind": "lora", "base": "sd15", "source": {
                        "type": "http", "uri": "http://127.0.0.1:9/w.safetensors"}}, headers=owner["headers"])):
        assert refused.status_code == 429, refused.text
        details = refused.json()["details"]
        assert details["limit"] == "tenant.storage_bytes" and details["tenant_id"] == full
        assert details["allowed"] == stored // 2 and details["used"] >= stored and "retry_after_s" not in details
        message = refused.json()["message"]
        assert "tenant.storage_bytes" in message and f"{details['used']} bytes" in message  # says how much is used
    # the upload started before was admitted then: its import turns those bytes into the model
    r = await _import_upload(api, owner, earlier)
    assert r.status_code == 201, r.text
    await wait_for(lambda: _ready(api, owner, r.json()["id"]), timeout=30)
    r = await api.post("/v1/jobs", json=JOB, headers=owner["headers"])
    assert r.status_code == 429 and r.json()["details"]["limit"] == "tenant.storage_bytes", r.text
    models = (await api.get("/v1/models", headers=owner["headers"])).json()["items"]
    assert len([m for m in models if m["tenant_id"] == full]) == 2  # the refused import left no row

    # the other tenant stores nothing: the same limit refuses it nothing
    r = await api.post("/v1/jobs", json=JOB, headers=neighbour["headers"])
    assert r.status_code == 201, r.text
    r = await _import(api, neighbour, _weights(3))
    assert r.status_code == 201, r.text

    await _set_limit(api, stack, admin_headers, full, 10 * 1024 * 1024)
    r = await api.post("/v1/jobs", json=JOB, headers=owner["headers"])
    assert r.status_code == 201, r.text
    r = await _import(api, owner, _weights(4))
    assert r.status_code == 201, r.text


async def test_storage_bytes_is_the_tenants_alone_users_and_roles_cannot_hold_it(api, admin_headers):
    user = await new_user(api, admin_headers)
    r = await api.patch(f"/v1/users/{user['id']}", json={"quotas": {"storage_bytes": 10}}, headers=admin_headers)
    assert r.status_code == 422 and r.json()["details"]["field"] == "quotas.storage_bytes", r.text
    r = await api.post("/v1/roles", json={"name": f"r{uuid.uuid4().hex[:6]}", "permissions": ["models:read"],
                                          "quotas": {"storage_bytes": 10}}, headers=admin_headers)
    assert r.status_code == 422 and r.json()["details"]["field"] == "quotas.storage_bytes", r.text


async def test_an_upload_is_put_only_by_whoever_started_it(api, admin_headers):
    tenant = f"up{uuid.uuid4().hex[:6]}"  # two admins of one tenant: both may upload models
    alice, bob = [await new_user(api, admin_headers, roles=["admin"], tenant_id=tenant) for _ in range(2)]
    r = await api.post("/v1/models/uploads", headers=alice["headers"])
    assert r.status_code == 201, r.text
    upload = r.json()
    for who, url in ((bob, upload["url"]), (alice, f"/v1/models/uploads/{uuid.uuid4().hex}")):
        r = await api.put(url, content=_weights(6), headers=who["headers"])
        assert r.status_code == 404 and r.json()["details"]["field"] == "upload_id", r.text
    assert upload["abandon_at"]  # the reply says when it is removed unless imported
