"""The audit log: every audited action leaves a row (denied ones too), admins read their tenant's, no secrets."""

from __future__ import annotations

import asyncio
import json
import re
import uuid

from sqlalchemy import text

from easel_common.db import make_engine
from easel_gateway.audit import AUDITED, outcome, source_of, target_of
from easel_gateway.permissions import RULES
from easel_proto.v1.common import Principal
from helpers import ensure_tenant, new_user, submit, until_status, wait_for

SECRET = re.compile(r"esk_[0-9a-f]{8}_[A-Za-z0-9_-]{20,}")


async def audit_page(api, headers, **params) -> list[dict]:
    r = await api.get("/v1/audit", params={"limit": 500, **params}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def recorded(api, headers, **match) -> dict:
    """The newest audit row with these field values, once it has arrived (events are asynchronous)."""
    async def find():
        params = {k: match[k] for k in ("action", "actor_id") if k in match}
        for row in await audit_page(api, headers, **params):
            if all(row.get(k) == v for k, v in match.items()):
                return row
        return None

    return await wait_for(find, timeout=20, interval=0.2)


async def all_rows(api, headers) -> list[dict]:
    rows, cursor = [], None
    while True:
        r = await api.get("/v1/audit", params={"limit": 500, **({"cursor": cursor} if cursor else {})},
                          headers=headers)
        assert r.status_code == 200, r.text
        page = r.json()
        rows += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return rows


async def table_dump(database_url: str) -> str:
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT * FROM audit_events"))).all()
    finally:
        await engine.dispose()
    return "\n".join(repr(tuple(row)) for row in rows)


async def test_audited_actions_are_recorded_with_actor_target_outcome_and_no_secret(api, admin_headers, stack,
                                                                                   database_url):
    admin = (await api.get("/v1/me", headers=admin_headers)).json()
    secrets = [stack.admin_key]

    name = f"carol-{uuid.uuid4().hex[:6]}"
    r = await api.post("/v1/users", json={"username": name}, headers=admin_headers)
    assert r.status_code == 201, r.text
    carol = r.json()
    r = await api.post(f"/v1/users/{carol['id']}/keys", json={"name": "first"}, headers=admin_headers)
    assert r.status_code == 201, r.text
    first = r.json()
    secrets.append(first["secret"])
    headers = {"Authorization": f"Bearer {first['secret']}"}

    job = await submit(api, headers, steps=150, seed=5)
    r = await api.delete(f"/v1/jobs/{job['id']}", headers=headers)
    assert r.status_code == 202, r.text
    await until_status(api, job["id"], headers, "canceled", "succeeded")

    r = await api.post("/v1/me/keys", json={"name": "laptop"}, headers=headers)
    assert r.status_code == 201, r.text
    laptop = r.json()
    secrets.append(laptop["secret"])
    r = await api.delete(f"/v1/me/keys/{laptop['id']}", headers=headers)
    assert r.status_code == 200, r.text
    r = await api.patch("/v1/me/settings", json={"steps": 12}, headers=headers)
    assert r.status_code == 200, r.text
    r = await api.post("/v1/users", json={"username": f"mallory-{uuid.uuid4().hex[:6]}"}, headers=headers)
    assert r.status_code == 403
    r = await api.patch(f"/v1/users/{carol['id']}", json={"disabled": True}, headers=admin_headers)
    assert r.status_code == 200, r.text
    r = await api.post("/v1/jobs", json={"prompt": "x"}, headers={"Authorization": "Bearer not-a-key"})
    assert r.status_code == 401

    as_admin = {"actor_id": admin["user_id"], "actor_name": admin["username"]}
    as_carol = {"actor_id": carol["id"], "actor_name": name}
    expected = [
        {"action": "user.create", **as_admin, "target": f"user:{carol['id']}", "outcome": "ok", "status": 201},
        {"action": "key.create", **as_admin, "target": f"user:{carol['id']}/key:{first['id']}", "outcome": "ok"},
        {"action": "job.submit", **as_carol, "target": f"job:{job['id']}", "outcome": "ok", "status": 201},
        {"action": "job.cancel", **as_carol, "target": f"job:{job['id']}", "outcome": "ok", "status": 202},
        {"action": "key.create", **as_carol, "target": f"user:{carol['id']}/key:{laptop['id']}", "outcome": "ok"},
        {"action": "key.revoke", **as_carol, "target": f"user:{carol['id']}/key:{laptop['id']}", "outcome": "ok"},
        {"action": "settings.update", **as_carol, "target": f"user:{carol['id']}", "outcome": "ok"},
        {"action": "user.create", **as_carol, "outcome": "denied", "status": 403, "target": None},
        {"action": "user.update", **as_admin, "target": f"user:{carol['id']}", "outcome": "ok", "status": 200},
        {"action": "job.submit", "actor_id": None, "outcome": "denied", "status": 401, "tenant_id": "default"},
    ]
    for match in expected:
        row = await recorded(api, admin_headers, **match)
        assert row["source"] == "127.0.0.1", row
        assert row["tenant_id"] == "default", row
        assert row["at"] and row["id"]

    # the key that acted is named by its public prefix only
    submitted = await recorded(api, admin_headers, action="job.submit", actor_id=carol["id"], outcome="ok")
    assert submitted["details"]["key"] == first["prefix"]

    rows = await all_rows(api, admin_headers)
    served = json.dumps(rows)
    stored = await table_dump(database_url)
    assert stored.count("\n") + 1 >= len(rows)
    for secret in secrets:
        assert secret not in served
        assert secret not in stored
    assert not SECRET.search(served) and not SECRET.search(stored)


async def test_a_burst_of_audited_requests_leaves_every_row_from_far_fewer_messages(api, user, stack, database_url):
    """The gateway publishes its audit events many to a message: a burst of N audited requests is N rows in the audit
    log, carried by far fewer than N messages of the audit stream (each a message and an ack, here and in auth)."""
    n = 100
    nc = await stack.connect_as("auth")  # auth owns the audit stream
    engine = make_engine(database_url)
    stream = stack.services[0].settings.names.stream("audit")["name"]
    try:
        await asyncio.sleep(0.5)  # the user fixture's own events are in the stream by now
        before = (await nc.jetstream().stream_info(stream)).state.messages
        replies = await asyncio.gather(*(api.post("/v1/users", json={"username": f"burst-{i}"},
                                                  headers=user["headers"]) for i in range(n)))
        assert {r.status_code for r in replies} <= {403, 429}  # denied (or over the rate limit), audited as such

        async def rows():  # read from the table: reading /v1/audit would be audited too
            async with engine.connect() as conn:
                found = (await conn.execute(text(
                    "SELECT count(*) FROM audit_events WHERE actor_id = :a AND action = 'user.create'"),
                    {"a": user["id"]})).scalar_one()
            return found if found >= n else None

        assert await wait_for(rows, timeout=30, interval=0.2) == n
        carried = (await nc.jetstream().stream_info(stream)).state.messages - before
    finally:
        await engine.dispose()
        await nc.close()
    print(f"{n} audited requests, {carried} audit stream messages")
    assert 1 <= carried <= n // 4, carried


async def test_filters_and_paging(api, admin_headers, user):
    await submit(api, user["headers"], steps=1)
    await submit(api, user["headers"], steps=1)
    await recorded(api, admin_headers, action="job.submit", actor_id=user["id"])

    async def both():
        rows = await audit_page(api, admin_headers, action="job.submit", actor_id=user["id"])
        return rows if len(rows) == 2 else None

    rows = await wait_for(both, timeout=20, interval=0.2)
    assert all(r["action"] == "job.submit" and r["actor_id"] == user["id"] for r in rows)
    assert rows[0]["at"] >= rows[1]["at"]  # newest first

    mine = await audit_page(api, admin_headers, actor_id=user["id"])
    assert mine and all(r["actor_id"] == user["id"] for r in mine)
    jobs_only = await audit_page(api, admin_headers, action="job.submit")
    assert jobs_only and all(r["action"] == "job.submit" for r in jobs_only)
    by_target = await audit_page(api, admin_headers, target=rows[0]["target"])
    assert [r["id"] for r in by_target] == [rows[0]["id"]]
    denied = await audit_page(api, admin_headers, outcome="denied")
    assert all(r["outcome"] == "denied" for r in denied)
    later = await audit_page(api, admin_headers, actor_id=user["id"], since=rows[0]["at"])
    assert rows[0]["id"] in [r["id"] for r in later] and rows[1]["id"] not in [r["id"] for r in later]

    r = await api.get("/v1/audit", params={"action": "job.submit", "actor_id": user["id"], "limit": 1},
                      headers=admin_headers)
    first = r.json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    r = await api.get("/v1/audit", params={"action": "job.submit", "actor_id": user["id"], "limit": 1,
                                           "cursor": first["next_cursor"]}, headers=admin_headers)
    assert [i["id"] for i in r.json()["items"]] == [rows[1]["id"]]
    r = await api.get("/v1/audit", params={"cursor": "not-a-cursor"}, headers=admin_headers)
    assert r.status_code == 422


async def test_only_admins_read_the_log_and_only_their_tenants(api, admin_headers, user, database_url):
    r = await api.get("/v1/audit", headers=user["headers"])
    assert r.status_code == 403 and r.json()["details"]["permission"] == "audit:read"
    await recorded(api, admin_headers, action="audit.read", actor_id=user["id"], outcome="denied", status=403)

    await ensure_tenant(api, admin_headers, "other")
    r = await api.post("/v1/users", json={"username": f"other-{uuid.uuid4().hex[:6]}", "tenant_id": "other",
                                             "roles": ["admin"]},
                       headers=admin_headers)
    assert r.status_code == 201, r.text
    other = r.json()
    r = await api.post(f"/v1/users/{other['id']}/keys", json={"name": "k"}, headers=admin_headers)
    assert r.status_code == 201  # the bootstrap admin is a platform admin (tenants:manage)
    await recorded(api, admin_headers, action="key.create", target=f"user:{other['id']}/key:{r.json()['id']}",
                   outcome="ok")
    other_secret = r.json()["secret"]
    other_headers = {"Authorization": f"Bearer {other_secret}"}
    theirs = await new_user(api, other_headers)  # an event in tenant "other"
    await recorded(api, other_headers, action="user.create", target=f"user:{theirs['id']}")

    rows = await all_rows(api, other_headers)
    assert rows and all(row["tenant_id"] == "other" for row in rows)
    assert not any(row["actor_id"] == user["id"] for row in rows)
    assert other_secret not in json.dumps(rows) and theirs["key"] not in json.dumps(rows)
    ours = await all_rows(api, admin_headers)
    assert not any(row["tenant_id"] == "other" for row in ours)


def test_every_audited_route_has_a_permission_rule_and_outcomes_are_classified():
    assert set(AUDITED) <= set(RULES)
    assert [outcome(s) for s in (200, 201, 202, 401, 403, 404, 429, 409, 422, 413, 500, 503)] == [
        "ok", "ok", "ok", "denied", "denied", "denied", "denied", "invalid", "invalid", "invalid", "error", "error"]


def test_targets_come_from_the_route_and_sources_from_the_connection():
    me = Principal(user_id="u1", tenant_id="t", username="me")
    assert target_of("/v1/users/{user_id}/keys/{key_id}", {"user_id": "u2", "key_id": "k"}, me) == "user:u2/key:k"
    assert target_of("/v1/me/keys/{key_id}", {"key_id": "k"}, me) == "user:u1/key:k"
    assert target_of("/v1/me/keys", {}, me, created="k2", created_kind="key") == "user:u1/key:k2"
    assert target_of("/v1/roles/{name}", {"name": "ops"}, me) == "role:ops"
    assert target_of("/v1/users", {}, None) is None
    scope = {"client": ("10.0.0.9", 5555), "headers": [(b"x-forwarded-for", b"6.6.6.6, 203.0.113.7")]}
    assert source_of(scope, trust_forwarded_for=False) == "10.0.0.9"
    assert source_of(scope, trust_forwarded_for=True) == "203.0.113.7"  # the hop the trusted proxy saw
