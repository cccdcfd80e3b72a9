"""A pass's text conditioning with the web UI's prompt editing, alternation and composable diffusion (AND).

Each distinct text a pass needs (every AND part's scheduled prompts, and the negative prompt's) is encoded once, all
in one call; `Prompts` holds those encodings and which of them apply at each call of the model, counted as the
web UI counts them: from 0, one per model call, over a schedule of steps x the sampler's order (a second-order
sampler's schedule is twice its steps, as in the web UI). A plain prompt (one part of weight 1, nothing scheduled)
goes to the pipeline as `prompt_embeds` as it always did, and nothing else happens.

Otherwise `conditioned` hooks the UNet for the call: before each model call its text rows (and SDXL's pooled
`text_embeds`) are set from the schedule at that step, and with AND each image's conditional row becomes one row per
part; after it, those rows are combined into the conditional row as `uncond + sum(w_i * (cond_i - uncond))`, so the
pipeline's own guidance `uncond + cfg * (cond - uncond)` is the web UI's `uncond + sum(w_i * cfg * (cond_i -
uncond))`. Every other input of the call (latents, ControlNet residuals, SDXL time ids, an inpainting UNet's mask
channels) is repeated per part from its image's conditional row. A ControlNet is hooked the same way without the
parts: it reads the first part's text at each step.

Texts of different lengths (past 75 tokens, or with BREAK) are padded with empty chunks to the longest, as the web UI
pads the texts of one prompt's schedule; between AND parts of different lengths the web UI repeats the last vector
instead, so such parts condition slightly differently here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch

from easel_common.prompts import pass_texts

Schedule = tuple[tuple[int, int], ...]  # (last model call, row of the encodings used until then), in call order
Tensors = tuple[torch.Tensor, torch.Tensor, torch.Tensor | None, torch.Tensor | None]
Encode = Callable[[list[str], list[str]], Tensors]  # (positive texts, negative texts) -> cond, uncond, pooled x2
_ARG_NAMES = ("sample", "timestep", "encoder_hidden_states")  # the UNet's and the ControlNets' first parameters


@dataclass
class Prompts:
    """A pass's conditioning, the same for every image of it: each distinct text encoded once ((texts, tokens,
    hidden); SDXL adds pooled vectors (texts, projection)), and which apply at each model call."""

    cond: torch.Tensor
    uncond: torch.Tensor
    pooled: torch.Tensor | None = None
    uncond_pooled: torch.Tensor | None = None
    parts: tuple[tuple[float, Schedule], ...] = ((1.0, ((0, 0),)),)  # AND parts: (weight, rows of cond)
    negative: Schedule = ((0, 0),)  # rows of uncond

    @property
    def plain(self) -> bool:
        """One prompt of weight 1 and nothing scheduled: the pipeline runs it as it is."""
        return not self.composed and len(self.parts[0][1]) == 1 and len(self.negative) == 1

    @property
    def composed(self) -> bool:
        return len(self.parts) > 1 or self.parts[0][0] != 1.0

    def at(self, step: int) -> tuple[int, list[tuple[float, int]]]:
        """(the uncond row, [(weight, cond row) per part]) at model call `step`."""
        return _row(self.negative, step), [(weight, _row(schedule, step)) for weight, schedule in self.parts]

    def batch(self, n: int, step: int = 0) -> dict[str, torch.Tensor]:
        """The pipeline's prompt arguments for n images, as at model call `step` (the first part's text)."""
        negative, parts = self.at(step)
        row = parts[0][1]
        out = {"prompt_embeds": self.cond[row : row + 1].repeat(n, 1, 1),
               "negative_prompt_embeds": self.uncond[negative : negative + 1].repeat(n, 1, 1)}
        if self.pooled is not None and self.uncond_pooled is not None:
            out.update(pooled_prompt_embeds=self.pooled[row : row + 1].repeat(n, 1),
                       negative_pooled_prompt_embeds=self.uncond_pooled[negative : negative + 1].repeat(n, 1))
        return out


class Encodings:
    """Encodes a pipeline's texts once per job: a pass whose texts an earlier pass encoded reuses those (unless only
    one of them has nothing but empty negative texts, which SDXL encodes as zeros)."""

    def __init__(self, encode: Encode) -> None:
        self._encode = encode
        self._done: list[tuple[list[str], list[str], Tensors]] = []

    def __call__(self, positives: list[str], negatives: list[str]) -> tuple[list[str], list[str], Tensors]:
        for done in self._done:
            if set(positives) <= set(done[0]) and set(negatives) <= set(done[1]) and any(negatives) == any(done[1]):
                return done
        done = (positives, negatives, self._encode(positives, negatives))
        self._done.append(done)
        return done


def pass_prompts(encodings: Encodings, prompt: str, negative: str, *, steps: int, order: int = 1,
                 hires_steps: int | None = None, field: str = "prompt") -> Prompts:
    """The conditioning of a pass of `steps` (a hires pass: `hires_steps` after the first pass's `steps`) on a
    sampler of this order (model calls per step); InvalidInput on `field` past pass_texts' limits, before any
    text is encoded."""
    total, hires = steps * order, hires_steps * order if hires_steps is not None else None
    texts = pass_texts(prompt, negative, total, hires, field)
    done_positives, done_negatives, tensors = encodings(texts.positives, texts.negatives)

    def rows(schedule: list[tuple[int, str]], encoded: list[str]) -> Schedule:
        return tuple((end, encoded.index(text)) for end, text in schedule)

    return Prompts(*tensors, parts=tuple((weight, rows(schedule, done_positives))
                                         for weight, schedule in texts.parts.values()),
                   negative=rows(texts.negative, done_negatives))


@contextmanager
def conditioned(call: Any, prompts: Prompts, images: int, first_step: int = 0) -> Iterator[None]:
    """Within it, the pipeline `call` for `images` images follows the prompts' schedule and AND parts from model
    call `first_step` on (a refiner goes on counting from the base's calls). Nothing is hooked for a plain prompt."""
    if prompts.plain:
        yield
        return
    steps = _Steps(prompts, images, first_step)
    handles = [call.unet.register_forward_pre_hook(steps.unet_inputs, with_kwargs=True),
               call.unet.register_forward_hook(steps.unet_output, with_kwargs=True)]
    controlnet = getattr(call, "controlnet", None)
    if controlnet is not None:
        handles.append(controlnet.register_forward_pre_hook(steps.controlnet_inputs, with_kwargs=True))
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


class _Steps:
    """The hooks' state: the model call now running, and how the last UNet call's rows were laid out."""

    def __init__(self, prompts: Prompts, images: int, step: int) -> None:
        self.prompts, self.images, self.step = prompts, images, step
        self.weights: list[float] = []
        self.guided = True

    def unet_inputs(self, module: Any, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        kwargs = _named(args, kwargs)
        batch, n = kwargs["sample"].shape[0], self.images
        guided = _guided(batch, n)
        negative, parts = self.prompts.at(self.step)
        composed = self.prompts.composed
        # Pipeline rows: [uncond x n, cond x n] with guidance, [cond x n] without. Ours: the uncond rows (composing
        # needs them even unguided), then each image's conditional row once per part.
        uncond_from = list(range(n)) if guided or composed else []
        cond_from = list(range(n, 2 * n)) if guided else list(range(n))
        source = uncond_from + [row for row in cond_from for _ in parts]
        text_rows = ([(False, negative)] * len(uncond_from)) + [(True, row) for _ in cond_from for _, row in parts]
        if source != list(range(batch)):
            index = torch.tensor(source, device=kwargs["sample"].device)
            kwargs = {key: _take(value, index, batch) for key, value in kwargs.items()}
        kwargs.update(self._text(kwargs, text_rows))
        self.weights, self.guided = [weight for weight, _ in parts], guided
        return (), kwargs

    def unet_output(self, module: Any, args: tuple, kwargs: dict, output: Any) -> Any:
        self.step += 1
        if not self.prompts.composed:
            return output
        out = output[0] if isinstance(output, tuple) else output.sample
        n, k = self.images, len(self.weights)
        uncond = out[:n].float()
        parts = out[n:].float().reshape(n, k, *out.shape[1:])
        weights = torch.tensor(self.weights, device=out.device).reshape(1, k, *[1] * (out.ndim - 1))
        combined = (uncond + (weights * (parts - uncond[:, None])).sum(dim=1)).to(out.dtype)
        result = torch.cat([out[:n], combined]) if self.guided else combined
        if isinstance(output, tuple):
            return (result, *output[1:])
        output.sample = result
        return output

    def controlnet_inputs(self, module: Any, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        kwargs = _named(args, kwargs)
        batch, n = kwargs["sample"].shape[0], self.images
        negative, parts = self.prompts.at(self.step)
        rows = [(False, negative)] * n if _guided(batch, n) else []
        kwargs.update(self._text(kwargs, rows + [(True, parts[0][1])] * n))
        return (), kwargs

    def _text(self, kwargs: dict, rows: Sequence[tuple[bool, int]]) -> dict[str, Any]:
        """encoder_hidden_states (and SDXL's pooled text_embeds) for these (conditional?, row) rows."""
        p = self.prompts
        like = kwargs["encoder_hidden_states"]
        out: dict[str, Any] = {"encoder_hidden_states": _gather(p.cond, p.uncond, rows).to(like)}
        added = kwargs.get("added_cond_kwargs")
        if added and "text_embeds" in added and p.pooled is not None and p.uncond_pooled is not None:
            pooled = _gather(p.pooled, p.uncond_pooled, rows).to(added["text_embeds"])
            out["added_cond_kwargs"] = {**added, "text_embeds": pooled}
        return out


def _row(schedule: Schedule, step: int) -> int:
    for end, row in schedule:
        if step <= end:
            return row
    return schedule[-1][1]  # past the schedule's last step (never, with the web UI's counts): its last prompt


def _guided(batch: int, images: int) -> bool:
    if batch not in (images, 2 * images):
        raise RuntimeError(f"a model call of {batch} rows for {images} images")  # a pipeline we do not know
    return batch == 2 * images


def _named(args: tuple, kwargs: dict) -> dict:
    return {**dict(zip(_ARG_NAMES, args, strict=False)), **kwargs}


def _gather(cond: torch.Tensor, uncond: torch.Tensor, rows: Sequence[tuple[bool, int]]) -> torch.Tensor:
    return torch.stack([(cond if conditional else uncond)[row] for conditional, row in rows])


def _take(value: Any, index: torch.Tensor, batch: int) -> Any:
    """value with its batch rows picked by index: tensors of `batch` rows, in nested tuples, lists and dicts."""
    if isinstance(value, torch.Tensor):
        return value.index_select(0, index.to(value.device)) if value.ndim and value.shape[0] == batch else value
    if isinstance(value, dict):
        return {key: _take(item, index, batch) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_take(item, index, batch) for item in value)
    return value
