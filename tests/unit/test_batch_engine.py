"""Cross-request batching in the engine: jobs run as one call give the pixels each gets alone, and a job stopped in
a batch ends alone."""

from __future__ import annotations

import numpy as np
import pytest

from easel_proto.v1.jobs import GenerationSpec
from easel_proto.v1.registry import ModelInfo
from easel_worker.engine import GenerationEngine, Interrupt, NullEngine, Skip, Stopped

TINY = ModelInfo(id="m-tiny", name="tiny", kind="checkpoint", base="tiny", source="builtin:tiny-sd")
LONG = ", ".join(["a very detailed watercolor painting of a red fox"] * 12)  # past 75 tokens: two chunks


def spec(**over) -> GenerationSpec:
    fields = dict(prompt="a watercolor fox in the snow", negative_prompt="blurry", model=TINY, sampler="Euler a",
                  steps=4, cfg_scale=7.0, width=64, height=64, seeds=[1])
    return GenerationSpec(**(fields | over))


def no_steps(done: int, total: int) -> None:
    pass


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> GenerationEngine:
    return GenerationEngine(tmp_path_factory.mktemp("batch-engine"), device="cpu")


def alone(engine: GenerationEngine, job: GenerationSpec) -> list[np.ndarray]:
    return [np.asarray(im).astype(int) for im in engine.generate(job, no_steps)]


def close(images, expected) -> bool:
    # a larger batch may pick other kernels: rounding noise, never another picture
    return len(images) == len(expected) and all(
        np.abs(np.asarray(im).astype(int) - ex).max() <= 2 for im, ex in zip(images, expected, strict=True))


@pytest.mark.parametrize("sampler", ["Euler a", "DPM++ SDE"])
def test_batched_jobs_give_the_pixels_each_gets_alone(engine, sampler):
    jobs = [spec(sampler=sampler, seeds=[11]),
            spec(sampler=sampler, prompt="a lighthouse at dusk", negative_prompt="", seeds=[12, 13], clip_skip=2),
            spec(sampler=sampler, prompt="a red barn", seeds=[14], subseeds=[99], subseed_strength=0.3,
                 seed_resize_from_w=96, seed_resize_from_h=64)]
    expected = [alone(engine, job) for job in jobs]
    outcomes = engine.generate_batch(jobs, [no_steps] * 3)
    assert [close(images, ex) for images, ex in zip(outcomes, expected, strict=True)] == [True, True, True]
    assert not np.array_equal(expected[0][0], expected[1][0])  # the rows really are different jobs


def test_prompts_that_cannot_share_a_call_still_get_their_own_pixels(engine):
    jobs = [spec(seeds=[3]), spec(prompt=LONG, seeds=[4]), spec(prompt="a fox AND a crow :0.5", seeds=[5]),
            spec(prompt="[a cat:a dog:2]", seeds=[6])]
    expected = [alone(engine, job) for job in jobs]
    outcomes = engine.generate_batch(jobs, [no_steps] * 4)
    assert [close(images, ex) for images, ex in zip(outcomes, expected, strict=True)] == [True] * 4


def test_each_job_sees_its_own_steps_and_an_interrupted_one_leaves_at_once(engine):
    jobs = [spec(seeds=[21]), spec(seeds=[22, 23]), spec(seeds=[24])]
    expected = [alone(engine, job) for job in jobs]
    steps: dict[int, list[int]] = {0: [], 1: [], 2: []}
    ended: list[int] = []

    def on_step(i: int):
        def step(done: int, total: int) -> None:
            steps[i].append(done)
            if i == 1 and done == 2:
                raise Interrupt(at=1)
        return step

    outcomes = engine.generate_batch(jobs, [on_step(i) for i in range(3)],
                                     on_done=lambda i, outcome: ended.append(i))
    assert ended[0] == 1  # reported while the others still ran
    assert steps == {0: [1, 2, 3, 4], 1: [1, 2], 2: [1, 2, 3, 4]}
    stopped = outcomes[1]
    assert isinstance(stopped, Stopped) and len(stopped.images) == 2  # what it made, as a job alone keeps
    assert close(outcomes[0], expected[0]) and close(outcomes[2], expected[2])


def test_a_skipped_job_ends_with_its_images_and_a_failing_one_with_its_error(engine):
    class Revoked(Exception):
        pass

    def skip_at_two(done: int, total: int) -> None:
        if done == 2:
            raise Skip(at=2)

    def revoked(done: int, total: int) -> None:
        raise Revoked("handed to another worker")

    jobs = [spec(seeds=[31]), spec(seeds=[32]), spec(seeds=[33])]
    outcomes = engine.generate_batch(jobs, [no_steps, skip_at_two, revoked])
    assert close(outcomes[0], alone(engine, jobs[0]))
    assert isinstance(outcomes[1], list) and len(outcomes[1]) == 1
    assert isinstance(outcomes[2], Revoked)


def test_when_every_job_has_left_the_call_stops(engine):
    counted: list[int] = []

    def interrupt(done: int, total: int) -> None:
        counted.append(done)
        raise Interrupt(at=0)  # asked for before any step had finished: nothing kept

    outcomes = engine.generate_batch([spec(seeds=[1]), spec(seeds=[2])], [interrupt, interrupt])
    assert counted == [1, 1]
    assert all(isinstance(o, Stopped) and o.images == [] for o in outcomes)


def test_a_bad_spec_fails_only_its_job(engine):
    outcomes = engine.generate_batch([spec(seeds=[1]), spec(seeds=[2], subseeds=[1, 2])], [no_steps] * 2)
    assert isinstance(outcomes[0], list) and len(outcomes[0]) == 1
    assert outcomes[1].to_wire().details["field"] == "subseeds"


def test_the_null_engine_batches_the_same_way():
    ended: list[int] = []

    def stop_second(done: int, total: int) -> None:
        if done == 2:
            raise Interrupt(at=2)

    outcomes = NullEngine(step_s=0.001).generate_batch([spec(seeds=[1, 2]), spec(seeds=[3])], [no_steps, stop_second],
                                                        on_done=lambda i, o: ended.append(i))
    assert ended == [1, 0]
    assert [im.size for im in outcomes[0]] == [(64, 64)] * 2
    assert isinstance(outcomes[1], Stopped) and len(outcomes[1].images) == 1


def test_sdxl_jobs_batch_with_their_own_pooled_prompts(engine):
    xl = ModelInfo(id="builtin-tiny-sdxl", name="tiny-sdxl", kind="checkpoint", base="sdxl",
                   source="builtin:tiny-sdxl")
    jobs = [spec(model=xl, seeds=[41]), spec(model=xl, prompt="a red barn", negative_prompt="", seeds=[42])]
    expected = [alone(engine, job) for job in jobs]
    outcomes = engine.generate_batch(jobs, [no_steps] * 2)
    assert [close(images, ex) for images, ex in zip(outcomes, expected, strict=True)] == [True, True]


def test_jobs_that_cannot_share_a_call_are_refused_as_a_batch(engine):
    with pytest.raises(ValueError, match="cannot share a UNet call"):
        engine.generate_batch([spec(steps=3), spec(steps=4)], [no_steps] * 2)
