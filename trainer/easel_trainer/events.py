"""How a run tells the world what it does: TrainingEvent values handed to a Reporter.

The default reporter appends each event as one JSON line to the work dir's progress.jsonl. The service side
passes its own (publishing on NATS, say); any reporter may raise StopTraining to end the run cleanly.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from easel_proto.v1.trainings import TrainingEvent


class StopTraining(Exception):  # noqa: N818 (a request, not an error)
    """Raised by a reporter (or a stop check) to end a run early; with checkpoint=True the run writes a checkpoint
    at its current step first, so a rerun in the same work dir resumes from there."""

    def __init__(self, reason: str = "stopped", *, checkpoint: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.checkpoint = checkpoint


@runtime_checkable
class Reporter(Protocol):
    """Receives every event of a run, in order, on the training thread."""

    def report(self, event: TrainingEvent) -> None: ...


class JsonLinesReporter:
    """Appends each event as a JSON line to a file, flushed at once (a reader may tail it)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def report(self, event: TrainingEvent) -> None:
        line = event.model_dump_json(exclude_none=True, exclude_defaults=True) + "\n"
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())


class Fanout:
    """Several reporters as one, in order."""

    def __init__(self, reporters: Sequence[Reporter]) -> None:
        self.reporters = list(reporters)

    def report(self, event: TrainingEvent) -> None:
        for reporter in self.reporters:
            reporter.report(event)


def read_events(path: Path) -> list[TrainingEvent]:
    """The events of a progress.jsonl, oldest first (a torn last line, from a killed run, is skipped)."""
    events = []
    if not Path(path).is_file():
        return events
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        try:
            events.append(TrainingEvent.model_validate_json(line))
        except ValueError:
            continue
    return events


def now() -> datetime:
    return datetime.now(UTC)


class Meter:
    """Throughput and ETA since the run (re)started."""

    def __init__(self, first_step: int, total: int, images_per_step: int) -> None:
        self.started = time.perf_counter()
        self.first_step, self.total, self.images_per_step = first_step, total, images_per_step

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def figures(self, step: int) -> tuple[float, float, float | None]:
        """(elapsed_s, samples_per_s, eta_s) at `step`."""
        elapsed = max(self.elapsed(), 1e-9)
        done = step - self.first_step
        if done <= 0:
            return elapsed, 0.0, None
        per_step = elapsed / done
        return elapsed, done * self.images_per_step / elapsed, per_step * (self.total - step)
