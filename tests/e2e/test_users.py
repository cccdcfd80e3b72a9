"""Accounts over HTTP: only admins create users; keys are shown once and belong to their owner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from helpers import new_user, wait_for


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


async def test_an_expiring_key_stops_working_when_it_expires(api, user):
    soon = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    r = await api.post("/v1/me/keys", json={"name": "short", "expires_at": soon}, headers=user["headers"])
    assert r.status_code == 201 and r.json()["expires_at"]
    short = {"Authorization": f"Bearer {r.json()['secret']}"}
    assert (await api.get("/v1/me", headers=short)).status_code == 200

    async def refused():
        return (await api.get("/v1/me", headers=short)).status_code == 401

    await wait_for(refused, timeout=4, interval=0.2)  # within moments of expiry, not after the cache's TTL
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    r = await api.post("/v1/me/keys", json={"name": "old", "expires_at": past}, headers=user["headers"])
    assert r.status_code == 422 and r.json()["details"]["field"] == "expires_at"


async def test_keys_are_listed_without_secrets_and_revoked_keys_stop_working(api, user):
    r = await api.post("/v1/me/keys", json={"name": "ci"}, headers=user["headers"])
    secret, key_id = r.json()["secret"], r.json()["id"]
    listed = (await api.get("/v1/me/keys", headers=user["headers"])).json()
    assert {k["name"] for k in listed} >= {"test", "ci"} and all(k["secret"] is None for k in listed)
    assert secret not in str(listed)
    assert (await api.delete(f"/v1/me/keys/{key_id}", headers=user["headers"])).json()["revoked_at"]
    assert (await api.get("/v1/me", headers={"Authorization": f"Bearer {secret}"})).status_code == 401
    assert (await api.get("/v1/me", headers=user["headers"])).status_code == 200
