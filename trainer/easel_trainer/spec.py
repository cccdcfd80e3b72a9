"""A training spec read, checked and completed with its method's defaults; every refusal names the field."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from easel_proto.errors import InvalidInput
from easel_proto.v1.trainings import TrainingSpec
from easel_proto.webui import hypernetwork_dropouts

LORA_METHODS = frozenset({"lora", "dreambooth_lora"})
DREAMBOOTH_METHODS = frozenset({"dreambooth", "dreambooth_lora"})
# The methods' usual learning rates (diffusers' examples for LoRA, DreamBooth and textual inversion; the web UI's
# hypernetwork default).
DEFAULT_LR = {"unet": 1e-4, "dreambooth_unet": 5e-6, "embedding": 5e-3, "hypernetwork": 1e-5}
TI_TEMPLATE = "a photo of [name], [filewords]"
CAPTION_TEMPLATE = "[filewords]"
# What a resume may change: how long it runs, how often it reports. Anything else makes another run.
RESUMABLE_CHANGES = frozenset({"max_steps", "epochs", "samples", "checkpoint_every", "keep_checkpoints"})


@dataclass(frozen=True)
class Rates:
    """The learning rate of each part the method trains (None: that part does not train)."""

    unet: float | None = None
    text_encoder: float | None = None
    embedding: float | None = None
    hypernetwork: float | None = None


def load(path: Path) -> TrainingSpec:
    """Read a spec file; InvalidInput naming the field of the first problem."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput("spec", f"cannot read {path}: {exc}") from None
    return parse(raw)


def parse(raw: Any) -> TrainingSpec:
    """A TrainingSpec from JSON data, checked field by field and across fields."""
    if isinstance(raw, TrainingSpec):
        spec = raw
    else:
        try:
            spec = TrainingSpec.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "spec"
            raise InvalidInput(field, first["msg"]) from None
    check(spec)
    return spec


def check(spec: TrainingSpec) -> None:
    """Cross-field rules the schema cannot say."""
    method = spec.method
    if spec.max_steps is None and spec.epochs is None:
        raise InvalidInput("max_steps", "set max_steps or epochs")
    if method in DREAMBOOTH_METHODS and spec.dreambooth is None:
        raise InvalidInput("dreambooth", f"{method} needs dreambooth.instance_prompt")
    if method == "textual_inversion" and spec.textual_inversion is None:
        raise InvalidInput("textual_inversion", "textual_inversion needs textual_inversion.token")
    if spec.dreambooth is not None and spec.dreambooth.class_data_path and not spec.dreambooth.class_prompt:
        raise InvalidInput("dreambooth.class_prompt", "prior preservation with class images needs a class prompt")
    structure = list(spec.hypernetwork.layer_structure or [1, 2, 1])
    if method == "hypernetwork" and (structure[0] != 1 or structure[-1] != 1):
        raise InvalidInput("hypernetwork.layer_structure", "must start and end with 1")
    if method == "hypernetwork":
        h = spec.hypernetwork
        hypernetwork_dropouts(structure, bool(h.dropout), bool(h.last_layer_dropout), h.dropout_structure)
    if spec.resolution % 8:
        raise InvalidInput("resolution", "must be a multiple of 8")
    model = Path(spec.model.path)
    if model.is_dir():
        if not (model / "model_index.json").is_file():
            raise InvalidInput("model.path", f"{model} is a folder without model_index.json")
    elif model.suffix == ".safetensors" and model.is_file():
        if not spec.model.config_path:
            raise InvalidInput("model.config_path", "a single-file checkpoint needs the diffusers folder of its "
                               "configs and tokenizers")
    else:
        raise InvalidInput("model.path", f"{model} is neither a diffusers folder nor a .safetensors file")
    if not Path(spec.dataset.path).is_dir():
        raise InvalidInput("dataset.path", f"{spec.dataset.path} is not a folder")
    if spec.dreambooth is not None and spec.dreambooth.class_data_path:
        if not Path(spec.dreambooth.class_data_path).is_dir():
            raise InvalidInput("dreambooth.class_data_path", f"{spec.dreambooth.class_data_path} is not a folder")


def rates(spec: TrainingSpec) -> Rates:
    """The learning rates of the parts the spec's method trains."""
    given = spec.learning_rates
    method = spec.method
    if method in LORA_METHODS or method == "dreambooth":
        unet = given.unet or DEFAULT_LR["dreambooth_unet" if method == "dreambooth" else "unet"]
        text = None
        if trains_text_encoder(spec):
            text = given.text_encoder or unet
        return Rates(unet=unet, text_encoder=text)
    if method == "textual_inversion":
        return Rates(embedding=given.embedding or DEFAULT_LR["embedding"])
    return Rates(hypernetwork=given.hypernetwork or DEFAULT_LR["hypernetwork"])


def trains_text_encoder(spec: TrainingSpec) -> bool:
    """Whether the text encoder's own weights (or a LoRA on them) train."""
    if spec.method in LORA_METHODS:
        return bool(spec.lora.train_text_encoder)
    if spec.method == "dreambooth":
        return bool(spec.dreambooth.train_text_encoder)
    return False


def weight_decay(spec: TrainingSpec) -> float:
    if spec.weight_decay is not None:
        return spec.weight_decay
    # A decay on a few new vectors or a residual MLP pulls them toward zero, i.e. toward doing nothing.
    return 0.0 if spec.method in ("textual_inversion", "hypernetwork") else 1e-2


def templates(spec: TrainingSpec) -> list[str]:
    if spec.prompt_templates:
        return list(spec.prompt_templates)
    return [TI_TEMPLATE if spec.method == "textual_inversion" else CAPTION_TEMPLATE]


def run_digest(spec: TrainingSpec) -> str:
    """A digest of everything that makes a run what it is (not its length or reporting), so a resume is refused
    for another spec."""
    data = spec.model_dump(mode="json", exclude=set(RESUMABLE_CHANGES))
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
