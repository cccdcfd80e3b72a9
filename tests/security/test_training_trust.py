"""Trainings add two ways in: the trainer's NATS identity (every fine-tuning run signs in with it) and the registry
endpoint that registers a training's result for its owner without a caller statement. The trainer may publish its
run's events and nothing else; only the jobs service may reach the registering endpoint, which reads only the owner's
training prefix; and a run's events count only with its lease."""

from __future__ import annotations

import uuid

import httpx
import pytest
from nats_probe import Probe

from easel_common.nats_access import worker_identity
from easel_common.natsio import request
from easel_proto.errors import EaselError
from easel_proto.naming import LEASE_HEADER
from easel_proto.v1 import common, trainings
from easel_proto.v1.registry import ModelInfo
from easel_proto.wire import encode, now
from helpers import wait_for
from training_helpers import follow, new_dataset, trainer_user, training_body, until_training


def _names(stack):
    return stack.services[0].settings.names


async def test_the_trainer_identity_may_publish_its_runs_events_and_nothing_else(stack):
    names = _names(stack)
    trainings_stream, events_stream = names.stream("trainings")["name"], names.stream("events")["name"]
    trainer = await Probe.sign_in(stack, "trainer")
    try:
        for subject in [names.registry_register, names.registry_lookup, names.registry_datasets,
                        names.trainings_create, names.trainings_get, names.trainings_cancel, names.jobs_create,
                        names.auth_verify, names.jobs_claim("default"), names.job_queue("default"),
                        names.job_events("j1", "succeeded"), names.training_status("t1", "succeeded"),
                        names.audit_event("training.create"), names.audit_batch,
                        f"$JS.API.CONSUMER.CREATE.{trainings_stream}",
                        f"$JS.API.STREAM.MSG.GET.{trainings_stream}", f"$JS.API.CONSUMER.CREATE.{events_stream}",
                        f"$JS.API.STREAM.DELETE.{trainings_stream}", "$JS.API.STREAM.NAMES"]:
            assert await trainer.publish_denied(subject), subject
        for subject in [">", f"{names.ns}.>", names.training_events("t1"), names.training_run_events("*", "*"),
                        "_INBOX.>", "_INBOX.jobs.>", "_INBOX.gateway.>", "$JS.>"]:
            assert await trainer.subscribe_denied(subject), subject
        assert not await trainer.publish_denied(names.training_run_events("t1", "progress"), timeout=0.5)
    finally:
        await trainer.close()


@pytest.mark.parametrize("identity", ["gateway", "registry", "auth", "stack", "trainer", worker_identity("default")])
async def test_only_the_jobs_service_reaches_the_registering_endpoint(stack, identity):
    probe = await Probe.sign_in(stack, identity)
    try:
        assert await probe.publish_denied(_names(stack).registry_register), identity
    finally:
        await probe.close()


async def test_the_registering_endpoint_reads_only_the_owners_training_prefix(stack):
    """Even the jobs service cannot make the registry copy another tenant's objects into a model."""
    names = _names(stack)
    jobs = await stack.connect_as("jobs")
    owner = common.Principal(user_id="u1", tenant_id="default", username="alice")
    artefact = trainings.TrainingArtefact(kind="lora", base="tiny", format="safetensors",
                                          path="artefact/x.safetensors", sha256="0" * 64, size=1, name="x")
    for prefix in ("other/trainings/t1/", "default/models/m1/", "default/trainings/t2/"):
        req = trainings.RegisterTrainingRequest(owner=owner, training_id="t1", name="x", artefact=artefact,
                                                prefix=prefix)
        with pytest.raises(EaselError) as refused:
            await request(jobs, names.registry_register, req, ModelInfo, timeout=10)
        assert refused.value.status == 422 and refused.value.details["field"] == "prefix", prefix
    req = trainings.RegisterTrainingRequest(owner=owner, training_id="t1", name="x", artefact=artefact,
                                            prefix="default/trainings/t1/")
    with pytest.raises(EaselError) as missing:  # nothing there: nothing registered
        await request(jobs, names.registry_register, req, ModelInfo, timeout=10)
    assert missing.value.details["field"] == "artefact.path"


def _forgeries(training_id: str) -> list[trainings.TrainingEvent]:
    """A run's every kind of event, made up: step 999 and the artefact `evil` mark them."""
    at = now()
    progress = trainings.TrainingProgress(step=999, total_steps=999, epoch=0, loss=-1.0, lr=1.0, samples_per_s=1.0,
                                          elapsed_s=1.0)
    artefact = trainings.TrainingArtefact(kind="lora", base="tiny", format="safetensors",
                                          path="artefact/evil.safetensors", sha256="1" * 64, size=1, name="evil")
    return [trainings.TrainingEvent(type=kind, training_id=training_id, at=at, step=999, total_steps=999, **extra)
            for kind, extra in (("started", {}), ("progress", {"progress": progress}),
                                ("sample", {"samples": ["samples/step-00000999-0.png"]}),
                                ("checkpoint", {"checkpoint": "checkpoints/step-00000999"}),
                                ("failed", {"error": {"code": "training_failed", "message": "forged"}}),
                                ("succeeded", {"artefact": artefact}))]


@pytest.mark.slow
async def test_a_forged_run_event_changes_nothing(stack, api, admin_headers):
    """A trainer (or anyone with its identity) without the launched run's lease cannot end, fail or hijack a
    training, nor show its follower made-up progress: before the launch and while the run runs, the forged events
    are neither folded nor passed on over SSE; the run's own result is registered."""
    alice = await trainer_user(api, admin_headers)
    dataset = await new_dataset(api, alice["headers"])
    r = await api.post("/v1/trainings", json=training_body("lora", dataset["id"], max_steps=12),
                       headers=alice["headers"])
    training = r.json()
    names = _names(stack)
    forger = await Probe.sign_in(stack, "trainer")
    js = forger.nc.jetstream()

    async def forge() -> None:
        for event in _forgeries(training["id"]):
            for headers in ({}, {LEASE_HEADER: uuid.uuid4().hex}):
                await js.publish(names.training_run_events(training["id"], event.type), encode(event),
                                 headers=headers)
        await js.publish(names.training_run_events(training["id"], "failed"), b"{not an event",
                         headers={LEASE_HEADER: uuid.uuid4().hex})

    try:
        await forge()  # while it is queued
        await until_training(api, training["id"], alice["headers"], "running", "succeeded")
        await forge()  # while its run runs
    finally:
        await forger.close()
    seen = await follow(api, training["id"], alice["headers"])
    done = seen[-1][1]
    assert done["status"] == "succeeded" and done["error"] is None, done
    assert [d for _, d in seen if d.get("step") == 999] == [], seen
    assert [name for name, _ in seen].count("started") == 1
    assert [d["step"] for name, d in seen if name == "progress"] == list(range(1, 13))
    assert all(s["step"] != 999 for s in done["samples"])
    model = (await api.get(f"/v1/models/{done['model_id']}", headers=alice["headers"])).json()
    assert model["name"] != "evil" and model["metadata"]["training_id"] == training["id"]
    # the undecodable one was dropped, not retried for ever: the jobs service's consumer has nothing left over
    jsz = f"{stack.natsd.monitor_url}/jsz?acc=$G&consumers=true"

    async def settled() -> bool:
        async with httpx.AsyncClient() as http:
            detail = (await http.get(jsz)).json()
        [account] = [a for a in detail["account_details"] if a["name"] == "$G"]
        [stream] = [s for s in account["stream_detail"] if s["name"] == names.stream("trainings")["name"]]
        [info] = [c for c in stream["consumer_detail"] if c["name"] == names.jobs_trainings_consumer]
        return info["num_ack_pending"] == 0 and info["num_pending"] == 0

    await wait_for(settled, timeout=15, interval=0.25)
