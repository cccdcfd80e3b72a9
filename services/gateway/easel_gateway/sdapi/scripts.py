"""The web UI's selectable scripts (`script_name` + positional `script_args`), each as ordinary Easel jobs.

prompt matrix: one job per combination of the `|`-separated prompt parts, and a labelled grid.
x/y/z plot: see xyz.py. loopback (img2img): each loop's output is the next loop's init image.
poor man's outpainting (img2img): Easel's native outpaint, with the script's arguments.
SD upscale (img2img): one job that upscales the init image and img2img's it tile by tile (the worker's
engine/sd_upscale.py).
A grid comes first in `images` unless the caller's web UI option return_grid is false.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

from PIL import Image

from easel_gateway.admission import scripts as expansion
from easel_gateway.admission.scripts import MAX_JOBS
from easel_gateway.sdapi import grid, infotext, respond, run, vocab, xyz
from easel_gateway.sdapi.context import Context
from easel_gateway.sdapi.grid import Label
from easel_gateway.sdapi.payloads import Generation, Img2Img
from easel_gateway.sdapi.script_args import arg, choice, fixed_seed, maker
from easel_proto.errors import InvalidInput
from easel_proto.v1 import jobs
from easel_proto.webui import IMAGE_UPSCALERS

TXT2IMG = ("prompt matrix", "x/y/z plot")
IMG2IMG = ("prompt matrix", "x/y/z plot", "loopback", "poor man's outpainting", "sd upscale")
ALWAYS_ON = ("controlnet",)


async def return_grid(ctx: Context) -> bool:
    """The caller's web UI option return_grid (read fresh: it may have been set just before)."""
    return bool(((await ctx.svc.settings(ctx.caller)).webui_options or {}).get("return_grid", True))


async def run_script(ctx: Context, p: Generation, img2img: bool, model: str | None = None,
                     pool: str | None = None) -> dict[str, Any]:
    """Run `p.script_name` on the payload; 422 for a script the web UI would not find on this tab."""
    name = (p.script_name or "").strip().lower()
    if name not in (IMG2IMG if img2img else TXT2IMG):
        if name in ALWAYS_ON:
            raise InvalidInput("script_name", "Cannot have an always on script in script_name")
        raise InvalidInput("script_name", f"Script '{p.script_name}' not found")
    args = list(p.script_args or [])
    if p.infotext:  # fill in once, so every job of the script sees the same values
        p = p.model_copy(update={**infotext.fill(p.model_fields_set, p.infotext), "infotext": None})
    make = maker(img2img, model, pool, ctx.mine.webui_options)
    task, with_grid = await run.task_id(ctx, p.force_task_id), await return_grid(ctx)
    if name == "prompt matrix":
        out = await prompt_matrix(ctx, p, make, args, task, with_grid)
    elif name == "x/y/z plot":
        out = await xyz.plot(ctx, p, make, args, task, img2img, with_grid)
    elif name == "loopback":
        out = await loopback(ctx, p, make, args, task, with_grid)
    elif name == "sd upscale":
        out = await sd_upscale(ctx, p, make, args, task)
    else:
        out = await outpainting(ctx, p, make, args, task)
    return await asyncio.to_thread(respond.generation, p, out)  # base64 of every image: CPU work


def _first_pngs(dones: list[run.Done]) -> list[Image.Image]:
    """Each job's first image; an interrupted job leaves a blank cell."""
    size = next(((d.record.spec.width, d.record.spec.height) for d in dones), (8, 8))
    return grid.cells([d.pngs[0] if d.pngs else None for d in dones], size)


async def prompt_matrix(ctx: Context, p: Generation, make, args: list[Any], task: str,
                        with_grid: bool) -> respond.Output:
    """Args: put_at_start, different_seeds, prompt_type (positive|negative), variations_delimiter
    (comma|space), margin_size."""
    put_at_start, different_seeds = arg(args, 0, False, bool), arg(args, 1, False, bool)
    prompt_type = choice(args, 2, "positive", ("positive", "negative"))
    delimiter = ", " if choice(args, 3, "comma", ("comma", "space")) == "comma" else " "
    margin = arg(args, 4, 0, int, 0, 500)
    field = "prompt" if prompt_type == "positive" else "negative_prompt"
    parts = (getattr(p, field) or "").split("|")
    expansion.matrix(len(parts) - 1, field)
    seed = fixed_seed(p)
    cells = []
    for combination in range(2 ** (len(parts) - 1)):
        chosen = [part.strip().strip(",") for n, part in enumerate(parts[1:]) if combination & (1 << n)]
        text = delimiter.join([*chosen, parts[0]] if put_at_start else [parts[0], *chosen])
        cells.append(p.model_copy(update={field: text, "batch_size": 1, "n_iter": 1,
                                          "seed": seed + (combination if different_seeds else 0)}))
    dones = await run.run_all(ctx, [make(cell) for cell in cells], task)
    return await asyncio.to_thread(_matrix, dones, parts[1:], with_grid, margin)  # drawing is CPU work


def _matrix(dones: list[run.Done], options: list[str], with_grid: bool, margin: int) -> respond.Output:
    """The matrix's images, after its labelled grid when asked."""
    out = respond.output(dones)
    if with_grid and out.images:
        images = _first_pngs(dones)
        across, down = options[: math.ceil(len(options) / 2)], options[math.ceil(len(options) / 2):]
        columns = [[Label(x, bool(pos & (1 << i))) for i, x in enumerate(across)] for pos in range(1 << len(across))]
        rows = [[Label(y, bool(pos & (1 << i))) for i, y in enumerate(down)] for pos in range(1 << len(down))]
        sheet = grid.grid(images, rows=1 << (len(options) // 2), margin=margin)
        sheet = grid.annotate(sheet, images[0].width, images[0].height, columns, rows, margin)
        out.grid_first(grid.to_png(sheet, out.infotexts[0]))
    return out


def _curve(initial: float, final: float, curve: str, loops: int):
    """The loopback's denoising strength for loop i: from `initial` towards `final` along `curve`."""
    def strength(i: int) -> float:
        if loops == 1:
            return initial
        progress = i / (loops - 1)
        shape = {"Aggressive": math.sin(progress * math.pi / 2),
                 "Lazy": 1 - math.cos(progress * math.pi / 2)}.get(curve, progress)
        return initial + (final - initial) * shape
    return strength


def _factor(initial: float, factor: float):
    """The old loopback: each loop multiplies the strength by `factor` (kept within 0.1..1)."""
    def strength(i: int) -> float:
        value = initial
        for _ in range(i):
            value = min(max(value * factor, 0.1), 1.0)
        return value
    return strength


async def loopback(ctx: Context, p: Img2Img, make, args: list[Any], task: str, with_grid: bool) -> respond.Output:
    """Args: loops, final_denoising_strength, denoising_curve (Aggressive|Linear|Lazy), append_interrogation
    (None only: Easel has no interrogator); or the older loops, denoising_strength_change_factor."""
    loops = arg(args, 0, 4, int, 1, MAX_JOBS)
    initial = p.denoising_strength if p.denoising_strength is not None else 0.75
    if len(args) == 2:
        strength = _factor(initial, arg(args, 1, 1.0, float, 0.0, 10.0))
    else:
        final = arg(args, 1, 0.5, float, 0.0, 1.0)
        strength = _curve(initial, final, choice(args, 2, "Linear", ("Aggressive", "Linear", "Lazy")), loops)
        if choice(args, 3, "None", ("None", "CLIP", "DeepBooru")) != "None":
            raise InvalidInput("script_args.3", "Easel has no interrogator; send \"None\"")
    rounds = p.n_iter or 1
    expansion.at_most(loops * rounds, "this loopback")
    seed = fixed_seed(p)
    base = p.model_copy(update={"batch_size": 1, "n_iter": 1})
    await run.prepare(ctx, make(base.model_copy(update={"seed": seed})))  # refuse bad input before any job

    async def one_round(r: int) -> list[run.Done]:
        done: list[run.Done] = []
        image = p.init_images
        for i in range(loops):
            cell = base.model_copy(update={
                "init_images": image, "seed": (seed + r * loops + i) % 2**32, "denoising_strength": strength(i),
                "inpainting_fill": p.inpainting_fill if i == 0 else 1})  # then "original": keep what was drawn
            result = await run.run(ctx, make(cell), run.task_key(task, r * loops + i))
            done.append(result)
            if result.record.status != "succeeded" or not result.pngs:  # interrupted: the round ends here
                break
            image = [await asyncio.to_thread(respond.b64, result.pngs[0])]
        return done

    histories = await asyncio.gather(*(one_round(r) for r in range(rounds)))
    kept = histories[0] if rounds == 1 else [h[-1] for h in histories]
    out = await asyncio.to_thread(_looped, kept, with_grid)  # drawing is CPU work
    out.extra = {"Final denoising strength": strength(loops - 1)}
    return out


def _looped(kept: list[run.Done], with_grid: bool) -> respond.Output:
    """The loops' images, after a grid of them when asked."""
    out = respond.output(kept)
    drawn = [d for d in kept if d.pngs]
    if with_grid and len(drawn) > 1:
        out.grid_first(grid.to_png(grid.grid(_first_pngs(drawn), rows=1), out.infotexts[0]))
    return out


async def outpainting(ctx: Context, p: Img2Img, make, args: list[Any], task: str) -> respond.Output:
    """Args: pixels, mask_blur, inpainting_fill (index or name), direction (left, right, up, down)."""
    pixels = arg(args, 0, 128, int, 8, 256) // 8 * 8
    blur = arg(args, 1, 4, int, 0, 64)
    fill = vocab.inpaint_fill(args[2] if len(args) > 2 and args[2] is not None else 0, "script_args.2")
    direction = arg(args, 3, ["left", "right", "up", "down"], list)
    unknown = set(direction) - {"left", "right", "up", "down"}
    if unknown:
        raise InvalidInput("script_args.3", f"unknown directions {sorted(unknown)}; use left, right, up, down")
    pad = {side: pixels if name in direction else 0
           for side, name in (("left", "left"), ("right", "right"), ("top", "up"), ("bottom", "down"))}
    cell = p.model_copy(update={"init_images": (p.init_images or [])[:1], "mask": None, "mask_blur": blur * 2,
                                "inpainting_fill": fill, "inpaint_full_res": False, "width": None, "height": None,
                                "batch_size": 1, "n_iter": 1})
    converted = make(cell)
    converted.job = converted.job.model_copy(update={"outpaint": jobs.OutpaintRequest(**pad)})
    converted.names["outpaint"] = "script_args.0"
    done = await run.run(ctx, converted, run.task_key(task))
    return respond.output([done])


# where SD upscale's job fields came from in script_args
_SD_UPSCALE_ARGS = {"sd_upscale": "script_args", "sd_upscale.overlap": "script_args.1",
                    "sd_upscale.upscaler": "script_args.2", "sd_upscale.scale": "script_args.3"}


async def _upscaler_name(ctx: Context, value: Any) -> str:
    """script_args[2], the web UI's upscaler_index: a position in /sdapi/v1/upscalers (None, Lanczos, Nearest, then
    the caller's upscaler models) or a name, matched without case as the web UI does; an unknown name is left for
    admission to refuse."""
    if value is None:
        return "None"
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInput("script_args.2", f"must be an upscaler's index or name (got {value!r})")
    if isinstance(value, str):
        builtin = next((name for name in IMAGE_UPSCALERS if name.lower() == value.lower()), None)
        if builtin is not None:
            return builtin
    elif 0 <= value < len(IMAGE_UPSCALERS):
        return IMAGE_UPSCALERS[value]
    found = [m.name for m in await ctx.registry.list_models(ctx.caller, "upscaler") if m.status == "ready"]
    if isinstance(value, str):
        return next((name for name in found if name.lower() == value.lower()), value)
    names = [*IMAGE_UPSCALERS, *found]
    if not 0 <= value < len(names):
        raise InvalidInput("script_args.2", f"upscaler index {value} is out of range: {len(names)} upscalers "
                           "(GET /sdapi/v1/upscalers)")
    return names[value]


async def sd_upscale(ctx: Context, p: Img2Img, make, args: list[Any], task: str) -> respond.Output:
    """Args: info (unused), overlap, upscaler_index (index or name), scale_factor. One job: its n_iter images are
    the upscales, its batch_size the tiles denoised at once; no grid, as in the web UI."""
    overlap = arg(args, 1, 64, int, 0, 256)
    upscaler = await _upscaler_name(ctx, args[2] if len(args) > 2 else None)
    scale = arg(args, 3, 2.0, float, 1.0, 4.0)
    converted = make(p)
    converted.job = converted.job.model_copy(update={
        "sd_upscale": jobs.SdUpscaleRequest(upscaler=upscaler, scale=scale, overlap=overlap)})
    converted.names.update(_SD_UPSCALE_ARGS)
    done = await run.run(ctx, converted, run.task_key(task))
    out = respond.output([done])
    spec = done.record.spec.sd_upscale
    out.extra = {"SD upscale overlap": overlap, "SD upscale upscaler": spec.upscaler if spec else upscaler}
    return out
