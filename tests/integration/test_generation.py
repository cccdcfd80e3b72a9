"""Every task the contract allows, on the tiny model: img2img, inpaint, outpaint, hires fix, variations,
batches, per-job VAE and tiling, ControlNet, extras; and the worker reading its inputs from the store."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import torch
from diffusers import AutoencoderKL
from PIL import Image, ImageDraw
from safetensors.torch import save_file

from easel_common.storage import LocalStore
from easel_proto.errors import InvalidInput
from easel_proto.naming import image_key, input_key
from easel_proto.v1 import common, jobs
from easel_proto.v1.jobs import (
    ControlNetSpec,
    ExtrasSpec,
    GenerationSpec,
    HiresSpec,
    InputImage,
    OutpaintRequest,
)
from easel_proto.v1.registry import ModelInfo
from easel_proto.wire import now
from easel_worker.engine import GenerationEngine, ensure_tiny_sd
from easel_worker.engine.masks import outpaint_canvas
from easel_worker.engine.tiny_parts import build_tiny_controlnet, build_tiny_upscaler
from easel_worker.images import infotext
from easel_worker.settings import WorkerSettings
from easel_worker.worker import Worker
from helpers import SilentNats

TINY = ModelInfo(id="m-tiny", name="tiny", kind="checkpoint", base="tiny", source="builtin:tiny-sd")
INIT, MASK, OTHER, EDGES = (input_key("t", "u", name) for name in ("init", "mask", "other", "edges"))


def no_steps(done: int, total: int) -> None:
    pass


def ref(key: str, image: Image.Image) -> InputImage:
    return InputImage(key=key, width=image.width, height=image.height)


def gradient(width: int, height: int, flip: bool = False) -> Image.Image:
    """A smooth, structured picture (so that fitting and cropping show)."""
    x, y = np.meshgrid(np.linspace(0, 255, width), np.linspace(0, 255, height))
    rgb = np.stack([x, y, 255 - x] if not flip else [255 - y, x, y], axis=-1)
    return Image.fromarray(rgb.astype(np.uint8))


def square_mask(size: tuple[int, int], box: tuple[int, int, int, int]) -> Image.Image:
    mask = Image.new("L", size)
    mask.paste(255, box)
    return mask


def outlines(size: tuple[int, int]) -> Image.Image:
    image = Image.new("RGB", size, "black")
    ImageDraw.Draw(image).rectangle((12, 12, size[0] - 12, size[1] - 12), outline="white", width=3)
    return image


IMAGES = {INIT: gradient(80, 48), MASK: square_mask((80, 48), (30, 12, 50, 36)), OTHER: gradient(80, 48, flip=True),
          EDGES: outlines((64, 64))}


def spec(**over) -> GenerationSpec:
    fields = dict(prompt="a lighthouse at dusk", negative_prompt="blurry", model=TINY, sampler="Euler a", steps=3,
                  cfg_scale=7.0, width=64, height=64, seeds=[1])
    return GenerationSpec(**(fields | over))


def img2img(**over) -> GenerationSpec:
    return spec(**({"task": "img2img", "init_images": [ref(INIT, IMAGES[INIT])], "denoising_strength": 0.6}
                   | over))


def inpaint(**over) -> GenerationSpec:
    return img2img(**({"mask": ref(MASK, IMAGES[MASK]), "mask_blur": 0, "width": 80, "height": 48,
                       "denoising_strength": 0.9} | over))


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB")).astype(int)


def png_roundtrip(image: Image.Image) -> np.ndarray:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return pixels(Image.open(io.BytesIO(buf.getvalue())))


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("generation-cache")


@pytest.fixture(scope="module")
def engine(cache_dir) -> GenerationEngine:
    return GenerationEngine(cache_dir, device="cpu")


def run(engine: GenerationEngine, job: GenerationSpec, files=None, on_step=no_steps) -> list[Image.Image]:
    return engine.generate(job, on_step, files, IMAGES)


def one(engine: GenerationEngine, job: GenerationSpec, files=None) -> np.ndarray:
    return pixels(run(engine, job, files)[0])


# --- img2img ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["just_resize", "crop_and_resize", "resize_and_fill", "latent_upscale"])
def test_img2img_output_has_the_requested_size_in_every_resize_mode(engine, mode):
    images = run(engine, img2img(resize_mode=mode, width=64, height=96, seeds=[1, 2]))
    assert [im.size for im in images] == [(64, 96)] * 2


def test_img2img_follows_the_init_image_and_the_denoising_strength(engine):
    light = one(engine, img2img(denoising_strength=0.3, width=80, height=48))
    assert np.array_equal(light, one(engine, img2img(denoising_strength=0.3, width=80, height=48)))  # same seed
    other_init = one(engine, img2img(denoising_strength=0.3, width=80, height=48,
                                     init_images=[ref(OTHER, IMAGES[OTHER])]))
    assert np.abs(light - other_init).mean() > 5
    untouched = one(engine, img2img(denoising_strength=0.0, width=80, height=48))
    strong = one(engine, img2img(denoising_strength=0.6, width=80, height=48))
    assert np.abs(untouched - strong).mean() > 2
    # strength 0 runs no step: the init image back through the VAE, closer to it than any denoised result
    init = pixels(IMAGES[INIT])
    assert np.abs(untouched - init).mean() < np.abs(strong - init).mean()


def test_img2img_needs_an_init_image(engine):
    with pytest.raises(InvalidInput) as info:
        run(engine, img2img(init_images=[]))
    assert info.value.details["field"] == "init_images"


# --- inpaint and outpaint --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fill", ["original", "fill", "latent_noise", "latent_nothing"])
def test_inpaint_keeps_unmasked_pixels_and_repaints_the_masked_ones(engine, fill):
    out = run(engine, inpaint(inpainting_fill=fill))[0]
    assert out.size == (80, 48)
    got, init = png_roundtrip(out), pixels(IMAGES[INIT])
    masked = np.asarray(IMAGES[MASK]) > 0
    assert np.array_equal(got[~masked], init[~masked])
    assert np.abs(got[masked] - init[masked]).mean() > 5


def test_inpaint_fill_modes_start_from_different_content(engine):
    results = {fill: one(engine, inpaint(inpainting_fill=fill, denoising_strength=0.6))
               for fill in ("original", "fill", "latent_nothing")}
    assert not np.array_equal(results["original"], results["fill"])
    assert not np.array_equal(results["original"], results["latent_nothing"])


def test_inverted_blurred_mask_keeps_what_the_mask_covers(engine):
    got = png_roundtrip(run(engine, inpaint(inpainting_mask_invert=True, mask_blur=2))[0])
    init = pixels(IMAGES[INIT])
    inside = np.zeros((48, 80), bool)
    inside[18:30, 36:44] = True  # well inside the square, beyond the blur's reach
    assert np.array_equal(got[inside], init[inside])
    assert np.abs(got[~inside] - init[~inside]).mean() > 5


def test_inpaint_only_masked_repaints_the_crop_and_pastes_it_back(engine):
    small = run(engine, inpaint(inpaint_full_res=True, inpaint_full_res_padding=4, width=64, height=64))[0]
    assert small.size == (80, 48)  # the original's size: the crop went back where it came from
    got, init = png_roundtrip(small), pixels(IMAGES[INIT])
    masked = np.asarray(IMAGES[MASK]) > 0
    assert np.array_equal(got[~masked], init[~masked])
    assert np.abs(got[masked] - init[masked]).mean() > 5
    whole = one(engine, inpaint(width=80, height=48))
    assert not np.array_equal(got[masked], whole[masked])  # repainted at another resolution


def test_outpaint_pads_the_image_and_keeps_the_original_region(engine):
    job = img2img(outpaint=OutpaintRequest(left=8, right=8, top=0, bottom=16), width=96, height=64,
                  denoising_strength=1.0)
    out = run(engine, job)[0]
    assert out.size == (96, 64)
    got = png_roundtrip(out)
    assert np.array_equal(got[0:48, 8:88], pixels(IMAGES[INIT]))
    new_area = np.ones((64, 96), bool)
    new_area[0:48, 8:88] = False
    canvas, _ = outpaint_canvas(IMAGES[INIT], None, left=8, right=8, top=0, bottom=16, width=96, height=64)
    assert np.abs(got[new_area] - pixels(canvas)[new_area]).mean() > 5  # painted, not left as the edge fill
    # the init image is fitted to the size inside the padding (the gateway's fitted img2img size)
    fitted = run(engine, job.model_copy(update={"width": 112}))[0]
    assert fitted.size == (112, 64)


def test_outpaint_without_room_names_the_field(engine):
    with pytest.raises(InvalidInput) as info:
        run(engine, img2img(outpaint=OutpaintRequest(left=40, right=40), width=80, height=48))
    assert info.value.details["field"] == "outpaint"


# --- hires fix, seeds, batches --------------------------------------------------------------------------------


@pytest.mark.parametrize("upscaler", ["Latent", "Latent (nearest)", "Lanczos"])
def test_hires_fix_gives_the_hires_size_and_counts_both_passes(engine, upscaler):
    calls = []
    job = spec(hires=HiresSpec(width=128, height=96, upscaler=upscaler, steps=4, denoising_strength=0.5))
    images = run(engine, job, on_step=lambda done, total: calls.append((done, total)))
    assert [im.size for im in images] == [(128, 96)]
    assert calls == [(i, 5) for i in range(1, 6)]  # 3 first-pass steps + int(4 * 0.5) refining steps
    plain = run(engine, spec())[0]
    assert not np.array_equal(pixels(images[0].resize((64, 64))), pixels(plain))


def test_hires_prompt_changes_only_the_second_pass(engine):
    base = HiresSpec(width=128, height=128, steps=3, denoising_strength=0.6)
    same = one(engine, spec(hires=base))
    other = one(engine, spec(hires=base.model_copy(update={"prompt": "a red barn in the fields"})))
    assert not np.array_equal(same, other)


def test_subseed_strength_zero_is_no_variation_and_above_zero_varies(engine):
    plain = one(engine, spec(seeds=[4]))
    assert np.array_equal(one(engine, spec(seeds=[4], subseeds=[9], subseed_strength=0.0)), plain)
    varied = one(engine, spec(seeds=[4], subseeds=[9], subseed_strength=0.3))
    assert not np.array_equal(varied, plain)
    assert np.array_equal(one(engine, spec(seeds=[4], subseeds=[9], subseed_strength=0.3)), varied)
    other_subseed = one(engine, spec(seeds=[4], subseeds=[10], subseed_strength=0.3))
    assert not np.array_equal(other_subseed, varied)


def test_seed_resize_keeps_the_seed_but_draws_its_noise_at_the_other_size(engine):
    plain = one(engine, spec(seeds=[4]))
    resized = one(engine, spec(seeds=[4], seed_resize_from_w=48, seed_resize_from_h=48))
    assert not np.array_equal(resized, plain)
    assert np.array_equal(one(engine, spec(seeds=[4], seed_resize_from_w=64, seed_resize_from_h=64)), plain)


@pytest.mark.parametrize("sampler", ["Euler a", "DPM++ SDE", "DPM++ 2M SDE"])
def test_batches_give_the_images_of_single_runs(engine, sampler):
    calls, single = [], []
    batched = run(engine, spec(sampler=sampler, seeds=[11, 12, 13, 14], batch_size=2),
                  on_step=lambda done, total: calls.append((done, total)))
    for seed, image in zip([11, 12, 13, 14], batched, strict=True):
        single.clear()
        alone = pixels(run(engine, spec(sampler=sampler, seeds=[seed]),
                           on_step=lambda done, total: single.append(done))[0])
        # batch size may change kernel choice, so allow rounding noise but not a different image
        assert np.abs(pixels(image) - alone).max() <= 2
    total = 2 * len(single)  # two batches, counted as one job
    assert calls == [(i, total) for i in range(1, total + 1)]


# --- samplers, schedules, eta, clip skip -----------------------------------------------------------------------


def test_an_explicit_schedule_is_the_same_as_the_sampler_suffix(engine):
    named = one(engine, spec(sampler="DPM++ 2M Karras"))
    assert np.array_equal(one(engine, spec(sampler="DPM++ 2M", scheduler="karras")), named)
    assert not np.array_equal(one(engine, spec(sampler="DPM++ 2M", scheduler="uniform")), named)
    assert not np.array_equal(one(engine, spec(sampler="Euler", scheduler="exponential")),
                              one(engine, spec(sampler="Euler")))


def test_a_timestep_sampler_ignores_the_schedule_as_the_web_ui_does(engine):
    assert np.array_equal(one(engine, spec(sampler="DDIM", scheduler="karras")), one(engine, spec(sampler="DDIM")))


def test_eta_changes_ancestral_and_ddim_sampling(engine):
    for sampler, default in (("Euler a", 1.0), ("DDIM", 0.0)):
        plain = one(engine, spec(sampler=sampler))
        assert np.array_equal(one(engine, spec(sampler=sampler, eta=default)), plain)
        assert not np.array_equal(one(engine, spec(sampler=sampler, eta=0.5)), plain)
    # samplers whose noise diffusers cannot scale run at eta 1, as clients send a default eta with any sampler
    assert np.array_equal(one(engine, spec(sampler="DPM2 a", eta=0.0)), one(engine, spec(sampler="DPM2 a")))


def test_clip_skip_changes_the_conditioning(engine):
    assert not np.array_equal(one(engine, spec(clip_skip=2)), one(engine, spec()))


def test_an_embedding_word_in_the_prompt_uses_its_file(engine, tmp_path):
    hidden = 32  # the tiny text encoder's width
    torch.manual_seed(3)
    save_file({"emb_params": torch.randn(2, hidden) * 5}, tmp_path / "glow.safetensors")
    model = ModelInfo(id="emb-glow", name="glow", kind="embedding", base="tiny", source="store:x",
                      format="safetensors")
    with_file = one(engine, spec(prompt="a glow lighthouse", embeddings=[jobs.EmbeddingSpec(name="glow", model=model)]),
                    {model.id: tmp_path / "glow.safetensors"})
    assert not np.array_equal(with_file, one(engine, spec(prompt="a glow lighthouse")))


# --- per-job VAE and tiling ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def vae_files(cache_dir, tmp_path_factory) -> dict[str, Path]:
    """Another VAE of the tiny shape, as a diffusers folder and as a single .safetensors file."""
    own = AutoencoderKL.from_pretrained(ensure_tiny_sd(cache_dir) / "vae", local_files_only=True)
    torch.manual_seed(5)
    other = AutoencoderKL.from_config(own.config)
    root = tmp_path_factory.mktemp("vae")
    other.save_pretrained(root / "folder", safe_serialization=True)
    save_file({k: v.contiguous() for k, v in other.state_dict().items()}, root / "other.safetensors")
    return {"folder": root / "folder", "file": root / "other.safetensors"}


@pytest.mark.parametrize("layout", ["folder", "file"])
def test_a_jobs_vae_is_used_for_that_job_only(engine, vae_files, layout):
    vae = ModelInfo(id=f"vae-{layout}", name="other-vae", kind="vae", base="tiny", source="store:x",
                    format="diffusers" if layout == "folder" else "safetensors")
    plain = one(engine, spec())
    swapped = one(engine, spec(vae=vae), {vae.id: vae_files[layout]})
    assert not np.array_equal(swapped, plain)
    assert np.array_equal(one(engine, spec()), plain)  # bit for bit: the checkpoint's own VAE is back
    assert np.array_equal(one(engine, spec(vae=vae)), swapped)  # resident now: no file needed


def test_a_vae_that_does_not_fit_names_the_field(engine, tmp_path):
    save_file({"encoder.down_blocks.0.resnets.0.conv1.weight": torch.zeros(1)}, tmp_path / "bad.safetensors")
    vae = ModelInfo(id="vae-bad", name="bad", kind="vae", base="tiny", source="store:x", format="safetensors")
    with pytest.raises(InvalidInput) as info:
        run(engine, spec(vae=vae), {vae.id: tmp_path / "bad.safetensors"})
    assert info.value.details["field"] == "vae"
    assert np.array_equal(one(engine, spec()), one(engine, spec()))


def test_tiling_applies_to_its_job_only(engine):
    plain = one(engine, spec())
    tiled = one(engine, spec(tiling=True))
    assert not np.array_equal(tiled, plain)
    assert np.array_equal(one(engine, spec()), plain)
    convs = [m for m in engine._loaded[TINY.id].pipe.unet.modules() if isinstance(m, torch.nn.Conv2d)]
    assert {conv.padding_mode for conv in convs} == {"zeros"}


# --- ControlNet ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def controlnet(cache_dir, tmp_path_factory) -> tuple[ModelInfo, dict[str, Path]]:
    folder = build_tiny_controlnet(tmp_path_factory.mktemp("cn") / "cn", ensure_tiny_sd(cache_dir))
    model = ModelInfo(id="cn-tiny", name="cn-tiny", kind="controlnet", base="tiny", source="store:x",
                      format="diffusers", title="cn-tiny [0123abcd]")
    return model, {model.id: folder}


def test_a_controlnet_unit_steers_txt2img_img2img_and_inpaint(engine, controlnet):
    model, files = controlnet
    edges = ControlNetSpec(model=model, module="none", image=ref(EDGES, IMAGES[EDGES]))
    plain = one(engine, spec())
    steered = one(engine, spec(controlnets=[edges]), files)
    assert not np.array_equal(steered, plain)
    assert np.array_equal(one(engine, spec(controlnets=[edges]), files), steered)
    assert np.array_equal(one(engine, spec()), plain)  # the plain pipeline is untouched
    hires = spec(controlnets=[edges], hires=HiresSpec(width=96, height=96, steps=2, denoising_strength=0.5))
    assert run(engine, hires, files)[0].size == (96, 96)  # the second pass is controlled at the hires size
    # img2img: a unit without an image detects its map from the init image
    from_init = ControlNetSpec(model=model, module="canny")
    assert not np.array_equal(one(engine, img2img(controlnets=[from_init]), files), one(engine, img2img()))
    out = run(engine, inpaint(controlnets=[from_init]), files)[0]
    masked = np.asarray(IMAGES[MASK]) > 0
    assert np.array_equal(png_roundtrip(out)[~masked], pixels(IMAGES[INIT])[~masked])


def test_a_txt2img_unit_without_an_image_names_it(engine, controlnet):
    model, files = controlnet
    with pytest.raises(InvalidInput) as info:
        run(engine, spec(controlnets=[ControlNetSpec(model=model)]), files)
    assert info.value.details["field"] == "controlnets.0.image"


def test_a_controlnet_made_for_another_unet_is_refused_naming_the_unit(engine, controlnet, tmp_path):
    from diffusers import ControlNetModel

    other = ControlNetModel(block_out_channels=(32, 32, 64, 64), layers_per_block=1, cross_attention_dim=32,
                            down_block_types=("DownBlock2D",) * 3 + ("CrossAttnDownBlock2D",), attention_head_dim=8,
                            conditioning_embedding_out_channels=(16, 32), norm_num_groups=32)
    other.save_pretrained(tmp_path / "other")
    model = ModelInfo(id="cn-other", name="cn-other", kind="controlnet", base="tiny", source="store:x",
                      format="diffusers")
    unit = ControlNetSpec(model=model, module="none", image=ref(EDGES, IMAGES[EDGES]))
    with pytest.raises(InvalidInput) as info:
        fits = ControlNetSpec(model=controlnet[0], module="none", image=ref(EDGES, IMAGES[EDGES]))
        run(engine, spec(controlnets=[fits, unit]), {model.id: tmp_path / "other", **controlnet[1]})
    assert info.value.details["field"] == "controlnets.1.model"


def test_detect_returns_each_units_map_at_its_image_size_without_a_checkpoint(engine):
    units = [ControlNetSpec(model=TINY, module="canny", image=ref(EDGES, IMAGES[EDGES]), processor_res=128),
             ControlNetSpec(model=TINY, module="invert", image=ref(INIT, IMAGES[INIT]), processor_res=64)]
    maps = run(engine, spec(task="detect", controlnets=units, seeds=[0, 0]))
    assert [min(m.size) for m in maps] == [128, 64]  # short side at each unit's processor resolution
    edges = pixels(maps[0])
    assert set(np.unique(edges)) <= {0, 255} and edges.max() == 255  # canny: binary lines
    inverted = pixels(maps[1].resize(IMAGES[INIT].size))
    assert abs(inverted.mean() - (255 - pixels(IMAGES[INIT]).mean())) < 8


# --- extras ----------------------------------------------------------------------------------------------------


def extras(**over) -> GenerationSpec:
    return spec(task="extras", init_images=[ref(INIT, IMAGES[INIT]), ref(OTHER, IMAGES[OTHER])], seeds=[0, 0],
                extras=ExtrasSpec(**over))


def test_extras_upscale_by_scale_or_to_a_size(engine, tmp_path):
    assert [im.size for im in run(engine, extras(scale=2.0))] == [(160, 96)] * 2
    assert [im.size for im in run(engine, extras(width=100, height=100, crop=True))] == [(100, 100)] * 2
    assert [im.size for im in run(engine, extras(width=100, height=100, crop=False))] == [(167, 100)] * 2
    model = ModelInfo(id="up-tiny", name="tiny-esrgan", kind="upscaler", base="tiny", source="store:x",
                      format="safetensors")
    files = {model.id: build_tiny_upscaler(tmp_path / "up.safetensors")}
    lanczos = run(engine, extras(scale=2.0))[0]
    blended = run(engine, extras(scale=2.0, upscaler_2="tiny-esrgan", upscaler_2_model=model,
                                 upscaler_2_visibility=0.5), files)[0]
    assert blended.size == (160, 96) and not np.array_equal(pixels(blended), pixels(lanczos))


def test_extras_make_one_image_per_input(engine):
    with pytest.raises(InvalidInput) as info:
        run(engine, extras().model_copy(update={"seeds": [0]}))
    assert info.value.details["field"] == "init_images"


# --- the worker: inputs from the object store ------------------------------------------------------------------


def png_bytes(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def submitted(job: GenerationSpec) -> jobs.JobSubmitted:
    owner = common.Principal(user_id="u", tenant_id="t", username="alice")
    return jobs.JobSubmitted(job_id="j1", principal=owner, pool="default", spec=job,
                             image_keys=[image_key("t", "u", "j1", i) for i in range(len(job.seeds))],
                             submitted_at=now())


@pytest.fixture
def store(tmp_path) -> LocalStore:
    return LocalStore(tmp_path / "store")


def worker_for(tmp_path: Path, store: LocalStore, engine) -> Worker:
    settings = WorkerSettings(data_dir=tmp_path / "data", cache_budget_bytes=10**9)
    return Worker(settings, SilentNats(), engine, store)


async def test_worker_reads_the_inputs_and_stores_an_inpainted_png(engine, store, tmp_path):
    for key in (INIT, MASK):
        await store.put(key, png_bytes(IMAGES[key]), "image/png")
    worker = worker_for(tmp_path, store, engine)
    result = await worker._generate(submitted(inpaint(seeds=[3])), 1)
    stored = Image.open(io.BytesIO(await store.get(result.image_keys[0])))
    masked = np.asarray(IMAGES[MASK]) > 0
    assert np.array_equal(pixels(stored)[~masked], pixels(IMAGES[INIT])[~masked])
    assert "Denoising strength: 0.9" in stored.text["parameters"]


async def test_a_corrupt_input_fails_the_job_naming_the_field(engine, store, tmp_path):
    await store.put(INIT, png_bytes(IMAGES[INIT]), "image/png")
    await store.put(MASK, b"\x89PNG not really", "image/png")
    worker = worker_for(tmp_path, store, engine)
    with pytest.raises(InvalidInput) as info:
        await worker._generate(submitted(inpaint()), 1)
    assert info.value.details["field"] == "mask"


# --- infotext --------------------------------------------------------------------------------------------------


def test_infotext_names_every_feature_the_way_the_web_ui_does(controlnet):
    model, _ = controlnet
    lora = ModelInfo(id="l", name="fox", kind="lora", base="tiny", source="store:x", sha256="ab" * 32)
    job = spec(model=TINY.model_copy(update={"sha256": "0123456789" + "0" * 54}), sampler="DPM++ 2M Karras",
               seeds=[7], subseeds=[9], subseed_strength=0.25, clip_skip=2, tiling=True,
               hires=HiresSpec(width=128, height=128, steps=4, denoising_strength=0.55, upscaler="Latent"),
               loras=[jobs.LoraSpec(model=lora, weight=0.8)],
               controlnets=[ControlNetSpec(model=model, module="canny", threshold_a=100, threshold_b=200)])
    text = infotext(job, 7, 9)
    prompt, negative, line = text.split("\n")
    assert (prompt, negative) == ("a lighthouse at dusk", "Negative prompt: blurry")
    assert line.startswith("Steps: 3, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, Seed: 7, Size: 64x64, "
                           "Model hash: 0123456789, Model: tiny, Variation seed: 9, Variation seed strength: 0.25, "
                           "Denoising strength: 0.55, Clip skip: 2, Tiling: True, ")
    assert "Hires upscale: 2, Hires steps: 4, Hires upscaler: Latent, " in line
    assert ('ControlNet 0: "Module: canny, Model: cn-tiny [0123abcd], Weight: 1, Resize Mode: Crop and Resize, '
            'Processor Res: 512, Threshold A: 100, Threshold B: 200, Guidance Start: 0, Guidance End: 1, '
            'Pixel Perfect: False, Control Mode: Balanced"') in line
    assert line.endswith("Lora hashes: \"fox: abababababab\"")


def test_infotext_for_inpaint_and_extras():
    line = infotext(inpaint(inpaint_full_res=True, inpainting_fill="latent_noise", mask_blur=4), 1).split("\n")[-1]
    assert ("Denoising strength: 0.9, Mask blur: 4, Masked content: latent noise, Inpaint area: Only masked, "
            "Masked area padding: 32") in line
    text = infotext(extras(scale=2.0, upscaler="Lanczos"), 0)
    assert text == "Postprocess upscale by: 2, Postprocess upscaler: Lanczos"
