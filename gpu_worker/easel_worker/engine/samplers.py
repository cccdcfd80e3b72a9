"""Web-UI sampler and schedule names mapped to diffusers schedulers."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any, NamedTuple

import diffusers

from easel_proto.errors import GenerationFailed, InvalidInput

from . import ancestral


class SamplerSpec(NamedTuple):
    """A scheduler (a diffusers class name, or one of ours) and the config keys that make it the named sampler."""

    scheduler: str | type
    overrides: Mapping[str, Any]
    # What eta means for it: "ddim" (the pipeline's eta), "ancestral" (noise per step, eta 1 by default),
    # "fixed" (noise per step at a strength diffusers cannot change: eta is ignored) or None (no eta at all).
    eta: str | None = None


# Sigma-spacing flags are set explicitly: from_config keeps the base config's values, and a
# checkpoint that ships with Karras sigmas must not turn plain "Euler" into "Euler Karras".
_PLAIN = {"use_karras_sigmas": False, "use_exponential_sigmas": False, "use_beta_sigmas": False}
_KARRAS = {**_PLAIN, "use_karras_sigmas": True}
_EXPONENTIAL = {**_PLAIN, "use_exponential_sigmas": True}
_2M = {"algorithm_type": "dpmsolver++", "solver_order": 2}
_2M_SDE = {"algorithm_type": "sde-dpmsolver++", "solver_order": 2}

SAMPLERS: Mapping[str, SamplerSpec] = {
    "Euler a": SamplerSpec(ancestral.EulerAncestral, {}, "ancestral"),
    "Euler": SamplerSpec("EulerDiscreteScheduler", _PLAIN),
    "LMS": SamplerSpec("LMSDiscreteScheduler", _PLAIN),
    "LMS Karras": SamplerSpec("LMSDiscreteScheduler", _KARRAS),
    "Heun": SamplerSpec("HeunDiscreteScheduler", _PLAIN),
    "DPM2": SamplerSpec("KDPM2DiscreteScheduler", _PLAIN),
    "DPM2 Karras": SamplerSpec("KDPM2DiscreteScheduler", _KARRAS),
    "DPM2 a": SamplerSpec("KDPM2AncestralDiscreteScheduler", _PLAIN, "fixed"),
    "DPM2 a Karras": SamplerSpec("KDPM2AncestralDiscreteScheduler", _KARRAS, "fixed"),
    "DPM++ 2M": SamplerSpec("DPMSolverMultistepScheduler", {**_PLAIN, **_2M}),
    "DPM++ 2M Karras": SamplerSpec("DPMSolverMultistepScheduler", {**_KARRAS, **_2M}),
    "DPM++ SDE": SamplerSpec("DPMSolverSDEScheduler", _PLAIN, "fixed"),
    "DPM++ SDE Karras": SamplerSpec("DPMSolverSDEScheduler", _KARRAS, "fixed"),
    "DPM++ 2M SDE": SamplerSpec("DPMSolverMultistepScheduler", {**_PLAIN, **_2M_SDE}, "fixed"),
    "DPM++ 2M SDE Karras": SamplerSpec("DPMSolverMultistepScheduler", {**_KARRAS, **_2M_SDE}, "fixed"),
    "DPM++ 2M SDE Exponential": SamplerSpec("DPMSolverMultistepScheduler", {**_EXPONENTIAL, **_2M_SDE}, "fixed"),
    "DPM++ 2S a": SamplerSpec(ancestral.DPMPP2SAncestral, _PLAIN, "fixed"),
    "DPM++ 2S a Karras": SamplerSpec(ancestral.DPMPP2SAncestral, _KARRAS, "fixed"),
    # Zero-terminal alpha off matches how SD 1.x was trained, as in its shipped configs.
    "DDIM": SamplerSpec("DDIMScheduler", {"set_alpha_to_one": False}, "ddim"),
    # PLMS is PNDM without the Runge-Kutta warm-up steps, as the original SD repo ran it.
    "PLMS": SamplerSpec("PNDMScheduler", {"skip_prk_steps": True, "set_alpha_to_one": False}),
    "UniPC": SamplerSpec("UniPCMultistepScheduler", _PLAIN),
    "LCM": SamplerSpec("LCMScheduler", {}),
}

# spec.scheduler beyond "automatic": the config keys that give each noise schedule.
SCHEDULES: Mapping[str, Mapping[str, Any]] = {
    "uniform": _PLAIN,
    "karras": _KARRAS,
    "exponential": _EXPONENTIAL,
    "beta": {**_PLAIN, "use_beta_sigmas": True},
    "sgm_uniform": {**_PLAIN, "timestep_spacing": "trailing"},
}


def make_scheduler(name: str, base_config: Mapping[str, Any], schedule: str | None = "automatic"):
    """A fresh scheduler for the named sampler and schedule, keeping the model's noise schedule from base_config."""
    try:
        spec = SAMPLERS[name]
    except KeyError:
        raise InvalidInput("sampler", f"unknown sampler {name!r}", allowed=sorted(SAMPLERS)) from None
    cls = getattr(diffusers, spec.scheduler) if isinstance(spec.scheduler, str) else spec.scheduler
    overrides = {**spec.overrides, **_schedule_overrides(cls, name, schedule or "automatic")}
    try:
        # Keys of the base scheduler that this class lacks are dropped by from_config.
        return cls.from_config(base_config, **overrides)
    except ImportError as exc:
        # diffusers swaps in a placeholder class when an optional backend (scipy, torchsde) is missing.
        raise GenerationFailed(f"sampler {name!r} is unavailable on this worker: {exc}".strip()) from exc


def eta_kind(name: str) -> str | None:
    """How the named sampler uses eta (see SamplerSpec.eta)."""
    return SAMPLERS[name].eta


def _schedule_overrides(cls: type, sampler: str, schedule: str) -> Mapping[str, Any]:
    if schedule == "automatic":
        return {}
    overrides = SCHEDULES.get(schedule)
    if overrides is None:
        raise InvalidInput("scheduler", f"the {schedule} schedule is not available on this worker",
                           allowed=["automatic", *SCHEDULES])
    accepted = inspect.signature(cls.__init__).parameters
    sigma_flags = [key for key, on in overrides.items() if on is True or key == "timestep_spacing"]
    if any(key not in accepted for key in sigma_flags):
        raise InvalidInput("scheduler", f"sampler {sampler!r} cannot use the {schedule} schedule")
    return {key: value for key, value in overrides.items() if key in accepted}

