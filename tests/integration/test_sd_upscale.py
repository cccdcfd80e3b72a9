"""SD upscale on the worker (engine/sd_upscale.py) with the tiny model: the init image upscaled, img2img'd tile
by tile with the web UI's seeds, and the tiles blended back as the web UI's combine_grid does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from easel_proto.errors import InvalidInput
from easel_proto.naming import input_key
from easel_proto.tile_grid import tile_grid
from easel_proto.v1.jobs import GenerationSpec, InputImage, SdUpscaleSpec
from easel_proto.v1.registry import ModelInfo
from easel_worker.engine import GenerationEngine, sd_upscale
from easel_worker.images import infotext

TINY = ModelInfo(id="m-tiny", name="tiny", kind="checkpoint", base="tiny", source="builtin:tiny-sd")
INIT = input_key("t", "u", "init")


def gradient(width: int, height: int) -> Image.Image:
    x, y = np.meshgrid(np.linspace(0, 255, width), np.linspace(0, 255, height))
    return Image.fromarray(np.stack([x, y, 255 - x], axis=-1).astype(np.uint8))


IMAGES = {INIT: gradient(48, 40)}


def job(**over) -> GenerationSpec:
    """48x40 upscaled 2x by Lanczos to 96x80: 2x2 tiles of 64x64 overlapping by 16 (x at 0, 32; y at 0, 16)."""
    fields = dict(task="img2img", prompt="a lighthouse at dusk", model=TINY, sampler="Euler", steps=3,
                  cfg_scale=7.0, width=64, height=64, seeds=[5], batch_size=1, denoising_strength=0.6,
                  init_images=[InputImage(key=INIT, width=48, height=40)],
                  sd_upscale=SdUpscaleSpec(upscaler="Lanczos", scale=2.0, overlap=16, width=96, height=80))
    return GenerationSpec(**(fields | over))


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB")).astype(float)


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> GenerationEngine:
    return GenerationEngine(Path(tmp_path_factory.mktemp("sd-upscale-cache")), device="cpu")


@pytest.fixture
def spied(monkeypatch) -> dict[str, list]:
    """Each denoising call's seeds and subseeds, and the tiles handed to combine."""
    seen: dict[str, list] = {"seeds": [], "subseeds": [], "tiles": []}
    real_run, real_combine = sd_upscale.run, sd_upscale.combine

    def run(job, step, seeds, subseeds=()):
        seen["seeds"].append(list(seeds))
        seen["subseeds"].append(list(subseeds))
        return real_run(job, step, seeds, subseeds)

    def combine(tiles, grid):
        seen["tiles"].append(list(tiles))
        return real_combine(tiles, grid)

    monkeypatch.setattr(sd_upscale, "run", run)
    monkeypatch.setattr(sd_upscale, "combine", combine)
    return seen


def test_the_result_is_the_upscaled_size_blended_from_denoised_tiles(engine, spied):
    steps: list[tuple[int, int]] = []
    (image,) = engine.generate(job(), lambda done, total: steps.append((done, total)), None, IMAGES)
    assert image.size == (96, 80)
    grid = tile_grid(96, 80, 64, 64, 16)
    (tiles,) = spied["tiles"]
    assert len(tiles) == grid.count == 4 and all(t.size == (64, 64) for t in tiles)
    # the result is exactly the blend of the denoised tiles
    assert np.array_equal(pixels(image), pixels(sd_upscale.combine(tiles, grid)))
    # every tile was denoised: none is the plain upscaled crop it started from
    plain = IMAGES[INIT].resize((96, 80), Image.Resampling.LANCZOS)
    for tile, box in zip(tiles, grid.boxes(), strict=True):
        assert np.abs(pixels(tile) - pixels(plain.crop(box))).mean() > 3
    # progress counts every tile's steps
    assert steps[-1][0] == steps[-1][1] and steps[-1][1] % 4 == 0


@pytest.mark.slow  # 8 denoising calls: about 50 s on a loaded 2-core machine
def test_tiles_take_the_web_uis_seeds_per_call_and_batch_position(engine, spied):
    three = {"width": 48, "height": 80, "steps": 2}  # 3 tiles of 48x80 across the 96x80 image
    images = engine.generate(job(seeds=[5, 6], subseeds=[100, 101], batch_size=1, **three), lambda *_: None, None,
                             IMAGES)
    assert len(images) == 2 and all(im.size == (96, 80) for im in images)
    # one tile a call: the seed moves on by one per call; the second image starts one further
    assert spied["seeds"] == [[5], [6], [7], [6], [7], [8]]
    assert spied["subseeds"] == [[100]] * 6
    spied["seeds"].clear()
    spied["subseeds"].clear()
    engine.generate(job(seeds=[5], subseeds=[100], batch_size=2, **three), lambda *_: None, None, IMAGES)
    assert spied["seeds"] == [[5, 6], [6]]  # a batch counts up from its call's seed
    assert spied["subseeds"] == [[100, 101], [100]]


def test_the_blend_fades_each_tile_in_over_the_overlap_as_combine_grid(engine):
    # two columns of flat tiles, 0 and 240, over a 96x64 image: the second starts at x=32, blended over 16 pixels
    grid = tile_grid(96, 64, 64, 64, 16)
    dark, light = Image.new("RGB", (64, 64), (0, 0, 0)), Image.new("RGB", (64, 64), (240, 240, 240))
    row = pixels(sd_upscale.combine([dark, light], grid))[0, :, 0]
    ramp = np.floor(np.arange(16) * 255 / 16) / 255
    assert np.allclose(row[32:48], np.rint(240 * ramp))
    assert (row[:32] == 0).all() and (row[48:] == 240).all()
    # against pasting the tiles edge to edge, no column-to-column jump is larger than one step of the ramp
    hard = np.concatenate([np.zeros(32), np.full(64, 240.0)])
    assert np.abs(np.diff(hard)).max() == 240 and np.abs(np.diff(row)).max() <= 16


def test_rows_blend_over_the_row_above(engine):
    grid = tile_grid(64, 96, 64, 64, 16)
    top, bottom = Image.new("RGB", (64, 64), (0, 0, 0)), Image.new("RGB", (64, 64), (200, 200, 200))
    column = pixels(sd_upscale.combine([top, bottom], grid))[:, 10, 1]
    assert (column[:32] == 0).all() and column[32] == 0 and 0 < column[40] < 200 and (column[48:] == 200).all()


def test_without_an_upscaler_the_image_keeps_its_size(engine):
    init = gradient(64, 48)
    spec = job(init_images=[InputImage(key=INIT, width=64, height=48)], width=48, height=48, steps=2,
               sd_upscale=SdUpscaleSpec(upscaler="None", scale=2.0, overlap=16, width=64, height=48))
    (image,) = engine.generate(spec, lambda *_: None, None, {INIT: init})
    assert image.size == (64, 48)


def test_the_infotext_says_the_overlap_and_upscaler_as_the_web_ui():
    text = infotext(job(), 5)
    assert "Size: 64x64" in text and "SD upscale overlap: 16, SD upscale upscaler: Lanczos" in text


@pytest.mark.parametrize(("over", "field"), [
    ({"width": 128}, "sd_upscale"),  # a tile wider than the upscaled image
    ({"mask": InputImage(key=INIT, width=48, height=40)}, "mask"),
])
def test_a_spec_that_cannot_be_tiled_names_the_field(engine, over, field):
    with pytest.raises(InvalidInput) as refused:
        engine.generate(job(**over), lambda *_: None, None, IMAGES)
    assert refused.value.details["field"] == field
