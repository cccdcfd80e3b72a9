"""/sdapi/v1 generation: txt2img, img2img, extras, png-info. Each call runs as the caller's queued job(s) and
answers when they end; a client that disconnects leaves its jobs running (their images stay under /v1/jobs)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter

from easel_gateway.errors import SIGNED_IN, declared
from easel_gateway.sdapi import convert, infotext, respond, run, shapes
from easel_gateway.sdapi.context import Context, Ctx, detached
from easel_gateway.sdapi.payloads import ExtrasBatch, ExtrasOptions, ExtrasSingle, Generation, Img2Img, PngInfo, Txt2Img
from easel_gateway.sdapi.scripts import run_script

router = APIRouter(prefix="/sdapi/v1", tags=["web UI"], responses=declared(*SIGNED_IN, webui=True))
ADMITTED = declared(409, webui=True)  # its job's pool is disabled


async def generation(ctx: Context, p: Generation, *, model: str | None = None,
                     pool: str | None = None) -> dict[str, Any]:
    """txt2img or img2img (by the payload's type), with its selectable script if it names one."""
    img2img = isinstance(p, Img2Img)
    if p.script_name:
        return await run_script(ctx, p, img2img, model, pool)
    converted = (convert.img2img if img2img else convert.txt2img)(p, model=model, pool=pool,
                                                                  options=ctx.mine.webui_options)
    done = await run.run(ctx, converted, run.task_key(await run.task_id(ctx, p.force_task_id)))
    return await asyncio.to_thread(lambda: respond.generation(p, respond.output([done])))  # base64: CPU work


async def extras(ctx: Context, p: ExtrasOptions, images: list[str], fields: list[str], *,
                 model: str | None = None, pool: str | None = None) -> tuple[str, list[str]]:
    """Upscale the images as one extras job: (html_info, base64 PNGs)."""
    done = await run.run(ctx, convert.extras(p, images, fields, model=model, pool=pool),
                         run.task_key(await run.task_id(ctx, None)))
    return respond.html_info(done.record.spec), await asyncio.to_thread(respond.b64_all, done.pngs)


@router.post("/txt2img", response_model=shapes.GenerationResponse, responses=ADMITTED,
             summary="Generate from a prompt (the web UI's TextToImage)")
async def txt2img(payload: Txt2Img, ctx: Ctx) -> dict[str, Any]:
    return await detached(ctx, generation(ctx, payload))


@router.post("/img2img", response_model=shapes.GenerationResponse, responses=ADMITTED,
             summary="Generate from init images, inpaint with a mask (the web UI's ImageToImage)")
async def img2img(payload: Img2Img, ctx: Ctx) -> dict[str, Any]:
    return await detached(ctx, generation(ctx, payload))


@router.post("/extra-single-image", response_model=shapes.ExtrasSingleImageResponse, responses=ADMITTED,
             summary="Upscale one image")
async def extra_single_image(payload: ExtrasSingle, ctx: Ctx) -> dict[str, Any]:
    html, images = await detached(ctx, extras(ctx, payload, [payload.image] if payload.image else [], ["image"]))
    return {"html_info": html, "image": images[0] if images else None}


@router.post("/extra-batch-images", response_model=shapes.ExtrasBatchImagesResponse, responses=ADMITTED,
             summary="Upscale several images")
async def extra_batch_images(payload: ExtrasBatch, ctx: Ctx) -> dict[str, Any]:
    images = [item.data for item in payload.imageList]
    fields = [f"imageList.{i}.data" for i in range(len(images))] or ["imageList"]
    html, out = await detached(ctx, extras(ctx, payload, images, fields))
    return {"html_info": html, "images": out}


@router.post("/png-info", response_model=shapes.PNGInfoResponse,
             summary="Read the generation parameters a PNG carries")
async def png_info(payload: PngInfo, ctx: Ctx) -> dict[str, Any]:
    # base64, the PNG's chunks and the infotext are the caller's to shape: read them off the event loop
    return await asyncio.to_thread(infotext.png_info, payload.image, ctx.settings.max_input_bytes)
