"""Turn a client's job request into a fully resolved spec, checking everything before anything is stored or queued."""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
from collections.abc import AsyncIterator
from typing import Any

from easel_common.storage import ObjectStore
from easel_gateway import resolve_models as resolving
from easel_gateway.clients import Services
from easel_gateway.inputs import Inputs, Known, Limits
from easel_gateway.settings import GatewaySettings
from easel_proto.errors import InvalidInput, Unavailable
from easel_proto.permissions import require, use_pool
from easel_proto.v1 import jobs
from easel_proto.v1.auth import UserSettings
from easel_proto.v1.common import Principal

SEED_SPACE = 2**32


@contextlib.asynccontextmanager
async def admitted(state: Any) -> AsyncIterator[None]:
    """Hold one of the gateway's submission slots; when all are taken, refuse at once (503, Retry-After)."""
    if state.submit_slots <= 0:
        raise Unavailable("too many submissions in flight; retry shortly", retry_after_s=1)
    state.submit_slots -= 1
    try:
        yield
    finally:
        state.submit_slots += 1


def request_hash(body: jobs.JobRequest) -> str:
    canonical = json.dumps(body.model_dump(mode="json", exclude_none=True), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _at_most(field: str, value: int, limit: int) -> int:
    if value > limit:
        raise InvalidInput(field, f"must be at most {limit} (got {value})", limit=limit)
    return value


def _first(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def _seed(value: int | None) -> int:
    return value if value is not None and value >= 0 else secrets.randbelow(SEED_SPACE)


def _scaled(width: int, height: int, to_width: int | None, to_height: int | None, scale: float,
            step: int = 8) -> tuple[int, int]:
    """A size from given sides (one alone keeps the aspect), else width x height times scale; computed sides
    are rounded to multiples of `step`."""
    if to_width and to_height:
        return to_width, to_height
    if to_width or to_height:
        scale = to_width / width if to_width else to_height / height
    return (to_width or max(step, round(width * scale / step) * step),
            to_height or max(step, round(height * scale / step) * step))


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


def _seed_resize(value: int | None, field: str, limit: int) -> int | None:
    """Noise drawn at another size (0 or less: none); no larger than an image may be, as it costs as much."""
    return _at_most(field, value, limit) if value is not None and value > 0 else None


def check_pool(pool: str, caller: Principal, settings: GatewaySettings) -> None:
    """InvalidInput for a pool this deployment does not have, Forbidden for one the caller may not use."""
    if pool not in settings.pools:
        raise InvalidInput("pool", f"unknown pool {pool!r}; known: {', '.join(settings.pools)}")
    require(caller, use_pool(pool))


async def resolve(body: jobs.JobRequest, caller: Principal, mine: UserSettings, settings: GatewaySettings,
                  services: Services, store: ObjectStore,
                  known: Known | None = None) -> tuple[str, jobs.GenerationSpec]:
    """The pool and the spec a worker will run: the request, else the caller's own settings, else the server's.

    Input images are stored only once every check has passed (`known`: those an earlier job of the same call
    stored). Raises InvalidInput naming the first bad field, Forbidden for a pool the caller may not use.
    """
    pool = _first(body.pool, mine.pool, settings.default_pool)
    check_pool(pool, caller, settings)
    task = task_of(body)
    steps = _at_most("steps", _first(body.steps, mine.steps, settings.default_steps), settings.max_steps)
    batch = _at_most("batch_size", body.batch_size or 1, settings.max_batch_size)
    count = len(body.init_images) if task == "extras" else batch * (body.n_iter or 1)
    if count > settings.max_images_per_job:
        raise InvalidInput("n_iter", f"batch_size x n_iter is {count} images; at most {settings.max_images_per_job}",
                           limit=settings.max_images_per_job)
    seed_resize = (_seed_resize(body.seed_resize_from_w, "seed_resize_from_w", settings.max_width),
                   _seed_resize(body.seed_resize_from_h, "seed_resize_from_h", settings.max_height))
    model = await resolving.model_of_kind(services, _first(body.model, mine.model, settings.default_model), caller,
                                          "checkpoint", "model")
    prompts = await resolving.prompts(body, mine, model, caller, services)
    vae = await resolving.vae(_first(body.vae, mine.vae), model, caller, services)
    inputs = Inputs(caller, Limits.of(settings), known)
    init_images = [await inputs.add(data, f"init_images.{i}") for i, data in enumerate(body.init_images or [])]
    mask = await inputs.add(body.mask, "mask", mode="L") if body.mask else None
    width, height = _size(body, mine, model, settings, init_images[0] if task == "img2img" else None)
    seed, subseed = _seed(body.seed), _seed(body.subseed)
    spec = jobs.GenerationSpec(
        task=task, prompt=prompts.prompt, negative_prompt=prompts.negative, model=model, loras=prompts.loras,
        sampler=_first(body.sampler, mine.sampler, settings.default_sampler), steps=steps,
        cfg_scale=_first(body.cfg_scale, mine.cfg_scale, settings.default_cfg_scale), width=width, height=height,
        seeds=[(seed + i) % SEED_SPACE for i in range(count)], vae=vae, batch_size=None if task == "extras" else batch,
        scheduler=_first(body.scheduler, mine.scheduler, "automatic"),
        subseeds=[(subseed + i) % SEED_SPACE for i in range(count)], subseed_strength=body.subseed_strength or 0.0,
        seed_resize_from_w=seed_resize[0], seed_resize_from_h=seed_resize[1],
        clip_skip=_first(body.clip_skip, mine.clip_skip, 1), eta=body.eta, tiling=bool(body.tiling),
        init_images=init_images, mask=mask, denoising_strength=_first(body.denoising_strength, 0.75),
        resize_mode=body.resize_mode or "just_resize", mask_blur=_first(body.mask_blur, 4),
        inpainting_fill=body.inpainting_fill or "original", inpaint_full_res=bool(body.inpaint_full_res),
        inpaint_full_res_padding=_first(body.inpaint_full_res_padding, 32),
        inpainting_mask_invert=bool(body.inpainting_mask_invert), outpaint=body.outpaint,
        controlnets=await resolving.controlnets(body.controlnets or [], model, task, caller, services, inputs),
    )
    if body.hires is not None:
        spec.hires = await _hires(body.hires, spec, prompts.hires, caller, services, settings)
    if task == "extras":
        spec.extras, spec.width, spec.height = await _extras(body.extras, init_images, caller, services, settings)
    else:
        spec.refiner, spec.sdxl = await _sdxl(body, model, caller, services)
        hires = [spec.hires.prompt, spec.hires.negative_prompt] if spec.hires else []
        spec.embeddings = await resolving.embeddings([spec.prompt, spec.negative_prompt, *hires], model, caller,
                                                     services)
    await inputs.save(store)
    return pool, spec


async def _sdxl(body: jobs.JobRequest, model, caller: Principal,
                services: Services) -> tuple[jobs.RefinerSpec | None, jobs.SdxlConditioning | None]:
    """The refiner and the size/aesthetic conditioning: SDXL checkpoints only, refined by another SDXL one."""
    for field in ("refiner", "sdxl"):
        value = getattr(body, field)
        if value is not None and model.base != "sdxl":
            named = f"{field}.{min(value.model_fields_set)}" if value.model_fields_set else field
            raise InvalidInput(named, f"applies to SDXL checkpoints only; {model.name!r} is a {model.base} "
                               "checkpoint", base=model.base)
    if body.refiner is None or body.refiner.switch_at >= 1:
        return None, body.sdxl
    refiner = await resolving.for_checkpoint(services, body.refiner.model, caller, "checkpoint", "refiner.model",
                                             model)
    return jobs.RefinerSpec(model=refiner, switch_at=body.refiner.switch_at), body.sdxl


def _size(body: jobs.JobRequest, mine: UserSettings, model, settings: GatewaySettings,
          init: jobs.InputImage | None) -> tuple[int, int]:
    """The output size: as asked, else (img2img) the init image's fitted within the limits, else the defaults;
    outpainting adds its padding."""
    if init is None:
        width, height = _first(body.width, mine.width, model.default_width), _first(
            body.height, mine.height, model.default_height)
    else:
        fit = min(1.0, settings.max_width / init.width, settings.max_height / init.height)
        width, height = _scaled(init.width, init.height, body.width, body.height, fit)
    width, height = _at_most("width", width, settings.max_width), _at_most("height", height, settings.max_height)
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


async def _hires(hr: jobs.HiresRequest, spec: jobs.GenerationSpec, prompts: tuple[str | None, str | None],
                 caller: Principal, services: Services, settings: GatewaySettings) -> jobs.HiresSpec:
    """The second pass: its size (within the limits), upscaler, steps and prompts (default: the first pass's)."""
    width, height = _scaled(spec.width, spec.height, hr.width or None, hr.height or None, hr.scale or 2.0)
    for field, value, limit in (("hires.width", width, settings.max_width),
                                ("hires.height", height, settings.max_height)):
        if value % 8:
            raise InvalidInput(field, f"must be a multiple of 8 (got {value})")
        if value > limit:
            raise InvalidInput(field, f"the hires size {width}x{height} is over the limit "
                               f"{settings.max_width}x{settings.max_height}", limit=limit)
    upscaler, model = await resolving.upscaler(hr.upscaler or "Latent", "hires.upscaler", caller, services, latent=True)
    return jobs.HiresSpec(
        width=width, height=height, upscaler=upscaler, upscaler_model=model,
        steps=_at_most("hires.steps", hr.steps or spec.steps, settings.max_steps),
        denoising_strength=_first(hr.denoising_strength, 0.7), prompt=prompts[0] or spec.prompt,
        negative_prompt=prompts[1] or spec.negative_prompt,
    )


async def _extras(ex: jobs.ExtrasRequest, images: list[jobs.InputImage], caller: Principal, services: Services,
                  settings: GatewaySettings) -> tuple[jobs.ExtrasSpec, int, int]:
    """The upscalers, and the first image's output size; every image's output must be within the limits."""
    upscaler, model = await resolving.upscaler(ex.upscaler or "None", "extras.upscaler", caller, services, latent=False)
    upscaler_2, model_2 = (await resolving.upscaler(ex.upscaler_2, "extras.upscaler_2", caller, services, latent=False)
                           if ex.upscaler_2 else (None, None))
    scale = _first(ex.scale, 2.0)
    sizes = [_scaled(image.width, image.height, ex.width, ex.height, scale, step=1) for image in images]
    for width, height in sizes:
        if width > settings.max_width or height > settings.max_height:
            raise InvalidInput("extras.width" if ex.width or ex.height else "extras.scale",
                               f"the output would be {width}x{height}; at most {settings.max_width}x"
                               f"{settings.max_height}")
    spec = jobs.ExtrasSpec(upscaler=upscaler, upscaler_model=model, upscaler_2=upscaler_2, upscaler_2_model=model_2,
                           upscaler_2_visibility=ex.upscaler_2_visibility or 0.0, scale=scale, width=ex.width,
                           height=ex.height, crop=_first(ex.crop, True))
    return spec, *sizes[0]
