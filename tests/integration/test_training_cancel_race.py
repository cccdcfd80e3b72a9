"""A training canceled while its run is being launched leaves no run going: the launcher was asked to stop it before
it existed, so the jobs service stops it once the launch returns (else it would train, on a GPU, for nobody). The
jobs service's real flows, database and NATS; a launcher whose launch waits until the test lets it go."""

from __future__ import annotations

import asyncio
import uuid
from types import SimpleNamespace

import pytest

from easel_jobs.trainings import service
from easel_jobs.trainings.launchers import NoLauncher
from easel_proto.v1 import common, trainings
from training_helpers import queued_training, training_flows

OWNER = common.Principal(user_id=str(uuid.uuid4()), tenant_id=f"k{uuid.uuid4().hex[:8]}", username="dana")


class SlowLauncher(NoLauncher):
    """Starts a run only when `go` is set; `runs` are the runs going."""

    kind = "slow"

    def __init__(self) -> None:
        self.go, self.launching = asyncio.Event(), asyncio.Event()
        self.runs: set[str] = set()

    async def capacity(self) -> int:
        return 1

    async def launch(self, run: trainings.TrainingRun, *, pool: str) -> None:
        self.launching.set()
        await self.go.wait()
        self.runs.add(run.training_id)

    async def cancel(self, training_id: str) -> None:
        self.runs.discard(training_id)


@pytest.fixture
async def flows(nats_url, tmp_path):
    async with training_flows(nats_url, tmp_path, SlowLauncher()) as made:
        yield made


async def test_a_training_canceled_while_its_run_is_launched_leaves_no_run_going(flows):
    row = queued_training(OWNER)
    async with flows.sessions.begin() as session:
        await service.create(session, row=row)
    launcher = flows.launcher
    flows._run = lambda started, lease: SimpleNamespace(training_id=started.id)  # what this launcher reads of a run
    launching = asyncio.create_task(flows._launch_queued())
    await asyncio.wait_for(launcher.launching.wait(), 10)  # the row is `starting`, its run not there yet
    ended = await flows.cancel(trainings.TrainingRef(training_id=row.id, principal=OWNER))
    assert ended.status == "canceled"
    await asyncio.sleep(0.2)  # the clean-up asked the launcher to stop a run that did not exist yet
    launcher.go.set()
    await asyncio.wait_for(launching, 10)
    assert launcher.runs == set()
