"""An engine that does no denoising: the GPU edge faked out for dispatch benchmarks."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

from easel_proto.v1.jobs import ExtrasSpec

from .base import Interrupt, PreviewCallback, Skip, StepCallback
from .extras import centre_crop, check_extras, extras_size
from .members import AllLeft, DoneCallback, Member, Members

if TYPE_CHECKING:
    from easel_proto.v1.jobs import GenerationSpec
    from easel_proto.v1.registry import ModelInfo


class NullEngine:
    """Returns images of the right sizes at once, or after `step_s` per denoising step; accepts any model."""

    def __init__(self, step_s: float = 0.0) -> None:
        self.step_s = step_s  # a stand-in for the GPU's time per step, so a job lasts while a test acts on it

    def load(self, model: ModelInfo, local: Path | None = None) -> float:
        """Nothing to load."""
        return 0.0

    def generate(
        self,
        spec: GenerationSpec,
        on_step: StepCallback,
        files: Mapping[str, Path] | None = None,
        inputs: Mapping[str, Image.Image] | None = None,
        on_preview: PreviewCallback | None = None,  # noqa: ARG002 (nothing to preview)
    ) -> list[Image.Image]:
        """Extras: each input plainly resized to the extras size. Otherwise one black image per seed at the
        output size, after spec.steps steps of step_s each (on_step is called after each; none run when step_s
        is 0)."""
        inputs = inputs or {}
        if spec.task == "extras":
            check_extras(spec)
            extras = spec.extras or ExtrasSpec()
            out = []
            for ref in spec.init_images:
                image = inputs[ref.key].convert("RGB")
                size, crop = extras_size(image.size, extras)
                out.append(centre_crop(image.resize(size, Image.Resampling.LANCZOS), crop))
            return out
        if spec.task == "detect":
            return [inputs[unit.image.key].convert("RGB") for unit in spec.controlnets if unit.image is not None]
        steps = spec.steps if self.step_s > 0 else 0
        for step in range(1, steps + 1):
            time.sleep(self.step_s)
            on_step(step, spec.steps)
        size = (spec.width, spec.height)
        if spec.sd_upscale is not None:  # the tiles blend back into the upscaled image
            size = (spec.sd_upscale.width, spec.sd_upscale.height)
        if spec.mask is not None and spec.inpaint_full_res and spec.outpaint is None and spec.init_images:
            size = inputs[spec.init_images[0].key].size  # "only masked" pastes back into the original
        return [Image.new("RGB", size) for _ in spec.seeds]

    def generate_batch(
        self,
        specs: Sequence[GenerationSpec],
        on_steps: Sequence[StepCallback],
        files: Mapping[str, Path] | None = None,
        on_previews: Sequence[PreviewCallback | None] | None = None,
        on_done: DoneCallback | None = None,
    ) -> list[Any]:
        """The jobs of a batch stepped together (members.py: a job whose on_step raises leaves, keeping black
        images once a step was done); one black image per seed each."""
        members = Members(specs, on_steps, on_previews, on_done)
        steps = specs[0].steps if self.step_s > 0 else 0

        def kept(member: Member, stop: Interrupt) -> list[Image.Image] | None:
            return self._black(member.spec) if stop.at > 0 or isinstance(stop, Skip) else None

        try:
            for step in range(1, steps + 1):
                time.sleep(self.step_s)
                members.step(members.all, step, specs[0].steps, None, kept)
        except AllLeft:
            return members.outcomes()
        for member in members.live():
            members.finish(member, self._black(member.spec))
        return members.outcomes()

    @staticmethod
    def _black(spec: GenerationSpec) -> list[Image.Image]:
        return [Image.new("RGB", (spec.width, spec.height)) for _ in spec.seeds]

    def interrogate(self, spec: GenerationSpec, files: Mapping[str, Path] | None = None,
                    inputs: Mapping[str, Image.Image] | None = None) -> list[str]:
        """A fixed description naming the image's size."""
        image = (inputs or {})[spec.init_images[0].key]
        return [f"an image of {image.width}x{image.height} pixels"]

    def healthy(self) -> bool:
        """Always healthy."""
        return True
