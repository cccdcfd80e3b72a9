"""/sdapi/v1/options: the web UI's settings, kept per user (the web UI's are global).

GET answers with the web UI's whole option table (option_table.DEFAULTS) overridden by what the caller saved.
sd_model_checkpoint, sd_vae and CLIP_stop_at_last_layers are the caller's default model, VAE and CLIP skip
(the same settings as /v1/me/settings); return_grid says whether scripts put their grid first in `images`.
An option Easel cannot honour is refused unless it is set to its default (option_table.NOT_HONOURED); every
other option is checked against its default's type, stored as sent (webui_options) and read back.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Body

from easel_gateway.admission.vae import NO_VAE
from easel_gateway.errors import SIGNED_IN, declared
from easel_gateway.sdapi import shapes
from easel_gateway.sdapi.context import Ctx
from easel_gateway.sdapi.option_table import API_RESTRICTED, DEFAULTS, MAX_TOKEN_MERGING, NOT_HONOURED, TOKEN_MERGING
from easel_proto.errors import InvalidInput, NotFound

router = APIRouter(prefix="/sdapi/v1", tags=["web UI"], responses=declared(*SIGNED_IN, webui=True))
MAX_OPTIONS_BYTES = 64 * 1024


def _check(key: str, value: Any) -> None:
    """Refuse a known option whose value has the wrong type, or that Easel cannot honour at that value."""
    if key not in DEFAULTS:
        return  # an extension's option: kept as sent
    default = DEFAULTS[key]
    if key in API_RESTRICTED and value != default:
        raise InvalidInput(key, "the web UI does not let its API change this option")
    if key in NOT_HONOURED and value != default:
        raise InvalidInput(key, f"Easel only supports {default!r} here ({NOT_HONOURED[key]}), got {value!r}")
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int | float):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif isinstance(default, str):
        ok = isinstance(value, str)
    elif isinstance(default, list):
        ok = isinstance(value, list)
    else:
        ok = value is None or isinstance(value, str)
    if not ok:
        raise InvalidInput(key, f"must be a value like {default!r} (got {value!r})")
    if key in TOKEN_MERGING and not 0 <= value <= MAX_TOKEN_MERGING:
        raise InvalidInput(key, f"must be a share of the tokens within 0..{MAX_TOKEN_MERGING} (got {value!r})")


@router.get("/options", response_model=shapes.Options)
async def get_options(ctx: Ctx) -> dict[str, Any]:
    mine = await ctx.svc.settings(ctx.caller)  # fresh: a change just made must read back
    name = mine.model or ctx.settings.default_model
    try:
        model = await ctx.registry.model(name, ctx.caller, "checkpoint")
        title, sha256 = model.title or model.name, model.sha256
    except (InvalidInput, NotFound):  # a default that was deleted since: say what is stored
        title, sha256 = name, None
    return {**DEFAULTS, **(mine.webui_options or {}), "sd_model_checkpoint": title, "sd_checkpoint_hash": sha256,
            "sd_vae": mine.vae or "Automatic", "CLIP_stop_at_last_layers": mine.clip_skip or 1}


@router.post("/options", response_model=None, responses=shapes.NULL)
async def set_options(ctx: Ctx, options: dict[str, Any] = Body(...)) -> None:  # noqa: B008
    """Change the caller's options; a checkpoint or VAE must be one they may use."""
    patch: dict[str, Any] = {}
    rest = dict(options)
    if (name := rest.pop("sd_model_checkpoint", None)) is not None:
        if not isinstance(name, str) or not name:
            raise InvalidInput("sd_model_checkpoint", "must name a checkpoint")
        model = await ctx.registry.model(name, ctx.caller, "checkpoint", "sd_model_checkpoint")
        patch["model"] = model.title or model.name
    if "sd_vae" in rest:
        vae = rest.pop("sd_vae")
        if vae not in (None, *NO_VAE):
            if not isinstance(vae, str):
                raise InvalidInput("sd_vae", "must name a VAE, Automatic or None")
            patch["vae"] = (await ctx.registry.model(vae, ctx.caller, "vae", "sd_vae")).name
        else:
            patch["vae"] = None
    if "CLIP_stop_at_last_layers" in rest:
        skip = rest.pop("CLIP_stop_at_last_layers")
        if isinstance(skip, bool) or not isinstance(skip, int) or not 1 <= skip <= 12:
            raise InvalidInput("CLIP_stop_at_last_layers", f"must be a whole number 1..12 (got {skip!r})")
        patch["clip_skip"] = skip
    rest.pop("sd_checkpoint_hash", None)  # derived from the checkpoint, never stored
    for key, value in rest.items():
        _check(key, value)
    if rest:
        kept = {**((await ctx.svc.settings(ctx.caller)).webui_options or {}), **rest}
        if len(json.dumps(kept, default=str)) > MAX_OPTIONS_BYTES:
            raise InvalidInput("options", f"the options kept for you would be over {MAX_OPTIONS_BYTES} bytes")
        patch["webui_options"] = kept
    if patch:
        await ctx.svc.settings(ctx.caller, patch)


@router.get("/cmd-flags", response_model=shapes.Flags)
async def cmd_flags(_ctx: Ctx) -> dict[str, Any]:
    """The flags a web UI started for API use would show (nothing about this deployment is disclosed)."""
    return {"api": True, "nowebui": True, "api_auth": None, "gradio_auth": None, "listen": True,
            "api_server_stop": False, "disable_safe_unpickle": False, "no_half": False, "medvram": False,
            "lowvram": False, "xformers": False, "skip_torch_cuda_test": False, "enable_insecure_extension_access":
            False, "hide_ui_dir_config": True, "freeze_settings": False, "api_log": False}
