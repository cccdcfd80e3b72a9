"""The ControlNet extension's endpoints: its version, the caller's ControlNet models, the preprocessors, and
/controlnet/detect (a `detect` job: each image's preprocessed map)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter

from easel_gateway.errors import SIGNED_IN, declared
from easel_gateway.sdapi import respond, run, shapes
from easel_gateway.sdapi.context import Context, Ctx, detached
from easel_gateway.sdapi.lists import models, title
from easel_gateway.sdapi.payloads import Detect
from easel_proto.errors import InvalidInput
from easel_proto.webui import PREPROCESSORS, Slider

router = APIRouter(prefix="/controlnet", tags=["web UI: ControlNet"], responses=declared(*SIGNED_IN, webui=True))
VERSION = 2
MAX_UNITS = 4


@router.get("/version", response_model=shapes.ControlNetVersion)
async def version(_ctx: Ctx) -> dict[str, int]:
    return {"version": VERSION}


@router.get("/model_list", response_model=shapes.ControlNetModelList)
async def model_list(ctx: Ctx) -> dict[str, list[str]]:
    return {"model_list": [title(m) for m in await models(ctx, "controlnet")]}


def _slider(name: str, slider: Slider) -> dict[str, Any]:
    return {"name": slider.label, "value": slider.default, "min": slider.low, "max": slider.high, "step": 1,
            "id": name}


@router.get("/module_list", response_model=shapes.ControlNetModuleList)
async def module_list(_ctx: Ctx) -> dict[str, Any]:
    detail = {}
    for name, pre in PREPROCESSORS.items():
        sliders = [{"name": "Preprocessor Resolution", "value": pre.resolution, "min": 64, "max": 2048, "step": 8}]
        sliders += [_slider(key, s) for key, s in (("threshold_a", pre.threshold_a), ("threshold_b", pre.threshold_b))
                    if s is not None]
        detail[name] = {"model_free": False, "sliders": sliders, "annotator": pre.annotator}
    return {"module_list": list(PREPROCESSORS), "module_detail": detail}


@router.get("/settings", response_model=shapes.ControlNetSettings)
async def settings(_ctx: Ctx) -> dict[str, int]:
    return {"control_net_unit_count": MAX_UNITS}


async def _detect(ctx: Context, body: Detect) -> dict[str, Any]:
    images = body.controlnet_input_images or body.controlnet_images or []
    field = "controlnet_input_images" if body.controlnet_input_images else "controlnet_images"
    if not images:
        raise InvalidInput(field, "send at least one image")
    if len(images) > MAX_UNITS:
        raise InvalidInput(field, f"at most {MAX_UNITS} images at once")
    fields = [f"{field}.{i}" for i in range(len(images))]
    prepared = await ctx.admission.detect(
        ctx.caller, ctx.mine, list(zip(images, fields, strict=True)), body.controlnet_masks or [],
        (body.controlnet_module or "none").strip().lower(), body.controlnet_processor_res,
        (body.controlnet_threshold_a, body.controlnet_threshold_b))
    done = await run.finish(ctx, await run.queue(ctx, prepared, run.task_key(await run.task_id(ctx, None))))
    return {"images": await asyncio.to_thread(respond.b64_all, done.pngs), "info": "Success"}


@router.post("/detect", response_model=shapes.ControlNetDetectResponse, responses=declared(409, webui=True))
async def detect(body: Detect, ctx: Ctx) -> dict[str, Any]:
    """Run a preprocessor on each image (the caller's `ControlNetHED` annotator model for the HED ones)."""
    return await detached(ctx, _detect(ctx, body))
