"""Live previews: latents projected to a small RGB image, offered to the worker during a run, bounded in size."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
import torch
from PIL import Image

from easel_proto.v1.jobs import GenerationSpec
from easel_proto.v1.registry import ModelInfo
from easel_worker.engine import GenerationEngine
from easel_worker.engine.preview import MAX_GRID_SIDE, MAX_SIDE, grid_shape, latent_preview, latents_to_rgb
from easel_worker.images import preview_uri

TINY = ModelInfo(id="m-tiny", name="tiny", kind="checkpoint", base="tiny", source="builtin:tiny-sd")


def decoded(uri: str) -> Image.Image:
    mime, data = uri.split(",", 1)
    assert mime == "data:image/webp;base64"
    return Image.open(io.BytesIO(base64.b64decode(data)))


@pytest.mark.parametrize("xl", [False, True])
def test_latents_become_an_image_of_their_own_size_in_range(xl):
    latents = torch.randn(2, 4, 48, 64, generator=torch.Generator().manual_seed(3)) * 4  # beyond the colour range
    rgb = latents_to_rgb(latents, xl)
    assert rgb is not None and rgb.shape == (48, 64, 3)
    assert float(rgb.min()) >= 0.0 and float(rgb.max()) <= 1.0
    image = latent_preview(latents[:1], xl)
    assert image is not None and image.size == (64, 48) and image.mode == "RGB"


def test_a_batch_is_previewed_as_a_grid_of_all_its_images_within_the_size_bound():
    # four images, each a flat colour of its own: a 2x2 grid, each quarter showing its image
    colours = torch.stack([torch.full((4, 16, 16), v) for v in (-2.0, -0.5, 0.5, 2.0)])
    image = latent_preview(colours, xl=False)
    assert image is not None and image.size == (32, 32)
    quarters = [image.getpixel((x, y)) for y in (8, 24) for x in (8, 24)]
    singles = [latent_preview(c, xl=False).getpixel((8, 8)) for c in colours]
    assert quarters == singles and len(set(quarters)) == 4
    assert [grid_shape(n) for n in (1, 2, 3, 4, 5, 8)] == [(1, 1), (1, 2), (2, 2), (2, 2), (2, 3), (3, 3)]
    # three images: the last row's empty place stays black
    assert latent_preview(colours[:3], xl=False).getpixel((24, 24)) == (0, 0, 0)
    # eight 1024x1024 images' latents (smooth, as a denoising estimate is): the grid is shrunk to its bound and its
    # WebP fits in a progress event
    coarse = torch.randn(8, 4, 8, 8, generator=torch.Generator().manual_seed(2))
    big = latent_preview(torch.nn.functional.interpolate(coarse, size=(128, 128), mode="bilinear"), xl=False)
    assert big.size == (MAX_GRID_SIDE, MAX_GRID_SIDE)
    uri = preview_uri(big, 32 * 1024)
    assert uri is not None and decoded(uri).size == big.size


def test_families_colour_the_same_latents_differently():
    latents = torch.randn(1, 4, 8, 8, generator=torch.Generator().manual_seed(1))
    assert not torch.allclose(latents_to_rgb(latents, False), latents_to_rgb(latents, True))


def test_a_large_latent_is_shrunk_and_unknown_channels_give_none():
    image = latent_preview(torch.zeros(1, 4, 128, 256), xl=True)  # a 2048x1024 image's latents
    assert image is not None and max(image.size) == MAX_SIDE and image.size == (128, 64)
    assert latent_preview(torch.zeros(1, 16, 32, 32), xl=False) is None  # not a 4-channel VAE


def test_preview_uri_is_a_decodable_webp_and_bounded():
    noisy = Image.fromarray(np.random.default_rng(0).integers(0, 255, (128, 128, 3), dtype=np.uint8))
    uri = preview_uri(noisy, 32 * 1024)
    assert uri is not None and len(uri) <= 32 * 1024
    assert decoded(uri).size == (128, 128)
    assert preview_uri(noisy, 1024) is None  # too large for the event: left out rather than sent


def test_a_run_offers_previews_of_the_latent_size_before_each_step(tmp_path):
    engine = GenerationEngine(tmp_path, device="cpu")
    order: list[str] = []
    previews: list[Image.Image] = []

    def on_preview(step: int, total: int, make) -> None:
        order.append(f"preview {step}")
        if step == 2:
            previews.append(make())

    def on_step(step: int, total: int) -> None:
        order.append(f"step {step}")

    spec = GenerationSpec(prompt="a fox", model=TINY, sampler="Euler", steps=3, cfg_scale=7.0, width=64, height=48,
                          seeds=[5])
    images = engine.generate(spec, on_step, on_preview=on_preview)
    assert images[0].size == (64, 48)
    assert order == ["preview 1", "step 1", "preview 2", "step 2", "preview 3", "step 3"]
    (image,) = previews
    # the latent's own size (the tiny model's VAE halves each side), not decoded; a picture, not a flat fill
    assert image.size == (32, 24) and len(set(image.getdata())) > 1
