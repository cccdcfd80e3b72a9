"""A training request checked and turned into a TrainingSpec for the jobs service; every refusal is a 422 naming the
field (403 for a pool the caller may not use), and nothing is recorded or launched.

Order, so a refusal costs as little as it can: what the request alone says (methods' sections, limits, the pool),
then the lookups together (the base checkpoint and the datasets as the caller may use them, and the token among
the caller's embeddings for textual inversion), then what depends on them (the base's layout, the resolution
against the dataset's smallest image, the steps an epoch count makes).
"""

from __future__ import annotations

import asyncio
import copy
import math
import re

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import PydanticUndefined

from easel_common.base_configs import BASES as CONFIG_BASES
from easel_gateway.admission.limits import at_most, check_pool, first
from easel_gateway.admission.registry import Registry
from easel_gateway.pools import PoolView
from easel_gateway.settings import GatewaySettings
from easel_proto.errors import InvalidInput
from easel_proto.v1 import trainings
from easel_proto.v1.auth import UserSettings
from easel_proto.v1.common import Principal, Quotas
from easel_proto.v1.registry import DatasetInfo, ModelInfo
from easel_proto.webui import hypernetwork_dropouts

DREAMBOOTH = ("dreambooth", "dreambooth_lora")
_NAME_CHARS = re.compile(r"[^A-Za-z0-9_.-]+")
# Where a base comes from decides whether the trainer can train it: a diffusers folder (or a built-in), or a single
# file of a base whose configs and tokenizers the registry keeps (easel_common.base_configs).
TRAINABLE_FORMATS = ("diffusers", "builtin")


def filled(body: BaseModel) -> BaseModel:
    """The request with every field sent as null at its default, in its sections too (null and absent mean the
    same: the contract lets a client send null for any field that has a default)."""
    update = {}
    for name, field in type(body).model_fields.items():
        value = getattr(body, name)
        default = field.get_default(call_default_factory=True)
        if value is None and default is not None and default is not PydanticUndefined:
            value = TypeAdapter(field.annotation).validate_python(copy.deepcopy(default))  # a section: its model
            update[name] = value
        if isinstance(value, BaseModel):
            inner = filled(value)
            if inner is not value:
                update[name] = inner
    return body.model_copy(update=update) if update else body


def request_checks(body: trainings.TrainingRequest, settings: GatewaySettings) -> None:
    """Everything the request alone can be refused for."""
    method = body.method
    if method in DREAMBOOTH and body.dreambooth is None:
        raise InvalidInput("dreambooth", f"{method} needs dreambooth.instance_prompt")
    if method == "textual_inversion" and body.textual_inversion is None:
        raise InvalidInput("textual_inversion", "textual_inversion needs textual_inversion.token")
    if body.dreambooth is not None and body.dreambooth.class_dataset and not body.dreambooth.class_prompt:
        raise InvalidInput("dreambooth.class_prompt", "prior preservation with class images needs a class prompt")
    if body.dreambooth is not None and body.dreambooth.num_class_images is not None:
        if not body.dreambooth.class_prompt:
            raise InvalidInput("dreambooth.class_prompt", "generating class images needs a class prompt")
        at_most("dreambooth.num_class_images", body.dreambooth.num_class_images, settings.max_class_images)
    structure = body.hypernetwork.layer_structure or [1, 2, 1]
    if method == "hypernetwork" and (structure[0] != 1 or structure[-1] != 1):
        raise InvalidInput("hypernetwork.layer_structure", "must start and end with 1")
    if method == "hypernetwork":
        h = body.hypernetwork
        hypernetwork_dropouts(structure, bool(h.dropout), bool(h.last_layer_dropout), h.dropout_structure)
    if body.max_steps is None and body.epochs is None:
        raise InvalidInput("max_steps", "set max_steps or epochs")
    if body.max_steps is not None:
        at_most("max_steps", body.max_steps, settings.max_training_steps)
    if body.resolution is not None:
        at_most("resolution", body.resolution, settings.max_training_resolution)
    at_most("batch_size", body.batch_size, settings.max_training_batch_size)
    if method in ("lora", "dreambooth_lora"):
        at_most("lora.rank", body.lora.rank, settings.max_lora_rank)
    if body.samples.prompts:
        at_most("samples.steps", body.samples.steps, settings.max_steps)


async def admit(body: trainings.TrainingRequest, caller: Principal, mine: UserSettings, limits: Quotas,
                settings: GatewaySettings, registry: Registry,
                idempotency_key: str | None = None, *, pools: PoolView) -> trainings.CreateTrainingRequest:
    """The training the jobs service records and launches, or InvalidInput naming the first bad field."""
    body = filled(body)
    request_checks(body, settings)
    pool = first(body.pool, mine.pool, settings.default_pool)
    check_pool(pool, caller, pools)
    class_id = body.dreambooth.class_dataset if body.dreambooth is not None else None
    token = body.textual_inversion.token if body.method == "textual_inversion" else None
    base, dataset, class_dataset, clash = await asyncio.gather(
        registry.model(body.base_model, caller, "checkpoint", "base_model"),
        registry.dataset(caller, body.dataset, "dataset"),
        registry.dataset(caller, class_id, "dreambooth.class_dataset") if class_id else _none(),
        _embedding(registry, caller, token) if token else _none())
    if base.format not in TRAINABLE_FORMATS and not (base.format == "safetensors" and base.base in CONFIG_BASES):
        raise InvalidInput("base_model", f"{base.name!r} is a single-file {base.base} checkpoint; training needs a "
                                         "diffusers folder for that base (import its folder)")
    if clash is not None:
        raise InvalidInput("textual_inversion.token", f"you already have an embedding named {token!r}; pick "
                                                      "another token (prompts call an embedding by its name)")
    resolution = body.resolution or min(base.default_width, base.default_height)
    at_most("resolution", resolution, settings.max_training_resolution)
    for field, d in (("dataset", dataset), ("dreambooth.class_dataset", class_dataset)):
        if d is not None and d.min_side < resolution:
            raise InvalidInput("resolution", f"{field} {d.name!r} has images of {d.min_side} pixels on their shorter "
                                             f"side; train at {d.min_side - d.min_side % 8} or less, or upload larger "
                                             "images", smallest=d.min_side)
    if body.max_steps is None:
        per_epoch = math.ceil(dataset.images * body.repeats / (body.batch_size * body.gradient_accumulation_steps))
        at_most("epochs", per_epoch * body.epochs, settings.max_training_steps)
    spec = _spec(body, base, dataset, class_dataset, resolution)
    return trainings.CreateTrainingRequest(
        principal=caller, pool=pool, request=body, spec=spec, base=base, quotas=limits,
        dataset=_files(dataset), class_dataset=_files(class_dataset) if class_dataset else None,
        idempotency_key=idempotency_key)


async def _none() -> None:
    return None


async def _embedding(registry: Registry, caller: Principal, token: str) -> ModelInfo | None:
    """The caller's usable embedding named `token`, if there is one (its name is what prompts call)."""
    try:
        return await registry.model(token, caller, "embedding", "textual_inversion.token")
    except InvalidInput:
        return None


def _files(dataset: DatasetInfo) -> trainings.TrainingDatasetFiles:
    return trainings.TrainingDatasetFiles(id=dataset.id, name=dataset.name, files=dataset.files)


def default_name(body: trainings.TrainingRequest, dataset: DatasetInfo) -> str:
    """The model's name when the request gives none: the token for an embedding, else the dataset's and method's."""
    if body.method == "textual_inversion":
        return body.textual_inversion.token
    stem = _NAME_CHARS.sub("-", dataset.name).strip("-.") or "dataset"
    return f"{stem[:80]}-{body.method.replace('_', '-')}"


def _spec(body: trainings.TrainingRequest, base: ModelInfo, dataset: DatasetInfo, class_dataset: DatasetInfo | None,
          resolution: int) -> trainings.TrainingSpec:
    """The run's spec; `model.path` and `dataset.path` are where the trainer will put its inputs (it fills them)."""
    name = body.name or default_name(body, dataset)
    if body.method == "textual_inversion" and body.name and body.name != body.textual_inversion.token:
        raise InvalidInput("name", "an embedding is named after its token (prompts call it by that name)")
    copied = body.model_dump(include={"batch_size", "gradient_accumulation_steps", "max_steps", "epochs",
                                      "learning_rates", "lr_scheduler", "lr_warmup_steps", "weight_decay",
                                      "max_grad_norm", "mixed_precision", "gradient_checkpointing", "seed",
                                      "noise_offset", "snr_gamma", "prompt_templates", "save_precision",
                                      "checkpoint_every", "keep_checkpoints", "lora", "textual_inversion",
                                      "hypernetwork", "samples"})
    dreambooth = None
    if body.dreambooth is not None:
        db = body.dreambooth
        dreambooth = {"instance_prompt": db.instance_prompt, "class_prompt": db.class_prompt,
                      "prior_loss_weight": db.prior_loss_weight, "train_text_encoder": db.train_text_encoder,
                      "class_data_path": "class" if class_dataset is not None or db.class_prompt else None}
    try:
        return trainings.TrainingSpec(
            method=body.method, name=name, resolution=resolution, dreambooth=dreambooth,
            model={"path": "base", "base": base.base, "name": base.name, "sha256": base.sha256},
            dataset={"path": "dataset", "default_caption": body.default_caption, "repeats": body.repeats,
                     "flip": body.flip},
            **copied)
    except ValidationError as exc:
        first_error = exc.errors()[0]
        raise InvalidInput(".".join(str(p) for p in first_error["loc"]) or "body", first_error["msg"]) from None
