"""ControlNet units on the tiny pipeline: a unit steers the image, weight 0 does not, several units combine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from diffusers import (
    ControlNetModel,
    StableDiffusionControlNetImg2ImgPipeline,
    StableDiffusionControlNetPipeline,
    StableDiffusionPipeline,
)
from diffusers.models.controlnets.multicontrolnet import MultiControlNetModel
from PIL import Image, ImageDraw
from safetensors.torch import load_file, save_file

from easel_proto.errors import GenerationFailed, InvalidInput
from easel_proto.v1.jobs import ControlNetSpec
from easel_proto.v1.registry import ModelInfo
from easel_worker.engine import build_tiny_sd
from easel_worker.engine.controlnet import (
    ControlNetCache,
    check_units,
    conditioning_channels,
    control_args,
    detect_map,
    fit_image,
    processor_resolution,
)
from easel_worker.engine.tiny_parts import build_tiny_controlnet

SIZE = 64


def controlnet_info(model_id: str = "cn-tiny", fmt: str = "diffusers", base: str = "tiny") -> ModelInfo:
    return ModelInfo(id=model_id, name=model_id, kind="controlnet", base=base, source=f"store:t/models/{model_id}",
                     format=fmt)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    return build_tiny_sd(tmp_path_factory.mktemp("tiny") / "tiny-sd")


@pytest.fixture(scope="module")
def cn_folder(tiny, tmp_path_factory) -> Path:
    return build_tiny_controlnet(tmp_path_factory.mktemp("cn") / "cn-tiny", tiny)


@pytest.fixture(scope="module")
def net(cn_folder) -> ControlNetModel:
    return ControlNetCache(2).get(controlnet_info(), cn_folder, dtype=torch.float32, device="cpu")


@pytest.fixture(scope="module")
def pipe(tiny) -> StableDiffusionPipeline:
    pipe = StableDiffusionPipeline.from_pretrained(tiny, local_files_only=True, safety_checker=None,
                                                   feature_extractor=None, requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def edges() -> Image.Image:
    """A control map: a white square outline on black."""
    image = Image.new("RGB", (SIZE, SIZE), "black")
    ImageDraw.Draw(image).rectangle((12, 12, 52, 52), outline="white", width=3)
    return image


def unit(**overrides) -> ControlNetSpec:
    return ControlNetSpec(model=controlnet_info(), **overrides)


def generate(pipe, net, units: list[ControlNetSpec]) -> np.ndarray:
    """One seeded 64x64 image, 3 steps; no units runs the plain txt2img pipeline."""
    call = {"prompt": "a house", "num_inference_steps": 3, "width": SIZE, "height": SIZE, "output_type": "np",
            "generator": torch.Generator("cpu").manual_seed(7)}
    if not units:
        return pipe(**call).images[0]
    args = control_args(units, [edges()] * len(units), [net] * len(units), width=SIZE, height=SIZE)
    control = StableDiffusionControlNetPipeline.from_pipe(pipe, controlnet=args.controlnet)
    control.set_progress_bar_config(disable=True)
    return control(**call, **args.kwargs).images[0]


def test_a_unit_changes_the_image_and_weight_zero_leaves_it_alone(pipe, net):
    plain = generate(pipe, net, [])
    assert np.abs(generate(pipe, net, [unit()]) - plain).max() > 0.02
    np.testing.assert_allclose(generate(pipe, net, [unit(weight=0.0)]), plain, atol=1e-5)


def test_two_units_run_as_a_multicontrolnet(pipe, net):
    args = control_args([unit(), unit(weight=0.5)], [edges()] * 2, [net] * 2, width=SIZE, height=SIZE)
    assert isinstance(args.controlnet, MultiControlNetModel)
    assert len(args.kwargs["image"]) == 2 and args.kwargs["controlnet_conditioning_scale"] == [1.0, 0.5]
    one = generate(pipe, net, [unit()])
    two = generate(pipe, net, [unit(), unit(weight=0.5)])
    assert np.abs(two - one).max() > 0.01


def test_control_modes(pipe, net):
    plain = generate(pipe, net, [])
    balanced, prompt, controlnet = (generate(pipe, net, [unit(control_mode=m)])
                                    for m in ("balanced", "prompt", "controlnet"))
    assert control_args([unit(control_mode="controlnet")], [edges()], [net], width=SIZE, height=SIZE) \
        .kwargs["guess_mode"] is True
    # "My prompt is more important" weakens the control: the image stays closer to the uncontrolled one.
    assert np.abs(prompt - plain).mean() < np.abs(balanced - plain).mean()
    assert np.abs(controlnet - balanced).max() > 0.01


def test_guidance_end_before_start_is_refused_naming_the_unit():
    with pytest.raises(InvalidInput) as err:
        control_args([unit(), unit(guidance_start=0.8, guidance_end=0.2)], [edges()] * 2, [None, None],
                     width=SIZE, height=SIZE)
    assert err.value.details["field"] == "controlnets.1.guidance_start"


def test_img2img_takes_the_map_as_control_image(pipe, net):
    args = control_args([unit()], [edges()], [net], width=SIZE, height=SIZE, image_key="control_image")
    assert "image" not in args.kwargs
    control = StableDiffusionControlNetImg2ImgPipeline.from_pipe(pipe, controlnet=args.controlnet)
    control.set_progress_bar_config(disable=True)
    out = control("a house", image=Image.new("RGB", (SIZE, SIZE), "gray"), strength=0.5, num_inference_steps=4,
                  generator=torch.Generator("cpu").manual_seed(7), output_type="pil", **args.kwargs).images[0]
    assert out.size == (SIZE, SIZE)


def test_control_maps_are_fitted_to_the_output_size(net):
    wide = Image.new("RGB", (128, 32), "white")
    args = control_args([unit(resize_mode="resize_and_fill")], [wide], [net], width=SIZE, height=SIZE)
    fitted = np.asarray(args.kwargs["image"])
    assert fitted.shape == (SIZE, SIZE, 3)
    assert (fitted == 255).all()  # the bands take the map's border colour, not black


def test_fit_image_modes():
    image = Image.new("RGB", (200, 100), "red")
    ImageDraw.Draw(image).rectangle((0, 0, 74, 99), fill="blue")  # the left 3/8 is blue
    assert fit_image(image, 64, 64, "just_resize").getpixel((20, 32)) == (0, 0, 255)
    cropped = fit_image(image, 64, 64, "crop_and_resize")  # scaled to 128x64, 32 px cut from each side
    assert cropped.size == (64, 64) and cropped.getpixel((4, 32)) == (0, 0, 255)
    assert cropped.getpixel((24, 32)) == (255, 0, 0)
    filled = fit_image(image, 64, 64, "resize_and_fill")
    assert filled.getpixel((32, 2)) == (255, 0, 0) and filled.getpixel((4, 2)) == (0, 0, 255)  # edges stretched
    median = fit_image(image, 64, 64, "resize_and_fill", fill="median")
    assert median.getpixel((32, 2)) == (255, 0, 0)
    with pytest.raises(InvalidInput) as err:
        fit_image(image, 64, 64, "latent_upscale", field="resize_mode")
    assert err.value.details["field"] == "resize_mode"


def test_pixel_perfect_picks_the_resolution_that_lands_one_to_one():
    assert processor_resolution(unit(processor_res=384), (400, 200), width=512, height=512) == 384
    assert processor_resolution(unit(pixel_perfect=True), (400, 200), width=512, height=512) == 512
    assert processor_resolution(unit(pixel_perfect=True, resize_mode="resize_and_fill"), (400, 200),
                                width=512, height=512) == 256
    assert processor_resolution(unit(module="canny", processor_res=-1), (400, 200), width=512, height=512) == 512


def test_detect_map_runs_the_units_preprocessor():
    drawing = Image.new("RGB", (96, 96), "white")
    ImageDraw.Draw(drawing).rectangle((20, 20, 70, 70), outline="black", width=2)
    out = detect_map(unit(module="canny", processor_res=64), drawing, index=0, width=SIZE, height=SIZE)
    assert out.size == (64, 64) and set(np.unique(np.asarray(out))) == {0, 255}
    with pytest.raises(InvalidInput) as err:
        detect_map(unit(module="nope"), drawing, index=3, width=SIZE, height=SIZE)
    assert err.value.details["field"] == "controlnets.3.module"


def test_check_units_refuses_a_controlnet_of_another_base_or_kind():
    check_units([unit()], base="tiny")
    with pytest.raises(InvalidInput, match="base sd15"):
        check_units([unit(), ControlNetSpec(model=controlnet_info(base="sd15"))], base="tiny")
    lora = controlnet_info().model_copy(update={"kind": "lora"})
    with pytest.raises(InvalidInput) as err:
        check_units([ControlNetSpec(model=lora)], base="tiny")
    assert err.value.details["field"] == "controlnets.0.model"


def test_single_file_controlnet_loads_offline_like_its_folder(tiny, cn_folder, net, tmp_path):
    single = tmp_path / "cn.safetensors"
    save_file(load_file(cn_folder / "diffusion_pytorch_model.safetensors"), str(single))
    cache = ControlNetCache(1, cache_dir=tmp_path / "cache")
    loaded = cache.get(controlnet_info("cn-file", "safetensors"), single, dtype=torch.float32, device="cpu")
    assert tuple(loaded.config.conditioning_embedding_out_channels) == (16, 32)
    for (name, a), b in zip(net.state_dict().items(), loaded.state_dict().values(), strict=True):
        assert torch.equal(a, b), name
    again = cache.get(controlnet_info("cn-file", "safetensors"), single, dtype=torch.float32, device="cpu")
    assert again is loaded
    cache.get(controlnet_info(), cn_folder, dtype=torch.float32, device="cpu")
    assert cache.loaded() == ["cn-tiny"]  # max_loaded=1 evicted the first


def test_a_single_file_without_a_local_base_config_is_refused_clearly(cn_folder, tmp_path):
    single = tmp_path / "cn.safetensors"
    save_file(load_file(cn_folder / "diffusion_pytorch_model.safetensors"), str(single))
    cache = ControlNetCache(1, cache_dir=tmp_path / "cache")
    with pytest.raises(GenerationFailed, match="EASEL_MODEL_CONFIG_DIR"):
        cache.get(controlnet_info("cn-sd15", "safetensors", base="sd15"), single, dtype=torch.float32, device="cpu")
    with pytest.raises(GenerationFailed, match="could not load ControlNet"):
        cache.get(controlnet_info("cn-missing"), tmp_path / "nowhere", dtype=torch.float32, device="cpu")


def test_conditioning_channels_read_from_original_layout_weights():
    # ControlNet 1.1's hint encoder: 3 -> 16 -> 16 -> 32 (s2) -> 32 -> 96 (s2) -> 96 -> 256 (s2) -> 320
    widths = [(3, 16), (16, 16), (16, 32), (32, 32), (32, 96), (96, 96), (96, 256), (256, 320)]
    shapes = {f"control_model.input_hint_block.{2 * i}.weight": (o, c, 3, 3) for i, (c, o) in enumerate(widths)}
    assert conditioning_channels(shapes) == (3, (16, 32, 96, 256))
    with pytest.raises(ValueError):
        conditioning_channels({"model.diffusion_model.input_blocks.0.0.weight": (320, 4, 3, 3)})
