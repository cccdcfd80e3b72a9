"""An engine that does no denoising: the GPU edge faked out for dispatch benchmarks."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image

from .base import StepCallback

if TYPE_CHECKING:
    from easel_proto.v1.jobs import GenerationSpec
    from easel_proto.v1.registry import ModelInfo


class NullEngine:
    """Returns blank images of the requested size at once; accepts any model."""

    def load(self, model: ModelInfo, local: Path | None = None) -> float:
        """Nothing to load."""
        return 0.0

    def text_to_image(self, spec: GenerationSpec, on_step: StepCallback) -> list[Image.Image]:
        """One black image per seed; on_step is never called, as no step runs."""
        return [Image.new("RGB", (spec.width, spec.height)) for _ in spec.seeds]

    def healthy(self) -> bool:
        """Always healthy."""
        return True
