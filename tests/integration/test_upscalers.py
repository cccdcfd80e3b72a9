"""Upscalers: resamplers and tiny ESRGAN-family models give the requested size; latent modes the latent size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from easel_proto.errors import InvalidInput
from easel_proto.webui import LATENT_UPSCALE_MODES
from easel_worker.engine import upscalers
from easel_worker.engine.tiny_parts import build_tiny_hed, build_tiny_upscaler
from easel_worker.engine.upscalers import load_upscaler, upscale, upscale_latents

ARCHS = ("esrgan", "esrgan_original", "compact")


def picture(width: int = 40, height: int = 24) -> Image.Image:
    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("upscalers")
    return {arch: build_tiny_upscaler(root / f"{arch}.safetensors", arch) for arch in ARCHS}


def test_resamplers_give_the_requested_size():
    image = picture()
    for name in ("None", "Lanczos", "Nearest"):
        assert upscale(image, name, width=100, height=60).size == (100, 60)
    doubled = np.asarray(upscale(image, "Nearest", width=80, height=48))
    assert np.array_equal(doubled[::2, ::2], np.asarray(image))
    assert np.array_equal(doubled[1::2, 1::2], doubled[::2, ::2])


def test_unknown_upscaler_names_the_field():
    with pytest.raises(InvalidInput) as err:
        upscale(picture(), "SwinIR 4x", width=80, height=48)
    assert err.value.details["field"] == "hires.upscaler"
    with pytest.raises(InvalidInput, match="hires fix only") as err:
        upscale(picture(), "Latent", width=80, height=48, field="extras.upscaler")
    assert err.value.details["field"] == "extras.upscaler"


@pytest.mark.parametrize("arch", ARCHS)
def test_tiny_model_upscales_2x_to_the_requested_size(models, arch):
    assert load_upscaler(models[arch]).scale == 2
    image = picture()
    out = upscale(image, "tiny", width=80, height=48, model_path=models[arch])
    assert out.size == (80, 48)
    assert not np.array_equal(np.asarray(out), np.asarray(upscale(image, "Lanczos", width=80, height=48)))
    assert upscale(image, "tiny", width=100, height=61, model_path=models[arch]).size == (100, 61)


def test_odd_sizes_go_through_pixel_unshuffle_models(models):
    assert upscale(picture(41, 23), "tiny", width=82, height=46, model_path=models["esrgan"]).size == (82, 46)


def test_tiles_join_without_seams(models, monkeypatch):
    image = picture(70, 50)
    whole = upscale(image, "tiny", width=140, height=100, model_path=models["compact"])
    monkeypatch.setattr(upscalers, "TILE", 24)  # the compact net sees 4 px around: 16 px of overlap is plenty
    tiled = upscale(image, "tiny", width=140, height=100, model_path=models["compact"])
    assert np.abs(np.asarray(whole).astype(int) - np.asarray(tiled).astype(int)).max() <= 1


def test_a_target_no_larger_than_the_image_skips_the_model(models):
    image = picture()
    assert np.array_equal(np.asarray(upscale(image, "tiny", width=30, height=18, model_path=models["esrgan"])),
                          np.asarray(upscale(image, "Lanczos", width=30, height=18)))


def test_a_file_of_another_architecture_is_refused(tmp_path):
    hed = build_tiny_hed(tmp_path / "hed.safetensors")
    with pytest.raises(InvalidInput, match="not an ESRGAN") as err:
        upscale(picture(), "hed", width=80, height=48, model_path=hed, field="extras.upscaler")
    assert err.value.details["field"] == "extras.upscaler"


@pytest.mark.parametrize("mode", LATENT_UPSCALE_MODES)
def test_latent_modes_give_the_latent_size(mode):
    latents = torch.randn(2, 4, 8, 12)
    out = upscale_latents(latents, mode, width=192, height=128)
    assert out.shape == (2, 4, 16, 24)
    if mode == "Latent (nearest)":
        assert torch.equal(out[..., ::2, ::2], latents)
    assert upscale_latents(latents, mode, width=48, height=32, scale_factor=2).shape == (2, 4, 16, 24)


def test_unknown_latent_mode_is_refused():
    with pytest.raises(InvalidInput) as err:
        upscale_latents(torch.zeros(1, 4, 8, 8), "Lanczos", width=128, height=128)
    assert err.value.details["field"] == "hires.upscaler"
