"""Signing in, tokens, brute force, roles and permissions, personal settings."""

from __future__ import annotations

import time
import uuid

import jwt

from helpers import ensure_tenant, metric, new_user, submit, until_status

PASSWORD = "correct horse battery staple"


async def user_with_password(api, admin_headers, **fields) -> dict:
    name = f"p{uuid.uuid4().hex[:8]}"
    r = await api.post("/v1/users", json={"username": name, "password": PASSWORD, **fields}, headers=admin_headers)
    assert r.status_code == 201, r.text
    return r.json()


async def login(api, username, password=PASSWORD):
    return await api.post("/v1/auth/login", json={"username": username, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_sign_in_refresh_and_sign_out(api, admin_headers):
    user = await user_with_password(api, admin_headers)
    signed_in = metric("easel_auth_logins_total", outcome="ok")
    r = await login(api, user["username"])
    assert r.status_code == 200, r.text
    assert metric("easel_auth_logins_total", outcome="ok") == signed_in + 1
    pair = r.json()
    assert pair["token_type"] == "bearer" and pair["expires_in"] > 0
    me = await api.get("/v1/me", headers=bearer(pair["access_token"]))
    assert me.json()["user_id"] == user["id"] and me.json()["session_id"]
    job = await submit(api, bearer(pair["access_token"]), steps=1)
    await until_status(api, job["id"], bearer(pair["access_token"]), "succeeded")

    fresh = (await api.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})).json()
    assert (await api.get("/v1/me", headers=bearer(fresh["access_token"]))).status_code == 200
    r = await api.post("/v1/auth/logout", json={}, headers=bearer(fresh["access_token"]))
    assert r.status_code == 204
    for token in (fresh["access_token"], pair["access_token"]):
        assert (await api.get("/v1/me", headers=bearer(token))).status_code == 401
    r = await api.post("/v1/auth/refresh", json={"refresh_token": fresh["refresh_token"]})
    assert r.status_code == 401


async def test_a_replayed_refresh_token_ends_the_session(api, admin_headers):
    user = await user_with_password(api, admin_headers)
    pair = (await login(api, user["username"])).json()
    newer = (await api.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})).json()
    replay = await api.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert replay.status_code == 401 and "reused" in replay.json()["message"]
    assert (await api.get("/v1/me", headers=bearer(newer["access_token"]))).status_code == 401
    assert (await api.post("/v1/auth/refresh", json={"refresh_token": newer["refresh_token"]})).status_code == 401


async def test_wrong_passwords_unknown_users_and_bad_tokens_are_refused_alike(api, admin_headers, stack):
    user = await user_with_password(api, admin_headers)
    wrong = await login(api, user["username"], "not the password at all")
    unknown = await login(api, f"nobody-{uuid.uuid4().hex[:6]}")
    for r in (wrong, unknown):
        assert r.status_code == 401 and r.json()["message"] == "invalid username or password"
    pair = (await login(api, user["username"])).json()
    header, payload, signature = pair["access_token"].split(".")
    forged = jwt.encode({**jwt.decode(pair["access_token"], options={"verify_signature": False})},
                        "another key entirely, 32 chars long!", algorithm="HS256")
    secret = (stack.data_dir / "jwt.secret").read_text().strip()
    expired = jwt.encode({**jwt.decode(pair["access_token"], options={"verify_signature": False}),
                          "exp": int(time.time()) - 5}, secret, algorithm="HS256")
    for token, code in [(f"{header}.{payload}.{signature[:-4]}AAAA", "unauthenticated"),
                        (forged, "unauthenticated"), ("a.b.c", "unauthenticated"), (expired, "token_expired")]:
        r = await api.get("/v1/me", headers=bearer(token))
        assert r.status_code == 401 and r.json()["code"] == code, token


async def test_repeated_failures_lock_the_username_for_a_while(api, admin_headers):
    user = await user_with_password(api, admin_headers)
    before = {o: metric("easel_auth_logins_total", outcome=o) for o in ("wrong_password", "locked")}
    refused = metric("easel_gateway_rejections_total", code="too_many_attempts", limit="", tenant="")
    statuses = [(await login(api, user["username"], f"guess number {i}")).status_code for i in range(5)]
    assert statuses == [401] * 5
    locked = await login(api, user["username"])  # even the right password, while locked
    assert locked.status_code == 429
    assert locked.json()["code"] == "too_many_attempts" and int(locked.headers["retry-after"]) > 0
    # what the tenancy dashboard's sign-in and 429 panels count
    assert {o: metric("easel_auth_logins_total", outcome=o) - n for o, n in before.items()} == {
        "wrong_password": 5, "locked": 1}
    assert metric("easel_gateway_rejections_total", code="too_many_attempts", limit="", tenant="") == refused + 1
    other = await user_with_password(api, admin_headers)
    assert (await login(api, other["username"])).status_code == 200  # others can still sign in


async def test_weak_passwords_and_duplicate_usernames_change_nothing(api, admin_headers):
    r = await api.post("/v1/users", json={"username": f"w{uuid.uuid4().hex[:6]}", "password": "short"},
                       headers=admin_headers)
    assert r.status_code == 422 and r.json()["code"] == "weak_password"
    user = await user_with_password(api, admin_headers)
    r = await api.post("/v1/users", json={"username": user["username"], "password": PASSWORD},
                       headers=admin_headers)
    assert r.status_code == 409
    token = (await login(api, user["username"])).json()["access_token"]
    r = await api.put("/v1/me/password", json={"new_password": "tiny", "current_password": PASSWORD},
                      headers=bearer(token))
    assert r.status_code == 422 and r.json()["code"] == "weak_password"
    r = await api.put("/v1/me/password", json={"new_password": "a much better passphrase",
                                               "current_password": "wrong guess"}, headers=bearer(token))
    assert r.status_code == 403
    assert (await login(api, user["username"])).status_code == 200  # the old password still works


async def test_changing_the_password_ends_other_sessions(api, admin_headers):
    user = await user_with_password(api, admin_headers)
    token = (await login(api, user["username"])).json()["access_token"]
    r = await api.put("/v1/me/password", json={"new_password": "a much better passphrase",
                                               "current_password": PASSWORD}, headers=bearer(token))
    assert r.status_code == 204
    assert (await api.get("/v1/me", headers=bearer(token))).status_code == 401
    assert (await login(api, user["username"])).status_code == 401
    assert (await login(api, user["username"], "a much better passphrase")).status_code == 200


async def test_a_role_without_jobs_create_cannot_submit(api, admin_headers):
    name = f"viewer{uuid.uuid4().hex[:6]}"
    r = await api.post("/v1/roles", json={"name": name, "permissions": ["models:read"]}, headers=admin_headers)
    assert r.status_code == 201, r.text
    viewer = await new_user(api, admin_headers)
    await api.patch(f"/v1/users/{viewer['id']}", json={"roles": [name]}, headers=admin_headers)
    r = await api.post("/v1/jobs", json={"prompt": "x", "steps": 1}, headers=viewer["headers"])
    assert r.status_code == 403 and r.json()["details"]["permission"] == "jobs:create"
    assert (await api.get("/v1/jobs", headers=viewer["headers"])).json()["items"] == []


async def test_a_role_without_the_pool_cannot_target_it(api, admin_headers):
    name = f"nopool{uuid.uuid4().hex[:6]}"
    await api.post("/v1/roles", json={"name": name, "permissions": ["jobs:create"]}, headers=admin_headers)
    member = await new_user(api, admin_headers)
    await api.patch(f"/v1/users/{member['id']}", json={"roles": [name]}, headers=admin_headers)
    r = await api.post("/v1/jobs", json={"prompt": "x", "steps": 1, "pool": "default"}, headers=member["headers"])
    assert r.status_code == 403 and r.json()["details"]["permission"] == "pools:use:default"
    await api.put(f"/v1/roles/{name}", json={"permissions": ["jobs:create", "pools:use:*"]}, headers=admin_headers)
    r = await api.post("/v1/jobs", json={"prompt": "x", "steps": 1}, headers=member["headers"])
    assert r.status_code == 201  # the role change reached the gateway at once
    await until_status(api, r.json()["id"], member["headers"], "succeeded")


async def test_unknown_permissions_and_built_in_roles_are_refused(api, admin_headers, user):
    r = await api.post("/v1/roles", json={"name": "wizards", "permissions": ["spells:cast"]}, headers=admin_headers)
    assert r.status_code == 422 and r.json()["details"]["field"] == "permissions"
    r = await api.put("/v1/roles/=@w", json={"permissions": []}, headers=admin_headers)  # once a 500
    assert r.status_code == 422 and r.json()["details"]["field"] == "name", r.text
    r = await api.put("/v1/roles/admin", json={"permissions": []}, headers=admin_headers)
    assert r.status_code == 409
    assert (await api.get("/v1/roles", headers=user["headers"])).status_code == 403
    names = {role["name"] for role in (await api.get("/v1/roles", headers=admin_headers)).json()}
    assert {"admin", "user"} <= names and "wizards" not in names


async def test_jobs_take_missing_fields_from_the_callers_own_settings(api, admin_headers):
    alice, bob = await new_user(api, admin_headers), await new_user(api, admin_headers)
    r = await api.patch("/v1/me/settings", json={"steps": 3, "width": 48, "sampler": "DDIM",
                                                 "negative_prompt": "blurry"}, headers=alice["headers"])
    assert r.status_code == 200 and r.json()["steps"] == 3
    mine = (await submit(api, alice["headers"], steps=None, width=None, height=None))["spec"]
    assert (mine["steps"], mine["width"], mine["sampler"], mine["negative_prompt"]) == (3, 48, "DDIM", "blurry")
    theirs = (await submit(api, bob["headers"], steps=None, width=None, height=None))["spec"]
    assert (theirs["steps"], theirs["width"], theirs["sampler"]) == (20, 64, "Euler a")
    override = (await submit(api, alice["headers"], steps=2, width=None, height=None))["spec"]
    assert override["steps"] == 2  # the request wins over the settings
    r = await api.patch("/v1/me/settings", json={"steps": None}, headers=alice["headers"])
    assert "steps" not in {k for k, v in r.json().items() if v is not None}
    r = await api.patch("/v1/me/settings", json={"width": 50}, headers=alice["headers"])
    assert r.status_code == 422 and r.json()["details"]["field"] == "width"
    r = await api.patch("/v1/me/settings", json={"colour": "red"}, headers=alice["headers"])
    assert r.status_code == 422
    # a default naming nothing usable would fail every later job that leaves the field out: refused at once
    for field, value in (("pool", "gpu-xl"), ("model", "no-such-model"), ("vae", "no-such-vae")):
        r = await api.patch("/v1/me/settings", json={field: value}, headers=alice["headers"])
        assert r.status_code == 422 and r.json()["details"]["field"] == field, r.text
    assert (await api.get("/v1/me/settings", headers=alice["headers"])).json()["pool"] is None


async def test_a_tenant_admin_cannot_grant_more_than_they_hold(api, admin_headers):
    tenant = f"t{uuid.uuid4().hex[:6]}"
    await ensure_tenant(api, admin_headers, tenant)
    r = await api.post("/v1/users", json={"username": f"ta{uuid.uuid4().hex[:6]}", "tenant_id": tenant,
                                          "roles": ["admin"]}, headers=admin_headers)
    tenant_admin = r.json()
    r = await api.post(f"/v1/users/{tenant_admin['id']}/keys", json={"name": "k"}, headers=admin_headers)
    headers = bearer(r.json()["secret"])
    r = await api.post("/v1/users", json={"username": f"esc{uuid.uuid4().hex[:6]}", "roles": ["platform-admin"]},
                       headers=headers)
    assert r.status_code == 403 and r.json()["details"]["permission"] == "tenants:manage"
    r = await api.post("/v1/roles", json={"name": f"sneaky{uuid.uuid4().hex[:6]}", "permissions": ["tenants:*"]},
                       headers=headers)
    assert r.status_code == 403
    r = await api.put("/v1/roles/user", json={"permissions": ["jobs:create", "models:read", "pools:use:default"],
                                              "quotas": {"images_per_day": 1}}, headers=headers)
    assert r.status_code == 403  # built-in roles are shared by every tenant


async def test_custom_roles_belong_to_their_tenant(api, admin_headers):
    tenant = f"t{uuid.uuid4().hex[:6]}"
    await ensure_tenant(api, admin_headers, tenant)
    r = await api.post("/v1/users", json={"username": f"ta{uuid.uuid4().hex[:6]}", "tenant_id": tenant,
                                          "roles": ["admin"]}, headers=admin_headers)
    key = (await api.post(f"/v1/users/{r.json()['id']}/keys", json={"name": "k"}, headers=admin_headers)).json()
    other_admin = bearer(key["secret"])
    name = f"ours{uuid.uuid4().hex[:6]}"
    mine = await api.post("/v1/roles", json={"name": name, "permissions": ["models:read"]}, headers=other_admin)
    assert mine.status_code == 201
    default_tenant_admin = await user_with_password(api, admin_headers, roles=["admin"])
    token = (await login(api, default_tenant_admin["username"])).json()["access_token"]
    listed = {role["name"] for role in (await api.get("/v1/roles", headers=bearer(token))).json()}
    assert name not in listed and "user" in listed
    assert (await api.delete(f"/v1/roles/{name}", headers=bearer(token))).status_code == 404
    r = await api.post("/v1/users", json={"username": f"x{uuid.uuid4().hex[:6]}", "roles": [name]},
                       headers=bearer(token))
    assert r.status_code == 422 and r.json()["details"]["field"] == "roles"
