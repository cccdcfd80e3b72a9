"""Admission of a checkpoint merge (POST /v1/models/merge): the web UI's merger fields in, a `merge` job out.

Every input is looked up as the caller may use it (the registry's access rules: a model they may not use is unknown
to them, a 422 on its field as for any job), must be a single-file `.safetensors` checkpoint (diffusers folders and
the built-ins are refused, naming the field: the merge works on the web UI's one-file layout) of the primary's
base, and the inputs together must fit `EASEL_MERGE_MAX_BYTES`, as the worker holds them all in memory at once.
"""

from __future__ import annotations

import json
import re

from easel_gateway.admission.limits import check_pool, first
from easel_gateway.admission.registry import Registry
from easel_gateway.admission.vae import NO_VAE
from easel_gateway.pools import PoolView
from easel_gateway.settings import GatewaySettings
from easel_proto.errors import Conflict, InvalidInput
from easel_proto.v1 import jobs
from easel_proto.v1.auth import UserSettings
from easel_proto.v1.common import Principal
from easel_proto.v1.registry import ModelInfo

NAME = re.compile(r"^[^/\\\x00-\x1f]+$")  # a model name (registry.json ImportModelRequest.name)
MAX_NAME = 200


def _one_file(model: ModelInfo, field: str) -> ModelInfo:
    if model.format != "safetensors":
        raise InvalidInput(field, f"{model.name!r} is a {model.format} model: merging takes single-file .safetensors "
                           "checkpoints (diffusers folders and the built-ins are not merged)", format=model.format)
    return model


def _same_base(model: ModelInfo, primary: ModelInfo, field: str) -> ModelInfo:
    if model.base != primary.base:
        raise InvalidInput(field, f"{model.name!r} is a {model.base} model, the primary {primary.name!r} a "
                           f"{primary.base} one: merged models must share a base", base=model.base,
                           primary_base=primary.base)
    return model


def generated_name(body: jobs.MergeRequest, a: ModelInfo, b: ModelInfo | None, c: ModelInfo | None) -> str:
    """The web UI's name for a merge without custom_name (its filename_generator)."""
    m = body.multiplier
    if body.interp_method == "Weighted sum" and b is not None:
        name = f"{round(1 - m, 2)}({a.name}) + {round(m, 2)}({b.name})"
    elif body.interp_method == "Add difference" and b is not None and c is not None:
        name = f"{a.name} + {round(m, 2)}({b.name} - {c.name})"
    else:
        name = a.name
    return name[:MAX_NAME]


def _name(body: jobs.MergeRequest, a: ModelInfo, b: ModelInfo | None, c: ModelInfo | None) -> str:
    custom = (body.custom_name or "").strip()
    if not custom:
        return generated_name(body, a, b, c)
    custom = custom.removesuffix(".safetensors")
    if not NAME.match(custom) or len(custom) > MAX_NAME:
        raise InvalidInput("custom_name", f"must be 1-{MAX_NAME} characters without slashes or control characters")
    return custom


def _metadata(text: str | None) -> dict[str, str]:
    """metadata_json: a JSON object; values that are not strings are stored as their JSON."""
    if not text or not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise InvalidInput("metadata_json", f"is not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise InvalidInput("metadata_json", "must be a JSON object")
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in value.items()}


def _check_options(body: jobs.MergeRequest) -> None:
    if (body.checkpoint_format or "safetensors") != "safetensors":
        raise InvalidInput("checkpoint_format", "only safetensors: Easel stores no pickled (.ckpt) checkpoints")
    if body.config_source not in (None, 0):
        raise InvalidInput("config_source", "only 0 (the inputs' own configuration): Easel keeps no .yaml configs")
    if body.discard_weights:
        try:
            re.compile(body.discard_weights)
        except re.error as exc:
            raise InvalidInput("discard_weights", f"is not a regular expression: {exc}") from None


async def admit_merge(body: jobs.MergeRequest, caller: Principal, mine: UserSettings, settings: GatewaySettings,
                      registry: Registry, pools: PoolView) -> tuple[str, jobs.GenerationSpec]:
    """The pool and spec of a merge job; InvalidInput naming the first bad field."""
    pool = first(body.pool, mine.pool, settings.default_pool)
    check_pool(pool, caller, pools)
    _check_options(body)
    method = body.interp_method or "Weighted sum"
    primary = _one_file(await registry.model(body.primary_model_name, caller, "checkpoint", "primary_model_name"),
                        "primary_model_name")
    secondary = tertiary = vae = None
    if method != "No interpolation":
        if not body.secondary_model_name:
            raise InvalidInput("secondary_model_name", f"{method} needs a secondary model")
        found = await registry.model(body.secondary_model_name, caller, "checkpoint", "secondary_model_name")
        secondary = _same_base(_one_file(found, "secondary_model_name"), primary, "secondary_model_name")
    if method == "Add difference":
        if not body.tertiary_model_name:
            raise InvalidInput("tertiary_model_name", "Add difference needs a tertiary model")
        found = await registry.model(body.tertiary_model_name, caller, "checkpoint", "tertiary_model_name")
        tertiary = _same_base(_one_file(found, "tertiary_model_name"), primary, "tertiary_model_name")
    if body.bake_in_vae and body.bake_in_vae not in NO_VAE:
        vae = _one_file(await registry.for_checkpoint(body.bake_in_vae, caller, "vae", "bake_in_vae", primary),
                        "bake_in_vae")
    total = 0
    for field, model in (("primary_model_name", primary), ("secondary_model_name", secondary),
                         ("tertiary_model_name", tertiary), ("bake_in_vae", vae)):
        if model is None:
            continue
        total += model.size or 0
        if total > settings.merge_max_bytes:
            raise InvalidInput(field, f"the merge's inputs come to over {settings.merge_max_bytes} bytes "
                               "(EASEL_MERGE_MAX_BYTES)", limit=settings.merge_max_bytes)
    name = _name(body, primary, secondary, tertiary)
    if (body.custom_name or "").strip():  # the registry refuses a second checkpoint of this name: say so now
        mine_named = [m for m in await registry.list_models(caller, "checkpoint")
                      if m.owner_id == caller.user_id and m.name == name and m.status != "failed"]
        if mine_named:
            raise Conflict(f"custom_name: you already have a checkpoint named {name!r}", field="custom_name",
                           model_id=mine_named[0].id)
    merge = jobs.MergeSpec(
        interp_method=method, multiplier=body.multiplier if body.multiplier is not None else 0.3,
        secondary=secondary, tertiary=tertiary, bake_in_vae=vae, save_as_half=bool(body.save_as_half),
        discard_weights=body.discard_weights or "", name=name,
        save_metadata=body.save_metadata is not False, add_merge_recipe=body.add_merge_recipe is not False,
        copy_metadata_fields=body.copy_metadata_fields is not False, metadata=_metadata(body.metadata_json))
    # the spec's image fields are unused by a merge; one "seed" stands for its one output, the model
    spec = jobs.GenerationSpec(task="merge", prompt="", model=primary, sampler="Euler", steps=1, cfg_scale=1.0,
                               width=8, height=8, seeds=[0], merge=merge)
    return pool, spec
