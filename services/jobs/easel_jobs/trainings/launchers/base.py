"""What the trainings flows ask of a launcher, whichever runs the trainer: a local process or a Kubernetes Job."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from easel_proto.v1.trainings import TrainingRun


@dataclass(frozen=True)
class RunState:
    """Where a launched run is. `running`: alive (a process, or a Job with pods active or pending); else it ended,
    with `exit_code` when known, `succeeded` when it exited cleanly, and why (`reason`)."""

    running: bool
    exit_code: int | None = None
    succeeded: bool = False
    reason: str = ""


class Launcher(Protocol):
    kind: str  # recorded on the training: which launcher runs it ("local", "kubernetes")
    # Whether the flows start a run again that ended without a result (a local process killed or crashed); a
    # Kubernetes Job restarts its own pods (backoffLimit), so there the flows only read how it ended.
    relaunches: bool

    async def start(self, on_change: Callable[[], None] | None = None) -> None:
        """Ready to launch; runs left from before a restart are found again (re-attached) by `state`. A launcher
        that watches its runs (Kubernetes) calls `on_change` when one ends, so the flows need not wait for a sweep."""

    async def capacity(self) -> int:
        """How many more runs may be launched now."""

    async def launch(self, run: TrainingRun, *, pool: str) -> None:
        """Start the run (the trainer fetches its inputs, trains, and reports over NATS with the run's lease)."""

    async def relaunch(self, training_id: str) -> None:
        """Start the launched run again in its work dir, where it resumes from its newest checkpoint."""

    async def state(self, training_id: str) -> RunState:
        """Whether the run is alive, or how it ended."""

    async def cancel(self, training_id: str) -> None:
        """Stop the run and remove what runs it (the process; the Job with its pods); idempotent."""

    async def logs(self, training_id: str, lines: int) -> list[str]:
        """The last `lines` lines of the run's output (empty when there is none)."""

    async def forget(self, training_id: str) -> None:
        """Remove what is left of an ended run on the launcher's side (work dir, Job, ConfigMap)."""

    async def close(self) -> None:
        """Stop following runs (a local launcher also stops its processes, which checkpoint first)."""


class NoLauncher:
    """A deployment that runs no trainings (EASEL_TRAINER_LAUNCHER=none): they stay queued."""

    kind = "none"
    relaunches = False

    async def start(self, on_change: Callable[[], None] | None = None) -> None:
        return None

    async def capacity(self) -> int:
        return 0

    async def launch(self, run: TrainingRun, *, pool: str) -> None:
        raise RuntimeError("no trainer launcher is configured")

    async def relaunch(self, training_id: str) -> None:
        raise RuntimeError("no trainer launcher is configured")

    async def state(self, training_id: str) -> RunState:
        return RunState(running=False, reason="no trainer launcher is configured")

    async def cancel(self, training_id: str) -> None:
        return None

    async def logs(self, training_id: str, lines: int) -> list[str]:
        return []

    async def forget(self, training_id: str) -> None:
        return None

    async def close(self) -> None:
        return None
