"""Every sampler with every noise schedule of the web UI 1.10 (its `scheduler` field), on the built-in tiny model."""

from __future__ import annotations

import typing
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from easel_proto.errors import InvalidInput
from easel_proto.naming import input_key
from easel_proto.v1.jobs import GenerationSpec, InputImage, Sampler, Scheduler
from easel_proto.v1.registry import ModelInfo
from easel_proto.webui import TIMESTEP_SAMPLERS
from easel_worker.engine import GenerationEngine, make_scheduler
from easel_worker.engine import schedules as sched
from easel_worker.images import parameters

TINY = ModelInfo(id="m-tiny", name="tiny", kind="checkpoint", base="tiny", source="builtin:tiny-sd")
SAMPLER_NAMES = typing.get_args(Sampler.__value__)
SCHEDULES = typing.get_args(Scheduler.__value__)
# Older names carry their schedule ("DPM++ 2M Karras"): the web UI 1.10's samplers are the others.
SUFFIXES = {" Karras": "karras", " Exponential": "exponential"}
BASE_SAMPLERS = [name for name in SAMPLER_NAMES if not name.endswith(tuple(SUFFIXES))]
SUFFIXED = [name for name in SAMPLER_NAMES if name not in BASE_SAMPLERS]
# The web UI 1.10's samplers with a `scheduler` option: what their "automatic" schedule is. The others (Euler a,
# Euler, LMS, Heun, LCM) keep the model's own spacing.
DEFAULT_SCHEDULES = {"DPM++ 2M": "karras", "DPM++ SDE": "karras", "DPM++ 2S a": "karras", "DPM2": "karras",
                     "DPM2 a": "karras", "DPM++ 2M SDE": "exponential", "DPM++ 2M SDE Heun": "exponential",
                     "DPM++ 3M SDE": "exponential"}
NO_DEFAULT = [name for name in BASE_SAMPLERS if name not in DEFAULT_SCHEDULES and name not in TIMESTEP_SAMPLERS]
BASE_CONFIG = {"num_train_timesteps": 1000, "beta_start": 0.00085, "beta_end": 0.012,
               "beta_schedule": "scaled_linear", "steps_offset": 1}


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> GenerationEngine:
    return GenerationEngine(Path(tmp_path_factory.mktemp("schedules")), device="cpu")


_made: dict[tuple, np.ndarray] = {}


def image(engine: GenerationEngine, sampler: str, scheduler: str, steps: int = 3, **noise: float) -> np.ndarray:
    """One image (made once per module): 32x32 without guidance, one small model call per sampler call."""
    key = (sampler, scheduler, steps, *sorted(noise.items()))
    if key not in _made:
        job = GenerationSpec(prompt="a watercolor fox", model=TINY, sampler=sampler, scheduler=scheduler,
                             steps=steps, cfg_scale=1.0, width=32, height=32, seeds=[5], **noise)
        _made[key] = np.asarray(engine.generate(job, lambda done, total: None)[0])
    return _made[key]


def test_the_contract_lists_the_web_ui_schedulers():
    assert set(SCHEDULES) == {"automatic", *sched.SCHEDULES}
    assert set(sched.SCHEDULES) == {"uniform", "karras", "exponential", "polyexponential", "sgm_uniform",
                                    "kl_optimal", "align_your_steps", "simple", "normal", "ddim", "beta"}


@pytest.mark.parametrize("sampler", BASE_SAMPLERS)
def test_every_schedule_makes_an_image_with_every_sampler(engine, sampler):
    images = {schedule: image(engine, sampler, schedule) for schedule in SCHEDULES}
    for schedule, pixels in images.items():
        assert pixels.shape == (32, 32, 3), schedule
        assert pixels.std() > 0, schedule  # decoded, not a blank or NaN-black frame
    if sampler in TIMESTEP_SAMPLERS:
        # the web UI runs these over timesteps: the schedule changes nothing
        assert all(np.array_equal(pixels, images["automatic"]) for pixels in images.values())
    else:
        assert not np.array_equal(images["karras"], images["uniform"])
        assert not np.array_equal(images["simple"], images["karras"])


def test_each_schedule_gives_its_own_steps():
    # polyexponential at its default rho 1 is the exponential schedule, and normal is uniform on SD's table
    # (as in the web UI); every other pair differs
    alphas = make_scheduler("Euler", BASE_CONFIG).alphas_cumprod
    lists = {name: tuple(np.round(sched.sigmas(name, 5, alphas), 4)) for name in sched.SCHEDULES}
    assert lists["polyexponential"] == lists["exponential"] and lists["normal"] == lists["uniform"]
    distinct = set(lists.values())
    assert len(distinct) == len(lists) - 2


@pytest.mark.parametrize("schedule", sorted(sched.SCHEDULES))
def test_schedules_run_from_high_to_low_noise(schedule):
    alphas = make_scheduler("Euler", BASE_CONFIG).alphas_cumprod
    sigmas = sched.sigmas(schedule, 8, alphas)
    assert np.all(np.diff(sigmas) < 0)
    assert sigmas[0] <= 14.62 and sigmas[-1] < 0.03  # within SD's noise table, ending at (nearly) no noise


def test_schedule_definitions_match_the_web_ui():
    alphas = make_scheduler("Euler", BASE_CONFIG).alphas_cumprod
    table = sched.NoiseTable(alphas)
    karras = sched.sigmas("karras", 4, alphas)
    assert karras[0] == pytest.approx(table.sigma_max) and karras[3] == pytest.approx(table.sigma_min)
    assert karras[-1] == 0
    # kl_optimal: straight in arctan(sigma), ending at sigma_min
    kl = sched.sigmas("kl_optimal", 4, alphas)
    assert np.allclose(np.diff(np.arctan(kl)), np.diff(np.arctan(kl))[0]) and kl[-1] == pytest.approx(table.sigma_min)
    # align your steps: the published 10-step list as is, and interpolated for other counts
    assert sched.sigmas("align_your_steps", 11, alphas)[:3].tolist() == [14.615, 6.475, 3.861]
    assert sched.sigmas("align_your_steps", 11, alphas, xl=True)[1] == 6.315
    assert len(sched.sigmas("align_your_steps", 6, alphas)) == 7
    # simple: every (1000 / n)-th sigma of the table from the top; ddim: every (1000 // n)-th from timestep 1
    assert sched.sigmas("simple", 4, alphas)[:4] == pytest.approx(table.sigmas[[999, 749, 499, 249]])
    assert sched.sigmas("ddim", 4, alphas)[:4] == pytest.approx(table.sigmas[[751, 501, 251, 1]])
    assert len(sched.sigmas("ddim", 7, alphas)) == 9  # 1000 // 7 leaves an eighth step, as in the web UI


def test_a_k_sampler_runs_the_schedules_sigmas():
    scheduler = make_scheduler("Euler a", BASE_CONFIG, "kl_optimal")
    scheduler.set_timesteps(4)
    expected = sched.sigmas("kl_optimal", 4, scheduler.alphas_cumprod)[:-1]
    assert np.allclose(scheduler.sigmas[:-1].numpy(), expected, rtol=1e-5) and scheduler.sigmas[-1] == 0


@pytest.mark.parametrize("sampler", SUFFIXED)
def test_a_sampler_name_suffix_is_its_automatic_schedule(engine, sampler):
    base, suffix = next((sampler.removesuffix(s), schedule) for s, schedule in SUFFIXES.items() if sampler.endswith(s))
    assert np.array_equal(image(engine, sampler, "automatic"), image(engine, base, suffix))
    # an explicit schedule wins over the suffix
    assert np.array_equal(image(engine, sampler, "beta"), image(engine, base, "beta"))


@pytest.mark.parametrize(("sampler", "schedule"), sorted(DEFAULT_SCHEDULES.items()))
def test_automatic_is_the_samplers_own_schedule_as_in_the_web_ui(engine, sampler, schedule):
    assert np.array_equal(image(engine, sampler, "automatic"), image(engine, sampler, schedule))
    assert not np.array_equal(image(engine, sampler, "automatic"), image(engine, sampler, "uniform"))


@pytest.mark.parametrize("sampler", NO_DEFAULT)
def test_automatic_keeps_the_model_spacing_for_a_sampler_without_a_schedule(engine, sampler):
    # the diffusers scheduler as the checkpoint configures it: no web UI schedule hooked in
    made = make_scheduler(sampler, BASE_CONFIG, "automatic")
    assert not hasattr(made, "sigma_schedule") and not made.config.get("use_karras_sigmas")
    assert not np.array_equal(image(engine, sampler, "automatic"), image(engine, sampler, "karras"))


def test_the_new_dpm_samplers_are_their_own(engine):
    sde_2m = image(engine, "DPM++ 2M SDE", "karras", steps=5)
    assert not np.array_equal(image(engine, "DPM++ 2M SDE Heun", "karras", steps=5), sde_2m)
    # third order starts at the third of five steps (diffusers takes lower orders at the last two)
    assert not np.array_equal(image(engine, "DPM++ 3M SDE", "karras", steps=5), sde_2m)


def test_an_unknown_schedule_is_refused_by_the_worker():
    with pytest.raises(InvalidInput) as info:
        make_scheduler("Euler", BASE_CONFIG, "zigzag")
    assert info.value.details["field"] == "scheduler"


def test_churn_and_noise_scale_change_the_samplers_that_take_them(engine):
    euler = image(engine, "Euler", "karras")
    assert np.array_equal(image(engine, "Euler", "karras", s_churn=0.0, s_noise=1.0, s_tmax=0.0), euler)
    churned = image(engine, "Euler", "karras", s_churn=2.0)
    assert not np.array_equal(churned, euler)
    # churn applies only to sigmas in [s_tmin, s_tmax]: above every sigma of the schedule it does nothing
    assert np.array_equal(image(engine, "Euler", "karras", s_churn=2.0, s_tmin=20.0, s_tmax=30.0), euler)
    assert not np.array_equal(image(engine, "Euler a", "karras", s_noise=0.5), image(engine, "Euler a", "karras"))
    # the web UI passes them only to samplers whose functions take them: DPM++ 2M does not
    assert np.array_equal(image(engine, "DPM++ 2M", "karras", s_churn=2.0, s_noise=0.5),
                          image(engine, "DPM++ 2M", "karras"))


@pytest.mark.parametrize(("sampler", "noise", "field"), [
    ("Heun", {"s_churn": 1.0}, "s_churn"),
    ("DPM2 Karras", {"s_churn": 1.0}, "s_churn"),
    ("DPM++ SDE", {"s_noise": 0.5}, "s_noise"),
    ("DPM++ 3M SDE", {"s_noise": 1.5}, "s_noise"),
])
def test_churn_or_noise_a_sampler_cannot_take_is_refused_naming_the_field(engine, sampler, noise, field):
    with pytest.raises(InvalidInput) as info:
        image(engine, sampler, "automatic", **noise)
    assert info.value.details["field"] == field


def test_the_infotext_records_churn_where_it_was_applied():
    def infotext(sampler: str) -> dict:
        return parameters(GenerationSpec(prompt="a fox", model=TINY, sampler=sampler, steps=3, cfg_scale=7.0,
                                         width=64, height=64, seeds=[1], s_churn=0.5, s_noise=0.9), seed=1)

    assert (infotext("Euler")["Sigma churn"], infotext("Euler")["Sigma noise"]) == ("0.5", "0.9")
    assert "Sigma churn" not in infotext("Euler a") and infotext("Euler a")["Sigma noise"] == "0.9"
    assert not {"Sigma churn", "Sigma noise"} & set(infotext("DPM++ 2M"))


@pytest.mark.parametrize(("sampler", "schedule"), [("Euler a", "kl_optimal"), ("DPM++ 2M SDE Heun", "ddim"),
                                                   ("DPM2", "align_your_steps"), ("LCM", "simple")])
def test_img2img_runs_the_schedules_tail(engine, sampler, schedule):
    init = Image.fromarray(np.full((32, 32, 3), 120, np.uint8))
    key = input_key("t", "u", "init")
    job = GenerationSpec(prompt="a fox", model=TINY, sampler=sampler, scheduler=schedule, steps=4, cfg_scale=1.0,
                         width=32, height=32, seeds=[5], task="img2img", denoising_strength=0.5,
                         init_images=[InputImage(key=key, width=32, height=32)])
    calls: list[tuple[int, int]] = []
    out = np.asarray(engine.generate(job, lambda done, total: calls.append((done, total)), None, {key: init})[0])
    assert out.shape == (32, 32, 3) and calls and calls[-1][0] == calls[-1][1]  # every counted step ran
    assert not np.array_equal(out, np.asarray(init))



def test_the_gateway_lists_and_the_infotext_names_the_default_schedule_the_worker_runs():
    from easel_proto import webui
    from easel_worker.engine.samplers import default_schedule

    for name in SAMPLER_NAMES:
        expected = DEFAULT_SCHEDULES.get(name) or next((s for suffix, s in SUFFIXES.items() if name.endswith(suffix)),
                                                        None)
        assert (default_schedule(name), webui.DEFAULT_SCHEDULES.get(name)) == (expected, expected), name
