"""Accounts over HTTP: only admins create users; keys are shown once and belong to their owner."""

from __future__ import annotations

from helpers import new_user


async def test_only_admins_create_users(api, user):
    r = await api.post("/v1/users", json={"username": "mallory"}, headers=user["headers"])
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


async def test_users_create_keys_for_themselves_only(api, admin_headers):
    alice, bob = await new_user(api, admin_headers), await new_user(api, admin_headers)
    r = await api.post("/v1/me/keys", json={"name": "laptop"}, headers=alice["headers"])
    assert r.status_code == 201
    key = r.json()
    assert key["secret"].startswith(key["prefix"] + "_")
    me = await api.get("/v1/me", headers={"Authorization": f"Bearer {key['secret']}"})
    assert me.json()["user_id"] == alice["id"]
    r = await api.post(f"/v1/users/{alice['id']}/keys", json={"name": "steal"}, headers=bob["headers"])
    assert r.status_code == 403 and r.json()["details"]["permission"] == "users:manage"


async def test_duplicate_username_is_409_and_bad_username_422(api, admin_headers):
    alice = await new_user(api, admin_headers)
    r = await api.post("/v1/users", json={"username": alice["username"]}, headers=admin_headers)
    assert r.status_code == 409
    r = await api.post("/v1/users", json={"username": "../etc"}, headers=admin_headers)
    assert r.status_code == 422 and r.json()["details"]["field"] == "username"
