"""The ControlNet extension's endpoints: its version, the caller's ControlNet models, the preprocessors, and
/controlnet/detect (a `detect` job: each image's preprocessed map)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter

from easel_gateway.errors import SIGNED_IN, declared
from easel_gateway.inputs import Inputs, Limits
from easel_gateway.resolve_models import model_of_kind
from easel_gateway.sdapi import respond, run
from easel_gateway.sdapi.context import Context, Ctx, detached
from easel_gateway.sdapi.lists import models, title
from easel_gateway.sdapi.payloads import Detect
from easel_proto.errors import InvalidInput
from easel_proto.permissions import require, use_pool
from easel_proto.v1 import jobs
from easel_proto.webui import PREPROCESSORS, Slider

router = APIRouter(prefix="/controlnet", tags=["web UI: ControlNet"], responses=declared(*SIGNED_IN, webui=True))
VERSION = 2
MAX_UNITS = 4


@router.get("/version")
async def version(_ctx: Ctx) -> dict[str, int]:
    return {"version": VERSION}


@router.get("/model_list")
async def model_list(ctx: Ctx) -> dict[str, list[str]]:
    return {"model_list": [title(m) for m in await models(ctx, "controlnet")]}


def _slider(name: str, slider: Slider) -> dict[str, Any]:
    return {"name": slider.label, "value": slider.default, "min": slider.low, "max": slider.high, "step": 1,
            "id": name}


@router.get("/module_list")
async def module_list(_ctx: Ctx) -> dict[str, Any]:
    detail = {}
    for name, pre in PREPROCESSORS.items():
        sliders = [{"name": "Preprocessor Resolution", "value": pre.resolution, "min": 64, "max": 2048, "step": 8}]
        sliders += [_slider(key, s) for key, s in (("threshold_a", pre.threshold_a), ("threshold_b", pre.threshold_b))
                    if s is not None]
        detail[name] = {"model_free": False, "sliders": sliders, "annotator": pre.annotator}
    return {"module_list": list(PREPROCESSORS), "module_detail": detail}


@router.get("/settings")
async def settings(_ctx: Ctx) -> dict[str, int]:
    return {"control_net_unit_count": MAX_UNITS}


async def _detect(ctx: Context, body: Detect) -> dict[str, Any]:
    images = body.controlnet_input_images or body.controlnet_images or []
    field = "controlnet_input_images" if body.controlnet_input_images else "controlnet_images"
    if not images:
        raise InvalidInput(field, "send at least one image")
    if len(images) > MAX_UNITS:
        raise InvalidInput(field, f"at most {MAX_UNITS} images at once")
    module = (body.controlnet_module or "none").strip().lower()
    pre = PREPROCESSORS.get(module)
    if pre is None:
        raise InvalidInput("controlnet_module", f"unknown preprocessor {module!r}; known: {', '.join(PREPROCESSORS)}")
    annotator = None
    if pre.annotator:
        annotator = await model_of_kind(ctx.svc, pre.annotator, ctx.caller, "annotator", "controlnet_module")
    checkpoint = await model_of_kind(ctx.svc, ctx.mine.model or ctx.settings.default_model, ctx.caller,
                                     "checkpoint", "model")
    inputs = Inputs(ctx.caller, Limits.of(ctx.settings))
    masks = body.controlnet_masks or []
    res = body.controlnet_processor_res
    units = []
    for i, data in enumerate(images):
        image = await inputs.add(data, f"{field}.{i}")
        mask = await inputs.add(masks[i], f"controlnet_masks.{i}", mode="L") if i < len(masks) and masks[i] else None
        units.append(jobs.ControlNetSpec(
            # the unit's model is not run by a detect job; the spec names the checkpoint in its place
            model=checkpoint, module=module, annotator=annotator, image=image, mask=mask,
            processor_res=res if res and 64 <= res <= 2048 else pre.resolution,
            threshold_a=pre.threshold_a.pick(body.controlnet_threshold_a) if pre.threshold_a else None,
            threshold_b=pre.threshold_b.pick(body.controlnet_threshold_b) if pre.threshold_b else None))
    first = units[0].image
    spec = jobs.GenerationSpec(task="detect", prompt="", model=checkpoint, sampler="Euler", steps=1, cfg_scale=1.0,
                               width=first.width, height=first.height, seeds=[0] * len(units), controlnets=units)
    pool = ctx.mine.pool or ctx.settings.default_pool
    require(ctx.caller, use_pool(pool))
    await inputs.save(ctx.store)
    prepared = run.Prepared(pool, spec, None)
    done = await run.finish(ctx, await run.queue(ctx, prepared, None))
    return {"images": await asyncio.to_thread(respond.b64_all, done.pngs), "info": "Success"}


@router.post("/detect")
async def detect(body: Detect, ctx: Ctx) -> dict[str, Any]:
    """Run a preprocessor on each image (the caller's `ControlNetHED` annotator model for the HED ones)."""
    return await detached(ctx, _detect(ctx, body))
