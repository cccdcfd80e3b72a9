"""The embedded stack's autoscaler starts each worker with its pool's preload models and, where the machine has CUDA
devices, gpus_per_worker devices of its own (too few free: fewer workers); a CPU-only machine runs them on the CPU."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import httpx

from easel_proto.v1.pools import Pool
from easel_stack.autoscale import Autoscaler
from easel_stack.gpus import Devices, visible_devices


class Worker:
    def __init__(self, env: dict[str, str]) -> None:
        self.env, self.stopped = env, False

    @property
    def health_url(self) -> str:
        return "http://worker.invalid"

    async def stop(self, timeout: float = 30.0) -> int:
        self.stopped = True
        return 0


class Machine:
    """The autoscaler's Host: a queue depth per pool, and the workers it was asked to start."""

    def __init__(self, pending: int) -> None:
        self.pending, self.started = pending, []

    async def admit(self) -> None:
        return None

    async def queue_depth(self, pool: str) -> int:
        return self.pending

    def start_worker(self, **env: str) -> Worker:
        self.started.append(Worker(env))
        return self.started[-1]

    def retire_worker(self, worker: Worker) -> None:
        return None


def _pool(**fields) -> Pool:
    at = datetime.now(UTC)
    return Pool(name="big", created_at=at, updated_at=at, min_workers=0, max_workers=4, queue_depth_target=1,
                **fields)


def _unreachable(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("no worker answers here", request=request)


async def test_workers_get_the_pools_preload_models_and_gpus_of_their_own():
    machine = Machine(pending=10)
    scaler = Autoscaler(machine, devices=Devices(["0", "1", "2", "3", "4"]))
    scaler.follow([_pool(gpus_per_worker=2, preload_models=["builtin-tiny-sd", "3f1c"])])
    async with httpx.AsyncClient(transport=httpx.MockTransport(_unreachable)) as http:
        await scaler.tick(http)
        # four wanted, two fit: five devices make two slices of two
        assert [w.env.get("CUDA_VISIBLE_DEVICES") for w in machine.started] == ["0,1", "2,3"]
        assert {w.env["EASEL_POOL"] for w in machine.started} == {"big"}
        assert all(json.loads(w.env["EASEL_PRELOAD_MODELS"]) == ["builtin-tiny-sd", "3f1c"] for w in machine.started)
        await scaler.tick(http)
        assert len(machine.started) == 2  # still no slice free

        scaler.follow([_pool(gpus_per_worker=2, enabled=False)])  # disabled: its workers stop, their GPUs free
        await scaler.tick(http)
        await scaler.stop()
        assert all(w.stopped for w in machine.started) and scaler.devices.free() == ["0", "1", "2", "3", "4"]


async def test_a_cpu_only_machine_runs_the_workers_without_gpus_and_says_so_once(caplog):
    machine = Machine(pending=2)
    scaler = Autoscaler(machine, devices=Devices([]))
    scaler.follow([_pool(gpus_per_worker=2)])
    with caplog.at_level(logging.WARNING, logger="easel_stack.autoscale"):
        async with httpx.AsyncClient(transport=httpx.MockTransport(_unreachable)) as http:
            await scaler.tick(http)
            await scaler.tick(http)
    assert len(machine.started) == 2
    assert all("CUDA_VISIBLE_DEVICES" not in w.env for w in machine.started)
    assert all(json.loads(w.env["EASEL_PRELOAD_MODELS"]) == [] for w in machine.started)
    said = [r.getMessage() for r in caplog.records if "gpus_per_worker 2 ignored" in r.getMessage()]
    assert len(said) == 1 and "run on the CPU" in said[0]


def test_the_devices_are_the_stacks_own_cuda_visible_devices_when_set():
    assert visible_devices({"CUDA_VISIBLE_DEVICES": "2, 3"}) == ["2", "3"]
    assert visible_devices({"CUDA_VISIBLE_DEVICES": "-1"}) == []
    assert visible_devices({"CUDA_VISIBLE_DEVICES": ""}) == []
