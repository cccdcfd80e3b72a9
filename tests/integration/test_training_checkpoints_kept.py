"""The models a training keeps at its checkpoints stay within bounds (trainings/intermediate.py): the store holds the
newest EASEL_TRAINER_KEEP_INTERMEDIATE unregistered ones (registered ones do not count, and keep their listing); a
succeeded training keeps those for the retention and then deletes them, so registering one is a 404; the registered
models themselves (the registry's copies) are never touched. Run against the jobs service's real flows, database,
NATS and object folder, with the run's events as the trainer sends them."""

from __future__ import annotations

import asyncio
import secrets
import uuid

import pytest

from easel_jobs.trainings import service
from easel_jobs.trainings.flows import TrainingFlows, record
from easel_jobs.trainings.launchers import NoLauncher
from easel_jobs.trainings.models import LAUNCHED, Training
from easel_proto.errors import NotFound
from easel_proto.naming import LEASE_HEADER, training_prefix
from easel_proto.v1 import common, trainings
from easel_proto.wire import encode, now
from training_helpers import queued_training, training_flows

OWNER = common.Principal(user_id=str(uuid.uuid4()), tenant_id=f"k{uuid.uuid4().hex[:8]}", username="dana")


@pytest.fixture
async def flows(nats_url, tmp_path):
    # a database of its own: the retention sweep looks at every succeeded training there
    async with training_flows(nats_url, tmp_path, NoLauncher(), trainer_keep_intermediate=3,
                              trainer_intermediate_retention_s=3600) as made:
        yield made


async def running(flows: TrainingFlows) -> tuple[str, str]:
    """A launched training (its id, its run's lease)."""
    row = queued_training(OWNER)
    lease = secrets.token_urlsafe(24)
    async with flows.sessions() as session:
        await service.create(session, row=row)
        assert await service.launch(session, training_id=row.id, lease=lease, launcher="none") is not None
    return row.id, lease


async def checkpoint(flows: TrainingFlows, training_id: str, lease: str, step: int) -> None:
    """What the trainer does at a checkpoint: upload the model kept at the step, then say so."""
    path = f"intermediate/step-{step:08d}/dogs.safetensors"
    await flows.store.put(training_prefix(OWNER.tenant_id, training_id) + path, b"w" * 64)
    artefact = trainings.TrainingArtefact(kind="lora", base="tiny", format="safetensors", path=path,
                                          sha256="0" * 64, size=64, name="dogs")
    event = trainings.TrainingEvent(type="checkpoint", at=now(), training_id=training_id, step=step,
                                    total_steps=100, checkpoint=f"checkpoints/step-{step:08d}", artefact=artefact)
    await flows.apply_run_event(flows.names.training_run_events(training_id, "checkpoint"), encode(event),
                                {LEASE_HEADER: lease})


async def seen(flows: TrainingFlows, training_id: str) -> tuple[list[int], list[int], list[int]]:
    """What the owner sees: the listed steps, the steps registered, and the steps whose files are in the store."""
    async with flows.sessions() as session:
        row = await session.get(Training, training_id)
    view = record(row)
    stored = {int(k.split("/step-")[1][:8]) for k in await flows.store.list(
        training_prefix(OWNER.tenant_id, training_id) + "intermediate/")}
    return ([c.step for c in view.checkpoints], [c.step for c in view.checkpoints if c.model_id], sorted(stored))


async def registered(flows: TrainingFlows, training_id: str, step: int) -> None:
    """What `register_checkpoint` records once the registry copied the model into the owner's models/."""
    async with flows.sessions() as session:
        row = await session.get(Training, training_id)
        listed = [{**c, "model_id": "m-mine"} if c["step"] == step else c for c in row.checkpoints]
        await service.set_checkpoints(session, training_id=training_id, checkpoints=listed)


async def test_the_newest_unregistered_stay_and_are_deleted_after_the_retention(flows):
    training_id, lease = await running(flows)
    for step in (10, 20, 30, 40, 50):
        await checkpoint(flows, training_id, lease, step)
    assert await seen(flows, training_id) == ([30, 40, 50], [], [30, 40, 50])  # 10 and 20: gone from both

    await registered(flows, training_id, 30)
    for step in (60, 70):
        await checkpoint(flows, training_id, lease, step)
    # the registered one does not count against the three
    assert await seen(flows, training_id) == ([30, 50, 60, 70], [30], [30, 50, 60, 70])

    assert await flows._end(training_id, "succeeded", allowed_from=LAUNCHED, model_id="m-result") is not None
    await flows.stop()  # the clean-up ran
    # the unregistered ones stay registrable; the registered one's training copy went (the model has its own)
    assert await seen(flows, training_id) == ([30, 50, 60, 70], [30], [50, 60, 70])
    ref = trainings.RegisterCheckpointRequest(principal=OWNER, training_id=training_id, step=20)
    with pytest.raises(NotFound) as pruned:
        await flows.register_checkpoint(ref)
    assert pruned.value.details["steps"] == [30, 50, 60, 70]

    await flows.retention.sweep()  # not due yet
    assert (await seen(flows, training_id))[2] == [50, 60, 70]
    flows.retention.retention_s, flows.retention._next = 0.5, None
    await asyncio.sleep(0.6)
    await flows.retention.sweep()
    assert await seen(flows, training_id) == ([30], [30], [])
    with pytest.raises(NotFound):
        await flows.register_checkpoint(ref.model_copy(update={"step": 60}))


async def test_with_no_retention_a_succeeded_training_keeps_only_its_registered_ones(flows):
    flows.settings.trainer_intermediate_retention_s = 0
    training_id, lease = await running(flows)
    for step in (1, 2):
        await checkpoint(flows, training_id, lease, step)
    await registered(flows, training_id, 2)
    await flows._end(training_id, "succeeded", allowed_from=LAUNCHED, model_id="m-result")
    await flows.stop()
    assert await seen(flows, training_id) == ([2], [2], [])


async def test_a_failed_training_keeps_none(flows):
    training_id, lease = await running(flows)
    for step in (1, 2):
        await checkpoint(flows, training_id, lease, step)
    await flows._end(training_id, "failed", allowed_from=LAUNCHED,
                     error=common.Error(code="training_failed", message="out of memory"))
    await flows.stop()
    assert await seen(flows, training_id) == ([], [], [])
