"""Web-UI sampler names mapped to diffusers schedulers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import diffusers

from easel_proto.errors import GenerationFailed, InvalidInput


class SamplerSpec(NamedTuple):
    """A scheduler class name and the config keys that make it behave like the named sampler."""

    scheduler: str
    overrides: Mapping[str, Any]


# Sigma-spacing flags are set explicitly: from_config keeps the base config's values, and a
# checkpoint that ships with Karras sigmas must not turn plain "Euler" into "Euler Karras".
_PLAIN = {"use_karras_sigmas": False, "use_exponential_sigmas": False, "use_beta_sigmas": False}

SAMPLERS: Mapping[str, SamplerSpec] = {
    "Euler a": SamplerSpec("EulerAncestralDiscreteScheduler", {}),
    "Euler": SamplerSpec("EulerDiscreteScheduler", _PLAIN),
    "LMS": SamplerSpec("LMSDiscreteScheduler", _PLAIN),
    "Heun": SamplerSpec("HeunDiscreteScheduler", _PLAIN),
    "DPM2": SamplerSpec("KDPM2DiscreteScheduler", _PLAIN),
    "DPM2 a": SamplerSpec("KDPM2AncestralDiscreteScheduler", _PLAIN),
    "DPM++ 2M": SamplerSpec(
        "DPMSolverMultistepScheduler", {**_PLAIN, "algorithm_type": "dpmsolver++", "solver_order": 2}
    ),
    "DPM++ 2M Karras": SamplerSpec(
        "DPMSolverMultistepScheduler",
        {**_PLAIN, "use_karras_sigmas": True, "algorithm_type": "dpmsolver++", "solver_order": 2},
    ),
    # Zero-terminal alpha off matches how SD 1.x was trained, as in its shipped configs.
    "DDIM": SamplerSpec("DDIMScheduler", {"set_alpha_to_one": False}),
    # PLMS is PNDM without the Runge-Kutta warm-up steps, as the original SD repo ran it.
    "PLMS": SamplerSpec("PNDMScheduler", {"skip_prk_steps": True, "set_alpha_to_one": False}),
    "UniPC": SamplerSpec("UniPCMultistepScheduler", _PLAIN),
}


def make_scheduler(name: str, base_config: Mapping[str, Any]):
    """A fresh scheduler for the named sampler, keeping the model's noise schedule from base_config."""
    try:
        spec = SAMPLERS[name]
    except KeyError:
        raise InvalidInput("sampler", f"unknown sampler {name!r}", allowed=sorted(SAMPLERS)) from None
    cls = getattr(diffusers, spec.scheduler)
    try:
        # Keys of the base scheduler that this class lacks are dropped by from_config.
        return cls.from_config(base_config, **spec.overrides)
    except ImportError as exc:
        # diffusers swaps in a placeholder class when an optional backend (scipy for LMS) is missing.
        raise GenerationFailed(f"sampler {name!r} is unavailable on this worker: {exc}".strip()) from exc
