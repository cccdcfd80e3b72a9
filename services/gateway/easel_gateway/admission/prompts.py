"""Prompts and extra networks: saved styles merged, `<lora:…>` and `<hypernet:…>` tags taken out and resolved
(LoRAs with `loras`), and the caller's embeddings that a prompt names."""

from __future__ import annotations

import asyncio
from typing import NamedTuple

from easel_common.prompts import apply_styles, extract_networks, mentions, pass_texts
from easel_gateway.admission.registry import Registry
from easel_proto.errors import InvalidInput
from easel_proto.permissions import MODELS_READ, allows
from easel_proto.v1 import jobs
from easel_proto.v1.auth import UserSettings
from easel_proto.v1.common import Principal
from easel_proto.v1.registry import ModelInfo
from easel_proto.webui import SECOND_ORDER_SAMPLERS

Named = tuple[str, jobs.LoraRequest]  # an extra network (name, weight) and the request field that named it
MAX_HYPERNETWORKS = 8


class Prompts(NamedTuple):
    """A job's prompts with styles merged and extra-network tags taken out, the LoRAs they and `loras` name, and
    the hypernetworks they name."""

    prompt: str
    negative: str
    hires: tuple[str | None, str | None]
    loras: list[Named]
    hypernetworks: list[Named]


def _styled(body: jobs.JobRequest, mine: UserSettings) -> tuple[str, str]:
    saved = {style.name: style for style in mine.styles or []}
    chosen = []
    for i, name in enumerate(body.styles or []):
        if name not in saved:
            raise InvalidInput(f"styles.{i}", f"unknown style {name!r}; yours: {', '.join(saved) or 'none'}")
        chosen.append(saved[name])
    negative = body.negative_prompt if body.negative_prompt is not None else mine.negative_prompt
    return apply_styles(body.prompt or "", negative or "", chosen)  # measured before it is built


_LABELS = {"lora": "LoRA", "hypernet": "hypernetwork"}


def _untagged(text: str, field: str) -> tuple[str, list[Named], list[Named]]:
    """The text without its extra-network tags, and the LoRAs and the hypernetworks they name; InvalidInput on
    `field` for a weight out of range."""
    try:
        clean, found = extract_networks(text)
    except InvalidInput as exc:
        raise InvalidInput(field, exc.details.get("reason", exc.message)) from None
    named: dict[str, list[Named]] = {"lora": [], "hypernet": []}
    for net in found:
        if not -10 <= net.weight <= 10:
            raise InvalidInput(field, f"{_LABELS[net.kind]} {net.name!r} weight {net.weight} is outside -10..10")
        named[net.kind].append((field, jobs.LoraRequest(name=net.name, weight=net.weight)))
    return clean, named["lora"], named["hypernet"]


def parse(body: jobs.JobRequest, mine: UserSettings) -> Prompts:
    """Styles merged (within the prompt's length), then `<lora:...>` tags taken out (hires prompts may repeat the
    first pass's); nothing is looked up."""
    prompt, negative = _styled(body, mine)
    prompt, tagged, hypernets = _untagged(prompt, "prompt")
    negative, negative_tags, negative_hypernets = _untagged(negative, "negative_prompt")
    wanted = [(f"loras.{i}.name", item) for i, item in enumerate(body.loras or [])] + tagged + negative_tags
    hypernets += negative_hypernets
    hires: list[str | None] = [None, None]
    for i, field in enumerate(("prompt", "negative_prompt")):
        if body.hires is not None and getattr(body.hires, field) is not None:
            hires[i], more, more_hypernets = _untagged(getattr(body.hires, field), f"hires.{field}")
            wanted += [(f, item) for f, item in more if item.name not in {w.name for _, w in wanted}]
            hypernets += [(f, item) for f, item in more_hypernets if item.name not in {h.name for _, h in hypernets}]
    if len(hypernets) > MAX_HYPERNETWORKS:
        raise InvalidInput(hypernets[MAX_HYPERNETWORKS][0], f"at most {MAX_HYPERNETWORKS} hypernetworks per job")
    return Prompts(prompt, negative, (hires[0], hires[1]), wanted, hypernets)


async def check_schedules(text: Prompts, steps: int, hires: jobs.HiresSpec | None, sampler: str) -> None:
    """Prompt editing, alternation and AND within the worker's limits, counted as it counts them (model calls);
    InvalidInput naming the prompt otherwise. A prompt with either is read off the event loop (bounded, but up to
    a fraction of a second for a long one)."""
    passes = [(text.prompt, text.negative, None, "prompt")]
    if hires is not None:
        passes.append((hires.prompt or text.prompt, hires.negative_prompt or text.negative, hires.steps,
                       "hires.prompt" if text.hires[0] else "prompt"))
    if not any("[" in t or "AND" in t for prompt, negative, _, _ in passes for t in (prompt, negative)):
        return  # nothing scheduled, one part: within every limit
    calls = 2 if sampler in SECOND_ORDER_SAMPLERS else 1

    def check() -> None:
        for prompt, negative, hires_steps, field in passes:
            pass_texts(prompt, negative, steps * calls, hires_steps and hires_steps * calls, field)

    await asyncio.to_thread(check)


async def loras(wanted: list[Named], checkpoint: ModelInfo, caller: Principal,
                registry: Registry) -> list[jobs.LoraSpec]:
    """Each (field, requested LoRA) as the caller may use it; InvalidInput on its field for an unknown one, one
    of another kind, one made for another base than the checkpoint's, or one named twice."""
    out: list[jobs.LoraSpec] = []
    for field, item in wanted:
        lora = await registry.for_checkpoint(item.name, caller, "lora", field, checkpoint)
        if lora.format != "safetensors":
            raise InvalidInput(field, f"LoRA {item.name!r} is not a single .safetensors file", format=lora.format)
        if any(prev.model.id == lora.id for prev in out):
            raise InvalidInput(field, f"LoRA {item.name!r} is named twice")
        out.append(jobs.LoraSpec(model=lora, weight=1.0 if item.weight is None else item.weight))
    return out


async def hypernetworks(wanted: list[Named], checkpoint: ModelInfo, caller: Principal,
                        registry: Registry) -> list[jobs.HypernetworkSpec]:
    """Each `<hypernet:name:weight>` as the caller may use it, in prompt order: a `hypernetwork` model (one
    .safetensors file) for the checkpoint's base, named once; InvalidInput on its field otherwise."""
    out: list[jobs.HypernetworkSpec] = []
    for field, item in wanted:
        model = await registry.for_checkpoint(item.name, caller, "hypernetwork", field, checkpoint)
        if model.format != "safetensors":
            raise InvalidInput(field, f"hypernetwork {item.name!r} is not a single .safetensors file",
                               format=model.format)
        if any(prev.model.id == model.id for prev in out):
            raise InvalidInput(field, f"hypernetwork {item.name!r} is named twice")
        out.append(jobs.HypernetworkSpec(model=model, weight=1.0 if item.weight is None else item.weight))
    return out


async def embeddings(texts: list[str | None], checkpoint: ModelInfo, caller: Principal,
                     registry: Registry) -> list[jobs.EmbeddingSpec]:
    """The caller's embeddings for the checkpoint's base that the texts mention by name (the caller's own first)."""
    text = "\n".join(t for t in texts if t)
    if not text.strip() or not allows(caller.permissions, MODELS_READ):
        return []
    usable = await registry.usable(caller, "embedding", checkpoint.base)
    by_word: dict[str, ModelInfo] = {}
    for model in sorted(usable, key=lambda m: m.owner_id != caller.user_id):
        by_word.setdefault(model.name.removesuffix(".safetensors"), model)
    return [jobs.EmbeddingSpec(name=word, model=by_word[word]) for word in mentions(text, by_word)]
