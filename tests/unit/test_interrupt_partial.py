"""Interrupt and skip on the tiny model: the engine keeps what it made, decoded from the denoised estimate at the
step it stopped at (the web UI's interrupt returns those images), and nothing from a pass none of whose steps had
finished when the stop was asked for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from easel_proto.v1.jobs import GenerationSpec, HiresSpec
from easel_proto.v1.registry import ModelInfo
from easel_worker.engine import GenerationEngine, Interrupt, Skip, Stopped

TINY = ModelInfo(id="m-tiny", name="tiny", kind="checkpoint", base="tiny", source="builtin:tiny-sd")


def spec(**over) -> GenerationSpec:
    fields = dict(prompt="a watercolor fox in the snow", negative_prompt="blurry", model=TINY, sampler="Euler a",
                  steps=8, cfg_scale=7.0, width=64, height=64, seeds=[3])
    return GenerationSpec(**(fields | over))


def px(image) -> np.ndarray:
    return np.asarray(image).astype(int)


def no_steps(done: int, total: int) -> None:
    pass


def stop_at(step: int, kind: type[Interrupt] = Interrupt, asked_at: int | None = None):
    """on_step as a worker's: the stop is asked for once `step` steps are done (at `asked_at`, by default the
    step before: it came while `step` ran), and raised once."""
    raised = []

    def on_step(done: int, total: int) -> None:
        if done == step and not raised:
            raised.append(done)
            raise kind(step - 1 if asked_at is None else asked_at)

    return on_step


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> GenerationEngine:
    return GenerationEngine(Path(tmp_path_factory.mktemp("interrupt-cache")), device="cpu")


@pytest.mark.parametrize("sampler", ["Euler a", "DPM++ 2M", "PLMS"])
def test_an_interrupt_after_some_steps_returns_that_image_not_the_finished_one(engine, sampler):
    full = engine.generate(spec(sampler=sampler), no_steps)[0]
    with pytest.raises(Stopped) as stopped:
        engine.generate(spec(sampler=sampler), stop_at(3))
    (partial,) = stopped.value.images
    assert partial.size == full.size == (64, 64)
    assert np.abs(px(partial) - px(full)).mean() > 1.0  # stopped early: not the finished image
    assert px(partial).std() > 5.0  # a picture, not a blank or flat one
    again = engine.generate(spec(sampler=sampler), no_steps)[0]  # the engine is fine afterwards
    assert np.array_equal(px(again), px(full))


def test_the_estimate_comes_closer_to_the_finished_image_with_more_steps(engine):
    full = px(engine.generate(spec(steps=12), no_steps)[0])
    distances = []
    for step in (2, 10):
        with pytest.raises(Stopped) as stopped:
            engine.generate(spec(steps=12), stop_at(step))
        distances.append(np.abs(px(stopped.value.images[0]) - full).mean())
    assert distances[1] < distances[0]


def test_an_interrupt_asked_for_before_the_first_step_finished_keeps_nothing(engine):
    with pytest.raises(Stopped) as stopped:
        engine.generate(spec(), stop_at(1, asked_at=0))
    assert stopped.value.images == []


def test_an_interrupt_in_the_second_batch_keeps_the_first_whole_and_the_second_as_it_was(engine):
    whole = engine.generate(spec(seeds=[3, 4], batch_size=1), no_steps)
    with pytest.raises(Stopped) as stopped:
        engine.generate(spec(seeds=[3, 4], batch_size=1), stop_at(8 + 4))  # 4 steps into the second batch
    first, second = stopped.value.images
    assert np.abs(px(first) - px(whole[0])).max() <= 2
    assert np.abs(px(second) - px(whole[1])).mean() > 1.0


def test_skip_ends_only_the_current_batch(engine):
    whole = engine.generate(spec(seeds=[3, 4], batch_size=1), no_steps)
    calls = []

    def on_step(done: int, total: int) -> None:
        calls.append(done)
        if done == 3 and calls.count(3) == 1:
            raise Skip(2)

    first, second = engine.generate(spec(seeds=[3, 4], batch_size=1), on_step)
    assert np.abs(px(first) - px(whole[0])).mean() > 1.0 and px(first).std() > 5.0  # as it was at step 3
    assert np.abs(px(second) - px(whole[1])).max() <= 2  # the next batch ran whole
    assert calls == [1, 2, 3, *range(9, 17)]  # the skipped batch's steps count as run


def test_a_skip_asked_for_before_a_batch_began_is_dropped(engine):
    whole = engine.generate(spec(seeds=[3, 4], batch_size=1), no_steps)
    # asked for at step 8, the first batch's last (while its images were decoded), raised at the next step
    images = engine.generate(spec(seeds=[3, 4], batch_size=1), stop_at(9, Skip, asked_at=7))
    assert all(np.abs(px(a) - px(b)).max() <= 2 for a, b in zip(images, whole, strict=True))


def test_hires_interrupted_before_its_pass_returns_the_first_pass_image(engine):
    hires = spec(steps=4, hires=HiresSpec(width=96, height=96, steps=4, denoising_strength=0.5))
    low = engine.generate(spec(steps=4), no_steps)[0]
    with pytest.raises(Stopped) as stopped:  # asked for after the first pass's last step, raised in the second
        engine.generate(hires, stop_at(5, asked_at=4))
    (image,) = stopped.value.images
    assert image.size == (64, 64) and np.abs(px(image) - px(low)).max() <= 2
    with pytest.raises(Stopped) as stopped:  # within the hires pass: its own estimate, at its size
        engine.generate(hires, stop_at(6))
    assert stopped.value.images[0].size == (96, 96)


def test_a_skip_asked_for_as_the_next_batch_starts_after_a_skip_ends_that_batch(engine):
    whole = engine.generate(spec(seeds=[3, 4, 5], batch_size=1), no_steps)
    raised = []

    def on_step(done: int, total: int) -> None:
        # the worker's count stays at 2 (the last step it took) until the second batch's first step is taken
        if done in (3, 9) and done not in raised:
            raised.append(done)
            raise Skip(2)

    first, second, third = engine.generate(spec(seeds=[3, 4, 5], batch_size=1), on_step)
    assert raised == [3, 9]
    assert np.abs(px(second) - px(whole[1])).mean() > 1.0  # ended after its first step
    assert np.abs(px(third) - px(whole[2])).max() <= 2
