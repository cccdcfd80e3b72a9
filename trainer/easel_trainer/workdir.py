"""The work dir's layout, the contract between a run and whoever launched it:

    spec.json               the spec of the run (written at start)
    progress.jsonl          one TrainingEvent per line (the default reporter), appended across attempts
    samples/step-<8 digits>-<n>.png   sample images
    checkpoints/step-<8 digits>/      resumable checkpoints (checkpoints.py), the newest `keep_checkpoints`
    artefact/<name>.safetensors       LoRA, embedding (named after its token) or hypernetwork
    artefact/<name>/                  DreamBooth: a diffusers pipeline folder
    result.json             the succeeded event (artefact, digest, loss history), written last: its presence
                            means the run is done
    .lock                   held (flock) by the running trainer
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from easel_proto.errors import Conflict
from easel_proto.v1.trainings import TrainingEvent, TrainingSpec


@dataclass(frozen=True)
class WorkDir:
    root: Path

    @property
    def spec(self) -> Path:
        return self.root / "spec.json"

    @property
    def progress(self) -> Path:
        return self.root / "progress.jsonl"

    @property
    def samples(self) -> Path:
        return self.root / "samples"

    @property
    def checkpoints(self) -> Path:
        return self.root / "checkpoints"

    @property
    def artefact(self) -> Path:
        return self.root / "artefact"

    @property
    def intermediate(self) -> Path:
        """The models kept at checkpoint steps: intermediate/step-<8 digits>/<name>.safetensors."""
        return self.root / "intermediate"

    @property
    def result(self) -> Path:
        return self.root / "result.json"

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the work dir for one run: a relaunched trainer whose predecessor still runs is refused, not let to
        write the same checkpoints (the lock goes with the process, however it ends)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise Conflict(f"another trainer is running in {self.root}") from None
            yield

    def relative(self, path: Path) -> str:
        return Path(path).relative_to(self.root).as_posix()

    def write_spec(self, spec: TrainingSpec) -> None:
        write_atomic(self.spec, spec.model_dump_json(indent=2, exclude_none=True))

    def finished(self, digest: str, max_steps: int | None) -> TrainingEvent | None:
        """The recorded result of this very run, when it already succeeded (with max_steps steps, if given) and its
        artefact is still there."""
        if not self.result.is_file():
            return None
        try:
            event = TrainingEvent.model_validate_json(self.result.read_text(encoding="utf-8"))
        except ValueError:
            return None
        artefact = event.artefact
        if (artefact is None or (artefact.metadata or {}).get("spec_digest") != digest
                or (max_steps and event.total_steps != max_steps) or not (self.root / artefact.path).exists()):
            return None
        return event


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_json(path: Path, data: object) -> None:
    write_atomic(path, json.dumps(data, indent=2))
