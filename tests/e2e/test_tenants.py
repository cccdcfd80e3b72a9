"""Tenants as objects (/v1/tenants): the platform admin creates, lists, renames, disables and deletes them; a
tenant's admin may do none of it; a disabled tenant is locked out at once and its queued jobs wait; a purge leaves
nothing behind; tenant-wide quotas bound its users together."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, func, select, text

from easel_auth.main import MIGRATIONS as AUTH_MIGRATIONS
from easel_jobs.models import Job
from easel_registry.models import Model
from easel_stack.stack import EmbeddedStack
from helpers import new_user, stack_with_env, submit, until_status, wait_for

NULL = {"EASEL_ENGINE": "null"}
LATER, NEVER = "later", "never"  # a pool whose worker starts mid-test, and one that never has a worker
PASSWORD = "correct horse battery"
ADMIN = ["admin"]  # pools:use:* too: the test pools are not the default one


@pytest.fixture(scope="module")
async def tstack(session_dir, database_url) -> AsyncIterator[EmbeddedStack]:
    """A stack of its own (null engine, so jobs take no time): its tenants and their jobs are this module's."""
    name = f"tenants-{uuid.uuid4().hex[:6]}"
    async with stack_with_env(NULL, data_dir=session_dir / name, database_url=database_url,
                              worker_log=session_dir / f"{name}-worker.log", pools=["default", LATER, NEVER]) as stack:
        yield stack


@pytest.fixture(scope="module")
async def tapi(tstack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=tstack.gateway_url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def root(tstack) -> dict[str, str]:
    return {"Authorization": f"Bearer {tstack.admin_key}"}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def new_tenant(api, root, quotas: dict | None = None, **admin) -> dict:
    """A tenant with its first admin (an API key, `headers`, unless told otherwise)."""
    tenant_id = f"t-{uuid.uuid4().hex[:8]}"
    body = {"id": tenant_id, "display_name": f"Tenant {tenant_id}",
            "admin": {"username": f"{tenant_id}-boss", "api_key": True, **admin}}
    if quotas is not None:
        body["quotas"] = quotas
    r = await api.post("/v1/tenants", json=body, headers=root)
    assert r.status_code == 201, r.text
    tenant = r.json()
    if tenant["admin_key"]:
        tenant["headers"] = bearer(tenant["admin_key"]["secret"])
    return tenant


def jobs_db(stack: EmbeddedStack):
    return stack.services[2].flows.sessions


def registry_flows(stack: EmbeddedStack):
    return stack.services[1].flows


async def job_row(stack: EmbeddedStack, job_id: str) -> Job | None:
    async with jobs_db(stack)() as session:
        return await session.get(Job, job_id)


async def test_the_platform_admin_manages_tenants_and_a_tenant_admin_gets_403_on_every_route(tapi, root):
    tenant = await new_tenant(tapi, root, password=PASSWORD)
    tid = tenant["id"]
    assert tenant["admin"]["tenant_id"] == tid and tenant["admin"]["roles"] == ["admin"]
    assert tenant["users"] == 1 and tenant["admin_key"]["secret"].startswith("esk_")
    # the first admin works in their tenant: by key, and by password
    listed = (await tapi.get("/v1/users", headers=tenant["headers"])).json()
    assert [u["id"] for u in listed] == [tenant["admin"]["id"]]
    r = await tapi.post("/v1/auth/login", json={"username": tenant["admin"]["username"], "password": PASSWORD})
    assert r.status_code == 200, r.text

    r = await tapi.post("/v1/tenants", json={"id": tid, "admin": {"username": f"x{tid}", "api_key": True}},
                        headers=root)
    assert r.status_code == 409 and r.json()["details"]["field"] == "tenant_id"
    r = await tapi.post("/v1/tenants", json={"id": "Not_Valid", "admin": {"username": "y", "api_key": True}},
                        headers=root)
    assert r.status_code == 422 and r.json()["details"]["field"] == "id"
    r = await tapi.post("/v1/tenants", json={"id": f"{tid}-2", "admin": {"username": f"z{tid}"}}, headers=root)
    assert r.status_code == 422 and r.json()["details"]["field"] == "admin_password"  # no way to sign in

    everyone = {t["id"]: t for t in (await tapi.get("/v1/tenants", headers=root)).json()}
    assert everyone[tid]["users"] == 1 and "default" in everyone  # the bootstrap admin's tenant is a row too
    r = await tapi.patch(f"/v1/tenants/{tid}", json={"display_name": "Acme Corp"}, headers=root)
    assert r.status_code == 200 and r.json()["display_name"] == "Acme Corp"
    shown = (await tapi.get(f"/v1/tenants/{tid}", headers=root)).json()
    assert shown["display_name"] == "Acme Corp" and shown["users"] == 1 and not shown["disabled"]
    assert (await tapi.get("/v1/tenants/no-such-tenant", headers=root)).status_code == 404

    # a user only in a tenant that exists
    r = await tapi.post("/v1/users", json={"username": f"u{uuid.uuid4().hex[:8]}", "tenant_id": "no-such-tenant"},
                        headers=root)
    assert r.status_code == 422 and r.json()["details"]["field"] == "tenant_id"

    # the tenant's admin holds '*' in their tenant, which never grants tenants:manage
    own = tenant["headers"]
    for method, path, body in [("GET", "/v1/tenants", None), ("POST", "/v1/tenants", {"id": "mine", "admin": {
            "username": "mine", "api_key": True}}), ("GET", f"/v1/tenants/{tid}", None),
            ("PATCH", f"/v1/tenants/{tid}", {"display_name": "Mine"}), ("DELETE", f"/v1/tenants/{tid}", None)]:
        r = await tapi.request(method, path, json=body, headers=own)
        assert r.status_code == 403 and r.json()["details"]["permission"] == "tenants:manage", (method, path)
    assert (await tapi.get(f"/v1/tenants/{tid}", headers=root)).json()["display_name"] == "Acme Corp"


async def test_a_tenants_admin_cannot_list_rename_disable_or_purge_another_tenant(tapi, root):
    a, b = await new_tenant(tapi, root), await new_tenant(tapi, root)
    before = (await tapi.get(f"/v1/tenants/{b['id']}", headers=root)).json()
    attempts = [("GET", "/v1/tenants", None), ("GET", f"/v1/tenants/{b['id']}", None),
                ("PATCH", f"/v1/tenants/{b['id']}", {"display_name": "pwned"}),
                ("PATCH", f"/v1/tenants/{b['id']}", {"disabled": True}),
                ("DELETE", f"/v1/tenants/{b['id']}?purge=true", None)]
    for method, path, body in attempts:
        r = await tapi.request(method, path, json=body, headers=a["headers"])
        assert r.status_code == 403, (method, path, r.text)
        assert b["id"] not in r.text
    assert (await tapi.get(f"/v1/tenants/{b['id']}", headers=root)).json() == before
    assert (await tapi.get("/v1/me", headers=b["headers"])).status_code == 200
    # nor can they reach B's users through /v1/users
    assert (await tapi.get(f"/v1/users/{b['admin']['id']}", headers=a["headers"])).status_code == 404


async def _drained(stack: EmbeddedStack, pool: str) -> bool:
    """Whether the pool's queue has nothing left to deliver or waiting for an ack: a worker took and dropped it."""
    info = await stack.nc.jetstream().consumer_info(stack.services[2].settings.names.stream("jobs")["name"],
                                                    stack.services[2].settings.names.worker_consumer(pool))
    return info.num_pending == 0 and info.num_ack_pending == 0 and info.delivered.consumer_seq > 0


@pytest.mark.slow
async def test_a_disabled_tenant_is_locked_out_at_once_and_its_queued_job_waits_for_it(tapi, tstack, root):
    tenant = await new_tenant(tapi, root)
    alice = await new_user(tapi, root, tenant_id=tenant["id"], password=PASSWORD, roles=ADMIN)
    assert (await tapi.get("/v1/me", headers=alice["headers"])).status_code == 200  # cached by the gateway now
    job = await submit(tapi, alice["headers"], steps=1, pool=LATER)  # no worker in that pool yet
    assert job["status"] == "queued"

    r = await tapi.patch(f"/v1/tenants/{tenant['id']}", json={"disabled": True}, headers=root)
    assert r.status_code == 200 and r.json()["disabled"] is True

    async def locked_out() -> bool:
        return (await tapi.get("/v1/me", headers=alice["headers"])).status_code == 401

    await wait_for(locked_out, timeout=2.0, interval=0.05)  # the cached identity is dropped, not left to expire
    assert (await tapi.get("/v1/users", headers=tenant["headers"])).status_code == 401
    r = await tapi.post("/v1/auth/login", json={"username": alice["username"], "password": PASSWORD})
    assert r.status_code == 401 and "disabled" in r.json()["message"]

    # a worker for the pool comes, takes the job's message, and is refused it: the job stays queued
    tstack.start_worker(EASEL_POOL=LATER, EASEL_ENGINE="null")
    await tstack.wait_ready()
    await wait_for(lambda: _drained(tstack, LATER), timeout=30)
    await asyncio.sleep(1.0)
    held = await job_row(tstack, job["id"])
    assert held.status == "queued" and held.attempts == 0 and held.worker_id is None

    r = await tapi.patch(f"/v1/tenants/{tenant['id']}", json={"disabled": False}, headers=root)
    assert r.status_code == 200 and r.json()["disabled"] is False
    assert (await tapi.get("/v1/me", headers=alice["headers"])).status_code == 200
    done = await until_status(tapi, job["id"], alice["headers"], "succeeded", "failed", timeout=60)
    assert done["status"] == "succeeded" and done["attempts"] == 1  # it ran once, after the tenant came back


async def test_deleting_a_tenant_that_is_not_empty_is_409_and_a_purge_leaves_nothing(tapi, tstack, root):
    tenant = await new_tenant(tapi, root)
    tid = tenant["id"]
    bob = await new_user(tapi, root, tenant_id=tid)
    job = await submit(tapi, bob["headers"], steps=1)
    assert (await until_status(tapi, job["id"], bob["headers"], "succeeded", "failed"))["status"] == "succeeded"
    objects = Path(tstack.data_dir) / "objects" / tid
    assert any(p.suffix == ".png" for p in objects.rglob("*"))  # the job's image is in the store
    # a model of the tenant, with its file in the store
    flows, model_id, at = registry_flows(tstack), str(uuid.uuid4()), datetime.now(UTC)
    key = f"{tid}/models/{model_id}/model.safetensors"
    await flows.store.put(key, b"weights")
    async with flows.sessions.begin() as session:
        session.add(Model(id=model_id, tenant_id=tid, owner_id=bob["id"], name=f"m-{tid}", kind="checkpoint",
                          base="sd15", source="upload", visibility="private", status="ready", shared_roles=[],
                          files=[{"path": "model.safetensors", "key": key, "size": 7, "sha256": "0" * 64}],
                          meta={}, created_at=at, updated_at=at))
    assert model_id in {m["id"] for m in (await tapi.get("/v1/models", headers=bob["headers"])).json()["items"]}

    r = await tapi.delete(f"/v1/tenants/{tid}", headers=root)
    assert r.status_code == 409, r.text
    remaining = r.json()["details"]["remaining"]
    assert remaining == {"users": 2, "jobs": 1, "models": 1}
    assert "2 users" in r.json()["message"] and "1 jobs" in r.json()["message"]
    assert (await tapi.get("/v1/me", headers=bob["headers"])).status_code == 200  # nothing was touched

    r = await tapi.delete(f"/v1/tenants/{tid}", params={"purge": "true"}, headers=root)
    assert r.status_code == 200, r.text
    assert r.json()["removed"] == remaining
    assert (await tapi.get(f"/v1/tenants/{tid}", headers=root)).status_code == 404
    assert (await tapi.get("/v1/me", headers=bob["headers"])).status_code == 401
    assert (await tapi.get("/v1/me", headers=tenant["headers"])).status_code == 401
    assert tid not in {u["tenant_id"] for u in (await tapi.get("/v1/users", headers=root)).json()}
    async with jobs_db(tstack)() as session:
        assert await session.scalar(select(func.count()).where(Job.tenant_id == tid)) == 0
    async with flows.sessions() as session:
        assert await session.scalar(select(func.count()).where(Model.tenant_id == tid)) == 0
    assert not [p for p in objects.rglob("*") if p.is_file()]  # no image, no model file


async def test_an_empty_tenant_is_deleted_without_a_purge(tapi, root):
    tenant = await new_tenant(tapi, root)
    assert (await tapi.delete(f"/v1/tenants/{tenant['id']}", headers=root)).status_code == 409  # its admin
    assert (await tapi.delete(f"/v1/users/{tenant['admin']['id']}", headers=root)).status_code == 200
    r = await tapi.delete(f"/v1/tenants/{tenant['id']}", headers=root)
    assert r.status_code == 200 and r.json()["removed"] == {}
    assert tenant["id"] not in {t["id"] for t in (await tapi.get("/v1/tenants", headers=root)).json()}
    r = await tapi.delete("/v1/tenants/default", headers=root)
    assert r.status_code == 422 and r.json()["details"]["field"] == "tenant_id"  # not your own


async def test_tenant_quotas_bound_its_users_together(tapi, root):
    tenant = await new_tenant(tapi, root, quotas={"max_concurrent_jobs": 1})
    a = await new_user(tapi, root, tenant_id=tenant["id"], roles=ADMIN)
    b = await new_user(tapi, root, tenant_id=tenant["id"], roles=ADMIN)
    await submit(tapi, a["headers"], pool=NEVER)  # queued for good: it holds the tenant's one slot
    r = await tapi.post("/v1/jobs", json={"prompt": "x", "steps": 1, "width": 64, "height": 64, "pool": NEVER},
                        headers=b["headers"])
    assert r.status_code == 429, r.text
    details = r.json()["details"]
    assert details["limit"] == "tenant.max_concurrent_jobs" and details["tenant_id"] == tenant["id"]
    assert details["allowed"] == 1 and details["used"] == 1
    # and no user of it alone gets more than the tenant: a's own limit (16 by default) is capped at 1
    r = await tapi.post("/v1/jobs", json={"prompt": "x", "steps": 1, "width": 64, "height": 64, "pool": NEVER},
                        headers=a["headers"])
    assert r.status_code == 429 and r.json()["details"]["allowed"] == 1

    daily = await new_tenant(tapi, root, quotas={"images_per_day": 3})
    c = await new_user(tapi, root, tenant_id=daily["id"], roles=ADMIN)
    d = await new_user(tapi, root, tenant_id=daily["id"], roles=ADMIN)
    await submit(tapi, c["headers"], pool=NEVER, batch_size=2)
    await submit(tapi, d["headers"], pool=NEVER)
    r = await tapi.post("/v1/jobs", json={"prompt": "x", "steps": 1, "width": 64, "height": 64, "pool": NEVER},
                        headers=c["headers"])
    assert r.status_code == 429 and r.json()["details"]["limit"] == "tenant.images_per_day", r.text
    assert r.json()["details"]["used"] == 3 and r.json()["details"]["retry_after_s"] > 0
    # lifting the tenant's quota lets them go on at once
    r = await tapi.patch(f"/v1/tenants/{daily['id']}", json={"quotas": {}}, headers=root)
    assert r.status_code == 200 and r.json()["quotas"] is None
    await wait_for(lambda: _accepted(tapi, d["headers"]), timeout=5)


async def _accepted(api, headers) -> bool:
    r = await api.post("/v1/jobs", json={"prompt": "x", "steps": 1, "width": 64, "height": 64, "pool": NEVER},
                       headers=headers)
    return r.status_code == 201


def test_the_migration_makes_a_tenant_row_for_every_tenant_users_named(tmp_path):
    """Tenants were strings on users before 0007: each one named becomes a row."""
    engine = create_engine(f"sqlite:///{tmp_path / 'auth.db'}")
    with engine.begin() as conn:
        cfg = Config()
        cfg.set_main_option("script_location", str(AUTH_MIGRATIONS))
        cfg.attributes["connection"], cfg.attributes["version_table"] = conn, "alembic_version_auth"
        command.upgrade(cfg, "0006")
        for name, tenant in [("a", "acme"), ("b", "acme"), ("c", "default"), ("d", "globex")]:
            conn.execute(text("INSERT INTO users (id, tenant_id, username, disabled, created_at) "
                              "VALUES (:id, :t, :n, 0, :at)"), {"id": str(uuid.uuid4()), "t": tenant, "n": name,
                                                                  "at": datetime.now(UTC)})
        command.upgrade(cfg, "head")
        rows = conn.execute(text("SELECT id, display_name, disabled FROM tenants ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("acme", "acme", 0), ("default", "default", 0), ("globex", "globex", 0)]
