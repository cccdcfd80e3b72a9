"""Easel's trainer: fine-tuning runs (LoRA, DreamBooth, textual inversion, hypernetworks) on diffusers and peft.

The interface the service side uses:

    from easel_trainer import run, read_events
    final = run(spec, work_dir, reporter=my_reporter, stop=lambda: canceled)   # or: python -m easel_trainer run ...

`spec` is an easel_proto.v1.trainings.TrainingSpec (or its JSON data); every event of the run (started, progress,
sample, checkpoint, interrupted, succeeded, failed) is a TrainingEvent handed to the reporter (by default appended
to WORK/progress.jsonl). Rerunning with the same work dir resumes from its newest checkpoint. No NATS, database or
HTTP here: the service side carries events and files where they need to go.
"""

from __future__ import annotations

from .events import Fanout, JsonLinesReporter, Reporter, StopTraining, read_events
from .loop import run
from .spec import load as load_spec
from .workdir import WorkDir

__all__ = ["Fanout", "JsonLinesReporter", "Reporter", "StopTraining", "WorkDir", "load_spec", "read_events", "run"]
