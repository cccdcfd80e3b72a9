"""SD upscale (the web UI's img2img script) as one job: its upscaled size and tile count, checked from the request
and the init image's header before anything is looked up; its upscaler resolved with the job's other models."""

from __future__ import annotations

from easel_gateway.admission import upscalers
from easel_gateway.admission.registry import Registry
from easel_gateway.settings import GatewaySettings
from easel_proto.errors import InvalidInput
from easel_proto.tile_grid import tile_grid, upscaled_size
from easel_proto.v1 import jobs
from easel_proto.v1.common import Principal

MAX_TILE_PASSES = 64  # tiles x images one job may img2img: each costs as much as an image of its own


def check(body: jobs.JobRequest) -> None:
    """SD upscale is img2img of one image, alone: no mask, outpainting, ControlNet, refiner or extras with it."""
    if body.sd_upscale is None:
        return
    if not body.init_images:
        raise InvalidInput("sd_upscale", "SD upscale needs init_images (img2img)")
    for field in ("extras", "mask", "outpaint", "controlnets", "refiner", "hires"):
        if getattr(body, field):
            raise InvalidInput(field, "does not apply to SD upscale")


def plan(sd: jobs.SdUpscaleRequest, init: tuple[int, int], width: int, height: int, images: int,
         settings: GatewaySettings) -> jobs.SdUpscaleSpec:
    """The spec for tiles of width x height over the init image (of size `init`) upscaled, for `images` outputs;
    its upscaler is filled in by `resolve`. The upscaled image must be within the output limits and hold a tile,
    and all the tiles of all the images at most MAX_TILE_PASSES."""
    name = sd.upscaler or "None"
    scale = 2.0 if sd.scale is None else sd.scale
    overlap = 64 if sd.overlap is None else sd.overlap
    # as the web UI's script: no upscaler, no upscaling (the scale is then unused)
    size = init if name == "None" else upscaled_size(*init, scale)
    if size[0] > settings.max_width or size[1] > settings.max_height:
        raise InvalidInput("sd_upscale.scale", f"the upscaled image would be {size[0]}x{size[1]}; at most "
                           f"{settings.max_width}x{settings.max_height}")
    for field, tile, side in (("width", width, size[0]), ("height", height, size[1])):
        if tile > side:
            raise InvalidInput(field, f"the {width}x{height} tile is larger than the upscaled image "
                               f"({size[0]}x{size[1]}); lower it or raise the scale")
    if overlap >= min(width, height):
        raise InvalidInput("sd_upscale.overlap", f"must be less than the tile's sides ({width}x{height}); got "
                           f"{overlap}")
    grid = tile_grid(size[0], size[1], width, height, overlap)
    passes = grid.count * images
    if passes > MAX_TILE_PASSES:
        raise InvalidInput("sd_upscale", f"{len(grid.xs)}x{len(grid.ys)} tiles of {width}x{height} over "
                           f"{size[0]}x{size[1]}, for {images} image(s), are {passes} tile passes; at most "
                           f"{MAX_TILE_PASSES}: raise the tile size or lower the scale", limit=MAX_TILE_PASSES)
    return jobs.SdUpscaleSpec(upscaler=name, scale=scale, overlap=overlap, width=size[0], height=size[1])


async def resolve(spec: jobs.SdUpscaleSpec | None, sd: jobs.SdUpscaleRequest | None, caller: Principal,
                  registry: Registry) -> None:
    """Set the upscaler (if the job is an SD upscale): None, a built-in resampler or the caller's upscaler model."""
    if spec is None or sd is None:
        return
    spec.upscaler, spec.upscaler_model = await upscalers.upscaler(sd.upscaler or "None", "sd_upscale.upscaler",
                                                                  caller, registry, latent=False)
