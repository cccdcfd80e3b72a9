"""POST /sdapi/v1/interrogate: describe an image in words, as the web UI does ({image, model} -> {caption}).

The call runs as one queued `interrogate` job of the caller's, with an imported interrogator model
(admission/interrogate.py says which); its caption is the text the worker wrote beside the job (naming.text_key).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from easel_gateway import admission
from easel_gateway.admission import Admitted
from easel_gateway.admission import interrogate as interrogation
from easel_gateway.errors import SIGNED_IN, declared
from easel_gateway.sdapi import run, shapes
from easel_gateway.sdapi.context import Context, Ctx, detached
from easel_gateway.sdapi.payloads import Payload
from easel_proto.errors import GenerationFailed, NotFound
from easel_proto.naming import text_key

router = APIRouter(prefix="/sdapi/v1", tags=["web UI"], responses=declared(*SIGNED_IN, 404, 409, webui=True))


class Interrogate(Payload):
    """The web UI's InterrogateRequest; `model` may also name an imported interrogator model."""

    image: str | None = ""
    model: str | None = "clip"


async def _interrogate(ctx: Context, payload: Interrogate) -> dict[str, Any]:
    async with admission.slot(ctx.state):
        pool, spec = await interrogation.admit(ctx.settings, ctx.registry, ctx.store, ctx.caller, ctx.mine,
                                               payload.image or "", payload.model or "clip", ctx.state.pools)
    record = await run.queue(ctx, Admitted(pool, spec, None), run.task_key(await run.task_id(ctx, None)))
    done = await run.finish(ctx, record)
    if done.record.status != "succeeded":  # interrupted: the web UI answers what it has, here nothing
        return {"caption": ""}
    try:
        text = await ctx.store.get(text_key(record.tenant_id, record.user_id, record.id, 0))
    except NotFound:
        raise GenerationFailed(f"job {record.id} succeeded without a caption") from None
    return {"caption": text.decode()}


@router.post("/interrogate", response_model=shapes.InterrogateResponse,
             summary="Describe an image: a CLIP interrogator's caption, or a tagger's tags")
async def interrogate(payload: Interrogate, ctx: Ctx) -> dict[str, Any]:
    """`model`: "clip" or "deepdanbooru" (an imported interrogator model of that type; the options
    easel_interrogate_clip_model / easel_interrogate_deepdanbooru_model pick one by name), or a model's name."""
    return await detached(ctx, _interrogate(ctx, payload))
