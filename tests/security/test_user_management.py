"""Managing users never reaches past what the actor holds: no key, password, role, quota or deletion of a stronger
account, no quota above the actor's own, and no platform admin made by a name alone."""

from __future__ import annotations

import uuid

import pytest

from easel_auth.flows import bootstrap_admin
from easel_auth.settings import AuthSettings
from easel_common import db
from easel_proto.errors import InvalidInput
from helpers import new_user, wait_for

PASSWORD = "correct horse battery staple"


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def takeovers(user_id: str) -> list[tuple[str, str, dict | None]]:
    """Every way of acting on another account, the least harmful first (today's code fails at the first)."""
    return [("POST", f"/v1/users/{user_id}/keys", {"name": "mine now"}),
            ("PATCH", f"/v1/users/{user_id}", {"quotas": {"images_per_day": 0}}),
            ("PUT", f"/v1/users/{user_id}/password", {"new_password": "a long stolen passphrase"}),
            ("PATCH", f"/v1/users/{user_id}", {"roles": []}),
            ("PATCH", f"/v1/users/{user_id}", {"disabled": True}),
            ("DELETE", f"/v1/users/{user_id}", None)]


async def refused_all(api, headers: dict[str, str], user_id: str, permission: str | tuple[str, ...]) -> None:
    """Every takeover is a 403 naming a permission the target holds and the caller lacks (one of `permission`)."""
    allowed = (permission,) if isinstance(permission, str) else permission
    for method, url, body in takeovers(user_id):
        r = await api.request(method, url, json=body, headers=headers)
        assert r.status_code == 403, (method, url, r.status_code, r.text)
        assert r.json()["code"] == "forbidden" and r.json()["details"]["permission"] in allowed, r.text


async def test_a_second_admin_of_the_default_tenant_cannot_take_over_the_platform_admin(api, admin_headers):
    platform_admin = (await api.get("/v1/me", headers=admin_headers)).json()
    second = await new_user(api, admin_headers, roles=["admin"])
    await refused_all(api, second["headers"], platform_admin["user_id"], ("tenants:manage", "pools:manage"))
    after = await api.get("/v1/me", headers=admin_headers)
    assert after.status_code == 200 and "platform-admin" in after.json()["roles"]
    assert "mine now" not in {k["name"] for k in (await api.get("/v1/me/keys", headers=admin_headers)).json()}


async def test_a_users_manage_role_cannot_take_over_an_admin(api, admin_headers):
    role = f"helpdesk-{uuid.uuid4().hex[:6]}"
    r = await api.post("/v1/roles", json={"name": role, "permissions": ["users:manage"]}, headers=admin_headers)
    assert r.status_code == 201, r.text
    helpdesk, colleague = [await new_user(api, admin_headers, roles=[role]) for _ in range(2)]
    admin = await new_user(api, admin_headers, roles=["admin"])
    await refused_all(api, helpdesk["headers"], admin["id"], "*")
    me = await api.get("/v1/me", headers=admin["headers"])
    assert me.status_code == 200 and me.json()["roles"] == ["admin"]
    # someone holding no more than the helpdesk does stays theirs to manage
    r = await api.post(f"/v1/users/{colleague['id']}/keys", json={"name": "reset"}, headers=helpdesk["headers"])
    assert r.status_code == 201, r.text


async def test_bootstrap_does_not_make_a_namesake_in_another_tenant_platform_admin(api, admin_headers, database_url,
                                                                                  tmp_path):
    namesake = await new_user(api, admin_headers, roles=["admin"], tenant_id=f"t{uuid.uuid4().hex[:6]}")
    settings = AuthSettings(data_dir=tmp_path, database_url=database_url, admin_username=namesake["username"],
                            admin_key=None)
    engine = db.make_engine(database_url)
    try:
        with pytest.raises(InvalidInput) as refused:  # it cannot be created beside them either: names are unique
            await bootstrap_admin(db.sessions(engine), settings)
    finally:
        await engine.dispose()
    assert refused.value.details["field"] == "EASEL_ADMIN_USERNAME"
    me = (await api.get("/v1/me", headers=namesake["headers"])).json()
    assert "platform-admin" not in me["roles"] and "tenants:manage" not in me["permissions"]
    platform_admin = (await api.get("/v1/me", headers=admin_headers)).json()["user_id"]
    r = await api.post(f"/v1/users/{platform_admin}/keys", json={"name": "k"}, headers=namesake["headers"])
    assert r.status_code == 404


async def tenant_admin_with_quotas(api, admin_headers, **quotas) -> dict:
    """An admin of a new tenant whose own quotas the platform admin set."""
    admin = await new_user(api, admin_headers, roles=["admin"], tenant_id=f"t{uuid.uuid4().hex[:6]}")
    r = await api.patch(f"/v1/users/{admin['id']}", json={"quotas": quotas}, headers=admin_headers)
    assert r.status_code == 200, r.text
    return admin


async def test_a_tenant_admin_cannot_change_their_own_quotas(api, admin_headers):
    admin = await tenant_admin_with_quotas(api, admin_headers, images_per_day=10)
    for quotas in ({"images_per_day": 1000}, {}, {"images_per_day": 5}):
        r = await api.patch(f"/v1/users/{admin['id']}", json={"quotas": quotas}, headers=admin["headers"])
        assert r.status_code == 403, (quotas, r.text)
        assert r.json()["details"]["permission"] == "tenants:manage"
    r = await api.get(f"/v1/users/{admin['id']}", headers=admin_headers)
    assert r.json()["quotas"]["images_per_day"] == 10


async def test_a_tenant_admin_hands_out_no_quota_above_their_own(api, admin_headers):
    admin = await tenant_admin_with_quotas(api, admin_headers, images_per_day=10, max_concurrent_jobs=2)
    staff = await new_user(api, admin_headers, tenant_id=admin["tenant_id"])
    r = await api.patch(f"/v1/users/{staff['id']}", json={"quotas": {"images_per_day": 11}}, headers=admin["headers"])
    assert r.status_code == 403 and r.json()["details"]["field"] == "quotas.images_per_day", r.text
    assert r.json()["details"]["permission"] == "tenants:manage"
    r = await api.patch(f"/v1/users/{staff['id']}", json={"quotas": {"images_per_day": 10}}, headers=admin["headers"])
    assert r.status_code == 200 and r.json()["quotas"]["images_per_day"] == 10

    role = f"team-{uuid.uuid4().hex[:6]}"
    for too_much in ({"images_per_day": 10},  # max_concurrent_jobs left out: unlimited, more than their 2
                     {"images_per_day": 100, "max_concurrent_jobs": 2}):
        r = await api.put(f"/v1/roles/{role}", json={"permissions": ["jobs:create"], "quotas": too_much},
                          headers=admin["headers"])
        assert r.status_code == 403 and r.json()["details"]["permission"] == "tenants:manage", (too_much, r.text)
    r = await api.put(f"/v1/roles/{role}", json={"permissions": ["jobs:create"],
                                                 "quotas": {"images_per_day": 10, "max_concurrent_jobs": 2}},
                      headers=admin["headers"])
    assert r.status_code == 200, r.text
    r = await api.put("/v1/roles/user", json={"permissions": ["jobs:create", "models:read", "pools:use:default"],
                                              "quotas": {"images_per_day": 1}}, headers=admin["headers"])
    assert r.status_code == 403  # built-in roles' quotas are the platform admin's


async def test_a_new_password_revokes_every_api_key_of_the_user(api, admin_headers):
    user = await new_user(api, admin_headers, password=PASSWORD)
    laptop = (await api.post("/v1/me/keys", json={"name": "laptop"}, headers=user["headers"])).json()
    assert (await api.get("/v1/me", headers=bearer(laptop["secret"]))).status_code == 200  # cached by the gateway

    async def refused(secret: str) -> bool:
        return (await api.get("/v1/me", headers=bearer(secret))).status_code == 401

    r = await api.put("/v1/me/password", json={"new_password": "a much better passphrase",
                                               "current_password": PASSWORD}, headers=user["headers"])
    assert r.status_code == 204, r.text
    for secret in (user["key"], laptop["secret"]):
        await wait_for(lambda secret=secret: refused(secret), timeout=2, interval=0.05)
    keys = (await api.get(f"/v1/users/{user['id']}/keys", headers=admin_headers)).json()
    assert keys and all(k["revoked_at"] for k in keys)

    fresh = (await api.post(f"/v1/users/{user['id']}/keys", json={"name": "new"}, headers=admin_headers)).json()
    r = await api.put(f"/v1/users/{user['id']}/password", json={"new_password": "yet another passphrase"},
                      headers=admin_headers)
    assert r.status_code == 204, r.text
    await wait_for(lambda: refused(fresh["secret"]), timeout=2, interval=0.05)
