"""NATS is no longer a back door: every process kind signs in as itself and may touch only its own subjects.

The attack this answers: a plain NATS client asked auth for a platform admin's API key with a made-up actor, read
passwords and keys on `easel.auth.>`, forged job events and pulled other pools' jobs. Each test signs in as one of
the stack's identities (or as nobody) and tries what that identity must not do.
"""

from __future__ import annotations

import asyncio
import os
import stat
import uuid

import nats
import numpy as np
import pytest
from nats_probe import Probe
from safetensors.numpy import save

from easel_common.nats_access import worker_identity
from easel_common.natsio import ask, request
from easel_proto.errors import Forbidden
from easel_proto.naming import LEASE_HEADER
from easel_proto.v1 import jobs
from easel_proto.v1.registry import PreloadReply, PreloadRequest
from easel_proto.wire import decode, encode, now
from helpers import new_user, submit, wait_for

SERVICE_IDENTITIES = ("gateway", "auth", "registry", "jobs", "stack")
IDLE = "idle"  # a pool of the test stack that no worker serves


def _names(stack):
    return stack.services[0].settings.names


def _service_subjects(names) -> list[str]:
    """Every request/reply subject the services serve."""
    return [names.auth_verify, names.auth_login, names.auth_refresh, names.auth_logout, names.auth_password,
            names.auth_settings, names.auth_roles, names.auth_create_user, names.auth_users, names.auth_create_key,
            names.auth_keys, names.auth_audit_query, names.registry_lookup, names.registry_import,
            names.registry_models, names.jobs_create, names.jobs_get, names.jobs_list, names.jobs_cancel,
            names.auth_tenants, names.jobs_tenant, names.registry_tenant, names.registry_uploads]


async def test_a_client_without_credentials_cannot_connect(stack):
    with pytest.raises(Exception, match="(?i)authorization"):
        await nats.connect(stack.nats_url, allow_reconnect=False, max_reconnect_attempts=0, connect_timeout=2)


async def test_a_worker_reaches_none_of_the_services_and_nothing_of_another_pool(stack):
    names = _names(stack)
    jobs_stream, events_stream = names.stream("jobs")["name"], names.stream("events")["name"]
    worker = await Probe.sign_in(stack, worker_identity("default"))
    try:
        denied_publish = [
            *_service_subjects(names),
            names.jobs_claim("crashy"),  # another pool's claims
            names.job_queue("default"), names.job_direct("default", "w"),  # forging jobs
            names.job_events("j1", "queued"), names.job_events("j1", "starting"),  # the jobs service's events
            names.job_interrupt("j1"), names.job_revoke("j1"),  # stopping another worker's run
            names.auth_changed("u1"), names.audit_event("job.submit"), names.audit_batch,
            names.worker_presence("crashy", "w"),  # presence in another pool
            f"$JS.API.CONSUMER.MSG.NEXT.{jobs_stream}.{names.worker_consumer('crashy')}",  # another pool's jobs
            f"$JS.API.CONSUMER.CREATE.{jobs_stream}.{names.worker_consumer('default')}.{names.all_job_direct()}",
            f"$JS.API.CONSUMER.CREATE.{jobs_stream}.thief.{names.job_queue('crashy')}",
            f"$JS.API.CONSUMER.DELETE.{jobs_stream}.{names.worker_consumer('default')}",
            f"$JS.API.CONSUMER.CREATE.{events_stream}", f"$JS.API.CONSUMER.LIST.{jobs_stream}",
            f"$JS.API.STREAM.INFO.{jobs_stream}", f"$JS.API.STREAM.PURGE.{jobs_stream}",
            f"$JS.API.STREAM.DELETE.{events_stream}", "$JS.API.STREAM.NAMES",
            f"$JS.API.DIRECT.GET.KV_{names.workers_bucket}.$KV.{names.workers_bucket}.default.w",
            f"$KV.{names.tenants_bucket}.default",  # enabling a disabled tenant, or lifting its quotas
        ]
        for subject in denied_publish:
            assert await worker.publish_denied(subject), subject
        denied_subscribe = [">", f"{names.ns}.>", f"{names.ns}.auth.>", f"{names.ns}.registry.>",
                            names.all_job_events(), names.all_audit_events(), names.auth_changed("*"),
                            "_INBOX.>", "_INBOX.gateway.>", "_INBOX.auth.>", "$KV.>", "$JS.>"]
        for subject in denied_subscribe:
            assert await worker.subscribe_denied(subject), subject
        # the probe can tell a refusal from a permitted call: the worker's own claim subject answers
        reply = await ask(worker.nc, names.jobs_claim("default"), encode(jobs.ClaimJobRequest(
            job_id="no-such-job", worker_id="probe", delivery=1)), timeout=5)
        assert not decode(jobs.ClaimJobReply, reply.data).proceed
        assert not await worker.publish_denied(names.jobs_claim("default"), timeout=0.5)
    finally:
        await worker.close()


@pytest.mark.parametrize("identity", [*SERVICE_IDENTITIES[2:], worker_identity("default")])
async def test_only_auth_and_the_gateway_see_sign_in_traffic(stack, identity):
    """Passwords, keys and tokens travel on auth's subjects and on the gateway's inbox only."""
    names = _names(stack)
    probe = await Probe.sign_in(stack, identity)
    try:
        for subject in (names.auth_login, names.auth_refresh, names.auth_verify, names.auth_password,
                        names.auth_create_user, names.auth_create_key, "_INBOX.gateway.>", "_INBOX.>"):
            assert await probe.subscribe_denied(subject), (identity, subject)
    finally:
        await probe.close()


async def test_no_identity_but_auth_and_the_gateway_can_read_a_password_key_or_token(stack, api, admin_headers):
    """Every non-auth identity subscribes to everything it may; none of them sees a secret of a sign-in."""
    from easel_common.nats_access import permissions

    names = _names(stack)
    sniffers: dict[str, list[bytes]] = {}
    probes = []
    for identity in ("auth", "registry", "jobs", "stack", worker_identity("default")):
        probe = await Probe.sign_in(stack, identity)
        probes.append(probe)
        seen = sniffers.setdefault(identity, [])

        async def keep(msg, seen=seen) -> None:
            seen.append(msg.data + repr(msg.headers).encode())

        for subject in permissions(names, identity, stack.pools).subscribe:
            await probe.nc.subscribe(subject, cb=keep)
        await probe.nc.flush()
    try:
        password = "correct horse battery staple 7"
        r = await api.post("/v1/users", json={"username": "sniffed", "password": password}, headers=admin_headers)
        assert r.status_code == 201, r.text
        user_id = r.json()["id"]
        tokens = (await api.post("/v1/auth/login", json={"username": "sniffed", "password": password})).json()
        refreshed = (await api.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})).json()
        key = (await api.post(f"/v1/users/{user_id}/keys", json={"name": "k"}, headers=admin_headers)).json()
        me = await api.get("/v1/me", headers={"Authorization": f"Bearer {key['secret']}"})
        assert me.status_code == 200
        await asyncio.sleep(0.5)
        secrets = [password, tokens["access_token"], tokens["refresh_token"], refreshed["refresh_token"],
                   key["secret"]]
        assert any(password.encode() in m for m in sniffers["auth"])  # sniffing works: auth does see them
        for identity, seen in sniffers.items():
            if identity == "auth":
                continue
            leaked = [s[:12] for s in secrets if any(s.encode() in m for m in seen)]
            assert not leaked, f"{identity} saw {leaked}"
    finally:
        for probe in probes:
            await probe.close()


async def test_a_queued_job_message_names_its_owner_and_nothing_else(stack, api, admin_headers):
    """A worker runs user-supplied model files: what it receives carries no key, session, role or permission."""
    names = _names(stack)
    job = await submit(api, admin_headers, pool=IDLE)  # no worker serves it: the message waits
    worker = await stack.connect_as(worker_identity(IDLE))
    queue = await worker.jetstream().pull_subscribe_bind(names.worker_consumer(IDLE), names.stream("jobs")["name"])
    while True:  # past what other tests left there
        msg = (await queue.fetch(1, timeout=10))[0]
        submitted = decode(jobs.JobSubmitted, msg.data)
        if submitted.job_id == job["id"]:
            break
        await msg.ack()
    owner = submitted.principal
    assert (owner.key_id, owner.session_id, owner.roles, owner.permissions) == (None, None, [], [])
    assert owner.user_id == job["user_id"] and owner.tenant_id == job["tenant_id"]
    assert (await api.delete(f"/v1/jobs/{job['id']}", headers=admin_headers)).status_code == 202
    await msg.ack()


async def test_a_forged_job_event_changes_nothing_and_ends_no_stream(stack, api, admin_headers):
    """A worker may publish job events, but only its own run's (by lease) count; a forged end is not shown."""
    names = _names(stack)
    job = await submit(api, admin_headers, pool=IDLE)
    forger = await stack.connect_as(worker_identity("default"))
    result = jobs.JobResult(job_id=job["id"], at=now(), worker_id="forger", image_keys=[], seeds=[1],
                            timings=jobs.Timings())
    for headers in ({}, {LEASE_HEADER: "guessed"}, {LEASE_HEADER: "guessed", "Nats-Msg-Id": f"{job['id']}.result"}):
        await forger.jetstream().publish(names.job_events(job["id"], "succeeded"), encode(result), headers=headers)

    seen: list[str] = []

    async def follow() -> None:
        async with api.stream("GET", f"/v1/jobs/{job['id']}/events", headers=admin_headers) as r:
            async for line in r.aiter_lines():
                if line.startswith("event:"):
                    seen.append(line.split(":", 1)[1].strip())

    task = asyncio.create_task(follow())
    await asyncio.sleep(7)  # longer than the gateway holds a terminal event waiting for the record
    assert (await api.get(f"/v1/jobs/{job['id']}", headers=admin_headers)).json()["status"] == "queued"
    assert "succeeded" not in seen and not task.done(), seen
    assert (await api.delete(f"/v1/jobs/{job['id']}", headers=admin_headers)).status_code == 202
    await asyncio.wait_for(task, 30)
    assert seen[-1] == "canceled" and "succeeded" not in seen


async def test_workers_get_only_the_environment_they_need(stack):
    """No admin key, token or caller secret, no database address, and only their own pool's NATS seed."""
    worker = stack.workers[0]
    raw = open(f"/proc/{worker.proc.pid}/environ", "rb").read().split(b"\0")
    env = dict(item.decode().split("=", 1) for item in raw if b"=" in item)
    assert os.environ.get("EASEL_ADMIN_KEY")  # the test session's stack has one to leak
    for secret in ("EASEL_ADMIN_KEY", "EASEL_JWT_SECRET", "EASEL_CALLER_KEY", "EASEL_DATABASE_URL",
                   "EASEL_WEBHOOK_SECRET_KEY"):
        assert secret not in env, secret
    assert env["EASEL_NATS_SEED_FILE"] == str(stack.identity(worker_identity("default")).seed_file)
    assert os.environ["EASEL_ADMIN_KEY"] not in "\n".join(env.values())


def test_the_embedded_stack_keeps_its_nats_configuration_and_seeds_private(stack):
    folder = stack.data_dir / "nats"
    seeds = sorted((folder / "credentials").glob("*.nk"))
    private = [folder / "nats-server.conf", folder / "authorization.conf", *seeds, stack.data_dir / "caller.key"]
    # the key the jobs service seals webhook secrets with, made there unless given (the test session gives its
    # stacks one: tests/unit/test_webhook_sealing.py checks the file a stack makes)
    assert (stack.data_dir / "webhook.secret").exists() != bool(os.environ.get("EASEL_WEBHOOK_SECRET_KEY"))
    assert len(private) >= 9
    for path in private:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    config = (folder / "nats-server.conf").read_text() + (folder / "authorization.conf").read_text()
    for seed in (folder / "credentials").glob("*.nk"):  # the server holds public keys only
        assert seed.read_text().strip() not in config


@pytest.mark.parametrize("identity", ["gateway", "auth", "jobs", "stack", "trainer", worker_identity("default")])
async def test_only_the_registry_may_announce_an_import_so_no_one_forges_a_model_webhook(stack, identity):
    """The webhook intake takes an import's end from the registry's event alone (easel_registry.announce): any other
    identity's attempt is refused by NATS before it reaches the stream."""
    names = _names(stack)
    probe = await Probe.sign_in(stack, identity)
    try:
        for kind in ("imported", "import_failed"):
            assert await probe.publish_denied(names.registry_model_event("m1", kind)), (identity, kind)
    finally:
        await probe.close()
    registry = await Probe.sign_in(stack, "registry")
    try:  # the probe tells a refusal from a permitted publish: the registry's own is not refused
        assert not await registry.publish_denied(names.registry_model_event("m1", "bogus"), timeout=0.5)
    finally:
        await registry.close()


@pytest.mark.parametrize("identity", ["gateway", "auth", "jobs", "stack", "trainer"])
async def test_only_workers_resolve_preload_models(stack, identity):
    """`registry_preload` answers without a caller statement (a starting worker has no user): NATS lets workers
    alone ask, each on its own pool's subject, so no other identity learns models' records through it."""
    names = _names(stack)
    probe = await Probe.sign_in(stack, identity)
    try:
        assert await probe.publish_denied(names.registry_preload("default")), identity
    finally:
        await probe.close()
    worker = await Probe.sign_in(stack, worker_identity("default"))
    try:
        assert await worker.publish_denied(names.registry_preload(IDLE))  # another pool's
        assert not await worker.publish_denied(names.registry_preload("default"), timeout=0.5)
    finally:
        await worker.close()


async def test_a_worker_gets_no_model_its_pool_was_not_given_to_preload(stack, api, admin_headers):
    """A worker (an untrusted boundary) naming another tenant's private model by id gets nothing of it unless the
    model is on its own pool's preload list; a pool whose list names it gets it."""
    names = _names(stack)
    owner = await new_user(api, admin_headers, roles=["admin"], tenant_id=f"pre{uuid.uuid4().hex[:8]}")
    upload = (await api.post("/v1/models/uploads", headers=owner["headers"])).json()
    weights = save({"w": np.zeros((1, 4), dtype=np.float32)})
    assert (await api.put(upload["url"], content=weights, headers=owner["headers"])).status_code == 204
    r = await api.post("/v1/models", json={"name": f"secret-{uuid.uuid4().hex[:6]}", "kind": "controlnet",
                                           "base": "tiny", "visibility": "private",
                                           "source": {"type": "upload", "uri": upload["upload_id"]}},
                       headers=owner["headers"])
    assert r.status_code == 201, r.text
    model_id = r.json()["id"]

    async def ready():
        model = (await api.get(f"/v1/models/{model_id}", headers=owner["headers"])).json()
        assert model["status"] != "failed", model
        return model["status"] == "ready" or None

    await wait_for(ready)
    pool = f"pre-{uuid.uuid4().hex[:6]}"  # no workers: only its NATS identity, with the model on its list
    r = await api.post("/v1/pools", json={"name": pool, "min_workers": 0, "max_workers": 0,
                                          "preload_models": [model_id]}, headers=admin_headers)
    assert r.status_code == 201, r.text
    await asyncio.sleep(1)  # the stack's nats-server reloads for the new pool's identity
    intruder = await Probe.sign_in(stack, worker_identity("default"))
    given = await Probe.sign_in(stack, worker_identity(pool))
    try:
        refused = await request(intruder.nc, names.registry_preload("default"),
                                PreloadRequest(pool="default", refs=[model_id]), PreloadReply, timeout=5)
        assert refused.items == [] and refused.missing == [model_id]
        with pytest.raises(Forbidden):  # its own subject, another pool named in the body
            await request(intruder.nc, names.registry_preload("default"),
                          PreloadRequest(pool=pool, refs=[model_id]), PreloadReply, timeout=5)
        assert await intruder.publish_denied(names.registry_preload(pool))  # the other pool's subject
        answered = await request(given.nc, names.registry_preload(pool), PreloadRequest(pool=pool, refs=[model_id]),
                                 PreloadReply, timeout=5)
        assert [m.id for m in answered.items] == [model_id]
    finally:
        await intruder.close()
        await given.close()
        assert (await api.delete(f"/v1/pools/{pool}", headers=admin_headers)).status_code == 200
        await asyncio.sleep(1)


@pytest.mark.parametrize("identity", ["auth", "registry", "jobs", "stack", "trainer", worker_identity("default")])
async def test_only_the_gateway_asks_for_queue_positions(stack, identity):
    """`jobs_queue_positions` answers without a caller statement (one request for many users' streams): NATS lets
    the gateway alone ask, so no other identity learns where jobs stand."""
    names = _names(stack)
    probe = await Probe.sign_in(stack, identity)
    try:
        assert await probe.publish_denied(names.jobs_queue_positions), identity
    finally:
        await probe.close()
    gateway = await Probe.sign_in(stack, "gateway")
    try:
        assert not await gateway.publish_denied(names.jobs_queue_positions, timeout=0.5)
    finally:
        await gateway.close()
