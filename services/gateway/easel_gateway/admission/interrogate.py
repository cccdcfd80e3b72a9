"""Interrogate jobs: the image checked and stored, the interrogator model chosen, the web UI's interrogate options
read from the caller's saved options; one job whose output is a text (the worker's engine/interrogate.py).

Which model runs: `model` is "clip" or "deepdanbooru" (the web UI's two), or the name or id of an interrogator model
the caller may use. For a type, the model named by the caller's option `easel_interrogate_<type>_model` (saved with
POST /sdapi/v1/options) if set, else the caller's own newest ready model of that type, else the newest one shared
with them; none is a 422 naming what to import.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from easel_gateway.admission.inputs import Inputs, Limits
from easel_gateway.admission.registry import Registry
from easel_gateway.pools import PoolView
from easel_gateway.settings import GatewaySettings
from easel_proto.errors import InvalidInput, NotFound
from easel_proto.interrogators import TYPES, describe_layouts, interrogator_type
from easel_proto.v1 import jobs
from easel_proto.v1.auth import UserSettings
from easel_proto.v1.common import Principal
from easel_proto.v1.registry import ModelInfo

KIND = "interrogator"
# the web UI's interrogate options (its option table, with its defaults) -> InterrogateSpec's fields
OPTIONS = {
    "interrogate_return_ranks": "return_ranks", "interrogate_clip_num_beams": "clip_num_beams",
    "interrogate_clip_min_length": "clip_min_length", "interrogate_clip_max_length": "clip_max_length",
    "interrogate_clip_dict_limit": "clip_dict_limit", "interrogate_clip_skip_categories": "clip_skip_categories",
    "interrogate_deepbooru_score_threshold": "deepbooru_score_threshold",
    **{key: key for key in ("deepbooru_sort_alpha", "deepbooru_use_spaces", "deepbooru_escape",
                            "deepbooru_filter_tags")},
}


def model_option(kind: str) -> str:
    """The caller's option naming the model to use for interrogator type `kind`."""
    return f"easel_interrogate_{kind}_model"


def type_of(model: ModelInfo) -> str | None:
    return interrogator_type(f.path for f in model.files or [])


def options_spec(kind: str, saved: dict[str, Any]) -> jobs.InterrogateSpec:
    """The interrogate options the caller saved (the web UI's defaults otherwise); a bad one is a 422 naming it."""
    values = {field: saved[key] for key, field in OPTIONS.items() if key in saved}
    try:
        return jobs.InterrogateSpec(type=kind, **values)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = next(k for k, f in OPTIONS.items() if f == error["loc"][0])
        raise InvalidInput(key, f"{error['msg']} (got {saved[key]!r})") from None


async def choose(registry: Registry, caller: Principal, requested: str,
                 saved: dict[str, Any]) -> tuple[ModelInfo, str]:
    """The interrogator model the call runs, and its type."""
    usable = await registry.list_models(caller, KIND)
    if requested not in TYPES:
        named = _named(usable, requested)
        if named is None:  # the web UI's answer to a model it does not know
            raise NotFound("Model not found", field="model", model=requested)
        kind = type_of(named)
        if kind is None:
            raise InvalidInput("model", f"{requested!r} is not an interrogator: expected {describe_layouts()}")
        return _ready(named, "model"), kind
    option = model_option(requested)
    if saved.get(option):
        named = _named(usable, str(saved[option]))
        if named is None:
            raise InvalidInput(option, f"no interrogator model {saved[option]!r} you may use")
        if type_of(named) != requested:
            raise InvalidInput(option, f"{named.name!r} is not a {requested} interrogator")
        return _ready(named, option), requested
    mine = sorted((m for m in usable if m.status == "ready" and type_of(m) == requested),
                  key=lambda m: m.owner_id != caller.user_id)  # stable: newest first within each
    if not mine:
        raise InvalidInput("model", f"no {requested} interrogator model is imported: import "
                           f"{'a CLIP interrogator folder' if requested == 'clip' else 'a tagger folder'} as a model "
                           f"of kind {KIND!r} ({describe_layouts()})", kind=KIND, type=requested)
    return mine[0], requested


def _named(usable: list[ModelInfo], name: str) -> ModelInfo | None:
    """The usable model with this id, else the newest with this name (the caller's own first)."""
    by_id = [m for m in usable if m.id == name]
    return by_id[0] if by_id else next((m for m in usable if m.name == name or m.title == name), None)


def _ready(model: ModelInfo, field: str) -> ModelInfo:
    if model.status != "ready":
        state = "is still importing" if model.status == "importing" else "failed to import"
        raise InvalidInput(field, f"interrogator model {model.name!r} {state}")
    return model


async def admit(settings: GatewaySettings, registry: Registry, store: Any, caller: Principal, mine: UserSettings,
                image: str, requested: str, pools: PoolView) -> tuple[str, jobs.GenerationSpec]:
    """The pool and spec of an interrogate job for `image` (base64) with the `requested` interrogator; the image
    is checked against the input limits before the registry is asked, and stored only once all has passed."""
    pool = mine.pool or settings.default_pool
    pools.check(pool, caller)
    if not image:
        raise NotFound("Image not found", field="image")  # the web UI's answer
    saved = mine.webui_options or {}
    inputs = Inputs(caller, Limits.of(settings))
    width, height = await inputs.measure(image, "image")
    model, kind = await choose(registry, caller, requested, saved)
    options = options_spec(kind, saved)
    ref = await inputs.add(image, "image")
    spec = jobs.GenerationSpec(task="interrogate", prompt="", model=model, sampler="Euler", steps=1, cfg_scale=1.0,
                               width=width, height=height, seeds=[0], init_images=[ref], interrogate=options)
    await inputs.save(store)
    return pool, spec
