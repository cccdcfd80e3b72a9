"""The X/Y/Z plot script: one job per cell (submitted concurrently), and a grid with axis labels.

script_args as the web UI takes them: x_type, x_values, x_values_dropdown, y_type, y_values, y_values_dropdown,
z_type, z_values, z_values_dropdown, draw_legend, include_lone_images, include_sub_grids, no_fixed_seeds, then
vary_seeds_x, vary_seeds_y, vary_seeds_z, margin_size, csv_mode (v1.7 and later) or margin_size, csv_mode.
An axis type is its index in the tab's list of axes (as the web UI numbers them) or its label. Values are
comma-separated (CSV); numbers take ranges: `1-5`, `1-10 (+2)`, `1-10 [4]`.

A plot runs at most MAX_JOBS jobs, so an axis is refused as soon as it counts more values than that: ranges,
lists and Prompt order's permutations are counted before they are built, and Prompt S/R's longer prompts measured.
"""

from __future__ import annotations

import asyncio
import csv
import io
import itertools
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from easel_common.prompts import MAX_PROMPT_CHARS
from easel_gateway.admission import scripts as expansion
from easel_gateway.admission.scripts import MAX_JOBS
from easel_gateway.sdapi import grid, respond, run, vocab
from easel_gateway.sdapi.context import Context
from easel_gateway.sdapi.fields import as_sent
from easel_gateway.sdapi.grid import Label
from easel_gateway.sdapi.payloads import Generation
from easel_gateway.sdapi.script_args import arg, fixed_seed
from easel_proto.errors import InvalidInput

T2I, I2I = "txt2img", "img2img"
# Every axis of the web UI (v1.10), in its order; the tab-specific ones only count on their tab.
AXES: tuple[tuple[str, str | None], ...] = (
    ("Nothing", None), ("Seed", None), ("Var. seed", None), ("Var. strength", None), ("Steps", None),
    ("Hires steps", T2I), ("CFG Scale", None), ("Image CFG Scale", I2I), ("Prompt S/R", None),
    ("Prompt order", None), ("Sampler", T2I), ("Hires sampler", T2I), ("Sampler", I2I), ("Checkpoint name", None),
    ("Negative Guidance minimum sigma", None), ("Sigma Churn", None), ("Sigma min", None), ("Sigma max", None),
    ("Sigma noise", None), ("Schedule type", None), ("Schedule min sigma", None), ("Schedule max sigma", None),
    ("Schedule rho", None), ("Skip Early CFG", None), ("Beta schedule alpha", None), ("Beta schedule beta", None),
    ("Eta", None), ("Clip skip", None), ("Denoising", None), ("Initial noise multiplier", None),
    ("Extra noise", None), ("Hires upscaler", T2I), ("Cond. Image Mask Weight", I2I), ("VAE", None),
    ("Styles", None), ("UniPC Order", None), ("Face restore", None), ("Token merging ratio", None),
    ("Token merging ratio high-res", None), ("Always discard next-to-last sigma", None),
    ("SGM noise multiplier", None), ("Refiner checkpoint", None), ("Refiner switch at", None),
    ("RNG source", None), ("FP8 mode", None), ("Size", None),
)

_INT_RANGE = re.compile(r"\s*([+-]?\s*\d+)\s*-\s*([+-]?\s*\d+)(?:\s*\(([+-]\d+)\s*\))?\s*")
_INT_COUNT = re.compile(r"\s*([+-]?\s*\d+)\s*-\s*([+-]?\s*\d+)\s*\[(\d+)\s*]\s*")
_FLOAT = r"[+-]?\s*\d+(?:\.\d*)?"
_FLOAT_RANGE = re.compile(rf"\s*({_FLOAT})\s*-\s*({_FLOAT})(?:\s*\(([+-]\d+(?:\.\d*)?)\s*\))?\s*")
_FLOAT_COUNT = re.compile(rf"\s*({_FLOAT})\s*-\s*({_FLOAT})\s*\[(\d+)\s*]\s*")
_SIZE = re.compile(r"^\s*(\d+)\s*[x×]\s*(\d+)\s*$")
MAX_NUMBER_CHARS = 64  # a number or range is short; a long one would only feed the range patterns' backtracking


@dataclass(frozen=True)
class Axis:
    label: str
    kind: Callable[[str], Any]  # parses one value
    apply: Callable[[dict[str, Any], Any, list[Any]], None]  # sets payload fields for one value
    fields: tuple[str, ...]  # the payload fields it sets, to name a bad value
    choices: bool = False  # values come from the dropdown unless csv_mode
    plain: bool = False  # legend shows the value alone, not "label: value"


def _set(*names: str):
    def apply(update: dict[str, Any], value: Any, _values: list[Any]) -> None:
        for name in names:
            update[name] = value
    return apply


def _override(key: str):
    def apply(update: dict[str, Any], value: Any, _values: list[Any]) -> None:
        update["override_settings"] = {**update.get("override_settings", {}), key: value}
    return apply


def _replace(update: dict[str, Any], value: str, values: list[str]) -> None:
    for name in ("prompt", "negative_prompt"):
        text = update.get(name) or ""
        length = len(text) + text.count(values[0]) * (len(value) - len(values[0]))  # measured, then built
        if length > MAX_PROMPT_CHARS:
            raise ValueError(f"replacing {values[0]!r} with {value[:40]!r} makes the {name} {length} characters; "
                             f"at most {MAX_PROMPT_CHARS}")
        update[name] = text.replace(values[0], value)


def _reorder(update: dict[str, Any], order: tuple[str, ...], _values: list[Any]) -> None:
    """Put the listed prompt tokens in this order, each where one of them stood."""
    prompt = update.get("prompt") or ""
    spots = sorted((prompt.find(token), token) for token in order)
    out, rest = [], prompt
    for n, (_pos, token) in enumerate(spots):
        cut = rest.find(token)
        out.append(rest[:cut] + order[n])
        rest = rest[cut + len(token):]
    update["prompt"] = "".join(out) + rest


def _styles(update: dict[str, Any], value: str, _values: list[Any]) -> None:
    update["styles"] = [*(update.get("styles") or []), *(s.strip() for s in value.split(",") if s.strip())]


def _size(update: dict[str, Any], value: str, _values: list[Any]) -> None:
    width, height = _SIZE.match(value).groups()
    update["width"], update["height"] = int(width), int(height)


def _size_value(text: str) -> str:
    if not _SIZE.match(text):
        raise ValueError(f"{text!r} is not WIDTHxHEIGHT")
    return text


def _sampler(text: str) -> str:
    vocab.sampler(text, "value")
    return text


def _schedule(text: str) -> str:
    vocab.scheduler(text, "value")
    return text


SUPPORTED: dict[str, Axis] = {axis.label: axis for axis in (
    Axis("Nothing", str, lambda *_: None, ()),
    Axis("Seed", int, _set("seed"), ("seed",)),
    Axis("Var. seed", int, _set("subseed"), ("subseed",)),
    Axis("Var. strength", float, _set("subseed_strength"), ("subseed_strength",)),
    Axis("Steps", int, _set("steps"), ("steps",)),
    Axis("Hires steps", int, _set("hr_second_pass_steps"), ("hr_second_pass_steps",)),
    Axis("CFG Scale", float, _set("cfg_scale"), ("cfg_scale",)),
    Axis("Prompt S/R", str, _replace, ("prompt", "negative_prompt"), plain=True),
    Axis("Prompt order", str, _reorder, ("prompt",), plain=True),
    Axis("Sampler", _sampler, _set("sampler_name"), ("sampler_name", "sampler_index"), choices=True, plain=True),
    Axis("Checkpoint name", str, _override("sd_model_checkpoint"), ("override_settings.sd_model_checkpoint",),
         choices=True, plain=True),
    Axis("Schedule type", _schedule, _set("scheduler"), ("scheduler",), choices=True),
    Axis("Eta", float, _set("eta"), ("eta",)),
    Axis("Clip skip", int, _override("CLIP_stop_at_last_layers"), ("override_settings.CLIP_stop_at_last_layers",)),
    Axis("Denoising", float, _set("denoising_strength"), ("denoising_strength",)),
    Axis("Hires upscaler", str, _set("hr_upscaler"), ("hr_upscaler",), choices=True),
    Axis("VAE", str, _override("sd_vae"), ("override_settings.sd_vae",), choices=True),
    Axis("Styles", str, _styles, ("styles",), choices=True),
    Axis("Refiner checkpoint", str, _set("refiner_checkpoint"), ("refiner_checkpoint",), choices=True),
    Axis("Refiner switch at", float, _set("refiner_switch_at"), ("refiner_switch_at",)),
    Axis("Size", _size_value, _size, ("width", "height")),
)}
# where a payload field ends up in the job request, to name a value the job refuses
_JOB_FIELDS = {"override_settings.sd_model_checkpoint": "model", "override_settings.sd_vae": "vae",
               "override_settings.CLIP_stop_at_last_layers": "clip_skip", "sampler_name": "sampler",
               "hr_second_pass_steps": "hires.steps", "hr_upscaler": "hires.upscaler",
               "refiner_checkpoint": "refiner.model", "refiner_switch_at": "refiner.switch_at"}


def axes_for(img2img: bool) -> list[str]:
    """The axis labels of a tab, in the web UI's order (what an axis index counts)."""
    tab = I2I if img2img else T2I
    return [label for label, only in AXES if only in (None, tab)]


def _axis(value: Any, field: str, img2img: bool) -> Axis:
    labels = axes_for(img2img)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value < len(labels):
            raise InvalidInput(field, f"no axis {value}; this tab has 0..{len(labels) - 1}")
        label = labels[value]
    elif isinstance(value, str) and value.lower() in (lower := {lb.lower(): lb for lb in labels}):
        label = lower[value.lower()]
    else:
        raise InvalidInput(field, f"unknown axis {value!r}")
    if label not in SUPPORTED:
        raise InvalidInput(field, f"the {label!r} axis is not supported by Easel; supported: "
                           f"{', '.join(SUPPORTED)}")
    return SUPPORTED[label]


def _numbers(text: str, kind: type, room: int = MAX_JOBS) -> list[Any]:
    """Expand `a-b`, `a-b (+step)` and `a-b [count]` the way the web UI does; ValueError for more than `room`
    values, before they are built."""
    if len(text) > MAX_NUMBER_CHARS:
        raise ValueError(f"{text[:MAX_NUMBER_CHARS]!r}... is too long for a number or range")
    ranged, counted = (_INT_RANGE, _INT_COUNT) if kind is int else (_FLOAT_RANGE, _FLOAT_COUNT)
    if match := counted.fullmatch(text):
        start, end, count = float(match[1].replace(" ", "")), float(match[2].replace(" ", "")), int(match[3])
        if count > room:
            raise ValueError(f"range {text!r} has {count} values; a plot runs at most {MAX_JOBS} jobs")
        steps = [start + (end - start) * i / (count - 1) for i in range(count)] if count > 1 else [start]
        return [int(v) if kind is int else v for v in steps]
    if match := ranged.fullmatch(text):
        start, end = kind(match[1].replace(" ", "")), kind(match[2].replace(" ", ""))
        step = kind(match[3]) if match[3] else kind(1)
        if step == 0:
            raise ValueError(f"range {text!r} has a step of 0")
        values, value = [], start
        while value <= end if step > 0 else value >= end:
            if len(values) == room:  # counted as it goes: a float step may not even move a large value
                raise ValueError(f"range {text!r} has over {room} values; a plot runs at most {MAX_JOBS} jobs")
            values.append(value)
            value += step
        return values
    return [text]


def _listed(axis: Axis, text: Any, dropdown: Any, csv_mode: bool) -> Iterator[str]:
    """The axis's values as sent, read one at a time."""
    if axis.choices and not csv_mode and dropdown:
        items: Iterator[str] = (str(v) for v in (dropdown if isinstance(dropdown, list) else [dropdown]))
    else:
        items = (v.strip() for row in csv.reader(io.StringIO(str(text or ""))) for v in row)
    return (v for v in items if v != "")


def _values(axis: Axis, text: Any, dropdown: Any, csv_mode: bool, field: str) -> list[Any]:
    """An axis's values, ranges expanded; InvalidInput on `field` once there would be more than a plot runs."""
    if axis.label == "Nothing":
        return [None]
    kind, values = axis.kind, []
    try:
        for v in _listed(axis, text, dropdown, csv_mode):
            expanded = _numbers(v, kind, MAX_JOBS - len(values)) if kind in (int, float) else [v]
            values += [kind(float(x)) if kind is int and isinstance(x, str) else kind(x) for x in expanded]
            if len(values) > MAX_JOBS:
                raise ValueError(f"over {MAX_JOBS} values; a plot runs at most {MAX_JOBS} jobs")
    except (ValueError, OverflowError, csv.Error, InvalidInput) as exc:
        reason = exc.details.get("reason") if isinstance(exc, InvalidInput) else str(exc)
        raise InvalidInput(field, f"{axis.label}: {reason}", limit=MAX_JOBS) from None
    if not values:
        raise InvalidInput(field, f"the {axis.label!r} axis has no values")
    if axis.label == "Prompt order":
        expansion.orders(len(values), field)
        return list(itertools.permutations(values))
    if axis.label == "Prompt S/R" and len(values) < 2:
        raise InvalidInput(field, "Prompt S/R needs the text to find and at least one replacement")
    return values


def _legend(axis: Axis, value: Any) -> str:
    if axis.label == "Nothing":
        return ""
    if isinstance(value, float):
        value = round(value, 8)
    if isinstance(value, tuple):
        return ", ".join(value)
    if axis.label == "Checkpoint name":
        return str(value).rsplit("/", 1)[-1]
    return str(value) if axis.plain else f"{axis.label}: {value}"


def _raw(args: list[Any], i: int, default: Any = None) -> Any:
    return args[i] if i < len(args) and args[i] is not None else default


async def plot(ctx: Context, p: Generation, make, args: list[Any], task: str, img2img: bool,
               with_grid: bool) -> respond.Output:
    """Run every cell and draw the grid (first in the images), sub-grids and cells as the args ask."""
    modern = len(args) >= 17
    csv_mode = arg(args, 17 if modern else 14, False, bool)
    margin = arg(args, 16 if modern else 13, 0, int, 0, 500)
    vary = [arg(args, i, False, bool) for i in (13, 14, 15)] if modern else [False, False, False]
    draw_legend, lone, subs, no_fixed = (arg(args, i, d, bool) for i, d in ((9, True), (10, False), (11, False),
                                                                            (12, False)))
    axes: list[tuple[Axis, list[Any], str]] = []
    for k, (ti, vi, di) in enumerate(((0, 1, 2), (3, 4, 5), (6, 7, 8))):
        axis = _axis(_raw(args, ti, 1 if k == 0 else 0), f"script_args.{ti}", img2img)
        values = _values(axis, _raw(args, vi, ""), _raw(args, di), csv_mode, f"script_args.{vi}")
        if axis.label in ("Seed", "Var. seed") and not no_fixed:
            values = [secrets.randbelow(2**32) if v == -1 else v for v in values]
        if axis.label == "Prompt S/R" and values[0] not in (p.prompt or "") + "\n" + (p.negative_prompt or ""):
            raise InvalidInput(f"script_args.{vi}", f"Prompt S/R did not find {values[0]!r} in the prompt or "
                               "negative prompt")
        axes.append((axis, values, f"script_args.{vi}"))
    (x, xs, _), (y, ys, _), (z, zs, _) = axes
    expansion.at_most(len(xs) * len(ys) * len(zs), "this X/Y/Z plot")
    base = p if no_fixed else p.model_copy(update={"seed": fixed_seed(p)})
    if not with_grid:
        base = base.model_copy(update={"batch_size": 1})
    converted = []
    for iz, iy, ix in itertools.product(range(len(zs)), range(len(ys)), range(len(xs))):
        update: dict[str, Any] = {"prompt": base.prompt, "negative_prompt": base.negative_prompt,
                                  "styles": list(base.styles or []),
                                  "override_settings": dict(base.override_settings or {})}
        payload_names: dict[str, str] = {}
        for (axis, values, field), i in zip(axes, (ix, iy, iz), strict=True):
            try:
                axis.apply(update, values[i], values)
            except ValueError as exc:
                raise InvalidInput(field, f"{axis.label}: {exc}") from None
            payload_names |= {name: field for name in axis.fields}
        seed = update.get("seed", base.seed)
        if seed is not None and seed >= 0:
            update["seed"] = seed + sum(i for i, on in zip((ix, iy, iz), vary, strict=True) if on)
        with as_sent(payload_names):
            job = make(base.model_copy(update=update))
        job.names |= {_JOB_FIELDS.get(name, name): field for name, field in payload_names.items()}
        converted.append(job)
    dones = await run.run_all(ctx, converted, task)
    out = await asyncio.to_thread(respond.output, dones, True)  # reading and drawing images is CPU work
    out.extra = {"Script": "X/Y/Z plot"} | {f"{n} Type": a.label for n, (a, _, _) in zip("XYZ", axes, strict=True)
                                           if a.label != "Nothing"}
    if with_grid:
        await asyncio.to_thread(_draw, out, dones, (x, xs), (y, ys), (z, zs), draw_legend, lone, subs, margin)
    return out


def _draw(out: respond.Output, dones: list[run.Done], x: tuple[Axis, list], y: tuple[Axis, list],
          z: tuple[Axis, list], draw_legend: bool, lone: bool, subs: bool, margin: int) -> None:
    """Put the main grid (and, if asked, each Z value's sub-grid) before the cells (kept only if `lone`)."""
    size = next(((d.record.spec.width, d.record.spec.height) for d in dones), (8, 8))
    cells = grid.cells([d.pngs[0] if d.pngs else None for d in dones], size)
    per = len(x[1]) * len(y[1])
    columns = [[Label(_legend(x[0], v))] for v in x[1]]
    rows = [[Label(_legend(y[0], v))] for v in y[1]]
    sheets = []
    for iz in range(len(z[1])):
        chunk = cells[iz * per:(iz + 1) * per]
        sheet = grid.grid(chunk, rows=len(y[1]), margin=margin)
        if draw_legend:
            sheet = grid.annotate(sheet, chunk[0].width, chunk[0].height, columns, rows, margin)
        sheets.append(sheet)
    main = grid.grid(sheets, rows=1)
    if draw_legend:
        titles = [[Label(_legend(z[0], v))] for v in z[1]]
        main = grid.annotate(main, sheets[0].width, sheets[0].height, titles, [[Label("")]])
    infotext = out.infotexts[0] if out.infotexts else ""
    if not lone:
        out.images, out.infotexts = [], []
    if subs:
        for sheet in reversed(sheets):
            out.grid_first(grid.to_png(sheet, infotext), infotext)
    out.grid_first(grid.to_png(main, infotext), infotext)
