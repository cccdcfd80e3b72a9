"""Size and limits: what one job may ask for, checked from the request (and its checkpoint's default size)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from easel_gateway.pools import PoolView
from easel_gateway.settings import GatewaySettings
from easel_proto.errors import InvalidInput
from easel_proto.v1 import jobs
from easel_proto.v1.auth import UserSettings
from easel_proto.v1.common import Principal
from easel_proto.v1.registry import ModelInfo

SEED_SPACE = 2**32


def first(*values: Any) -> Any:
    """The first value that is set: the request's, else the caller's own setting, else the server's."""
    return next((v for v in values if v is not None), None)


def at_most(field: str, value: int, limit: int) -> int:
    if value > limit:
        raise InvalidInput(field, f"must be at most {limit} (got {value})", limit=limit)
    return value


def seed(value: int | None) -> int:
    """The seed asked for, or a random one for none or -1."""
    return value if value is not None and value >= 0 else secrets.randbelow(SEED_SPACE)


def seed_resize(value: int | None) -> int | None:
    """A seed-resize side as asked (0 or less, the web UI's "off": none)."""
    return value if value is not None and value > 0 else None


def scaled(width: int, height: int, to_width: int | None, to_height: int | None, scale: float,
           step: int = 8) -> tuple[int, int]:
    """A size from given sides (one alone keeps the aspect), else width x height times scale; computed sides
    are rounded to multiples of `step`."""
    if to_width and to_height:
        return to_width, to_height
    if to_width or to_height:
        scale = to_width / width if to_width else to_height / height
    return (to_width or max(step, round(width * scale / step) * step),
            to_height or max(step, round(height * scale / step) * step))


def check_pool(pool: str, caller: Principal, pools: PoolView) -> None:
    """InvalidInput for a pool this deployment does not have, Conflict for a disabled one, Forbidden for one the
    caller may not use (the live pool list: easel_gateway.pools)."""
    pools.check(pool, caller)


def task_of(body: jobs.JobRequest) -> str:
    """extras with `extras`, img2img with init images, else txt2img (which takes no image-only fields)."""
    if body.extras is not None:
        if not body.init_images:
            raise InvalidInput("init_images", "extras needs the images to upscale")
        for field in ("mask", "outpaint", "hires", "controlnets", "refiner"):
            if getattr(body, field):
                raise InvalidInput(field, "does not apply to extras")
        return "extras"
    if body.init_images:
        if body.hires is not None:
            raise InvalidInput("hires", "hires fix is for txt2img only")
        return "img2img"
    for field in ("mask", "outpaint", "denoising_strength"):
        if getattr(body, field) is not None:
            raise InvalidInput(field, "needs init_images (img2img)")
    return "txt2img"


@dataclass(frozen=True)
class Plan:
    """What a request asks for in numbers, each within its limit."""

    pool: str
    task: str
    steps: int
    batch: int
    count: int  # images the job makes
    seed_resize: tuple[int | None, int | None]


def plan(body: jobs.JobRequest, caller: Principal, mine: UserSettings, settings: GatewaySettings,
         pools: PoolView) -> Plan:
    """The pool, task, steps and image count, and the noise size, checked against the limits."""
    pool = first(body.pool, mine.pool, settings.default_pool)
    check_pool(pool, caller, pools)
    task = task_of(body)
    steps = at_most("steps", first(body.steps, mine.steps, settings.default_steps), settings.max_steps)
    batch = at_most("batch_size", body.batch_size or 1, settings.max_batch_size)
    if task == "extras":
        count = len(body.init_images)
    else:  # SD upscale makes one image per n_iter; its batches are of tiles
        count = (body.n_iter or 1) * (1 if body.sd_upscale is not None else batch)
    if count > settings.max_images_per_job:
        raise InvalidInput("n_iter", f"batch_size x n_iter is {count} images; at most {settings.max_images_per_job}",
                           limit=settings.max_images_per_job)
    # noise drawn at another size costs a worker as much as an image of that size
    resize = [seed_resize(getattr(body, f"seed_resize_from_{side}")) for side in "wh"]
    for side, value, limit in (("w", resize[0], settings.max_width), ("h", resize[1], settings.max_height)):
        if value is not None:
            at_most(f"seed_resize_from_{side}", value, limit)
    return Plan(pool, task, steps, batch, count, (resize[0], resize[1]))


def size(body: jobs.JobRequest, mine: UserSettings, model: ModelInfo, settings: GatewaySettings,
         init: tuple[int, int] | None) -> tuple[int, int]:
    """The output size: as asked, else (img2img) the init image's fitted within the limits, else the defaults;
    outpainting adds its padding."""
    if init is None:
        width = first(body.width, mine.width, model.default_width)
        height = first(body.height, mine.height, model.default_height)
    else:
        fit = min(1.0, settings.max_width / init[0], settings.max_height / init[1])
        width, height = scaled(init[0], init[1], body.width, body.height, fit)
    width, height = at_most("width", width, settings.max_width), at_most("height", height, settings.max_height)
    if body.outpaint is not None:
        pad = body.outpaint
        for side in ("left", "right", "top", "bottom"):
            if (getattr(pad, side) or 0) % 8:
                raise InvalidInput(f"outpaint.{side}", "must be a multiple of 8")
        width, height = width + (pad.left or 0) + (pad.right or 0), height + (pad.top or 0) + (pad.bottom or 0)
        if width > settings.max_width or height > settings.max_height:
            raise InvalidInput("outpaint", f"the padded size {width}x{height} is over the limit "
                               f"{settings.max_width}x{settings.max_height}")
    return width, height
