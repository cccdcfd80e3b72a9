"""POST /inference?endpoint_name=<pool>: one web UI call named by `task`, on the checkpoint named by `model`,
answered in that call's web UI shape (the queue agents of Kubernetes web UI deployments post this)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Query
from pydantic import ValidationError

from easel_gateway.errors import SIGNED_IN, declared
from easel_gateway.sdapi import shapes
from easel_gateway.sdapi.context import Context, Ctx, detached
from easel_gateway.sdapi.generate import extras, generation
from easel_gateway.sdapi.payloads import ExtrasBatch, ExtrasSingle, Img2Img, Inference, Payload, Txt2Img
from easel_proto.errors import InvalidInput

router = APIRouter(tags=["web UI"], responses=declared(*SIGNED_IN, webui=True))
TASKS: dict[str, tuple[str, type[Payload]]] = {
    "text-to-image": ("txt2img_payload", Txt2Img), "image-to-image": ("img2img_payload", Img2Img),
    "extra-single-image": ("extras_payload", ExtrasSingle), "extra-batch-images": ("extras_payload", ExtrasBatch),
}
_OWN_FIELDS = ("model", "endpoint_name", "task")
# the answer of the call `task` names
Answer = shapes.GenerationResponse | shapes.ExtrasSingleImageResponse | shapes.ExtrasBatchImagesResponse


@contextlib.contextmanager
def _within(key: str) -> Iterator[None]:
    """Name a bad payload field inside the body's `key` object."""
    try:
        yield
    except InvalidInput as exc:
        field = exc.details.get("field", "")
        if field in _OWN_FIELDS or field.startswith(f"{key}."):
            raise
        extra = {k: v for k, v in exc.details.items() if k not in ("field", "reason")}
        raise InvalidInput(f"{key}.{field}", exc.details.get("reason", exc.message), **extra) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInput(".".join([key, *(str(p) for p in first["loc"])]), first["msg"]) from None


async def _run(ctx: Context, body: Inference, pool: str | None) -> dict[str, Any]:
    if body.task not in TASKS:
        raise InvalidInput("task", f"unknown task {body.task!r}; known: {', '.join(TASKS)}")
    key, kind = TASKS[body.task]
    raw = getattr(body, key)
    if raw is None:
        raise InvalidInput(key, f"task {body.task} needs {key}")
    with _within(key):
        payload = kind.model_validate(raw)
        if isinstance(payload, ExtrasSingle):
            html, images = await extras(ctx, payload, [payload.image] if payload.image else [], ["image"],
                                        model=body.model, pool=pool)
            return {"html_info": html, "image": images[0] if images else None}
        if isinstance(payload, ExtrasBatch):
            data = [item.data for item in payload.imageList]
            html, images = await extras(ctx, payload, data, [f"imageList.{i}.data" for i in range(len(data))]
                                        or ["imageList"], model=body.model, pool=pool)
            return {"html_info": html, "images": images}
        return await generation(ctx, payload, model=body.model, pool=pool)


@router.post("/inference", response_model=Answer, responses=declared(409, webui=True),
             summary="Run a web UI call (txt2img, img2img, extras) on a named checkpoint and pool")
async def inference(body: Inference, ctx: Ctx, endpoint_name: str | None = Query(None)) -> dict[str, Any]:  # noqa: B008
    return await detached(ctx, _run(ctx, body, endpoint_name))
