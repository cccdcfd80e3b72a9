"""/sdapi/v1 lists: what the caller may use, in the web UI's shapes (models from the registry, as they see it)."""

from __future__ import annotations

import os
from typing import Any

from fastapi import APIRouter

from easel_gateway.errors import SIGNED_IN, declared
from easel_gateway.sdapi import shapes, xyz
from easel_gateway.sdapi.context import Context, Ctx
from easel_gateway.sdapi.scripts import ALWAYS_ON, IMG2IMG, TXT2IMG
from easel_proto.errors import InvalidInput, NotFound
from easel_proto.v1.registry import ModelInfo
from easel_proto.webui import (
    DEFAULT_SCHEDULES,
    IMAGE_UPSCALERS,
    LATENT_UPSCALE_MODES,
    SAMPLER_ALIASES,
    SAMPLERS,
    SCHEDULER_ALIASES,
    SCHEDULER_LABELS,
)

router = APIRouter(prefix="/sdapi/v1", tags=["web UI"], responses=declared(*SIGNED_IN, webui=True))
# The web UI's schedulers that need the model's own sigmas, and their default rho.
_INNER_MODEL = ("uniform", "sgm_uniform", "simple", "normal", "ddim", "beta")
_RHO = {"karras": 7.0, "polyexponential": 1.0}


async def models(ctx: Context, kind: str) -> list[ModelInfo]:
    """The caller's usable, ready models of a kind."""
    found = await ctx.registry.list_models(ctx.caller, kind)
    return [m for m in found if m.status == "ready"]


def title(model: ModelInfo) -> str:
    return model.title or model.name


def short_hash(model: ModelInfo) -> str | None:
    return model.sha256[:8] if model.sha256 else None


@router.get("/samplers", response_model=list[shapes.SamplerItem])
async def samplers(_ctx: Ctx) -> list[dict[str, Any]]:
    aliases: dict[str, list[str]] = {}
    for alias, name in SAMPLER_ALIASES.items():
        aliases.setdefault(name, []).append(alias)
    out = []
    for name in SAMPLERS:
        options = {"scheduler": DEFAULT_SCHEDULES[name]} if name in DEFAULT_SCHEDULES else {}
        out.append({"name": name, "aliases": aliases.get(name, []), "options": options})
    return out


@router.get("/schedulers", response_model=list[shapes.SchedulerItem])
async def schedulers(_ctx: Ctx) -> list[dict[str, Any]]:
    aliases = {name: [alias for alias, n in SCHEDULER_ALIASES.items() if n == name] for name in SCHEDULER_LABELS}
    return [{"name": name, "label": label, "aliases": aliases[name] or None,
             "default_rho": _RHO.get(name, -1.0), "need_inner_model": name in _INNER_MODEL}
            for name, label in SCHEDULER_LABELS.items()]


@router.get("/upscalers", response_model=list[shapes.UpscalerItem])
async def upscalers(ctx: Ctx) -> list[dict[str, Any]]:
    """Every upscaler with a numeric scale: the web UI gives its non-model ones 4, as clients expect a number."""
    builtin = [{"name": name, "model_name": None, "model_path": None, "model_url": None, "scale": 4.0}
               for name in IMAGE_UPSCALERS]
    return builtin + [{"name": m.name, "model_name": m.name, "model_path": None, "model_url": None,
                       "scale": _scale((m.metadata or {}).get("scale"))} for m in await models(ctx, "upscaler")]


def _scale(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) and value > 0 else 4.0


@router.get("/latent-upscale-modes", response_model=list[shapes.LatentUpscalerModeItem])
async def latent_upscale_modes(_ctx: Ctx) -> list[dict[str, str]]:
    return [{"name": name} for name in LATENT_UPSCALE_MODES]


@router.get("/sd-models", response_model=list[shapes.SDModelItem])
async def sd_models(ctx: Ctx) -> list[dict[str, Any]]:
    return [{"title": title(m), "model_name": m.name, "hash": short_hash(m), "sha256": m.sha256,
             "filename": m.name, "config": None} for m in await models(ctx, "checkpoint")]


@router.get("/sd-vae", response_model=list[shapes.SDVaeItem])
async def sd_vae(ctx: Ctx) -> list[dict[str, Any]]:
    return [{"model_name": m.name, "filename": m.name} for m in await models(ctx, "vae")]


def _public(metadata: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in metadata.items() if k != "imported_from"}


@router.get("/loras", response_model=list[shapes.LoraItem])
async def loras(ctx: Ctx) -> list[dict[str, Any]]:
    return [{"name": m.name, "alias": m.name, "path": m.name, "metadata": _public(m.metadata or {})}
            for m in await models(ctx, "lora")]


@router.get("/embeddings", response_model=shapes.EmbeddingsResponse)
async def embeddings(ctx: Ctx) -> dict[str, Any]:
    """Embeddings for the base of the caller's default checkpoint are loaded; others are skipped."""
    current = ctx.mine.model or ctx.settings.default_model
    try:
        base = (await ctx.registry.model(current, ctx.caller, "checkpoint")).base
    except (InvalidInput, NotFound):  # a default that no longer resolves: list all as loaded
        base = None
    out: dict[str, dict[str, Any]] = {"loaded": {}, "skipped": {}}
    for m in await models(ctx, "embedding"):
        meta = m.metadata or {}
        entry = {"step": meta.get("step"), "sd_checkpoint": meta.get("sd_checkpoint"),
                 "sd_checkpoint_name": meta.get("sd_checkpoint_name"), "shape": meta.get("shape"),
                 "vectors": meta.get("vectors", 1)}
        out["loaded" if base in (None, m.base) else "skipped"][m.name.removesuffix(".safetensors")] = entry
    return out


@router.get("/hypernetworks", response_model=list[shapes.HypernetworkItem])
async def hypernetworks(ctx: Ctx) -> list[dict[str, Any]]:
    """The caller's hypernetworks, by the name `<hypernet:name:weight>` takes."""
    return [{"name": m.name.removesuffix(".safetensors"), "path": title(m)} for m in await models(ctx, "hypernetwork")]


@router.get("/face-restorers", response_model=list[shapes.FaceRestorerItem])
async def face_restorers(ctx: Ctx) -> list[dict[str, Any]]:
    """The face_restorer models the caller may use, by the name face_restoration_model takes (the web UI lists
    CodeFormer and GFPGAN; cmd_dir, a folder on its disk, has no counterpart here)."""
    return [{"name": m.name, "cmd_dir": None} for m in await models(ctx, "face_restorer")]


@router.get("/realesrgan-models", response_model=list[shapes.RealesrganItem])
async def realesrgan_models(_ctx: Ctx) -> list[dict[str, Any]]:
    return []


@router.get("/prompt-styles", response_model=list[shapes.PromptStyleItem])
async def prompt_styles(ctx: Ctx) -> list[dict[str, Any]]:
    return [{"name": s.name, "prompt": s.prompt or "", "negative_prompt": s.negative_prompt or ""}
            for s in ctx.mine.styles or []]


@router.get("/scripts", response_model=shapes.ScriptsList)
async def scripts(_ctx: Ctx) -> dict[str, list[str]]:
    return {"txt2img": [*TXT2IMG, *ALWAYS_ON], "img2img": [*IMG2IMG, *ALWAYS_ON]}


def _arg(label: str, value: Any, choices: list[str] | None = None, low: float | None = None,
         high: float | None = None) -> dict[str, Any]:
    return {"label": label, "value": value, "minimum": low, "maximum": high, "step": None, "choices": choices}


def _script_args(name: str, img2img: bool) -> list[dict[str, Any]]:
    if name == "prompt matrix":
        return [_arg("Set at prompt start", False), _arg("Random seeds", False),
                _arg("Prompt type", "positive", ["positive", "negative"]),
                _arg("Joining char", "comma", ["comma", "space"]), _arg("Grid margins", 0, None, 0, 500)]
    if name == "x/y/z plot":
        axes = xyz.axes_for(img2img)
        per_axis = [[_arg(f"{a} type", 1 if a == "X" else 0, axes), _arg(f"{a} values", ""),
                     _arg(f"{a} values", None)] for a in "XYZ"]
        return [*(x for group in per_axis for x in group), _arg("Draw legend", True),
                _arg("Include Sub Images", False), _arg("Include Sub Grids", False), _arg("Keep -1 for seeds", False),
                _arg("Vary seeds for X", False), _arg("Vary seeds for Y", False), _arg("Vary seeds for Z", False),
                _arg("Grid margins (px)", 0, None, 0, 500), _arg("Use text inputs instead of dropdowns", False)]
    if name == "loopback":
        return [_arg("Loops", 4, None, 1, 32), _arg("Final denoising strength", 0.5, None, 0, 1),
                _arg("Denoising strength curve", "Linear", ["Aggressive", "Linear", "Lazy"]),
                _arg("Append interrogated prompt at each iteration", "None", ["None"])]
    if name == "poor man's outpainting":
        return [_arg("Pixels to expand", 128, None, 8, 256), _arg("Mask blur", 4, None, 0, 64),
                _arg("Masked content", "fill", ["fill", "original", "latent noise", "latent nothing"]),
                _arg("Outpainting direction", ["left", "right", "up", "down"], ["left", "right", "up", "down"])]
    if name == "sd upscale":  # the first is the web UI's explanatory text; the upscaler goes by index or name
        return [_arg("", None), _arg("Tile overlap", 64, None, 0, 256),
                _arg("Upscaler", "None", list(IMAGE_UPSCALERS)), _arg("Scale Factor", 2.0, None, 1, 4)]
    return []  # controlnet: its units go in alwayson_scripts.controlnet.args


@router.get("/script-info", response_model=list[shapes.ScriptInfo])
async def script_info(_ctx: Ctx) -> list[dict[str, Any]]:
    out = []
    for img2img, names in ((False, TXT2IMG), (True, IMG2IMG)):
        for name in (*names, *ALWAYS_ON):
            out.append({"name": name, "is_alwayson": name in ALWAYS_ON, "is_img2img": img2img,
                        "args": _script_args(name, img2img)})
    return out


@router.get("/memory", response_model=shapes.MemoryResponse)
async def memory(_ctx: Ctx) -> dict[str, Any]:
    """The gateway's own memory (it has no GPU; workers report theirs on their /metrics)."""
    page, pages = os.sysconf("SC_PAGE_SIZE"), os.sysconf("SC_PHYS_PAGES")
    free = page * os.sysconf("SC_AVPHYS_PAGES")
    return {"ram": {"free": free, "used": page * pages - free, "total": page * pages},
            "cuda": {"error": "the gateway has no GPU"}}


@router.get("/extensions", response_model=list[shapes.ExtensionItem])
async def extensions(_ctx: Ctx) -> list[dict[str, Any]]:
    return []


# Workers load a checkpoint when a job needs it and keep it in their cache (shared by every tenant, so one caller
# may not unload it); as in the web UI, these answer {} once done, and there is nothing to wait for.
@router.post("/reload-checkpoint", response_model=shapes.EmptyResponse)
async def reload_checkpoint(_ctx: Ctx) -> dict[str, Any]:
    return {}


@router.post("/unload-checkpoint", response_model=shapes.EmptyResponse)
async def unload_checkpoint(_ctx: Ctx) -> dict[str, Any]:
    return {}


# Imported models are listed at once and lookups are cached for seconds at most: a refresh has nothing to do.
@router.post("/refresh-checkpoints", response_model=None, responses=shapes.NULL)
async def refresh_checkpoints(_ctx: Ctx) -> None:
    return None


@router.post("/refresh-vae", response_model=None, responses=shapes.NULL)
async def refresh_vae(_ctx: Ctx) -> None:
    return None


@router.post("/refresh-loras", response_model=None, responses=shapes.NULL)
async def refresh_loras(_ctx: Ctx) -> None:
    return None


@router.post("/refresh-embeddings", response_model=None, responses=shapes.NULL)
async def refresh_embeddings(_ctx: Ctx) -> None:
    return None
