"""The registry models a job names (LoRAs, VAE, embeddings, upscalers, ControlNets), checked against its
checkpoint; every refusal is InvalidInput on the request field that named the model."""

from __future__ import annotations

from typing import NamedTuple

from easel_common.prompts import apply_styles, extract_networks, mentions
from easel_gateway.clients import Services
from easel_gateway.inputs import Inputs
from easel_proto.errors import InvalidInput
from easel_proto.permissions import MODELS_READ, allows
from easel_proto.v1 import jobs
from easel_proto.v1.auth import UserSettings
from easel_proto.v1.common import Principal
from easel_proto.v1.registry import ModelInfo
from easel_proto.webui import IMAGE_UPSCALERS, LATENT_UPSCALE_MODES, PREPROCESSORS

NO_VAE = ("", "Automatic", "None")
LABELS = {"lora": "LoRA", "vae": "VAE", "controlnet": "ControlNet"}
Named = tuple[str, jobs.LoraRequest]  # a LoRA and the request field that named it


class Prompts(NamedTuple):
    """A job's prompts with styles merged and extra-network tags taken out, and the LoRAs they named."""

    prompt: str
    negative: str
    hires: tuple[str | None, str | None]
    loras: list[jobs.LoraSpec]


async def model_of_kind(services: Services, name: str, caller: Principal, kind: str, field: str) -> ModelInfo:
    """The named model if it is of `kind`; InvalidInput on `field` otherwise, saying what it is instead."""
    try:
        return await services.model(name, caller, kind=kind, field=field)
    except InvalidInput:
        try:
            other = await services.model(name, caller, field=field)
        except InvalidInput:
            other = None
        if other is not None and other.kind != kind:
            raise InvalidInput(field, f"{name!r} is a {other.kind}, not a {kind}", kind=other.kind) from None
        raise


async def for_checkpoint(services: Services, name: str, caller: Principal, kind: str, field: str,
                         checkpoint: ModelInfo) -> ModelInfo:
    """The named model of `kind`, made for the same base as the checkpoint."""
    model = await model_of_kind(services, name, caller, kind, field)
    if model.base != checkpoint.base:
        raise InvalidInput(field, f"base {model.base} {LABELS.get(kind, kind)} {name!r} on a {checkpoint.base} "
                           f"checkpoint {checkpoint.name!r}", base=model.base, model_base=checkpoint.base)
    return model


def _styled(body: jobs.JobRequest, mine: UserSettings) -> tuple[str, str]:
    saved = {style.name: style for style in mine.styles or []}
    chosen = []
    for i, name in enumerate(body.styles or []):
        if name not in saved:
            raise InvalidInput(f"styles.{i}", f"unknown style {name!r}; yours: {', '.join(saved) or 'none'}")
        chosen.append(saved[name])
    negative = body.negative_prompt if body.negative_prompt is not None else mine.negative_prompt
    return apply_styles(body.prompt or "", negative or "", chosen)


def _untagged(text: str, field: str) -> tuple[str, list[Named]]:
    """The text without its extra-network tags, and the LoRAs they name; InvalidInput on `field` for others."""
    try:
        clean, found = extract_networks(text)
    except InvalidInput as exc:
        raise InvalidInput(field, exc.details.get("reason", exc.message)) from None
    named: list[Named] = []
    for net in found:
        if net.kind != "lora":
            raise InvalidInput(field, f"<{net.kind}:{net.name}>: {net.kind} networks are not supported")
        if not -10 <= net.weight <= 10:
            raise InvalidInput(field, f"LoRA {net.name!r} weight {net.weight} is outside -10..10")
        named.append((field, jobs.LoraRequest(name=net.name, weight=net.weight)))
    return clean, named


async def prompts(body: jobs.JobRequest, mine: UserSettings, checkpoint: ModelInfo, caller: Principal,
                  services: Services) -> Prompts:
    """Styles merged, then `<lora:...>` tags resolved with `loras` (hires prompts may repeat the first pass's)."""
    prompt, negative = _styled(body, mine)
    prompt, tagged = _untagged(prompt, "prompt")
    negative, negative_tags = _untagged(negative, "negative_prompt")
    wanted = [(f"loras.{i}.name", item) for i, item in enumerate(body.loras or [])] + tagged + negative_tags
    hires: list[str | None] = [None, None]
    for i, field in enumerate(("prompt", "negative_prompt")):
        if body.hires is not None and getattr(body.hires, field) is not None:
            hires[i], more = _untagged(getattr(body.hires, field), f"hires.{field}")
            wanted += [(f, item) for f, item in more if item.name not in {w.name for _, w in wanted}]
    return Prompts(prompt, negative, (hires[0], hires[1]), await loras(wanted, checkpoint, caller, services))


async def loras(wanted: list[Named], checkpoint: ModelInfo, caller: Principal,
                services: Services) -> list[jobs.LoraSpec]:
    """Each (field, requested LoRA) as the caller may use it; InvalidInput on its field for an unknown one, one
    of another kind, one made for another base than the checkpoint's, or one named twice."""
    out: list[jobs.LoraSpec] = []
    for field, item in wanted:
        lora = await for_checkpoint(services, item.name, caller, "lora", field, checkpoint)
        if lora.format != "safetensors":
            raise InvalidInput(field, f"LoRA {item.name!r} is not a single .safetensors file", format=lora.format)
        if any(prev.model.id == lora.id for prev in out):
            raise InvalidInput(field, f"LoRA {item.name!r} is named twice")
        out.append(jobs.LoraSpec(model=lora, weight=1.0 if item.weight is None else item.weight))
    return out


async def vae(name: str | None, checkpoint: ModelInfo, caller: Principal, services: Services) -> ModelInfo | None:
    """A VAE model for the checkpoint's base; None (the checkpoint's own) for none, Automatic or None."""
    if name is None or name in NO_VAE:
        return None
    return await for_checkpoint(services, name, caller, "vae", "vae", checkpoint)


async def embeddings(texts: list[str], checkpoint: ModelInfo, caller: Principal,
                     services: Services) -> list[jobs.EmbeddingSpec]:
    """The caller's embeddings for the checkpoint's base that the texts mention by name (the caller's own first)."""
    text = "\n".join(t for t in texts if t)
    if not text.strip() or not allows(caller.permissions, MODELS_READ):
        return []
    usable = await services.usable_models(caller, "embedding", checkpoint.base)
    by_word: dict[str, ModelInfo] = {}
    for model in sorted(usable, key=lambda m: m.owner_id != caller.user_id):
        by_word.setdefault(model.name.removesuffix(".safetensors"), model)
    return [jobs.EmbeddingSpec(name=word, model=by_word[word]) for word in mentions(text, by_word)]


async def upscaler(name: str, field: str, caller: Principal, services: Services,
                   latent: bool) -> tuple[str, ModelInfo | None]:
    """A built-in upscaler (latent modes only where `latent`) or an upscaler model: (name, model or None)."""
    builtin = (*LATENT_UPSCALE_MODES, *IMAGE_UPSCALERS) if latent else IMAGE_UPSCALERS
    if name in builtin:
        return name, None
    try:
        model = await model_of_kind(services, name, caller, "upscaler", field)
    except InvalidInput as exc:
        reason = exc.details.get("reason", exc.message)
        raise InvalidInput(field, f"{reason}; built in: {', '.join(builtin)}") from None
    return model.name, model


async def controlnets(units: list[jobs.ControlNetRequest], checkpoint: ModelInfo, task: str,
                      caller: Principal, services: Services, inputs: Inputs) -> list[jobs.ControlNetSpec]:
    """Each unit with its model, preprocessor, annotator and images checked; thresholds and resolution filled in."""
    out: list[jobs.ControlNetSpec] = []
    for i, unit in enumerate(units):
        at = f"controlnets.{i}"
        if unit.model.lower() == "none":
            raise InvalidInput(f"{at}.model", "name a controlnet model (leave the unit out to use none)")
        model = await for_checkpoint(services, unit.model, caller, "controlnet", f"{at}.model", checkpoint)
        module = unit.module or "none"
        pre = PREPROCESSORS.get(module)
        if pre is None:
            raise InvalidInput(f"{at}.module", f"unknown preprocessor {module!r}; known: {', '.join(PREPROCESSORS)}")
        annotator = None
        if pre.annotator:
            try:
                annotator = await model_of_kind(services, pre.annotator, caller, "annotator", f"{at}.module")
            except InvalidInput:
                raise InvalidInput(f"{at}.module", f"preprocessor {module!r} needs the annotator model "
                                   f"{pre.annotator!r}: import it (kind annotator) first",
                                   annotator=pre.annotator) from None
        if unit.image is None and task != "img2img":
            raise InvalidInput(f"{at}.image", "a control image is required (only img2img uses the init image)")
        start, end = unit.guidance_start or 0.0, 1.0 if unit.guidance_end is None else unit.guidance_end
        if start > end:
            raise InvalidInput(f"{at}.guidance_start", f"must not be after guidance_end ({start} > {end})")
        out.append(jobs.ControlNetSpec(
            model=model, module=module, annotator=annotator,
            image=await inputs.add(unit.image, f"{at}.image") if unit.image else None,
            mask=await inputs.add(unit.mask, f"{at}.mask", mode="L") if unit.mask else None,
            weight=1.0 if unit.weight is None else unit.weight, resize_mode=unit.resize_mode or "crop_and_resize",
            processor_res=unit.processor_res or pre.resolution,
            threshold_a=pre.threshold_a.pick(unit.threshold_a) if pre.threshold_a else None,
            threshold_b=pre.threshold_b.pick(unit.threshold_b) if pre.threshold_b else None,
            guidance_start=start, guidance_end=end, control_mode=unit.control_mode or "balanced",
            pixel_perfect=bool(unit.pixel_perfect),
        ))
    return out
