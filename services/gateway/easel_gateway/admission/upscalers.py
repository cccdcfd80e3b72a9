"""Upscalers by name (built in, or an imported upscaler model), and the extras task that runs them."""

from __future__ import annotations

from easel_gateway.admission.limits import first, scaled
from easel_gateway.admission.registry import Registry
from easel_gateway.settings import GatewaySettings
from easel_proto.errors import InvalidInput
from easel_proto.v1 import jobs
from easel_proto.v1.common import Principal
from easel_proto.v1.registry import ModelInfo
from easel_proto.webui import IMAGE_UPSCALERS, LATENT_UPSCALE_MODES


async def upscaler(name: str, field: str, caller: Principal, registry: Registry,
                   latent: bool) -> tuple[str, ModelInfo | None]:
    """A built-in upscaler (latent modes only where `latent`) or an upscaler model: (name, model or None)."""
    builtin = (*LATENT_UPSCALE_MODES, *IMAGE_UPSCALERS) if latent else IMAGE_UPSCALERS
    if name in builtin:
        return name, None
    try:
        model = await registry.model(name, caller, "upscaler", field)
    except InvalidInput as exc:
        reason = exc.details.get("reason", exc.message)
        raise InvalidInput(field, f"{reason}; built in: {', '.join(builtin)}") from None
    return model.name, model


def plan(ex: jobs.ExtrasRequest, sizes: list[tuple[int, int]],
         settings: GatewaySettings) -> tuple[jobs.ExtrasSpec, int, int]:
    """The extras spec (upscalers filled in by `resolve`) and the first image's output size, from the images'
    sizes; every image's output must be within the limits."""
    scale = first(ex.scale, 2.0)
    outputs = [scaled(width, height, ex.width, ex.height, scale, step=1) for width, height in sizes]
    for width, height in outputs:
        if width > settings.max_width or height > settings.max_height:
            raise InvalidInput("extras.width" if ex.width or ex.height else "extras.scale",
                               f"the output would be {width}x{height}; at most {settings.max_width}x"
                               f"{settings.max_height}")
    spec = jobs.ExtrasSpec(upscaler_2_visibility=ex.upscaler_2_visibility or 0.0, scale=scale, width=ex.width,
                           height=ex.height, crop=first(ex.crop, True))
    return spec, *outputs[0]


async def resolve(spec: jobs.ExtrasSpec | None, ex: jobs.ExtrasRequest | None, caller: Principal,
                  registry: Registry) -> None:
    """Set the extras' first and (if any) second upscaler (if the job is an extras job)."""
    if spec is None or ex is None:
        return
    spec.upscaler, spec.upscaler_model = await upscaler(ex.upscaler or "None", "extras.upscaler", caller, registry,
                                                        latent=False)
    if ex.upscaler_2:
        spec.upscaler_2, spec.upscaler_2_model = await upscaler(ex.upscaler_2, "extras.upscaler_2", caller, registry,
                                                                latent=False)
