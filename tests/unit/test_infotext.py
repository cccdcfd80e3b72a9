"""The infotext the worker writes into each PNG, where the web UI leaves parts out."""

from __future__ import annotations

import pytest

from easel_proto.v1.jobs import GenerationSpec, HiresSpec
from easel_proto.v1.registry import ModelInfo
from easel_worker.images import infotext

TINY = ModelInfo(id="m-tiny", name="tiny", kind="checkpoint", base="tiny", source="builtin:tiny-sd")


def line(**hires) -> str:
    spec = GenerationSpec(prompt="a lighthouse", negative_prompt="blurry", model=TINY, sampler="Euler a", steps=3,
                          cfg_scale=7.0, width=64, height=64, seeds=[1],
                          hires=HiresSpec(width=128, height=128, denoising_strength=0.5, **hires))
    return infotext(spec, 1).split("\n")[-1]


# hr_second_pass_steps=0 reaches the worker as the first pass's count (3), filled in by admission
@pytest.mark.parametrize(("steps", "written"), [(3, None), (4, "Hires steps: 4, "), (1, "Hires steps: 1, ")])
def test_hires_steps_are_written_only_when_they_differ_from_the_first_pass(steps, written):
    text = line(steps=steps)
    assert "Hires upscale: 2, " in text
    if written is None:
        assert "Hires steps" not in text
    else:
        assert written in text


@pytest.mark.parametrize(("prompt", "negative", "prompt_written", "negative_written"), [
    ("a lighthouse", "blurry", False, False),  # the same as the first pass: left out
    ("", "", False, False),
    ("a lighthouse, detailed", "blurry", True, False),
    ("a lighthouse", "dark", False, True),
])
def test_hires_prompts_are_written_only_when_they_differ(prompt, negative, prompt_written, negative_written):
    text = line(steps=3, prompt=prompt, negative_prompt=negative)
    assert ('Hires prompt: "a lighthouse, detailed"' in text) is prompt_written
    assert ("Hires prompt" in text) is prompt_written
    assert ("Hires negative prompt: dark" in text) is negative_written
    assert ("Hires negative prompt" in text) is negative_written


@pytest.mark.parametrize(("sampler", "scheduler", "written"), [
    ("DPM++ 2M", "automatic", "Sampler: DPM++ 2M, Schedule type: Karras, "),  # the sampler's own default, named
    ("DPM++ 2M SDE", None, "Sampler: DPM++ 2M SDE, Schedule type: Exponential, "),
    ("DPM++ 2M", "uniform", "Sampler: DPM++ 2M, Schedule type: Uniform, "),
    ("DPM++ 2M Karras", "automatic", "Sampler: DPM++ 2M, Schedule type: Karras, "),
    ("Euler", "automatic", "Sampler: Euler, CFG scale"),  # no default: nothing to name
    ("DDIM", "karras", "Sampler: DDIM, CFG scale"),  # timestep samplers ignore the schedule, and say none
])
def test_the_schedule_type_is_the_one_the_run_used(sampler, scheduler, written):
    spec = GenerationSpec(prompt="a lighthouse", model=TINY, sampler=sampler, scheduler=scheduler, steps=3,
                          cfg_scale=7.0, width=64, height=64, seeds=[1])
    assert written in infotext(spec, 1)
