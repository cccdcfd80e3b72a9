"""LocalLauncher, the embedded stack's: each run a process of its own session with only the environment it is given;
a launcher that starts later (a restarted jobs service) finds a live run by its lock, counts it against its slots and
can stop it; a run that ended is told apart from one that lives. The trainer here is a stand-in that holds the lock
the way `python -m easel_trainer job` does, so nothing trains."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import sys
from pathlib import Path

import pytest

from easel_jobs.trainings.launchers.local import LocalLauncher
from easel_proto.v1.registry import ModelInfo
from easel_proto.v1.trainings import TrainingDatasetFiles, TrainingRun, TrainingSpec

# argv: -m easel_trainer job --run RUN --work WORK --lock LOCK; holds LOCK, reports its environment, and on SIGTERM
# "checkpoints" and exits 75 as the trainer does.
STAND_IN = f"""#!{sys.executable}
import fcntl, json, os, signal, sys, time
args = sys.argv[1:]
lock = open(args[args.index("--lock") + 1], "w")
fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
print(json.dumps({{"argv": args, "env": sorted(os.environ)}}), flush=True)
signal.signal(signal.SIGTERM, lambda *_: (print("checkpointed at the next step", flush=True), sys.exit(75)))
if os.environ.get("CRASH"):
    sys.exit(3)
while True:
    time.sleep(0.05)
"""


def run(training_id: str) -> TrainingRun:
    spec = TrainingSpec(method="lora", model={"path": "base", "base": "tiny"}, dataset={"path": "dataset"},
                        max_steps=10)
    base = ModelInfo(id="tiny-sd", name="tiny-sd", kind="checkpoint", base="tiny", source="builtin:tiny-sd",
                     format="builtin")
    return TrainingRun(training_id=training_id, lease="a-lease", owner={"user_id": "u", "tenant_id": "t",
                                                                        "username": "alice"},
                       spec=spec, base=base, dataset=TrainingDatasetFiles(id="d", name="d", files=[]),
                       prefix=f"t/trainings/{training_id}/")


@pytest.fixture
def python(tmp_path) -> str:
    path = tmp_path / "python"
    path.write_text(STAND_IN)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


async def until(check, timeout: float = 10.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (result := await check()):
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)
    return result


async def test_a_restarted_launcher_re_attaches_to_a_live_run_and_can_stop_it(tmp_path, python):
    root = tmp_path / "trainings"
    first = LocalLauncher(root, {"PATH": os.environ["PATH"], "EASEL_NATS_SEED_FILE": "/seed"}, slots=2,
                          python=python)
    await first.start()
    assert await first.capacity() == 2
    await first.launch(run("t1"), pool="default")
    folder = root / "t1"
    assert stat.S_IMODE((folder / "run.json").stat().st_mode) == 0o600  # it holds the run's lease
    lines = await until(lambda: first.logs("t1", 10))
    started = json.loads(lines[0])
    assert started["argv"][:3] == ["-m", "easel_trainer", "job"]
    # nothing of the jobs service's own environment (Python itself may add LC_CTYPE)
    assert [k for k in started["env"] if not k.startswith("LC_")] == ["EASEL_NATS_SEED_FILE", "PATH"]
    assert (await first.state("t1")).running and await first.capacity() == 1

    later = LocalLauncher(root, {}, slots=2, python=python)  # the jobs service restarted; the run lives on
    await later.start()
    assert (await later.state("t1")).running
    assert await later.capacity() == 1
    await later.cancel("t1")
    assert not (await later.state("t1")).running
    assert "checkpointed at the next step" in await later.logs("t1", 10)
    assert await later.capacity() == 2
    await later.forget("t1")
    assert not folder.exists()
    state = await later.state("t1")
    assert not state.running and "gone" in state.reason


async def test_a_run_that_ends_is_not_running_and_says_how(tmp_path, python):
    launcher = LocalLauncher(tmp_path / "trainings", {"CRASH": "1"}, slots=1, python=python)
    await launcher.start()
    await launcher.launch(run("t2"), pool="default")
    state = await until(lambda: _ended(launcher, "t2"))
    assert (state.exit_code, state.succeeded, state.reason) == (3, False, "the trainer exited with status 3")
    assert await launcher.capacity() == 1
    # a launcher that did not start it tells the same from the freed lock
    other = await LocalLauncher(tmp_path / "trainings", {}, slots=1, python=python).state("t2")
    assert not other.running and other.reason == "the trainer process is gone"
    await launcher.relaunch("t2")  # the flows start it again in the same folder (it resumes there)
    assert (await until(lambda: _ended(launcher, "t2"))).exit_code == 3
    assert Path(tmp_path / "trainings" / "t2" / "trainer.log").read_text().count("argv") == 2


async def _ended(launcher: LocalLauncher, training_id: str):
    state = await launcher.state(training_id)
    return None if state.running else state
