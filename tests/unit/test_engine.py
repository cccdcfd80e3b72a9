"""The generation engine on the built-in tiny model: sizes, seeds, progress, cancel, samplers."""

from __future__ import annotations

import typing
from pathlib import Path

import numpy as np
import pytest
from safetensors.torch import load_file

from easel_proto.errors import GenerationFailed, InvalidInput, JobCanceled
from easel_proto.v1.jobs import GenerationSpec, Sampler
from easel_proto.v1.registry import ModelInfo
from easel_worker.engine import SAMPLERS, Engine, GenerationEngine, NullEngine, ensure_tiny_sd
from easel_worker.engine import tiny as tiny_mod

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
    images = engine.text_to_image(spec(width=width, height=height), no_steps)
    assert [im.size for im in images] == [(width, height)]
    assert images[0].mode == "RGB"


def test_one_distinct_image_per_seed(engine):
    images = engine.text_to_image(spec(seeds=[11, 12]), no_steps)
    assert len(images) == 2
    assert not np.array_equal(pixels(images[0]), pixels(images[1]))


def test_same_seed_gives_identical_pixels(engine):
    job = spec(seeds=[42], sampler="Euler a")  # ancestral: noise is drawn every step too
    first = engine.text_to_image(job, no_steps)[0]
    second = engine.text_to_image(job, no_steps)[0]
    assert np.array_equal(pixels(first), pixels(second))


def test_seed_image_does_not_depend_on_batch_neighbours(engine):
    alone = engine.text_to_image(spec(seeds=[7]), no_steps)[0]
    batched = engine.text_to_image(spec(seeds=[7, 8]), no_steps)[0]
    # Batch size may change kernel choice, so allow rounding noise but not a different image.
    assert np.abs(pixels(alone).astype(int) - pixels(batched).astype(int)).max() <= 2


def test_on_step_reports_every_step_in_order(engine):
    calls = []
    engine.text_to_image(spec(steps=4), lambda done, total: calls.append((done, total)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_on_step_total_counts_second_order_iterations(engine):
    calls = []
    engine.text_to_image(spec(sampler="Heun", steps=3), lambda done, total: calls.append((done, total)))
    total = calls[0][1]
    assert total > 3  # Heun evaluates the model twice per step after the first
    assert calls == [(i, total) for i in range(1, total + 1)]


def test_cancel_from_on_step_propagates_and_engine_recovers(engine):
    expected = engine.text_to_image(spec(seeds=[5], sampler="DPM++ 2M"), no_steps)[0]
    seen = []

    def cancel_at_two(done: int, total: int) -> None:
        seen.append(done)
        if done == 2:
            raise JobCanceled("canceled by owner")

    with pytest.raises(JobCanceled):
        engine.text_to_image(spec(seeds=[5], sampler="DPM++ 2M", steps=5), cancel_at_two)
    assert seen == [1, 2]
    after = engine.text_to_image(spec(seeds=[5], sampler="DPM++ 2M"), no_steps)[0]
    assert np.array_equal(pixels(after), pixels(expected))


def test_any_exception_from_on_step_is_not_wrapped(engine):
    class Boom(Exception):
        pass

    def boom(done, total):
        raise Boom

    with pytest.raises(Boom):
        engine.text_to_image(spec(), boom)


def test_pipeline_errors_become_generation_failed(engine, monkeypatch):
    def broken_forward(*args, **kwargs):
        raise RuntimeError("shape mismatch in conv")

    engine.load(TINY)
    with monkeypatch.context() as patch:
        patch.setattr(engine._loaded[TINY.id].pipe.unet, "forward", broken_forward)
        with pytest.raises(GenerationFailed, match="shape mismatch in conv"):
            engine.text_to_image(spec(), no_steps)
    assert engine.healthy()  # an ordinary error does not condemn the worker
    assert engine.text_to_image(spec(), no_steps)[0].size == (64, 64)


def test_sampler_table_covers_exactly_the_contract():
    assert set(SAMPLERS) == set(typing.get_args(Sampler.__value__))


@pytest.mark.parametrize("sampler", typing.get_args(Sampler.__value__))
def test_every_sampler_produces_an_image(engine, sampler):
    images = engine.text_to_image(spec(sampler=sampler, steps=2, seeds=[3]), no_steps)
    assert [im.size for im in images] == [(64, 64)]
    # Not a blank or NaN-black frame: the pipeline really decoded something.
    assert pixels(images[0]).std() > 0


def test_karras_and_plain_dpm_differ(engine):
    plain = engine.text_to_image(spec(sampler="DPM++ 2M", steps=3), no_steps)[0]
    karras = engine.text_to_image(spec(sampler="DPM++ 2M Karras", steps=3), no_steps)[0]
    assert not np.array_equal(pixels(plain), pixels(karras))


def test_unsupported_source_is_invalid_model(engine):
    remote = TINY.model_copy(update={"id": "m-s3", "source": "s3://models/sd15.safetensors"})
    with pytest.raises(InvalidInput) as info:
        engine.load(remote)
    assert info.value.details["field"] == "model"
    assert "not supported" in info.value.message


def test_unknown_builtin_is_invalid_model(engine):
    with pytest.raises(InvalidInput) as info:
        engine.text_to_image(spec(model=TINY.model_copy(update={"id": "m-x", "source": "builtin:huge-sd"})), no_steps)
    assert info.value.details["field"] == "model"


def test_size_not_multiple_of_8_names_the_field(engine):
    with pytest.raises(InvalidInput) as info:
        engine.text_to_image(spec(width=60), no_steps)
    assert info.value.details["field"] == "width"


def test_lru_keeps_at_most_max_loaded(cache_dir):
    small = GenerationEngine(cache_dir, device="cpu", max_loaded=1)
    other = TINY.model_copy(update={"id": "m-tiny-2"})
    small.load(TINY)
    assert small.load(other) > 0.0
    assert small.loaded_models() == ["m-tiny-2"]
    assert small.load(TINY) > 0.0  # evicted, so it loads again


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
    images = null.text_to_image(spec(width=96, height=64, seeds=[1, 2, 3]), lambda *a: calls.append(a))
    assert [im.size for im in images] == [(96, 64)] * 3
    assert all(pixels(im).max() == 0 for im in images)
    assert calls == []
    assert null.healthy()
