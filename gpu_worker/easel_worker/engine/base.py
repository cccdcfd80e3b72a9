"""What every engine offers the worker; kept free of torch so fakes import fast."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from PIL import Image

    from easel_proto.v1.jobs import GenerationSpec
    from easel_proto.v1.registry import ModelInfo

StepCallback = Callable[[int, int], None]
"""on_step(step_done, total): called after each denoising step, step_done = 1..total in order.

Raising from it (JobCanceled, say) stops the generation and propagates out of text_to_image.
"""


@runtime_checkable
class Engine(Protocol):
    """Turns a GenerationSpec into images; knows nothing of queues or HTTP."""

    def load(self, model: ModelInfo, local: Path | None = None) -> float:
        """Make the model ready (from `local`, the worker's cached copy of its files, when it has files);
        return seconds spent loading (0.0 when already loaded)."""
        ...

    def text_to_image(self, spec: GenerationSpec, on_step: StepCallback) -> list[Image.Image]:
        """Return one spec.width x spec.height image per entry of spec.seeds, in order."""
        ...

    def healthy(self) -> bool:
        """False once the engine can no longer be trusted to run jobs (a poisoned device)."""
        ...
