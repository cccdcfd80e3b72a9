"""The generation engine on the built-in tiny model: sizes, seeds, progress, cancel, samplers."""

from __future__ import annotations

import gc
import typing
import weakref
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import load_file

from easel_proto.errors import GenerationFailed, InvalidInput, JobCanceled
from easel_proto.v1.jobs import ExtrasSpec, GenerationSpec, InputImage, Sampler
from easel_proto.v1.registry import ModelInfo
from easel_worker.engine import SAMPLERS, Engine, GenerationEngine, NullEngine, ensure_tiny_sd, make_scheduler
from easel_worker.engine import tiny as tiny_mod
from easel_worker.engine.ancestral import ancestral_split
from easel_worker.engine.masks import crop_box, fill_masked
from easel_worker.engine.noise import initial_noise, seeded, slerp

TINY = ModelInfo(id="m-tiny", name="tiny", kind="checkpoint", base="tiny", source="builtin:tiny-sd")


def spec(**over) -> GenerationSpec:
    fields = dict(
        prompt="a watercolor fox in the snow",
        negative_prompt="blurry",
        model=TINY,
        sampler="Euler a",
        steps=3,
        cfg_scale=7.0,
        width=64,
        height=64,
        seeds=[1],
    )
    return GenerationSpec(**(fields | over))


def pixels(image) -> np.ndarray:
    return np.asarray(image)


def no_steps(done: int, total: int) -> None:
    pass


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("engine-cache")


@pytest.fixture(scope="module")
def engine(cache_dir) -> GenerationEngine:
    return GenerationEngine(cache_dir, device="cpu")


def test_engines_satisfy_protocol(engine):
    assert isinstance(engine, Engine)
    assert isinstance(NullEngine(), Engine)


def test_load_reports_time_once(engine):
    first = engine.load(TINY)
    assert first >= 0.0
    assert engine.load(TINY) == 0.0
    assert engine.healthy()


@pytest.mark.parametrize(("width", "height"), [(64, 64), (96, 64)])
def test_images_have_requested_size(engine, width, height):
    images = engine.generate(spec(width=width, height=height), no_steps)
    assert [im.size for im in images] == [(width, height)]
    assert images[0].mode == "RGB"


def test_one_distinct_image_per_seed(engine):
    images = engine.generate(spec(seeds=[11, 12]), no_steps)
    assert len(images) == 2
    assert not np.array_equal(pixels(images[0]), pixels(images[1]))


def test_same_seed_gives_identical_pixels(engine):
    job = spec(seeds=[42], sampler="Euler a")  # ancestral: noise is drawn every step too
    first = engine.generate(job, no_steps)[0]
    second = engine.generate(job, no_steps)[0]
    assert np.array_equal(pixels(first), pixels(second))


def test_seed_image_does_not_depend_on_batch_neighbours(engine):
    alone = engine.generate(spec(seeds=[7]), no_steps)[0]
    batched = engine.generate(spec(seeds=[7, 8]), no_steps)[0]
    # Batch size may change kernel choice, so allow rounding noise but not a different image.
    assert np.abs(pixels(alone).astype(int) - pixels(batched).astype(int)).max() <= 2


def test_on_step_reports_every_step_in_order(engine):
    calls = []
    engine.generate(spec(steps=4), lambda done, total: calls.append((done, total)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_on_step_total_counts_second_order_iterations(engine):
    calls = []
    engine.generate(spec(sampler="Heun", steps=3), lambda done, total: calls.append((done, total)))
    total = calls[0][1]
    assert total > 3  # Heun evaluates the model twice per step after the first
    assert calls == [(i, total) for i in range(1, total + 1)]


def test_cancel_from_on_step_propagates_and_engine_recovers(engine):
    expected = engine.generate(spec(seeds=[5], sampler="DPM++ 2M"), no_steps)[0]
    seen = []

    def cancel_at_two(done: int, total: int) -> None:
        seen.append(done)
        if done == 2:
            raise JobCanceled("canceled by owner")

    with pytest.raises(JobCanceled):
        engine.generate(spec(seeds=[5], sampler="DPM++ 2M", steps=5), cancel_at_two)
    assert seen == [1, 2]
    after = engine.generate(spec(seeds=[5], sampler="DPM++ 2M"), no_steps)[0]
    assert np.array_equal(pixels(after), pixels(expected))


def test_any_exception_from_on_step_is_not_wrapped(engine):
    class Boom(Exception):
        pass

    def boom(done, total):
        raise Boom

    with pytest.raises(Boom):
        engine.generate(spec(), boom)


def test_pipeline_errors_become_generation_failed(engine, monkeypatch):
    def broken_forward(*args, **kwargs):
        raise RuntimeError("shape mismatch in conv")

    engine.load(TINY)
    with monkeypatch.context() as patch:
        patch.setattr(engine._loaded[TINY.id].pipe.unet, "forward", broken_forward)
        with pytest.raises(GenerationFailed, match="shape mismatch in conv"):
            engine.generate(spec(), no_steps)
    assert engine.healthy()  # an ordinary error does not condemn the worker
    assert engine.generate(spec(), no_steps)[0].size == (64, 64)


def test_sampler_table_covers_exactly_the_contract():
    assert set(SAMPLERS) == set(typing.get_args(Sampler.__value__))


@pytest.mark.parametrize("sampler", typing.get_args(Sampler.__value__))
def test_every_sampler_produces_an_image(engine, sampler):
    images = engine.generate(spec(sampler=sampler, steps=2, seeds=[3]), no_steps)
    assert [im.size for im in images] == [(64, 64)]
    # Not a blank or NaN-black frame: the pipeline really decoded something.
    assert pixels(images[0]).std() > 0


def test_karras_and_uniform_dpm_differ(engine):
    plain = engine.generate(spec(sampler="DPM++ 2M", scheduler="uniform", steps=3), no_steps)[0]
    karras = engine.generate(spec(sampler="DPM++ 2M Karras", steps=3), no_steps)[0]
    assert not np.array_equal(pixels(plain), pixels(karras))


def test_unsupported_source_is_invalid_model(engine):
    remote = TINY.model_copy(update={"id": "m-s3", "source": "s3://models/sd15.safetensors"})
    with pytest.raises(InvalidInput) as info:
        engine.load(remote)
    assert info.value.details["field"] == "model"
    assert "not supported" in info.value.message


def test_unknown_builtin_is_invalid_model(engine):
    with pytest.raises(InvalidInput) as info:
        engine.generate(spec(model=TINY.model_copy(update={"id": "m-x", "source": "builtin:huge-sd"})), no_steps)
    assert info.value.details["field"] == "model"


def test_size_not_multiple_of_8_names_the_field(engine):
    with pytest.raises(InvalidInput) as info:
        engine.generate(spec(width=60), no_steps)
    assert info.value.details["field"] == "width"


def test_lru_keeps_at_most_max_loaded(cache_dir):
    small = GenerationEngine(cache_dir, device="cpu", max_loaded=1)
    other = TINY.model_copy(update={"id": "m-tiny-2"})
    small.load(TINY)
    assert small.load(other) > 0.0
    assert small.loaded_models() == ["m-tiny-2"]
    assert small.load(TINY) > 0.0  # evicted, so it loads again


def test_a_model_loaded_before_the_worker_froze_its_heap_is_freed_when_evicted(cache_dir):
    # a worker preloads its pool's models, then freezes its start-up heap (runner.freeze_startup_heap); a full
    # collection never looks at frozen objects, so an evicted pipeline's reference cycles kept its weights
    small = GenerationEngine(cache_dir, device="cpu", max_loaded=1)
    small.load(TINY)
    pipe = small._loaded[TINY.id].pipe
    pipe.unet.owner = pipe  # a reference cycle, as compiled forwards and offload hooks make on a GPU
    unet = weakref.ref(pipe.unet)
    del pipe
    gc.collect()
    gc.freeze()
    try:
        small.load(TINY.model_copy(update={"id": "m-tiny-2"}))  # evicts the preloaded one
        assert unet() is None
        assert gc.get_freeze_count() == 0  # this test process is not left frozen either
    finally:
        gc.unfreeze()


def test_ensure_tiny_sd_builds_once(cache_dir, monkeypatch):
    folder = ensure_tiny_sd(cache_dir)
    assert (folder / "model_index.json").is_file()

    def must_not_build(dest):
        raise AssertionError("rebuilt an existing tiny-sd")

    monkeypatch.setattr(tiny_mod, "build_tiny_sd", must_not_build)
    assert ensure_tiny_sd(cache_dir) == folder


def test_tiny_sd_weights_are_identical_across_builds(cache_dir, tmp_path):
    ours = ensure_tiny_sd(cache_dir)
    theirs = tiny_mod.build_tiny_sd(tmp_path / "tiny-sd")
    files = sorted(p.relative_to(ours) for p in ours.rglob("*.safetensors"))
    assert len(files) == 3  # unet, vae, text encoder
    for rel in files:
        a, b = load_file(ours / rel), load_file(theirs / rel)
        assert a.keys() == b.keys()
        for key in a:
            assert a[key].equal(b[key]), f"{rel}:{key}"
    # No half-built temp folders are left beside the result.
    assert [p.name for p in tmp_path.iterdir()] == ["tiny-sd"]


def test_build_into_existing_keeps_the_winner(tmp_path):
    dest = tiny_mod.build_tiny_sd(tmp_path / "tiny-sd")
    marker = dest / "winner"
    marker.write_text("first")
    assert tiny_mod.build_tiny_sd(dest) == dest
    assert marker.read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["tiny-sd"]


def test_tiny_tokenizer_splits_prompts_into_many_tokens(engine):
    engine.load(TINY)
    tokenizer = engine._loaded[TINY.id].pipe.tokenizer
    ids = tokenizer("a watercolor fox in the snow").input_ids
    assert len(ids) > 20
    assert ids[0] == tokenizer.bos_token_id and ids[-1] == tokenizer.eos_token_id
    assert tokenizer.model_max_length == 77


def test_null_engine_returns_blank_images():
    null = NullEngine()
    calls = []
    assert null.load(TINY) == 0.0
    images = null.generate(spec(width=96, height=64, seeds=[1, 2, 3]), lambda *a: calls.append(a))
    assert [im.size for im in images] == [(96, 64)] * 3
    assert all(pixels(im).max() == 0 for im in images)
    assert calls == []
    assert null.healthy()


def test_null_engine_extras_resize_each_input_like_the_real_one():
    inputs = {"t/u/inputs/a.png": Image.new("RGB", (40, 30), "white"), "t/u/inputs/b.png": Image.new("RGB", (20, 20))}
    refs = [InputImage(key=key, width=im.width, height=im.height) for key, im in inputs.items()]
    job = spec(task="extras", init_images=refs, seeds=[0, 0], extras=ExtrasSpec(width=60, height=60, crop=True))
    images = NullEngine().generate(job, no_steps, None, inputs)
    assert [im.size for im in images] == [(60, 60), (60, 60)]
    assert pixels(images[0]).min() == 255  # the input, resized, not a blank


# --- samplers and schedules --------------------------------------------------------------------------------------

BASE_CONFIG = {"num_train_timesteps": 1000, "beta_start": 0.00085, "beta_end": 0.012,
               "beta_schedule": "scaled_linear", "steps_offset": 1}


def sigmas_of(sampler: str, schedule: str | None = "automatic", steps: int = 4) -> list[float]:
    scheduler = make_scheduler(sampler, BASE_CONFIG, schedule)
    scheduler.set_timesteps(steps)
    return [round(float(s), 4) for s in scheduler.sigmas]


def test_a_schedule_sets_the_samplers_sigmas():
    assert sigmas_of("Euler", "karras") != sigmas_of("Euler", "automatic")
    assert sigmas_of("DPM++ 2M", "exponential") != sigmas_of("DPM++ 2M", "automatic")
    assert sigmas_of("LMS", "beta") != sigmas_of("LMS", "karras")


def test_suffixes_and_explicit_schedules():
    assert sigmas_of("DPM++ 2M SDE Exponential") == sigmas_of("DPM++ 2M SDE", "exponential")
    # an explicit schedule wins over the name's suffix
    assert sigmas_of("LMS Karras", "uniform") == sigmas_of("LMS", "uniform") != sigmas_of("LMS Karras")


@pytest.mark.parametrize("sampler", ["DDIM", "PLMS", "UniPC"])
def test_timestep_samplers_ignore_the_schedule_as_the_web_ui_does(sampler):
    def timesteps(schedule: str) -> list[float]:
        scheduler = make_scheduler(sampler, BASE_CONFIG, schedule)
        scheduler.set_timesteps(4)
        return scheduler.timesteps.tolist()

    assert timesteps("karras") == timesteps("automatic") == timesteps("kl_optimal")


def test_lcm_refuses_more_steps_than_it_was_distilled_for(engine):
    with pytest.raises(InvalidInput) as info:
        engine.generate(spec(sampler="LCM", steps=51), no_steps)
    assert info.value.details["field"] == "steps"


def test_dpmpp_2s_a_is_its_own_sampler(engine):
    two_s = engine.generate(spec(sampler="DPM++ 2S a", steps=3), no_steps)[0]
    dpm2_a = engine.generate(spec(sampler="DPM2 a", steps=3), no_steps)[0]
    assert not np.array_equal(pixels(two_s), pixels(dpm2_a))
    assert np.array_equal(pixels(engine.generate(spec(sampler="DPM++ 2S a", steps=3), no_steps)[0]), pixels(two_s))


def test_ancestral_split_keeps_the_noise_level():
    sigma_down, sigma_up = ancestral_split(torch.tensor(2.0), torch.tensor(1.0), eta=1.0)
    assert torch.isclose(sigma_down**2 + sigma_up**2, torch.tensor(1.0))
    assert ancestral_split(torch.tensor(2.0), torch.tensor(1.0), eta=0.0) == (1.0, 0.0)


# --- noise ---------------------------------------------------------------------------------------------------------


def test_noise_is_one_draw_per_seed_whatever_the_batch():
    batch = initial_noise((4, 8, 8), [1, 2])
    assert torch.equal(batch[1], initial_noise((4, 8, 8), [2])[0])
    assert torch.equal(batch[0], seeded(1, (4, 8, 8)))


def test_variation_noise_walks_from_the_seed_to_the_subseed():
    a, b = seeded(1, (4, 8, 8)), seeded(2, (4, 8, 8))
    assert torch.equal(initial_noise((4, 8, 8), [1], subseeds=[2], subseed_strength=0.0)[0], a)
    assert torch.allclose(slerp(1.0, a, b), b, atol=1e-5)
    half = slerp(0.5, a, b)
    # spherical, not linear: the midpoint keeps a noise-like norm per pixel
    assert half.norm(dim=0).mean() > torch.lerp(a, b, 0.5).norm(dim=0).mean()


def test_resized_noise_is_centred_in_noise_of_the_same_seed():
    noise = initial_noise((4, 8, 8), [5], drawn_at=(4, 4, 4))[0]
    assert torch.equal(noise[:, 2:6, 2:6], seeded(5, (4, 4, 4)))
    assert torch.equal(noise[:, 0, :], seeded(5, (4, 8, 8))[:, 0, :])


# --- masks -----------------------------------------------------------------------------------------------------------


def test_crop_box_pads_the_mask_and_takes_the_output_aspect():
    mask = Image.new("L", (200, 100))
    mask.paste(255, (90, 40, 110, 60))
    assert crop_box(mask, 10, width=64, height=32) == (60, 30, 140, 70)  # 40x40 padded, widened to 2:1
    edge = Image.new("L", (200, 100))
    edge.paste(255, (0, 0, 10, 10))
    assert crop_box(edge, 5, width=64, height=64) == (0, 0, 15, 15)  # clamped, still square
    assert crop_box(Image.new("L", (8, 8)), 5, width=8, height=8) is None  # nothing masked


def test_fill_paints_only_the_masked_area_with_nearby_colours():
    image = Image.new("RGB", (64, 64), (200, 30, 30))
    image.paste((0, 0, 255), (20, 20, 44, 44))
    mask = Image.new("L", (64, 64))
    mask.paste(255, (20, 20, 44, 44))
    filled = np.asarray(fill_masked(image, mask)).astype(int)
    assert np.array_equal(filled[:20], np.asarray(image)[:20])
    assert np.abs(filled[32, 32] - [200, 30, 30]).max() < 10  # the blue is gone, the red around comes in
