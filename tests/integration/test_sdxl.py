"""SDXL on the built-in tiny-sdxl: every task runs on the SDXL pipelines with two text encoders, pooled text and
size conditioning; prompts, embeddings, LoRAs and ControlNets made for SDXL, and SD ones refused; the refiner."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from diffusers import StableDiffusionXLPipeline
from PIL import Image, ImageDraw
from safetensors.torch import save_file

from easel_proto.errors import InvalidInput
from easel_proto.naming import input_key
from easel_proto.v1.jobs import (
    ControlNetSpec,
    EmbeddingSpec,
    GenerationSpec,
    HiresSpec,
    InputImage,
    LoraSpec,
    OutpaintRequest,
    RefinerSpec,
    SdxlConditioning,
)
from easel_proto.v1.registry import ModelInfo
from easel_worker.engine import GenerationEngine, ensure_tiny_sd
from easel_worker.engine.prompting import encode_prompts_xl
from easel_worker.engine.tiny import TINY_SDXL
from easel_worker.engine.tiny_parts import build_tiny_controlnet, build_tiny_sdxl_refiner
from webui_layout import kohya_lora

XL = ModelInfo(id="builtin-tiny-sdxl", name="tiny-sdxl", kind="checkpoint", base="sdxl", source="builtin:tiny-sdxl")
INIT, MASK, EDGES = (input_key("t", "u", name) for name in ("init", "mask", "edges"))


def _images() -> dict[str, Image.Image]:
    x, y = np.meshgrid(np.linspace(0, 255, 64), np.linspace(0, 255, 64))
    init = Image.fromarray(np.stack([x, y, 255 - x], axis=-1).astype(np.uint8))
    mask = Image.new("L", (64, 64))
    mask.paste(255, (16, 16, 48, 48))
    edges = Image.new("RGB", (64, 64), "black")
    ImageDraw.Draw(edges).rectangle((12, 12, 52, 52), outline="white", width=3)
    return {INIT: init, MASK: mask, EDGES: edges}


IMAGES = _images()


def ref(key: str) -> InputImage:
    return InputImage(key=key, width=64, height=64)


def spec(**over) -> GenerationSpec:
    fields = dict(prompt="a lighthouse at dusk", negative_prompt="blurry", model=XL, sampler="Euler a", steps=3,
                  cfg_scale=7.0, width=64, height=64, seeds=[1])
    return GenerationSpec(**(fields | over))


def img2img(**over) -> GenerationSpec:
    return spec(**({"task": "img2img", "init_images": [ref(INIT)], "denoising_strength": 0.6} | over))


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB")).astype(int)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("sdxl-cache")


@pytest.fixture(scope="module")
def engine(cache_dir) -> GenerationEngine:
    return GenerationEngine(cache_dir, device="cpu")


@pytest.fixture(scope="module")
def pipe(cache_dir) -> StableDiffusionXLPipeline:
    return StableDiffusionXLPipeline.from_pretrained(ensure_tiny_sd(cache_dir, TINY_SDXL), local_files_only=True)


def run(engine: GenerationEngine, job: GenerationSpec, files=None, steps=None) -> list[Image.Image]:
    return engine.generate(job, steps or (lambda done, total: None), files, IMAGES)


def one(engine: GenerationEngine, job: GenerationSpec, files=None) -> np.ndarray:
    return pixels(run(engine, job, files)[0])


# --- prompts ---------------------------------------------------------------------------------------------------


def test_prompts_use_both_encoders_side_by_side_with_a_pooled_vector(pipe):
    cond, uncond, pooled, uncond_pooled = encode_prompts_xl(pipe, ["a fox"], ["blurry"])
    hidden = pipe.text_encoder.config.hidden_size + pipe.text_encoder_2.config.hidden_size
    assert cond.shape == uncond.shape == (1, 77, hidden)
    assert pooled.shape == uncond_pooled.shape == (1, pipe.text_encoder_2.config.projection_dim)
    # a short prompt encodes as diffusers' SDXL pipeline encodes it (penultimate layers, pooled projection)
    theirs, _, theirs_pooled, _ = pipe.encode_prompt("a fox", device="cpu", do_classifier_free_guidance=False)
    assert torch.allclose(cond, theirs, atol=1e-5)
    assert torch.allclose(pooled, theirs_pooled, atol=1e-5)


def test_an_empty_negative_prompt_is_zeros_and_long_prompts_are_chunked(pipe):
    cond, uncond, _, uncond_pooled = encode_prompts_xl(pipe, [" ".join(["a"] * 80)], [""])
    assert cond.shape[1] == uncond.shape[1] == 154
    assert not uncond.any() and not uncond_pooled.any()
    emphasised, *_ = encode_prompts_xl(pipe, ["a (fox:1.4) runs"], [""])
    plain, *_ = encode_prompts_xl(pipe, ["a fox runs"], [""])
    assert not torch.equal(emphasised, plain)


def test_an_sdxl_embedding_splices_its_clip_l_and_clip_g_vectors(pipe, tmp_path):
    ids = pipe.tokenizer("fox", add_special_tokens=False).input_ids
    vectors = {"clip_l": pipe.text_encoder.get_input_embeddings().weight[ids].detach().clone(),
               "clip_g": pipe.text_encoder_2.get_input_embeddings().weight[ids].detach().clone()}
    save_file(vectors, tmp_path / "vulpine.safetensors")
    by_word = encode_prompts_xl(pipe, ["a vulpine runs"], ["blurry"], embeddings={"vulpine": tmp_path /
                                                                                  "vulpine.safetensors"})
    spelled = encode_prompts_xl(pipe, ["a fox runs"], ["blurry"])
    for ours, theirs in zip(by_word, spelled, strict=True):
        assert torch.allclose(ours, theirs, atol=1e-5)
    save_file({"emb_params": vectors["clip_l"]}, tmp_path / "sd15.safetensors")
    with pytest.raises(InvalidInput) as info:
        encode_prompts_xl(pipe, ["a sd15"], [""], embeddings={"sd15": tmp_path / "sd15.safetensors"})
    assert info.value.details["field"] == "embeddings" and "clip_l and clip_g" in info.value.message


# --- tasks -----------------------------------------------------------------------------------------------------


def test_txt2img_is_deterministic_and_follows_the_prompt_and_seed(engine):
    first = one(engine, spec())
    assert first.shape == (64, 64, 3)
    assert np.array_equal(one(engine, spec()), first)
    assert not np.array_equal(one(engine, spec(seeds=[2])), first)
    assert not np.array_equal(one(engine, spec(prompt="a red barn")), first)
    images = run(engine, spec(width=96, height=64, seeds=[1, 2], batch_size=2))
    assert [im.size for im in images] == [(96, 64)] * 2
    # batch size may change kernel choice: rounding noise, not a different image
    assert np.abs(pixels(run(engine, spec(width=96, seeds=[2]))[0]) - pixels(images[1])).max() <= 2


@pytest.mark.parametrize("sampler", ["DPM++ 2M Karras", "DPM++ SDE Karras", "UniPC", "Heun", "DDIM", "LMS"])
def test_the_web_ui_samplers_run_on_sdxl(engine, sampler):
    image = one(engine, spec(sampler=sampler))
    assert np.array_equal(one(engine, spec(sampler=sampler)), image)
    assert not np.array_equal(image, one(engine, spec()))  # not Euler a's


def test_variations_outpaint_and_tiling_on_sdxl(engine):
    plain = one(engine, spec(subseeds=[9], subseed_strength=0.0))
    assert np.array_equal(plain, one(engine, spec()))
    assert not np.array_equal(one(engine, spec(subseeds=[9], subseed_strength=0.5)), plain)
    out = run(engine, img2img(outpaint=OutpaintRequest(left=16, right=0, top=0, bottom=0), width=80, height=64,
                              denoising_strength=1.0))[0]
    assert out.size == (80, 64)
    assert np.array_equal(pixels(out)[:, 16:], pixels(IMAGES[INIT]))  # the original region is kept
    assert not np.array_equal(one(engine, spec(tiling=True)), plain)
    assert np.array_equal(one(engine, spec()), plain)


def test_clip_skip_leaves_sdxl_as_the_web_ui_does(engine):
    assert np.array_equal(one(engine, spec(clip_skip=2)), one(engine, spec()))


def test_img2img_inpaint_and_hires_run_on_sdxl(engine):
    plain = one(engine, img2img())
    assert not np.array_equal(plain, one(engine, img2img(denoising_strength=0.9)))
    inpainted = run(engine, img2img(mask=ref(MASK), mask_blur=0, denoising_strength=0.9))[0]
    masked = np.asarray(IMAGES[MASK]) > 0
    assert np.array_equal(pixels(inpainted)[~masked], pixels(IMAGES[INIT])[~masked])
    assert not np.array_equal(pixels(inpainted)[masked], pixels(IMAGES[INIT])[masked])
    seen: list[tuple[int, int]] = []
    hires = spec(hires=HiresSpec(width=96, height=96, steps=2, denoising_strength=0.5))
    assert run(engine, hires, steps=lambda done, total: seen.append((done, total)))[0].size == (96, 96)
    assert seen[-1] == (4, 4)  # 3 steps, then 1 of 2 at strength 0.5


def test_an_sdxl_controlnet_steers_the_image_and_an_sd_one_is_refused(engine, cache_dir, tmp_path_factory):
    folder = build_tiny_controlnet(tmp_path_factory.mktemp("cn") / "cn", ensure_tiny_sd(cache_dir, TINY_SDXL))
    model = ModelInfo(id="cn-xl", name="cn-xl", kind="controlnet", base="sdxl", source="store:x", format="diffusers")
    unit = ControlNetSpec(model=model, module="none", image=ref(EDGES))
    files = {model.id: folder}
    plain = one(engine, spec())
    steered = one(engine, spec(controlnets=[unit]), files)
    assert not np.array_equal(steered, plain)
    assert np.array_equal(one(engine, spec(controlnets=[unit]), files), steered)
    two = [unit, unit.model_copy(update={"control_mode": "prompt", "weight": 0.5})]
    assert not np.array_equal(one(engine, spec(controlnets=two), files), steered)
    from_init = ControlNetSpec(model=model, module="invert")
    assert not np.array_equal(one(engine, img2img(controlnets=[from_init]), files), one(engine, img2img()))
    sd_unit = unit.model_copy(update={"model": model.model_copy(update={"id": "cn-sd", "base": "tiny"})})
    with pytest.raises(InvalidInput) as info:
        run(engine, spec(controlnets=[sd_unit]), {"cn-sd": folder})
    assert info.value.details["field"] == "controlnets.0.model"


def test_an_sdxl_lora_applies_to_its_job_only(engine, cache_dir, tmp_path):
    from peft import LoraConfig, get_peft_model_state_dict

    pipe = StableDiffusionXLPipeline.from_pretrained(ensure_tiny_sd(cache_dir, TINY_SDXL), local_files_only=True)
    pipe.unet.add_adapter(LoraConfig(r=4, lora_alpha=4, init_lora_weights="gaussian",
                                     target_modules=["to_q", "to_k", "to_v", "to_out.0"]))
    with torch.no_grad():
        for name, param in pipe.unet.named_parameters():
            if "lora_B" in name:
                param.copy_(torch.randn(param.shape, generator=torch.Generator().manual_seed(1)) * 0.5)
    layers = get_peft_model_state_dict(pipe.unet)
    StableDiffusionXLPipeline.save_lora_weights(tmp_path, unet_lora_layers=layers)
    lora = ModelInfo(id="lora-xl", name="lora-xl", kind="lora", base="sdxl", source="store:x", format="safetensors")
    files = {lora.id: tmp_path / "pytorch_lora_weights.safetensors"}
    plain = one(engine, spec())
    styled = one(engine, spec(loras=[LoraSpec(model=lora, weight=1.0)]), files)
    assert not np.array_equal(styled, plain)
    assert np.array_equal(one(engine, spec()), plain)
    # the same LoRA as kohya's scripts save SDXL LoRAs (the web UI's usual format): the same image
    save_file(kohya_lora(layers, dict(pipe.unet.config), rank=4), tmp_path / "kohya.safetensors")
    kohya = lora.model_copy(update={"id": "lora-kohya"})
    assert np.array_equal(one(engine, spec(loras=[LoraSpec(model=kohya, weight=1.0)]),
                              {kohya.id: tmp_path / "kohya.safetensors"}), styled)
    sd_lora = lora.model_copy(update={"id": "lora-sd", "base": "tiny"})
    with pytest.raises(InvalidInput) as info:
        run(engine, spec(loras=[LoraSpec(model=sd_lora, weight=1.0)]), {sd_lora.id: files[lora.id]})
    assert info.value.details["field"] == "loras.0.name"


def test_an_embedding_word_uses_its_sdxl_file_in_a_job(engine, pipe, tmp_path):
    ids = pipe.tokenizer("barn", add_special_tokens=False).input_ids
    save_file({"clip_l": pipe.text_encoder.get_input_embeddings().weight[ids].detach().clone(),
               "clip_g": pipe.text_encoder_2.get_input_embeddings().weight[ids].detach().clone()},
              tmp_path / "e.safetensors")
    model = ModelInfo(id="emb-xl", name="granary", kind="embedding", base="sdxl", source="store:x",
                      format="safetensors")
    job = spec(prompt="a red granary", embeddings=[EmbeddingSpec(name="granary", model=model)])
    assert np.array_equal(one(engine, job, {model.id: tmp_path / "e.safetensors"}),
                          one(engine, spec(prompt="a red barn")))


# --- size conditioning and the refiner -------------------------------------------------------------------------


def test_size_and_crop_conditioning_change_the_image(engine):
    plain = one(engine, spec())
    assert np.array_equal(one(engine, spec(sdxl=SdxlConditioning())), plain)  # the defaults are the output size
    assert not np.array_equal(one(engine, spec(sdxl=SdxlConditioning(original_width=256, original_height=256))),
                              plain)
    assert not np.array_equal(one(engine, spec(sdxl=SdxlConditioning(crop_top=32))), plain)


@pytest.fixture(scope="module")
def refiner(cache_dir, tmp_path_factory) -> tuple[ModelInfo, dict[str, Path]]:
    folder = build_tiny_sdxl_refiner(tmp_path_factory.mktemp("refiner") / "refiner",
                                     ensure_tiny_sd(cache_dir, TINY_SDXL))
    model = ModelInfo(id="refiner-xl", name="refiner-xl", kind="checkpoint", base="sdxl", source="store:x",
                      format="diffusers")
    return model, {model.id: folder}


def test_a_refiner_finishes_the_steps_after_the_switch(engine, refiner):
    model, files = refiner
    plain = one(engine, spec(steps=6))
    seen: list[tuple[int, int]] = []
    job = spec(steps=6, refiner=RefinerSpec(model=model, switch_at=0.5))
    refined = pixels(run(engine, job, files, steps=lambda done, total: seen.append((done, total)))[0])
    assert not np.array_equal(refined, plain)
    assert seen[-1] == (6, 6)  # 3 steps on the base, 3 on the refiner: one job's progress
    assert np.array_equal(one(engine, job, files), refined)
    later = one(engine, spec(steps=6, refiner=RefinerSpec(model=model, switch_at=0.8)), files)
    assert not np.array_equal(later, refined)
    # the aesthetic score conditions the refiner's half only
    scored = spec(steps=6, refiner=RefinerSpec(model=model, switch_at=0.5), sdxl=SdxlConditioning(aesthetic_score=9))
    assert not np.array_equal(one(engine, scored, files), refined)
    # a switch after the last step never runs the refiner: the base's image (up to rounding noise), its steps
    seen.clear()
    late = run(engine, spec(steps=6, refiner=RefinerSpec(model=model, switch_at=0.99)), files,
               steps=lambda done, total: seen.append((done, total)))[0]
    assert np.abs(pixels(late) - plain).max() <= 2 and seen[-1] == (6, 6)
    assert np.array_equal(one(engine, spec(steps=6)), plain)  # the base is untouched


def test_a_refiner_runs_after_img2img_inpaint_and_into_the_hires_pass(engine, refiner):
    model, files = refiner
    switch = RefinerSpec(model=model, switch_at=0.5)
    assert not np.array_equal(one(engine, img2img(steps=6, refiner=switch), files), one(engine, img2img(steps=6)))
    inpainted = run(engine, img2img(steps=6, mask=ref(MASK), mask_blur=0, denoising_strength=0.9, refiner=switch),
                    files)[0]
    masked = np.asarray(IMAGES[MASK]) > 0
    assert np.array_equal(pixels(inpainted)[~masked], pixels(IMAGES[INIT])[~masked])
    hires = HiresSpec(width=96, height=96, steps=2, denoising_strength=0.5)
    out = run(engine, spec(steps=6, hires=hires, refiner=switch), files)[0]
    assert out.size == (96, 96)
    assert not np.array_equal(pixels(out), one(engine, spec(steps=6, hires=hires)))


def test_a_refiner_switch_before_the_first_step_names_the_field(engine, refiner):
    model, files = refiner
    with pytest.raises(InvalidInput) as info:
        run(engine, spec(steps=3, refiner=RefinerSpec(model=model, switch_at=0.05)), files)
    assert info.value.details["field"] == "refiner.switch_at"
