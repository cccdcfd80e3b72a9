"""The web UI's SD upscale script as one job: upscale the init image, img2img it tile by tile, blend the tiles.

Tiles are the job's width x height, on the web UI's grid (easel_proto.tile_grid). Each output image (one per
seed) denoises every tile, batch_size tiles per call; tile j of call i gets seed `seed + i + j` (the web UI's
script moves its seed on by one per call, and a batch counts up from it) and variation seed `subseeds[0] + j`.
The tiles are put back as the web UI's images.combine_grid does: each tile's first `overlap` columns fade in over
its left neighbour, then each row's first `overlap` lines over the row above.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from easel_proto.errors import InvalidInput
from easel_proto.tile_grid import TileGrid, tile_grid
from easel_proto.v1.jobs import GenerationSpec

from .conditioning import Prompts
from .masks import flatten
from .passes import Images, Job, Pass, run
from .tasks import _input, _model_path, _strength
from .upscalers import upscale

SEED_SPACE = 2**32


def grid_of(spec: GenerationSpec) -> TileGrid:
    """The job's tile grid over its upscaled image; InvalidInput (naming the field) for one that cannot be tiled."""
    sd = spec.sd_upscale
    try:
        return tile_grid(sd.width, sd.height, spec.width, spec.height, sd.overlap or 0)
    except ValueError as exc:
        raise InvalidInput("sd_upscale", str(exc)) from None


def check(spec: GenerationSpec) -> None:
    """Refuse, by field, what SD upscale does not combine with (the gateway refuses them first)."""
    if spec.task != "img2img" or not spec.init_images:
        raise InvalidInput("sd_upscale", "SD upscale is an img2img script: it needs an init image")
    for field in ("mask", "outpaint", "hires", "refiner", "controlnets"):
        if getattr(spec, field):
            raise InvalidInput(field, "does not apply to SD upscale")
    grid_of(spec)


def calls(spec: GenerationSpec) -> int:
    """Denoising calls the job makes: its tiles in batch_size chunks, for every output image."""
    return math.ceil(grid_of(spec).count / (spec.batch_size or 1)) * len(spec.seeds)


def tile_seeds(seed: int, subseed: int | None, tiles: int, batch: int,
               varied: bool) -> list[tuple[list[int], list[int]]]:
    """(seeds, subseeds) of each denoising call of one output image, `batch` tiles a call; `varied`: a variation
    seed strength is set, and then (as in the web UI) the tiles of a call share its seed."""
    out = []
    for i, start in enumerate(range(0, tiles, batch)):
        count = min(batch, tiles - start)
        seeds = [(seed + i + (0 if varied else j)) % SEED_SPACE for j in range(count)]
        subseeds = [(subseed + j) % SEED_SPACE for j in range(count)] if subseed is not None else []
        out.append((seeds, subseeds))
    return out


def split(image: Image.Image, grid: TileGrid) -> list[Image.Image]:
    """The image's tiles, row by row."""
    return [image.crop(box) for box in grid.boxes()]


def _ramp(overlap: int) -> np.ndarray:
    """The blend weight of the incoming tile over its `overlap` shared pixels, as the web UI's 8-bit mask holds it
    (k * 255 // overlap, out of 255): 0 at the shared edge, towards 1 where the tile takes over."""
    return (np.arange(overlap, dtype=np.float32) * 255 / overlap).astype(np.uint8).astype(np.float32) / 255


def combine(tiles: Sequence[Image.Image], grid: TileGrid) -> Image.Image:
    """The tiles (row by row, each tile_w x tile_h) blended back into one width x height image."""
    if len(tiles) != grid.count:
        raise ValueError(f"{len(tiles)} tiles for a grid of {grid.count}")
    o, th = grid.overlap, grid.tile_h
    ramp = _ramp(o) if o else np.zeros(0, dtype=np.float32)
    out = np.zeros((grid.height, grid.width, 3), dtype=np.float32)
    pixels = iter(np.asarray(t.convert("RGB"), dtype=np.float32) for t in tiles)
    for r, y in enumerate(grid.ys):
        row = np.zeros((th, grid.width, 3), dtype=np.float32)
        for c, x in enumerate(grid.xs):
            tile = next(pixels)
            if c == 0:
                row[:, x:x + grid.tile_w] = tile
                continue
            w = ramp[None, :, None]
            row[:, x:x + o] = row[:, x:x + o] * (1 - w) + tile[:, :o] * w
            row[:, x + o:x + grid.tile_w] = tile[:, o:]
        if r == 0:
            out[y:y + th] = row
            continue
        h = ramp[:, None, None]
        out[y:y + o] = out[y:y + o] * (1 - h) + row[:o] * h
        out[y + o:y + th] = row[o:]
    return Image.fromarray(np.clip(np.rint(out), 0, 255).astype(np.uint8), "RGB")


def upscaled(init: Image.Image, spec: GenerationSpec, model_path: Path | None, device: Any) -> Image.Image:
    """The init image at the job's upscaled size: "None" keeps it (the web UI's script does not resize then; the
    gateway sized the job to it), any other upscaler runs to that size (upscalers.upscale)."""
    sd = spec.sd_upscale
    name = sd.upscaler or "None"
    if name == "None":
        if init.size != (sd.width, sd.height):
            raise InvalidInput("sd_upscale.upscaler", f"None keeps the {init.width}x{init.height} image; the job "
                               f"was sized for {sd.width}x{sd.height}")
        return init
    return upscale(init, name, width=sd.width, height=sd.height, model_path=model_path, device=device,
                   field="sd_upscale.upscaler")



def image_by_tiles(job: Job, prompts: Prompts, inputs: Mapping[str, Image.Image]) -> Images:
    """One upscaled, tile-by-tile img2img'd image per seed of the job."""
    spec = job.spec
    if not spec.init_images:
        raise InvalidInput("init_images", "SD upscale needs an init image")
    grid = grid_of(spec)
    init = flatten(_input(inputs, spec.init_images[0].key, "init_images.0"))
    path = _model_path(job, spec.sd_upscale.upscaler_model, "sd_upscale.upscaler")
    tiles = split(upscaled(init, spec, path, job.device), grid)
    strength = _strength(spec.denoising_strength, 0.75)
    batch = spec.batch_size or 1
    varied = bool(spec.subseed_strength)
    first_subseed = spec.subseeds[0] if spec.subseeds else None
    images: Images = []
    for seed in spec.seeds:
        done: Images = []
        for seeds, subseeds in tile_seeds(seed, first_subseed, len(tiles), batch, varied):
            step = Pass(spec.steps, spec.width, spec.height, prompts, strength=strength,
                        image=tiles[len(done):len(done) + len(seeds)], token_merging=spec.token_merging_ratio)
            done += run(job, step, seeds, subseeds)
        images.append(combine(done, grid))
    return images
