"""The hires fix: a second pass at a larger size, checked before anything is looked up."""

from __future__ import annotations

from easel_gateway.admission import upscalers
from easel_gateway.admission.limits import at_most, first, scaled
from easel_gateway.admission.registry import Registry
from easel_gateway.settings import GatewaySettings
from easel_proto.errors import InvalidInput
from easel_proto.v1 import jobs
from easel_proto.v1.common import Principal


def plan(hr: jobs.HiresRequest, width: int, height: int, steps: int, prompts: tuple[str | None, str | None],
         first_pass: tuple[str, str], settings: GatewaySettings) -> jobs.HiresSpec:
    """The second pass's size (within the limits), steps and prompts (default: the first pass's); its upscaler is
    filled in by `upscaler`."""
    width, height = scaled(width, height, hr.width or None, hr.height or None, hr.scale or 2.0)
    for field, value, limit in (("hires.width", width, settings.max_width),
                                ("hires.height", height, settings.max_height)):
        if value % 8:
            raise InvalidInput(field, f"must be a multiple of 8 (got {value})")
        if value > limit:
            raise InvalidInput(field, f"the hires size {width}x{height} is over the limit "
                               f"{settings.max_width}x{settings.max_height}", limit=limit)
    return jobs.HiresSpec(
        width=width, height=height, steps=at_most("hires.steps", hr.steps or steps, settings.max_steps),
        denoising_strength=first(hr.denoising_strength, 0.7), prompt=prompts[0] or first_pass[0],
        negative_prompt=prompts[1] or first_pass[1],
    )


async def upscaler(spec: jobs.HiresSpec | None, hr: jobs.HiresRequest | None, caller: Principal,
                   registry: Registry) -> None:
    """Set the pass's upscaler (if there is a pass): a latent mode, a built-in image upscaler or an upscaler model."""
    if spec is None or hr is None:
        return
    spec.upscaler, spec.upscaler_model = await upscalers.upscaler(hr.upscaler or "Latent", "hires.upscaler", caller,
                                                                  registry, latent=True)
