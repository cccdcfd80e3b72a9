"""What every engine offers the worker; kept free of torch so fakes import fast."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from PIL import Image

    from easel_proto.v1.jobs import GenerationSpec
    from easel_proto.v1.registry import ModelInfo

StepCallback = Callable[[int, int], None]
"""on_step(step_done, total): called after each denoising iteration, step_done = 1..total in order, where
total counts every iteration of the job (all batches, both hires passes).

Raising from it (JobCanceled, say) stops the generation and propagates out of generate.
"""


@runtime_checkable
class Engine(Protocol):
    """Turns a GenerationSpec into images; knows nothing of queues or HTTP."""

    def load(self, model: ModelInfo, local: Path | None = None) -> float:
        """Make the model ready (from `local`, the worker's cached copy of its files, when it has files);
        return seconds spent loading (0.0 when already loaded)."""
        ...

    def generate(
        self,
        spec: GenerationSpec,
        on_step: StepCallback,
        files: Mapping[str, Path] | None = None,
        inputs: Mapping[str, Image.Image] | None = None,
    ) -> list[Image.Image]:
        """Run the spec's task; one image per entry of spec.seeds, in order.

        files: the local path of each model the spec names, by model id (checkpoint, LoRAs, VAE, embeddings,
        ControlNets and annotators, upscalers). inputs: the spec's input images, decoded, by InputImage.key.
        """
        ...

    def healthy(self) -> bool:
        """False once the engine can no longer be trusted to run jobs (a poisoned device)."""
        ...
