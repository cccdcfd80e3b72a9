"""Webhook deliveries follow their owners' current rights, through the real jobs service and auth over NATS: a
tenant-wide endpoint stops hearing once its owner loses jobs:read:any (and what was written before is not sent), a
disabled user's endpoint hears nothing; signing secrets are stored sealed, and deliveries still verify with the
secret the user was given."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from easel_common import db
from easel_jobs.webhooks.models import CallbackSecret, WebhookDelivery, WebhookEndpoint
from helpers import new_user, submit, until_status, wait_for
from receivers import Receiver

NOT_ALLOWED = "not sent: the webhook's owner may no longer hear it"


async def _hook(api, headers, url: str, **fields) -> dict:
    r = await api.post("/v1/webhooks", json={"url": url, **fields}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


async def _log(api, headers, hook_id: str) -> list[dict]:
    r = await api.get(f"/v1/webhooks/{hook_id}/deliveries", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


async def _async(value):
    return value


def _told(receiver: Receiver, path: str, secret: str) -> list[str]:
    """The ids of the jobs `path` was told of, each signature checked with the secret its owner was given."""
    return [Webhook(secret).verify(r["body"], r["headers"])["data"]["id"]
            for r in receiver.received if r["path"] == path]


async def test_a_tenant_wide_webhook_stops_hearing_once_its_owner_loses_the_right(api, admin_headers):
    tenant = f"owners{uuid.uuid4().hex[:6]}"
    boss, keeper = [await new_user(api, admin_headers, roles=["admin"], tenant_id=tenant) for _ in range(2)]
    member = await new_user(api, admin_headers, tenant_id=tenant)
    with Receiver() as receiver:
        hook = await _hook(api, boss["headers"], receiver.url + "/boss", scope="tenant", events=["job.succeeded"])
        control = await _hook(api, keeper["headers"], receiver.url + "/keeper", scope="tenant",
                              events=["job.succeeded"])
        first = await submit(api, member["headers"])
        await until_status(api, first["id"], member["headers"], "succeeded")
        await wait_for(lambda: _async(len(receiver.received) >= 2), timeout=30)
        assert _told(receiver, "/boss", hook["secret"]) == [first["id"]]

        # the platform admin takes the tenant admin's role away: jobs:read:any goes with it
        r = await api.patch(f"/v1/users/{boss['id']}", json={"roles": ["user"]}, headers=admin_headers)
        assert r.status_code == 200, r.text
        second = await submit(api, member["headers"], seed=2)
        await until_status(api, second["id"], member["headers"], "succeeded")
        # the control endpoint's delivery is written in the same transaction as the boss's would have been
        await wait_for(lambda: _async(_told(receiver, "/keeper", control["secret"]) == [first["id"], second["id"]]),
                       timeout=30)
        log = await _log(api, boss["headers"], hook["id"])  # the owner still sees their own endpoint
        assert [d["subject_id"] for d in log] == [first["id"]]
        assert _told(receiver, "/boss", hook["secret"]) == [first["id"]]

        # a delivery written before the change is not sent after it: it ends dead, saying why
        r = await api.post(f"/v1/webhooks/{hook['id']}/deliveries/{log[0]['id']}/redeliver", headers=boss["headers"])
        assert r.status_code == 200, r.text

        async def dropped():
            [d] = await _log(api, boss["headers"], hook["id"])
            return d if d["status"] == "dead" else None

        delivery = await wait_for(dropped, timeout=30)
        assert delivery["last_error"].startswith(NOT_ALLOWED) and delivery["attempts"] == 0  # none was made
        assert _told(receiver, "/boss", hook["secret"]) == [first["id"]]


async def test_a_disabled_users_webhooks_hear_nothing(api, admin_headers):
    tenant = f"owners{uuid.uuid4().hex[:6]}"
    # admins, so their jobs may wait in the pool no worker serves until they are canceled
    owner, keeper = [await new_user(api, admin_headers, roles=["admin"], tenant_id=tenant) for _ in range(2)]
    with Receiver() as receiver:
        mine = await _hook(api, owner["headers"], receiver.url + "/mine", events=["job.canceled"])
        wide = await _hook(api, owner["headers"], receiver.url + "/wide", scope="tenant", events=["job.canceled"])
        control = await _hook(api, keeper["headers"], receiver.url + "/keeper", scope="tenant",
                              events=["job.canceled"])
        job = await submit(api, owner["headers"], pool="idle")
        r = await api.patch(f"/v1/users/{owner['id']}", json={"disabled": True}, headers=admin_headers)
        assert r.status_code == 200, r.text
        r = await api.delete(f"/v1/jobs/{job['id']}", headers=keeper["headers"])
        assert r.status_code in (202, 409), r.text
        await until_status(api, job["id"], keeper["headers"], "canceled")
        await wait_for(lambda: _async(_told(receiver, "/keeper", control["secret"]) == [job["id"]]), timeout=30)
        # enabled again, the owner reads their logs: nothing was written for that job while they were disabled
        r = await api.patch(f"/v1/users/{owner['id']}", json={"disabled": False}, headers=admin_headers)
        assert r.status_code == 200, r.text
        for hook in (mine, wide):
            assert await _log(api, owner["headers"], hook["id"]) == []
        assert [r["path"] for r in receiver.received] == ["/keeper"]


async def test_signing_secrets_are_stored_sealed_and_deliveries_verify_with_the_given_secret(api, user,
                                                                                             database_url):
    callback_secret = (await api.get("/v1/webhooks/callback-secret", headers=user["headers"])).json()["secret"]
    with Receiver() as receiver:
        hook = await _hook(api, user["headers"], receiver.url + "/hook", events=["job.succeeded"])
        r = await api.post(f"/v1/webhooks/{hook['id']}/rotate-secret", headers=user["headers"])
        assert r.status_code == 200, r.text
        rotated = r.json()["secret"]
        job = await submit(api, user["headers"], callback_url=receiver.url + "/callback")
        await until_status(api, job["id"], user["headers"], "succeeded")
        await wait_for(lambda: _async(len(receiver.received) >= 2), timeout=30)
    # both the new and (during the overlap) the old secret verify; the callback its own
    for secret in (hook["secret"], rotated):
        assert _told(receiver, "/hook", secret) == [job["id"]]
    assert _told(receiver, "/callback", callback_secret) == [job["id"]]

    engine = db.make_engine(database_url)
    try:
        async with db.sessions(engine)() as session:
            endpoint = await session.get(WebhookEndpoint, hook["id"])
            callback = await session.get(CallbackSecret, user["id"])
            deliveries = list((await session.execute(select(WebhookDelivery).where(
                WebhookDelivery.subject_id == job["id"]))).scalars())
    finally:
        await engine.dispose()
    stored = [endpoint.secret, endpoint.previous_secret, callback.secret]
    assert all(value.startswith("v1.") for value in stored), stored
    for plain in (hook["secret"], rotated, callback_secret):
        body = plain.removeprefix("whsec_")
        assert not any(body in value for value in stored)
        assert not any(body in str(d.payload) for d in deliveries)
    # the API never answers a secret again once made
    listed = (await api.get(f"/v1/webhooks/{hook['id']}", headers=user["headers"])).json()
    assert listed["secret"] is None
