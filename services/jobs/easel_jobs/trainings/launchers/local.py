"""LocalLauncher: each training as a `python -m easel_trainer job` process on this machine (the embedded stack).

A training's folder is `{root}/{training_id}/`: `run.json` (the TrainingRun, 0600: it holds the run's lease),
`work/` (the trainer's work dir: inputs, progress, checkpoints), `trainer.log` (its output), `job.lock` (held, with
flock, by the trainer process for as long as it lives) and `pid`. The process gets the settings it reads (NATS
address, the `trainer` identity's seed, the object store) and the system's environment, nothing else: no database
address, caller key or other identity's seed.

Re-attaching: a jobs service that restarts finds a run still alive by its lock (held) and keeps following it by
that; a run whose lock is free has ended, and the flows relaunch it (it resumes from its newest checkpoint) or end
the training.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import shutil
import signal
import subprocess
import sys
from collections import deque
from collections.abc import Callable
from pathlib import Path

from easel_common.nats_access import write_private
from easel_jobs.trainings.launchers.base import RunState
from easel_proto.v1.trainings import TrainingRun

log = logging.getLogger(__name__)
STOP_GRACE_S = 20.0  # SIGTERM asks for a checkpoint at the next step; after this, SIGKILL


class LocalLauncher:
    kind = "local"
    relaunches = True

    def __init__(self, root: Path, env: dict[str, str], *, slots: int, device: str | None = None,
                 python: str = sys.executable) -> None:
        self.root, self.env, self.slots, self.device, self.python = Path(root), env, slots, device, python
        self._procs: dict[str, subprocess.Popen[bytes]] = {}

    def _folder(self, training_id: str) -> Path:
        if not training_id or "/" in training_id or training_id.startswith("."):
            raise ValueError(f"not a training id: {training_id!r}")
        return self.root / training_id

    async def start(self, on_change: Callable[[], None] | None = None) -> None:
        self.root.mkdir(parents=True, exist_ok=True)  # its processes are followed by the sweep (cheap: a lock each)

    async def capacity(self) -> int:
        alive = sum(1 for p in self._procs.values() if p.poll() is None)
        adopted = sum(1 for d in self._dirs() if d.name not in self._procs and _locked(d / "job.lock"))
        return max(0, self.slots - alive - adopted)

    def _dirs(self) -> list[Path]:
        return [d for d in self.root.iterdir() if d.is_dir()] if self.root.is_dir() else []

    async def launch(self, run: TrainingRun, *, pool: str) -> None:
        folder = self._folder(run.training_id)
        folder.mkdir(parents=True, exist_ok=True)
        write_private(folder / "run.json", run.model_dump_json())
        await self.relaunch(run.training_id)

    async def relaunch(self, training_id: str) -> None:
        folder = self._folder(training_id)
        command = [self.python, "-m", "easel_trainer", "job", "--run", str(folder / "run.json"),
                   "--work", str(folder / "work"), "--lock", str(folder / "job.lock")]
        if self.device:
            command += ["--device", self.device]
        with open(folder / "trainer.log", "ab") as out:
            # its own session: a Ctrl-C of the stack does not reach it, the launcher stops it (with a checkpoint)
            proc = subprocess.Popen(command, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True, cwd=folder)
        (folder / "pid").write_text(str(proc.pid))
        self._procs[training_id] = proc
        log.info("training %s: trainer process %d", training_id, proc.pid)

    async def state(self, training_id: str) -> RunState:
        proc = self._procs.get(training_id)
        if proc is not None:
            code = proc.poll()
            if code is None:
                return RunState(running=True)
            return RunState(running=False, exit_code=code, succeeded=code == 0, reason=_exit_reason(code))
        folder = self._folder(training_id)
        if _locked(folder / "job.lock"):  # started by an earlier jobs service, still running: follow it
            return RunState(running=True)
        if not (folder / "run.json").is_file():
            return RunState(running=False, reason="the run's files are gone")
        return RunState(running=False, reason="the trainer process is gone")

    async def cancel(self, training_id: str) -> None:
        proc = self._procs.pop(training_id, None)
        if proc is not None:
            await _stop(proc.pid, lambda: proc.poll() is not None)
            return
        folder = self._folder(training_id)
        pid_file = folder / "pid"
        if _locked(folder / "job.lock") and pid_file.is_file():
            pid = int(pid_file.read_text())
            await _stop(pid, lambda: not _locked(folder / "job.lock"))

    async def logs(self, training_id: str, lines: int) -> list[str]:
        path = self._folder(training_id) / "trainer.log"
        if not path.is_file():
            return []

        def tail() -> list[str]:
            with open(path, encoding="utf-8", errors="replace") as f:
                return [line.rstrip("\n") for line in deque(f, maxlen=lines)]

        return await asyncio.to_thread(tail)

    async def forget(self, training_id: str) -> None:
        self._procs.pop(training_id, None)
        await asyncio.to_thread(shutil.rmtree, self._folder(training_id), True)

    async def close(self) -> None:
        """Stop every run this launcher started; each writes a checkpoint first, so the next start resumes it."""
        procs = [(tid, p) for tid, p in self._procs.items() if p.poll() is None]
        await asyncio.gather(*(_stop(p.pid, lambda p=p: p.poll() is not None) for _tid, p in procs))


def _locked(lock: Path) -> bool:
    """Whether a live trainer holds the lock file (the lock goes with its process, however it ends)."""
    if not lock.is_file():
        return False
    with open(lock, "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(f, fcntl.LOCK_UN)
    return False


async def _stop(pid: int, gone, grace: float = STOP_GRACE_S) -> None:
    """SIGTERM the process's group (it checkpoints and exits), SIGKILL it after `grace`."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGTERM)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace
    while loop.time() < deadline:
        if gone():
            return
        await asyncio.sleep(0.1)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _exit_reason(code: int) -> str:
    if code == 0:
        return "the trainer exited"
    if code < 0:
        try:
            return f"the trainer was killed ({signal.Signals(-code).name})"
        except ValueError:
            return f"the trainer was killed (signal {-code})"
    if code == 75:
        return "the trainer stopped after a checkpoint"
    return f"the trainer exited with status {code}"
