"""A webhook secret sealed under a key the deployment no longer holds (rotated away without being listed in
EASEL_WEBHOOK_SECRET_OLD_KEYS) costs only that webhook's deliveries: the jobs service starts, says which key id at
start (never a secret) and counts it in a metric, jobs run; the endpoint's and the callback's deliveries fail with a
clear last_error, unsent, retried as other failures; once their owner rotates the secrets they go out again."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from standardwebhooks.webhooks import Webhook

from easel_common import db
from easel_jobs.webhooks.models import CallbackSecret, WebhookEndpoint
from easel_jobs.webhooks.sealed import CALLBACKS, ENDPOINTS, SecretBox
from helpers import metric, restart_jobs, submit, until_status, wait_for
from receivers import Receiver

LOST_KEY = "lost-" * 8


async def _async(value):
    return value


def _told(receiver: Receiver, path: str, secret: str) -> list[str]:
    """The ids of the jobs `path` was told of, each signature checked with `secret`."""
    return [Webhook(secret).verify(r["body"], r["headers"])["data"]["id"]
            for r in receiver.received if r["path"] == path]


async def test_a_secret_under_a_lost_key_costs_only_its_webhooks_deliveries_until_rotated(api, user, stack,
                                                                                          database_url, caplog):
    headers, lost = user["headers"], SecretBox(LOST_KEY)
    callback_secret = (await api.get("/v1/webhooks/callback-secret", headers=headers)).json()["secret"]
    engine = db.make_engine(database_url)
    with Receiver() as receiver:
        r = await api.post("/v1/webhooks", json={"url": receiver.url + "/hook", "events": ["job.succeeded"]},
                           headers=headers)
        assert r.status_code == 201, r.text
        hook = r.json()
        try:
            async with db.sessions(engine).begin() as session:  # as sealed by a key since dropped from the settings
                endpoint = await session.get(WebhookEndpoint, hook["id"])
                endpoint.secret = lost.seal(ENDPOINTS, hook["id"], hook["secret"])
                callback = await session.get(CallbackSecret, user["id"])
                callback.secret = lost.seal(CALLBACKS, user["id"], callback_secret)
                stored = [endpoint.secret, callback.secret]

            with caplog.at_level(logging.ERROR, logger="easel_jobs.main"):
                await restart_jobs(stack)  # starts all the same
            said = [r.getMessage() for r in caplog.records if r.name == "easel_jobs.main"]
            assert len(said) == 1 and lost.current in said[0], said
            assert "1 endpoint(s) and 1 callback secret(s)" in said[0]
            assert "EASEL_WEBHOOK_SECRET_OLD_KEYS" in said[0]
            for secret in (hook["secret"], callback_secret, *(s.split(".", 2)[2] for s in stored)):
                assert secret.removeprefix("whsec_") not in caplog.text
            assert metric("easel_webhook_secrets_unopenable", kind="endpoints") == 1
            assert metric("easel_webhook_secrets_unopenable", kind="callbacks") == 1

            job = await submit(api, headers, callback_url=receiver.url + "/callback")
            await until_status(api, job["id"], headers, "succeeded")  # dispatch does not depend on webhook keys

            async def dead():  # every attempt of the schedule made, each failing the same way
                r = await api.get(f"/v1/webhooks/{hook['id']}/deliveries", headers=headers)
                deliveries = r.json()  # written just after the row ends (the intake follows the fold)
                assert len(deliveries) <= 1, deliveries
                return deliveries[0] if deliveries and deliveries[0]["status"] == "dead" else None

            delivery = await wait_for(dead, timeout=30)
            assert delivery["attempts"] == 3 and delivery["last_status"] is None
            assert delivery["last_error"].startswith("not sent: its signing secret cannot be opened with the "
                                                     f"configured keys (sealed under key {lost.current})")
            assert "rotating the secret" in delivery["last_error"]
            r = await api.get("/v1/webhooks/callback-secret", headers=headers)
            assert r.status_code == 409 and "rotate it" in r.text, r.text
            assert receiver.received == []  # nothing went out unsigned

            # the owner rotates: the lost secret is replaced, not kept to sign through the overlap
            r = await api.post(f"/v1/webhooks/{hook['id']}/rotate-secret", headers=headers)
            assert r.status_code == 200, r.text
            rotated = r.json()["secret"]
            r = await api.post("/v1/webhooks/callback-secret/rotate", headers=headers)
            assert r.status_code == 200, r.text
            rotated_callback = r.json()["secret"]
            r = await api.post(f"/v1/webhooks/{hook['id']}/deliveries/{delivery['id']}/redeliver", headers=headers)
            assert r.status_code == 200, r.text
            second = await submit(api, headers, seed=2, callback_url=receiver.url + "/callback")
            await until_status(api, second["id"], headers, "succeeded")
            await wait_for(lambda: _async(len(receiver.received) >= 3), timeout=30)
            assert sorted(_told(receiver, "/hook", rotated)) == sorted([job["id"], second["id"]])
            assert _told(receiver, "/callback", rotated_callback) == [second["id"]]
            assert (await api.get("/v1/webhooks/callback-secret", headers=headers)).json()["secret"] == \
                rotated_callback
            await stack.services[2].count_unopened()  # as it does every EASEL_RETENTION_SWEEP_S
            assert metric("easel_webhook_secrets_unopenable", kind="endpoints") == 0
            assert metric("easel_webhook_secrets_unopenable", kind="callbacks") == 0
        finally:
            async with db.sessions(engine).begin() as session:  # nothing under the lost key left for later starts
                await session.execute(sa.delete(WebhookEndpoint).where(WebhookEndpoint.id == hook["id"]))
                await session.execute(sa.delete(CallbackSecret).where(CallbackSecret.user_id == user["id"]))
            await engine.dispose()
