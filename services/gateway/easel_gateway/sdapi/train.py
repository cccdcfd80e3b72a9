"""The web UI's training API over Easel trainings: `/sdapi/v1/create/embedding`, `/create/hypernetwork`,
`/train/embedding`, `/train/hypernetwork`, with the web UI's request fields (`modules/textual_inversion` and
`modules/hypernetworks` argument names) and its `{info}` replies.

The web UI writes an untrained file on create and trains it in place. Easel keeps what create was given as the
caller's draft (a small JSON in their space of the object store), and train runs an ordinary training of the
caller's (`/v1/trainings`, the same checks) whose result is registered as their model under the draft's name; the
call answers when the training ends, as the web UI's does (a client that leaves does not stop it: it is under
`/v1/trainings`). `data_root`, a folder on the web UI's machine, names one of the caller's datasets (id or name).
The base is the caller's default checkpoint (`sd_model_checkpoint`, as the web UI trains on the loaded one).
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any, get_args

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from easel_gateway.errors import SIGNED_IN, declared
from easel_gateway.sdapi.context import Context, Ctx, detached
from easel_gateway.training import admit
from easel_proto.errors import Conflict, EaselError, InvalidInput, NotFound
from easel_proto.v1 import trainings
from easel_proto.webui import SAMPLER_ALIASES, SAMPLERS, hypernetwork_dropouts

router = APIRouter(prefix="/sdapi/v1", tags=["web UI"], responses=declared(*SIGNED_IN, webui=True))
POLL_S = 1.0
# Easel's own prompt templates for the web UI's template files ([name]: the new word, [filewords]: the caption).
TEMPLATES = {
    "subject_filewords.txt": ["a photo of a [name], [filewords]", "a picture of the [name], [filewords]",
                              "a close photo of a [name], [filewords]"],
    "subject.txt": ["a photo of a [name]", "a picture of the [name]", "a close photo of a [name]"],
    "style_filewords.txt": ["a painting in the style of [name], [filewords]",
                            "an image in the style of [name], [filewords]"],
    "style.txt": ["a painting in the style of [name]", "an image in the style of [name]"],
    "hypernetwork.txt": ["[filewords]"],
    "none.txt": ["picture"],
}
ACTIVATIONS = {"linear", "relu", "leakyrelu", "elu", "swish", "tanh", "sigmoid", "gelu", "mish", "silu", "softplus"}
# Easel's names of the fields a web UI argument fills, for errors that name what the client sent
WEBUI_FIELDS = {"max_steps": "steps", "gradient_accumulation_steps": "gradient_step", "resolution": "training_width",
                "learning_rates": "learn_rate", "samples": "create_image_every", "max_grad_norm": "clip_grad_value",
                "textual_inversion": "embedding_name", "hypernetwork": "hypernetwork_name",
                "samples.steps": "preview_steps", "samples.cfg_scale": "preview_cfg_scale",
                "samples.prompts": "preview_prompt", "samples.negative_prompt": "preview_negative_prompt"}


def webui_field(field: str) -> str | None:
    """The web UI's argument behind an Easel field (None: the field is not one a web UI argument fills)."""
    if field in WEBUI_FIELDS:
        return WEBUI_FIELDS[field]
    head, _, rest = field.partition(".")
    return WEBUI_FIELDS[head] + (f".{rest}" if rest else "") if head in WEBUI_FIELDS else None


class InfoResponse(BaseModel):
    """The web UI's CreateResponse and TrainResponse."""

    info: str


class CreateEmbedding(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str = Field(max_length=64)
    num_vectors_per_token: int = Field(1, ge=1, le=75)
    overwrite_old: bool = False
    init_text: str = Field("*", max_length=200)


class CreateHypernetwork(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str = Field(max_length=100)
    enable_sizes: list[int | str] = Field(default_factory=list, max_length=16)
    overwrite_old: bool = False
    layer_structure: list[float] | str | None = None
    activation_func: str | None = None
    weight_init: str | None = None
    add_layer_norm: bool = False
    use_dropout: bool = False
    dropout_structure: list[float] | str | None = None


class Train(BaseModel):
    """What train/embedding and train/hypernetwork share (the web UI's argument names)."""

    model_config = ConfigDict(extra="ignore")
    id_task: str | None = None
    learn_rate: float | str = 0.005
    batch_size: int = Field(1, ge=1)
    gradient_step: int = Field(1, ge=1, le=128)
    data_root: str = Field(max_length=300)
    # A folder on the web UI's machine for its logs and preview images: Easel keeps both with the training
    # (GET /v1/trainings/{id}/logs and its samples), so the folder has nothing left to name.
    log_directory: str | None = None
    training_width: int = Field(512, ge=32)
    training_height: int = Field(512, ge=32)
    varsize: bool = False
    steps: int = Field(100000, ge=1)
    clip_grad_mode: str = "disabled"
    clip_grad_value: float | str = 0.1
    shuffle_tags: bool = False
    tag_drop_out: float = 0
    latent_sampling_method: str = "once"
    use_weight: bool = False
    create_image_every: int = Field(500, ge=0)
    template_filename: str = "subject_filewords.txt"
    preview_from_txt2img: bool = False
    preview_prompt: str = Field("", max_length=2000)
    preview_negative_prompt: str = Field("", max_length=2000)
    preview_steps: int = Field(20, ge=1)
    preview_sampler_name: str | None = None
    preview_sampler_index: int | None = Field(None, ge=0)  # older clients: an index into /sdapi/v1/samplers
    preview_cfg_scale: float = Field(7.0, ge=0, le=30)
    preview_seed: int = -1
    preview_width: int = 512
    preview_height: int = 512


class TrainEmbedding(Train):
    embedding_name: str = Field(max_length=64)
    save_embedding_every: int = Field(500, ge=0)
    # The web UI's preview PNGs carrying the embedding: Easel registers the embedding itself as a model.
    save_image_with_stored_embedding: bool = True


class TrainHypernetwork(Train):
    hypernetwork_name: str = Field(max_length=100)
    learn_rate: float | str = 0.00001
    save_hypernetwork_every: int = Field(500, ge=0)
    template_filename: str = "hypernetwork.txt"


def _draft_key(ctx: Context, kind: str, name: str) -> str:
    return f"{ctx.caller.tenant_id}/{ctx.caller.user_id}/webui/{kind}/{name}.json"


async def _exists(ctx: Context, kind: str, name: str) -> bool:
    try:
        await ctx.registry.model(name, ctx.caller, kind, "name")
    except InvalidInput:
        return False
    return True


async def _save_draft(ctx: Context, kind: str, name: str, overwrite: bool, draft: dict[str, Any]) -> None:
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}" if kind == "embedding" else r"[A-Za-z0-9_.-]{1,100}", name):
        raise InvalidInput("name", "letters, digits, '_' and '-' only (Easel names the model after it)")
    if not overwrite and (await _exists(ctx, kind, name) or await ctx.store.exists(_draft_key(ctx, kind, name))):
        raise Conflict(f"an {kind} named {name!r} exists; set overwrite_old to replace it", field="name")
    await ctx.store.put(_draft_key(ctx, kind, name), json.dumps(draft).encode(), "application/json")


@router.post("/create/embedding", response_model=InfoResponse, responses=declared(409, webui=True))
async def create_embedding(body: CreateEmbedding, ctx: Ctx) -> InfoResponse:
    await _save_draft(ctx, "embedding", body.name, body.overwrite_old,
                      {"num_vectors": body.num_vectors_per_token, "init_word": body.init_text})
    return InfoResponse(info=f"create embedding filename: {body.name}")


@router.post("/create/hypernetwork", response_model=InfoResponse, responses=declared(409, webui=True))
async def create_hypernetwork(body: CreateHypernetwork, ctx: Ctx) -> InfoResponse:
    structure = body.layer_structure
    if isinstance(structure, str):
        try:
            structure = [float(x) for x in structure.split(",") if x.strip()]
        except ValueError:
            raise InvalidInput("layer_structure", "a list of numbers, such as 1, 2, 1") from None
    activation = (body.activation_func or "linear").lower()
    if activation not in ACTIVATIONS:
        raise InvalidInput("activation_func", f"one of {', '.join(sorted(ACTIVATIONS))}")
    try:
        sizes = sorted({int(s) for s in body.enable_sizes}) or None
    except ValueError:
        raise InvalidInput("enable_sizes", "widths in pixels of the attention inputs, such as 768") from None
    dropouts = body.dropout_structure
    if isinstance(dropouts, str):
        try:
            dropouts = [float(x) for x in dropouts.split(",") if x.strip()] or None
        except ValueError:
            raise InvalidInput("dropout_structure", "a list of rates, such as 0, 0.3, 0") from None
    draft = {"layer_structure": structure or [1, 2, 1], "activation": activation, "sizes": sizes,
             "weight_init": body.weight_init or "Normal", "layer_norm": body.add_layer_norm,
             "dropout": body.use_dropout, "dropout_structure": dropouts if body.use_dropout else None}
    try:  # refused now, not when trained
        checked = trainings.TrainingHypernetwork.model_validate(draft)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = "dropout_structure" if "dropout_structure" in error["loc"] else "layer_structure"
        raise InvalidInput(field, error["msg"][:200]) from None
    try:
        hypernetwork_dropouts(checked.layer_structure or [1, 2, 1], body.use_dropout, False, checked.dropout_structure)
    except InvalidInput as exc:
        raise InvalidInput("dropout_structure", exc.details["reason"]) from None
    await _save_draft(ctx, "hypernetwork", body.name, body.overwrite_old, draft)
    return InfoResponse(info=f"create hypernetwork filename: {body.name}")


@router.post("/train/embedding", response_model=InfoResponse, responses=declared(404, 409, webui=True))
async def train_embedding(body: TrainEmbedding, ctx: Ctx) -> InfoResponse:
    draft = await _draft(ctx, "embedding", body.embedding_name, "embedding_name")
    request = _request(ctx, body, await _dataset(ctx, body.data_root), "textual_inversion",
                       textual_inversion={"token": body.embedding_name, **draft},
                       learning_rates={"embedding": _rate(body.learn_rate)},
                       checkpoint_every=body.save_embedding_every or 500)
    return await detached(ctx, _train(ctx, request, "embedding"))


@router.post("/train/hypernetwork", response_model=InfoResponse, responses=declared(404, 409, webui=True))
async def train_hypernetwork(body: TrainHypernetwork, ctx: Ctx) -> InfoResponse:
    draft = await _draft(ctx, "hypernetwork", body.hypernetwork_name, "hypernetwork_name")
    request = _request(ctx, body, await _dataset(ctx, body.data_root), "hypernetwork", name=body.hypernetwork_name,
                       hypernetwork=draft, learning_rates={"hypernetwork": _rate(body.learn_rate)},
                       checkpoint_every=body.save_hypernetwork_every or 500)
    return await detached(ctx, _train(ctx, request, "hypernetwork"))


async def _draft(ctx: Context, kind: str, name: str, field: str) -> dict[str, Any]:
    try:
        return json.loads(await ctx.store.get(_draft_key(ctx, kind, name)))
    except NotFound:
        raise InvalidInput(field, f"no {kind} {name!r}: create it first (/sdapi/v1/create/{kind})") from None


async def _dataset(ctx: Context, data_root: str) -> str:
    """The caller's dataset that `data_root` names, by id or by name (the web UI names a folder)."""
    wanted = data_root.strip().rstrip("/").rsplit("/", 1)[-1]
    for dataset in await ctx.registry.list_datasets(ctx.caller):
        if wanted in (dataset.id, dataset.name):
            return dataset.id
    raise InvalidInput("data_root", f"no dataset {wanted!r}: upload one with POST /v1/datasets and name it here")


def _preview_sampler(body: Train) -> str:
    """The sampler the previews are drawn with: the web UI's name (a scheduler suffix such as "Karras" is
    dropped: previews use each sampler's usual schedule), or an index into /sdapi/v1/samplers."""
    if body.preview_sampler_name is None and body.preview_sampler_index is None:
        return PREVIEW_SAMPLER
    field = "preview_sampler_name" if body.preview_sampler_name is not None else "preview_sampler_index"
    if body.preview_sampler_name is not None:
        name = SAMPLER_ALIASES.get(body.preview_sampler_name, body.preview_sampler_name)
        for suffix in (" Karras", " Exponential"):
            name = name.removesuffix(suffix)
    elif body.preview_sampler_index < len(SAMPLERS):
        name = SAMPLERS[body.preview_sampler_index]
    else:
        raise InvalidInput(field, f"an index below {len(SAMPLERS)}")
    if name not in PREVIEW_SAMPLERS:
        raise InvalidInput(field, f"previews are drawn with one of {', '.join(PREVIEW_SAMPLERS)}")
    return name


def _rate(value: float | str) -> float:
    """The web UI's learning rate as one number (schedules are refused in _request)."""
    try:
        rate = float(value)
    except ValueError:
        rate = 0.0
    if not 0 < rate <= 1:
        raise InvalidInput("learn_rate", "a number between 0 and 1")
    return rate


PREVIEW_SAMPLERS: tuple[str, ...] = get_args(get_args(trainings.TrainingSamples.model_fields["sampler"].annotation)[0])
PREVIEW_SAMPLER = trainings.TrainingSamples.model_fields["sampler"].default
# The web UI's training options Easel's trainer does not have: accepted at their defaults (what clients send when
# they do not mean them), refused otherwise, never dropped.
UNSUPPORTED = {"shuffle_tags": False, "tag_drop_out": 0, "latent_sampling_method": "once", "varsize": False,
               "use_weight": False}


def _request(ctx: Context, body: Train, dataset: str, method: str, **fields: Any) -> trainings.TrainingRequest:
    for name, default in UNSUPPORTED.items():
        if getattr(body, name) != default:
            raise InvalidInput(name, f"Easel's trainer has no {name}; send {json.dumps(default)} or leave it out")
    if body.clip_grad_mode not in ("disabled", "norm"):
        raise InvalidInput("clip_grad_mode", "'disabled' or 'norm' (Easel clips gradients by norm only)")
    if isinstance(body.learn_rate, str) and any(c in body.learn_rate for c in ",:"):
        raise InvalidInput("learn_rate", "one number: Easel's trainings take a scheduler, not rate:step lists")
    if body.preview_from_txt2img and (body.preview_width, body.preview_height) != (body.training_width,
                                                                                   body.training_height):
        raise InvalidInput("preview_width", "samples are drawn at the training size: make it training_width")
    if body.training_width != body.training_height:
        raise InvalidInput("training_height", "Easel trains on squares: make training_height training_width")
    if body.template_filename not in TEMPLATES:
        raise InvalidInput("template_filename", f"one of {', '.join(sorted(TEMPLATES))}")
    samples: dict[str, Any] = {}
    if body.create_image_every:
        prompt = body.preview_prompt if body.preview_from_txt2img and body.preview_prompt else TEMPLATES[
            body.template_filename][0].replace("[filewords]", "").strip(" ,")
        token = fields.get("textual_inversion", {}).get("token", "")
        samples = {"prompts": [prompt.replace("[name]", token)], "every": body.create_image_every,
                   "negative_prompt": body.preview_negative_prompt, "steps": body.preview_steps,
                   "cfg_scale": body.preview_cfg_scale, "seed": max(body.preview_seed, 0),
                   "sampler": _preview_sampler(body)}
    max_grad_norm = 0.0
    if body.clip_grad_mode == "norm":
        try:
            max_grad_norm = float(body.clip_grad_value)
        except ValueError:
            raise InvalidInput("clip_grad_value", "a number (the gradients' largest norm)") from None
    try:
        return trainings.TrainingRequest(
            method=method, base_model=ctx.mine.model or ctx.settings.default_model, dataset=dataset,
            resolution=body.training_width, batch_size=body.batch_size, gradient_accumulation_steps=body.gradient_step,
            max_steps=body.steps, prompt_templates=TEMPLATES[body.template_filename], samples=samples,
            max_grad_norm=max_grad_norm, **fields)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(p) for p in error["loc"]) or "body"
        raise InvalidInput(webui_field(field) or field, error["msg"][:300]) from None


async def _train(ctx: Context, request: trainings.TrainingRequest, kind: str) -> InfoResponse:
    try:
        created = await admit.admit(request, ctx.caller, ctx.mine, ctx.limits, ctx.settings, ctx.registry,
                                    pools=ctx.state.pools)
    except InvalidInput as exc:  # named as the client sent it (steps, not max_steps)
        named = webui_field(exc.details.get("field", ""))
        if named is None:
            raise
        details = {k: v for k, v in exc.details.items() if k not in ("field", "reason")}
        raise InvalidInput(named, exc.details["reason"], **details) from None
    record = await ctx.svc.create_training(created)
    while record.status not in ("succeeded", "failed", "canceled"):
        await asyncio.sleep(POLL_S)
        try:
            record = await ctx.svc.get_training(ctx.caller, record.id)
        except EaselError:
            continue  # a moment without an answer: the training goes on
    error = record.error.message if record.error else (None if record.status == "succeeded" else record.status)
    return InfoResponse(info=f"train {kind} complete: filename: {record.name} training: {record.id} error: {error}")
