"""Web-UI sampler and schedule names mapped to diffusers schedulers."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from functools import cache, partial
from typing import Any, NamedTuple

import diffusers
import numpy as np
import torch

from easel_proto.errors import GenerationFailed, InvalidInput

from . import ancestral, schedules


class SamplerSpec(NamedTuple):
    """A scheduler (a diffusers class name, or one of ours) and the config keys that make it the named sampler."""

    scheduler: str | type
    overrides: Mapping[str, Any]
    # What eta means for it: "ddim" (the pipeline's eta), "ancestral" (noise per step, eta 1 by default),
    # "fixed" (noise per step at a strength diffusers cannot change: eta is ignored) or None (no eta at all).
    eta: str | None = None
    # The schedule "automatic" means: the web UI 1.10 sampler's own `scheduler` option (None: the scheduler's own
    # timestep spacing); "timesteps" for the samplers the web UI runs over timesteps (DDIM, PLMS, UniPC), which
    # ignore the scheduler field as it does.
    schedule: str | None = None


# Sigma-spacing flags are set explicitly: from_config keeps the base config's values, and a
# checkpoint that ships with Karras sigmas must not turn plain "Euler" into "Euler Karras".
_PLAIN = {"use_karras_sigmas": False, "use_exponential_sigmas": False, "use_beta_sigmas": False}
_2M = {"algorithm_type": "dpmsolver++", "solver_order": 2}
_2M_SDE = {"algorithm_type": "sde-dpmsolver++", "solver_order": 2}
_TIMESTEPS = "timesteps"

SAMPLERS: Mapping[str, SamplerSpec] = {
    "Euler a": SamplerSpec(ancestral.EulerAncestral, {}, "ancestral"),
    "Euler": SamplerSpec("EulerDiscreteScheduler", _PLAIN),
    "LMS": SamplerSpec("LMSDiscreteScheduler", _PLAIN),
    "LMS Karras": SamplerSpec("LMSDiscreteScheduler", _PLAIN, schedule="karras"),
    "Heun": SamplerSpec("HeunDiscreteScheduler", _PLAIN),
    "DPM2": SamplerSpec("KDPM2DiscreteScheduler", _PLAIN, schedule="karras"),
    "DPM2 Karras": SamplerSpec("KDPM2DiscreteScheduler", _PLAIN, schedule="karras"),
    "DPM2 a": SamplerSpec("KDPM2AncestralDiscreteScheduler", _PLAIN, "fixed", "karras"),
    "DPM2 a Karras": SamplerSpec("KDPM2AncestralDiscreteScheduler", _PLAIN, "fixed", "karras"),
    "DPM++ 2M": SamplerSpec("DPMSolverMultistepScheduler", {**_PLAIN, **_2M}, schedule="karras"),
    "DPM++ 2M Karras": SamplerSpec("DPMSolverMultistepScheduler", {**_PLAIN, **_2M}, schedule="karras"),
    "DPM++ SDE": SamplerSpec("DPMSolverSDEScheduler", _PLAIN, "fixed", "karras"),
    "DPM++ SDE Karras": SamplerSpec("DPMSolverSDEScheduler", _PLAIN, "fixed", "karras"),
    "DPM++ 2M SDE": SamplerSpec("DPMSolverMultistepScheduler", {**_PLAIN, **_2M_SDE}, "fixed", "exponential"),
    "DPM++ 2M SDE Karras": SamplerSpec("DPMSolverMultistepScheduler", {**_PLAIN, **_2M_SDE}, "fixed", "karras"),
    "DPM++ 2M SDE Exponential": SamplerSpec("DPMSolverMultistepScheduler", {**_PLAIN, **_2M_SDE}, "fixed",
                                            "exponential"),
    # k-diffusion's 2M SDE with its Heun-type second-order correction
    "DPM++ 2M SDE Heun": SamplerSpec("DPMSolverMultistepScheduler", {**_PLAIN, **_2M_SDE, "solver_type": "heun"},
                                     "fixed", "exponential"),
    "DPM++ 3M SDE": SamplerSpec("DPMSolverMultistepScheduler",
                                {**_PLAIN, "algorithm_type": "sde-dpmsolver++", "solver_order": 3}, "fixed",
                                "exponential"),
    "DPM++ 2S a": SamplerSpec(ancestral.DPMPP2SAncestral, _PLAIN, "fixed", "karras"),
    "DPM++ 2S a Karras": SamplerSpec(ancestral.DPMPP2SAncestral, _PLAIN, "fixed", "karras"),
    # Zero-terminal alpha off matches how SD 1.x was trained, as in its shipped configs.
    "DDIM": SamplerSpec("DDIMScheduler", {"set_alpha_to_one": False}, "ddim", _TIMESTEPS),
    # PLMS is PNDM without the Runge-Kutta warm-up steps, as the original SD repo ran it.
    "PLMS": SamplerSpec("PNDMScheduler", {"skip_prk_steps": True, "set_alpha_to_one": False}, schedule=_TIMESTEPS),
    "UniPC": SamplerSpec("UniPCMultistepScheduler", _PLAIN, schedule=_TIMESTEPS),
    "LCM": SamplerSpec("LCMScheduler", {}),
}



def default_schedule(sampler: str) -> str | None:
    """The schedule `automatic` gives the named sampler (None: the scheduler's own spacing, or a timestep sampler)."""
    spec = SAMPLERS.get(sampler)
    return spec.schedule if spec is not None and spec.schedule != _TIMESTEPS else None

class _Scheduled:
    """Mixed into a diffusers scheduler: its sigmas follow the web UI schedule named by `sigma_schedule`.

    The schedulers with Karras sigmas call `_convert_to_karras` from set_timesteps and derive their timesteps
    (and, for second-order ones, the intermediate sigmas) from what it returns; the others (Euler a, LCM) have
    their timesteps replaced after set_timesteps.
    """

    sigma_schedule: str = "uniform"
    xl: bool = False  # Align Your Steps has its own list for SDXL

    def schedule_sigmas(self, n: int) -> np.ndarray:
        """The n sigmas of the steps; the scheduler appends the final 0."""
        return schedules.sigmas(self.sigma_schedule, n, self.alphas_cumprod, self.xl)[:-1]

    def _convert_to_karras(self, in_sigmas: Any, num_inference_steps: int | None = None) -> np.ndarray:
        return self.schedule_sigmas(num_inference_steps or self.num_inference_steps)

    def set_timesteps(self, num_inference_steps: int | None = None, device: Any = None, *args: Any,
                      **kwargs: Any) -> None:
        if isinstance(self, diffusers.LCMScheduler):
            # LCM runs on integer timesteps: the schedule's, rounded, each once
            table = schedules.NoiseTable(self.alphas_cumprod)
            steps = np.round(table.sigma_to_t(self.schedule_sigmas(num_inference_steps))).astype(int)
            timesteps = [int(t) for t in dict.fromkeys(steps.tolist())]
            super().set_timesteps(None, device, *args, timesteps=timesteps, **kwargs)
            return
        super().set_timesteps(num_inference_steps, device, *args, **kwargs)
        if "use_karras_sigmas" in self.config:
            return
        sigmas = self.schedule_sigmas(self.num_inference_steps)
        timesteps = schedules.NoiseTable(self.alphas_cumprod).sigma_to_t(sigmas)
        self.timesteps = torch.from_numpy(timesteps).to(device=self.timesteps.device, dtype=torch.float32)
        self.sigmas = torch.from_numpy(np.append(sigmas, 0.0)).to(torch.float32)


@cache
def _scheduled(cls: type) -> type:
    return type(cls.__name__, (_Scheduled, cls), {"__doc__": cls.__doc__})


def make_scheduler(name: str, base_config: Mapping[str, Any], schedule: str | None = "automatic", xl: bool = False):
    """A fresh scheduler for the named sampler and schedule, keeping the model's noise schedule from base_config.

    Timestep samplers (DDIM, PLMS, UniPC) ignore the schedule, as the web UI does.
    """
    try:
        spec = SAMPLERS[name]
    except KeyError:
        raise InvalidInput("sampler", f"unknown sampler {name!r}", allowed=sorted(SAMPLERS)) from None
    schedule = schedule or "automatic"
    if schedule != "automatic" and schedule not in schedules.SCHEDULES:
        raise InvalidInput("scheduler", f"unknown schedule {schedule!r}", allowed=["automatic", *schedules.SCHEDULES])
    if spec.schedule == _TIMESTEPS:
        schedule = None
    elif schedule == "automatic":
        schedule = spec.schedule
    cls = getattr(diffusers, spec.scheduler) if isinstance(spec.scheduler, str) else spec.scheduler
    overrides = dict(spec.overrides)
    if schedule is not None:
        cls = _scheduled(cls)
        if "use_karras_sigmas" in inspect.signature(cls.__init__).parameters:
            overrides["use_karras_sigmas"] = True  # the hook through which the schedule's sigmas go in
    try:
        # Keys of the base scheduler that this class lacks are dropped by from_config.
        made = cls.from_config(base_config, **overrides)
    except ImportError as exc:
        # diffusers swaps in a placeholder class when an optional backend (scipy, torchsde) is missing.
        raise GenerationFailed(f"sampler {name!r} is unavailable on this worker: {exc}".strip()) from exc
    if schedule is not None:
        made.sigma_schedule, made.xl = schedule, xl
    return made


def eta_kind(name: str) -> str | None:
    """How the named sampler uses eta (see SamplerSpec.eta)."""
    return SAMPLERS[name].eta


def apply_noise_params(scheduler: Any, params: Mapping[str, float]) -> None:
    """Give a fresh scheduler the churn and noise arguments `easel_proto.webui.noise_params` found."""
    if not params:
        return
    if isinstance(scheduler, ancestral.EulerAncestral):
        scheduler.s_noise = params["s_noise"]
    elif any(params[k] != v for k, v in (("s_churn", 0.0), ("s_noise", 1.0))):
        scheduler.step = partial(scheduler.step, **params)

