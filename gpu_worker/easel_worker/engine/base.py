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

Raising from it stops the generation and propagates out of generate; Interrupt (and Skip) keep what was made.
"""

PreviewCallback = Callable[[int, int, Callable[[], "Image.Image | None"]], None]
"""on_preview(step_done, total, make): called just before on_step for the same iteration, by engines that can
preview; make() returns a small image of the current denoising estimate (or None), cheap but not free, so the
caller calls it only on the iterations it wants a preview of. Exceptions from make are the caller's to swallow.
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
        on_preview: PreviewCallback | None = None,
    ) -> list[Image.Image]:
        """Run the spec's task; one image per entry of spec.seeds, in order.

        files: the local path of each model the spec names, by model id (checkpoint, LoRAs, VAE, embeddings,
        ControlNets and annotators, upscalers). inputs: the spec's input images, decoded, by InputImage.key.
        """
        ...

    def healthy(self) -> bool:
        """False once the engine can no longer be trusted to run jobs (a poisoned device)."""
        ...


class Interrupt(Exception):
    """Raised by on_step: end the job at this step and keep what it made (the web UI's interrupt).

    `at` is the step count on_step had last been given when the stop was asked for: a pass none of whose steps had
    finished by then yields nothing (no half-made image); the pass then running is decoded from its denoised
    estimate, as the web UI decodes its sampler's last prediction. generate then raises Stopped.
    """

    def __init__(self, at: int, reason: str = "interrupted by its owner") -> None:
        super().__init__(reason)
        self.at = at


class Skip(Interrupt):
    """Raised by on_step: end only the current batch (chunk of seeds) at this step, keeping its images as they are,
    and go on with the next (the web UI's skip). A skip asked for before the batch began is dropped, as the web UI
    clears it when a batch starts; generate returns normally."""

    def __init__(self, at: int) -> None:
        super().__init__(at, "skipped by its owner")


class Stopped(Exception):
    """What generate raises after an Interrupt: `images` are those made before it, in seed order (a prefix of the
    spec's seeds: whole batches, then the batch that was running), none when no step of it had finished."""

    def __init__(self, images: list[Image.Image], cause: Interrupt) -> None:
        super().__init__(str(cause))
        self.images, self.cause = images, cause
