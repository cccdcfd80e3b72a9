"""Webhooks end to end: endpoints registered through the API hear of jobs ending, signed per Standard Webhooks
(checked with the `standardwebhooks` reference implementation), retried, dead-lettered, redelivered; job callbacks;
the SSRF guard; who may see and change which endpoint."""

from __future__ import annotations

import json
import uuid

import numpy as np
import pytest
from safetensors.numpy import save
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from helpers import new_user, submit, until_status, wait_for
from receivers import Receiver


async def _hook(api, headers, url: str, **fields) -> dict:
    r = await api.post("/v1/webhooks", json={"url": url, **fields}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


async def _deliveries(api, headers, hook_id: str, **params) -> list[dict]:
    r = await api.get(f"/v1/webhooks/{hook_id}/deliveries", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def _verified(secret: str, request: dict) -> dict:
    return Webhook(secret).verify(request["body"], request["headers"])


async def test_a_finished_job_is_posted_signed_to_its_owners_webhook_and_logged(api, user):
    with Receiver() as receiver:
        hook = await _hook(api, user["headers"], receiver.url + "/hooks", events=["job.succeeded"])
        assert hook["secret"].startswith("whsec_") and hook["events"] == ["job.succeeded"]
        # the secret is shown once: neither the list nor the endpoint shows it again
        listed = (await api.get("/v1/webhooks", headers=user["headers"])).json()
        assert [h["id"] for h in listed] == [hook["id"]] and listed[0]["secret"] is None
        job = await submit(api, user["headers"])
        await until_status(api, job["id"], user["headers"], "succeeded")
        await wait_for(lambda: _async(len(receiver.received) >= 1), timeout=30)

    request = receiver.received[0]
    event = _verified(hook["secret"], request)
    assert event["type"] == "job.succeeded" and event["data"]["id"] == job["id"]
    assert event["data"]["user_id"] == user["id"] and event["data"]["status"] == "succeeded"
    assert event["data"]["images"][0]["url"].endswith(f"/v1/jobs/{job['id']}/images/0")
    assert "spec" not in event["data"]  # no prompt or inputs in the payload
    with pytest.raises(WebhookVerificationError):  # another secret does not verify it
        Webhook("whsec_" + "A" * 32).verify(request["body"], request["headers"])
    # the receiver records a request before it answers: the sender writes the outcome a moment later
    log = await wait_for(lambda: _first(api, user, hook, "delivered"), timeout=10)
    assert (log["id"], log["status"], log["attempts"], log["last_status"]) == (
        request["headers"]["webhook-id"], "delivered", 1, 204)
    assert len(await _deliveries(api, user["headers"], hook["id"])) == 1


async def _async(value):
    return value


async def test_a_failing_receiver_is_retried_then_dead_lettered_and_can_be_redelivered(api, user):
    with Receiver() as receiver:
        receiver.answers.extend([500, 503])  # fails twice, then answers 204
        hook = await _hook(api, user["headers"], receiver.url, events=["job.succeeded", "job.failed"])
        job = await submit(api, user["headers"])
        await until_status(api, job["id"], user["headers"], "succeeded")
        delivered = await wait_for(lambda: _first(api, user, hook, "delivered"), timeout=30)
        assert delivered["attempts"] == 3 and len(receiver.received) == 3
        # one webhook-id on every attempt, so the receiver can drop repeats
        assert len({r["headers"]["webhook-id"] for r in receiver.received}) == 1

        receiver.answers.extend([500] * 3)  # the next job: every attempt fails (the schedule allows three)
        second = await submit(api, user["headers"], seed=2)
        await until_status(api, second["id"], user["headers"], "succeeded")
        dead = await wait_for(lambda: _first(api, user, hook, "dead"), timeout=30)
        assert dead["attempts"] == 3 and dead["last_status"] == 500 and dead["next_attempt_at"] is None

        r = await api.post(f"/v1/webhooks/{hook['id']}/deliveries/{dead['id']}/redeliver", headers=user["headers"])
        assert r.status_code == 200 and r.json()["status"] == "pending", r.text
        await wait_for(lambda: _status_of(api, user, hook, dead["id"], "delivered"), timeout=30)
        assert json.loads(receiver.received[-1]["body"])["data"]["id"] == second["id"]


async def _first(api, user, hook, status):
    found = await _deliveries(api, user["headers"], hook["id"], status=status)
    return found[0] if found else None


async def _status_of(api, user, hook, delivery_id, status):
    return any(d["id"] == delivery_id and d["status"] == status
               for d in await _deliveries(api, user["headers"], hook["id"]))


async def test_a_jobs_callback_url_is_told_signed_with_the_callers_callback_secret(api, user):
    secret = (await api.get("/v1/webhooks/callback-secret", headers=user["headers"])).json()["secret"]
    with Receiver() as receiver:
        job = await submit(api, user["headers"], callback_url=receiver.url + "/done")
        await until_status(api, job["id"], user["headers"], "succeeded")
        await wait_for(lambda: _async(receiver.received), timeout=30)
    event = _verified(secret, receiver.received[0])
    assert (event["type"], event["data"]["id"], receiver.received[0]["path"]) == ("job.succeeded", job["id"], "/done")


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest", "http://10.1.2.3/hook", "https://127.0.0.2/x",
                                 "http://example.com/plain-http", "ftp://example.com/x", "https://u:p@example.com/"])
async def test_private_addresses_and_unsafe_urls_are_refused_for_webhooks_and_callbacks(api, user, url):
    r = await api.post("/v1/webhooks", json={"url": url}, headers=user["headers"])
    assert r.status_code == 422 and r.json()["details"]["field"] == "url", r.text
    r = await api.post("/v1/jobs", json={"prompt": "x", "steps": 2, "width": 64, "height": 64, "callback_url": url},
                       headers=user["headers"])
    assert r.status_code == 422 and r.json()["details"]["field"] == "callback_url", r.text


async def test_another_user_can_neither_see_nor_change_a_webhook_and_scopes_are_held(api, admin_headers):
    owner, other = await new_user(api, admin_headers), await new_user(api, admin_headers)
    hook = await _hook(api, owner["headers"], "http://127.0.0.1:9/x")
    for method, path in (("GET", ""), ("PATCH", ""), ("DELETE", ""), ("POST", "/rotate-secret"),
                         ("GET", "/deliveries"), ("POST", "/deliveries/msg_0/redeliver")):
        r = await api.request(method, f"/v1/webhooks/{hook['id']}{path}", headers=other["headers"],
                              json={"enabled": False} if method == "PATCH" else None)
        assert r.status_code == 404, (method, path, r.text)
    assert (await api.get("/v1/webhooks", headers=other["headers"])).json() == []
    # a tenant-wide webhook hears everyone's jobs: a plain user may not make one
    r = await api.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/x", "scope": "tenant"},
                       headers=owner["headers"])
    assert r.status_code == 403, r.text

    rotated = (await api.post(f"/v1/webhooks/{hook['id']}/rotate-secret", headers=owner["headers"])).json()
    assert rotated["secret"] != hook["secret"] and rotated["previous_secret_until"] is not None


async def test_a_tenant_wide_webhook_hears_its_tenants_users_and_no_one_elses(api, admin_headers):
    tenant = f"hooks{uuid.uuid4().hex[:6]}"
    admin = await new_user(api, admin_headers, roles=["admin"], tenant_id=tenant)
    member = await new_user(api, admin_headers, tenant_id=tenant)
    outsider = await new_user(api, admin_headers)
    with Receiver() as receiver:
        hook = await _hook(api, admin["headers"], receiver.url, scope="tenant", events=["job.succeeded"])
        assert hook["scope"] == "tenant"
        theirs = await submit(api, member["headers"])
        elsewhere = await submit(api, outsider["headers"])
        for job, who in ((theirs, member), (elsewhere, outsider)):
            await until_status(api, job["id"], who["headers"], "succeeded")
        await wait_for(lambda: _async(receiver.received), timeout=30)
        await until_status(api, elsewhere["id"], outsider["headers"], "succeeded")
    ids = {_verified(hook["secret"], r)["data"]["id"] for r in receiver.received}
    assert ids == {theirs["id"]}
    # the member sees no tenant-wide webhook (it needs jobs:read:any); the tenant's admin does
    assert (await api.get("/v1/webhooks", headers=member["headers"])).json() == []
    assert [h["id"] for h in (await api.get("/v1/webhooks", headers=admin["headers"])).json()] == [hook["id"]]


async def test_a_user_keeps_at_most_twenty_webhooks(api, admin_headers):
    """No request makes unbounded work: every endpoint is looked at for every job's end."""
    owner = await new_user(api, admin_headers)
    for i in range(20):
        await _hook(api, owner["headers"], f"http://127.0.0.1:9/hook{i}")
    r = await api.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/one-more"}, headers=owner["headers"])
    assert r.status_code == 409 and r.json()["details"]["field"] == "url", r.text


async def _import_upload(api, who, content: bytes) -> dict:
    upload = (await api.post("/v1/models/uploads", headers=who["headers"])).json()
    r = await api.put(upload["url"], content=content, headers=who["headers"])
    assert r.status_code == 204, r.text
    r = await api.post("/v1/models", json={"name": f"m-{uuid.uuid4().hex[:6]}", "kind": "lora", "base": "sd15",
                                           "source": {"type": "upload", "uri": upload["upload_id"]}},
                       headers=who["headers"])
    assert r.status_code == 201, r.text
    return r.json()


def _safetensors(seed: int) -> bytes:
    return save({"lora_unet_down.lora_down.weight": np.full((4, 4), seed, dtype=np.float32)})


async def test_model_imports_are_told_signed_to_their_owners_webhooks_and_to_no_other_user(api, admin_headers):
    tenant = f"imports{uuid.uuid4().hex[:6]}"  # two users of one tenant who may import (admins there)
    owner, other = [await new_user(api, admin_headers, roles=["admin"], tenant_id=tenant) for _ in range(2)]
    events = ["model.imported", "model.import_failed"]
    with Receiver() as receiver:
        mine = await _hook(api, owner["headers"], receiver.url + "/mine", events=events)
        theirs = await _hook(api, other["headers"], receiver.url + "/theirs", events=events)
        imported = await _import_upload(api, owner, _safetensors(1))
        failed = await _import_upload(api, owner, b"this is not a model" * 10)
        elsewhere = await _import_upload(api, other, _safetensors(2))
        await wait_for(lambda: _async(len(receiver.bodies("/mine")) >= 2 and receiver.bodies("/theirs")), timeout=60)
    told = {}
    for request in receiver.received:
        secret = mine["secret"] if request["path"] == "/mine" else theirs["secret"]
        event = _verified(secret, request)
        told.setdefault(request["path"], []).append((event["type"], event["data"]["id"], event["data"]["status"]))
    assert sorted(told["/mine"]) == sorted([("model.imported", imported["id"], "ready"),
                                            ("model.import_failed", failed["id"], "failed")])
    assert told["/theirs"] == [("model.imported", elsewhere["id"], "ready")]  # never the owner's imports
    failure = next(json.loads(r["body"]) for r in receiver.received if r["path"] == "/mine"
                   and json.loads(r["body"])["type"] == "model.import_failed")
    assert failure["data"]["error"]["message"] and failure["data"]["user_id"] == owner["id"]
    log = await _deliveries(api, owner["headers"], mine["id"])
    assert {(d["type"], d["subject_id"], d["status"]) for d in log} == {
        ("model.imported", imported["id"], "delivered"), ("model.import_failed", failed["id"], "delivered")}
