"""No one sees another's data: every endpoint, tried by another user, another tenant's admin and an admin.

To cover a new endpoint, add one line to OBJECT_ENDPOINTS (it acts on alice's things) or LISTS.
"""

from __future__ import annotations

import uuid

import pytest

from helpers import ensure_tenant, new_user, submit, until_status, wait_for
from training_helpers import TRAINER_PERMISSIONS, follow, new_dataset, training_body

# (method, path, body, statuses an admin of alice's tenant may get). Bob and another tenant's admin must get 404
# (or 403 where the permission itself is missing), never alice's data.
OBJECT_ENDPOINTS = [
    ("GET", "/v1/jobs/{job}", None, {200}),
    ("GET", "/v1/jobs/{job}/images/0", None, {200}),
    ("GET", "/v1/jobs/{job}/events", None, {200}),
    ("DELETE", "/v1/jobs/{job}", None, {409}),  # visible to the admin, already finished
    ("DELETE", "/v1/me/keys/{key}", None, {404}),  # /me is always the caller's own
    ("GET", "/v1/users/{user}", None, {200}),
    ("PATCH", "/v1/users/{user}", {}, {200}),
    ("GET", "/v1/users/{user}/keys", None, {200}),
    ("POST", "/v1/users/{user}/keys", {"name": "probe"}, {201}),
    ("PUT", "/v1/users/{user}/password", {"new_password": "another long passphrase"}, {204}),
    ("GET", "/v1/trainings/{training}", None, {200}),
    ("GET", "/v1/trainings/{training}/events", None, {200}),
    ("GET", "/v1/trainings/{training}/samples/0", None, {200}),
    ("GET", "/v1/trainings/{training}/logs", None, {200}),
    ("DELETE", "/v1/trainings/{training}", None, {409}),  # visible to the admin, already finished
    ("GET", "/v1/datasets/{dataset}", None, {200}),
    ("GET", "/v1/models/{trained}", None, {200}),  # the training's result: alice's private model
    ("DELETE", "/v1/datasets/{dataset}", None, {204}),  # the tenant's admin may delete it
    ("GET", "/v1/models/{model}", None, {200}),
    ("PATCH", "/v1/models/{model}", {}, {200}),
    ("DELETE", "/v1/models/{model}", None, {204}),  # last: the tenant's admin may delete it
]
# (path, what must never be listed to bob: a key of alice's world)
LISTS = [
    ("/v1/jobs", "job"),
    ("/v1/jobs?all_users=true", "job"),
    ("/v1/me/keys", "key"),
    ("/v1/users", "user"),
    ("/v1/roles", None),
    ("/v1/audit?actor_id={user}", "user"),
    ("/v1/models", "model"),  # what alice did; others' own probes may name her id as a target
    ("/v1/models", "trained"),
    ("/v1/trainings", "training"),
    ("/v1/trainings?all_users=true", "training"),
    ("/v1/datasets", "dataset"),
]


@pytest.fixture(scope="module")
async def world(api, admin_headers):
    alice = await new_user(api, admin_headers)
    trainers = f"trainers-{uuid.uuid4().hex[:6]}"  # bob may train too: what he cannot do is use alice's things
    r = await api.post("/v1/roles", json={"name": trainers, "permissions": TRAINER_PERMISSIONS}, headers=admin_headers)
    assert r.status_code == 201, r.text
    bob = await new_user(api, admin_headers, roles=["user", trainers])
    job = await submit(api, alice["headers"], steps=1)
    await until_status(api, job["id"], alice["headers"], "succeeded")
    key = (await api.get("/v1/me/keys", headers=alice["headers"])).json()[0]
    await ensure_tenant(api, admin_headers, "other")
    r = await api.post("/v1/users", json={"username": f"other{uuid.uuid4().hex[:6]}", "tenant_id": "other",
                                          "roles": ["admin"]}, headers=admin_headers)
    outsider = r.json()
    r = await api.post(f"/v1/users/{outsider['id']}/keys", json={"name": "t"}, headers=admin_headers)
    outsider["headers"] = {"Authorization": f"Bearer {r.json()['secret']}"}
    ids = {"job": job["id"], "key": key["id"], "user": alice["id"], "model": await _private_model(api, alice,
                                                                                                   admin_headers)}
    ids["dataset"] = (await new_dataset(api, alice["headers"]))["id"]
    body = training_body("lora", ids["dataset"], max_steps=4, checkpoint_every=2)
    r = await api.post("/v1/trainings", json=body, headers=alice["headers"])
    assert r.status_code == 201, r.text
    ids["training"] = r.json()["id"]
    done = (await follow(api, ids["training"], alice["headers"]))[-1][1]
    assert done["status"] == "succeeded", done
    ids["trained"] = done["model_id"]
    return {"alice": alice, "bob": bob, "outsider": outsider, "admin": {"headers": admin_headers}, "ids": ids}


async def _private_model(api, alice, admin_headers) -> str:
    """A model alice uploads and imports (private by default)."""
    role = f"modeler-{uuid.uuid4().hex[:6]}"
    r = await api.post("/v1/roles", json={"name": role, "permissions": ["models:read", "models:write",
                                                                          *TRAINER_PERMISSIONS]},
                       headers=admin_headers)
    assert r.status_code == 201, r.text
    r = await api.patch(f"/v1/users/{alice['id']}", json={"roles": ["user", role]}, headers=admin_headers)
    assert r.status_code == 200, r.text
    upload = (await api.post("/v1/models/uploads", headers=alice["headers"])).json()
    header = b'{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'
    body = len(header).to_bytes(8, "little") + header + b"\0\0\0\0"
    assert (await api.put(upload["url"], content=body, headers=alice["headers"])).status_code == 204
    r = await api.post("/v1/models", json={"name": "alices-model", "kind": "checkpoint", "base": "sd15",
                                           "source": {"type": "upload", "uri": upload["upload_id"]}},
                       headers=alice["headers"])
    assert r.status_code == 201, r.text

    async def ready():
        model = (await api.get(f"/v1/models/{r.json()['id']}", headers=alice["headers"])).json()
        return model["status"] == "ready"

    await wait_for(ready)
    return r.json()["id"]


def _url(path: str, ids: dict[str, str]) -> str:
    return path.format(**ids)


def _query(path: str, ids: dict[str, str]) -> dict[str, str]:
    query = _url(path, ids).partition("?")[2]
    return dict(part.split("=", 1) for part in query.split("&") if part)


@pytest.mark.parametrize(("method", "path", "body", "admin_sees"), OBJECT_ENDPOINTS,
                         ids=[f"{m} {p}" for m, p, _, _ in OBJECT_ENDPOINTS])
async def test_others_cannot_reach_alices_things(api, world, method, path, body, admin_sees):
    url = _url(path, world["ids"])
    for who in ("bob", "outsider"):
        r = await api.request(method, url, json=body, headers=world[who]["headers"])
        assert r.status_code in (403, 404), (who, method, url, r.status_code, r.text)
        assert world["ids"]["job"] not in r.text or r.status_code == 404 and "not found" in r.text
    r = await api.request(method, url, json=body, headers=world["admin"]["headers"])
    assert r.status_code in admin_sees, (method, url, r.status_code, r.text)
    # alice's job is still there (asked as the admin: setting alice's password revoked her keys)
    assert (await api.get(f"/v1/jobs/{world['ids']['job']}", headers=world["admin"]["headers"])).status_code == 200


@pytest.mark.parametrize(("path", "hidden"), LISTS, ids=[p for p, _ in LISTS])
async def test_lists_never_show_alices_things_to_others(api, world, path, hidden):
    for who in ("bob", "outsider"):
        r = await api.get(_url(path, world["ids"]).split("?")[0], params=_query(path, world["ids"]),
                          headers=world[who]["headers"])
        if r.status_code in (403,):
            continue
        assert r.status_code == 200, (who, path, r.text)
        if hidden:
            assert world["ids"][hidden] not in str(r.json().get("items", r.json()) if isinstance(r.json(), dict)
                                                   else r.json()), (who, path)


async def test_an_admin_sees_both_users_where_the_permission_allows(api, world):
    admin = world["admin"]["headers"]
    bob_job = await submit(api, world["bob"]["headers"], steps=1)
    listed = (await api.get("/v1/jobs", params={"all_users": "true", "limit": 100}, headers=admin)).json()
    ids = {j["id"] for j in listed["items"]}
    assert {world["ids"]["job"], bob_job["id"]} <= ids
    users = {u["id"] for u in (await api.get("/v1/users", headers=admin)).json()}
    assert {world["alice"]["id"], world["bob"]["id"]} <= users and world["outsider"]["id"] not in users
    r = await api.get("/v1/jobs", params={"all_users": "true"}, headers=world["bob"]["headers"])
    assert r.status_code == 403 and r.json()["details"]["permission"] == "jobs:read:any"
    await until_status(api, bob_job["id"], world["bob"]["headers"], "succeeded")


async def test_others_cannot_use_alices_dataset_or_trained_model(api, world):
    """Bob (who may train) and another tenant's admin: alice's dataset is no dataset, her LoRA no LoRA to them."""
    trained = (await api.get(f"/v1/models/{world['ids']['trained']}", headers=world["admin"]["headers"])).json()
    for who in ("bob", "outsider"):
        headers = world[who]["headers"]
        r = await api.post("/v1/trainings", json=training_body("lora", world["ids"]["dataset"]), headers=headers)
        assert r.status_code in (403, 422), (who, r.text)
        if r.status_code == 422:
            assert r.json()["details"]["field"] == "dataset", r.text
        r = await api.post("/v1/jobs", json={"prompt": f"a fox <lora:{trained['name']}:1>", "steps": 1},
                           headers=headers)
        assert r.status_code == 422 and "unknown lora" in r.json()["message"], (who, r.text)
        r = await api.post("/v1/jobs", json={"prompt": "a fox", "steps": 1, "model": trained["id"]}, headers=headers)
        assert r.status_code == 422 and r.json()["details"]["field"] == "model", (who, r.text)
