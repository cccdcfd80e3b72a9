"""The web UI's vocabulary that the gateway (validation, lists) and the worker (behaviour) must agree on.

Plain data, no torch: the gateway imports it to refuse bad names before anything is queued.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import get_args

from easel_proto.errors import InvalidInput
from easel_proto.v1.jobs import ControlMode, InpaintFill, ResizeMode, Sampler, Scheduler

SAMPLERS: tuple[str, ...] = get_args(Sampler.__value__)

# Old API spellings (k-diffusion function names) some clients still send.
SAMPLER_ALIASES: dict[str, str] = {
    "k_euler_a": "Euler a", "k_euler": "Euler", "k_lms": "LMS", "k_heun": "Heun", "k_dpm_2": "DPM2",
    "k_dpm_2_a": "DPM2 a", "k_dpmpp_2m": "DPM++ 2M", "k_dpmpp_sde": "DPM++ SDE", "k_dpmpp_2m_sde": "DPM++ 2M SDE",
    "k_dpmpp_2s_a": "DPM++ 2S a", "ddim": "DDIM", "plms": "PLMS", "unipc": "UniPC", "lcm": "LCM",
    "k_dpmpp_2m_sde_heun": "DPM++ 2M SDE Heun", "k_dpmpp_3m_sde": "DPM++ 3M SDE",
}

# The web UI's samplers Easel does not run (diffusers has no counterpart): refused by name, never substituted.
UNAVAILABLE_SAMPLERS: dict[str, str] = {
    "dpm fast": "DPM fast", "k_dpm_fast": "DPM fast", "dpm adaptive": "DPM adaptive", "k_dpm_ad": "DPM adaptive",
    "restart": "Restart", "ddim cfg++": "DDIM CFG++", "ddim_cfgpp": "DDIM CFG++",
}

# The samplers the web UI runs at two model calls a step (its `second_order`): prompt editing and alternation count
# model calls, so their schedules run over twice the steps.
SECOND_ORDER_SAMPLERS: frozenset[str] = frozenset({
    "Heun", "DPM2", "DPM2 Karras", "DPM2 a", "DPM2 a Karras", "DPM++ SDE", "DPM++ SDE Karras", "DPM++ 2S a",
    "DPM++ 2S a Karras",
})

SCHEDULERS: tuple[str, ...] = get_args(Scheduler.__value__)
SCHEDULER_LABELS: dict[str, str] = {
    "automatic": "Automatic", "uniform": "Uniform", "karras": "Karras", "exponential": "Exponential",
    "polyexponential": "Polyexponential", "sgm_uniform": "SGM Uniform", "kl_optimal": "KL Optimal",
    "align_your_steps": "Align Your Steps", "simple": "Simple", "normal": "Normal", "ddim": "DDIM", "beta": "Beta",
}
SCHEDULER_ALIASES: dict[str, str] = {"SGMUniform": "sgm_uniform"}
# Samplers the web UI runs over timesteps rather than sigmas: they ignore the scheduler.
TIMESTEP_SAMPLERS: frozenset[str] = frozenset({"DDIM", "PLMS", "UniPC"})

# The schedule "automatic" means for each sampler (the web UI 1.10 sampler list's `scheduler` option; a name with a
# Karras/Exponential suffix says its own); samplers not here use their own spacing. The worker's samplers.py runs
# the same table (tests/unit/test_schedules.py holds them to it).
DEFAULT_SCHEDULES: dict[str, str] = {
    **dict.fromkeys(("DPM++ 2M", "DPM++ SDE", "DPM++ 2S a", "DPM2", "DPM2 a"), "karras"),
    **dict.fromkeys(("DPM++ 2M SDE", "DPM++ 2M SDE Heun", "DPM++ 3M SDE"), "exponential"),
    **{name: suffix.lower() for name in SAMPLERS for suffix in ("Karras", "Exponential")
       if name.endswith(f" {suffix}")},
}
assert set(SCHEDULER_LABELS) == set(SCHEDULERS)

# k-diffusion's churn (s_churn, s_tmin, s_tmax) and noise scale (s_noise): the web UI passes them to the samplers
# whose functions take them and to no other, so elsewhere they change nothing.
_CHURN = frozenset({"Euler", "Heun", "DPM2", "DPM2 Karras"})
_S_NOISE = frozenset({"Euler a", "DPM2 a", "DPM2 a Karras", "DPM++ 2S a", "DPM++ 2S a Karras", "DPM++ SDE",
                      "DPM++ SDE Karras", "DPM++ 2M SDE", "DPM++ 2M SDE Karras", "DPM++ 2M SDE Exponential",
                      "DPM++ 2M SDE Heun", "DPM++ 3M SDE"})


def noise_params(name: str, s_churn: float | None = None, s_tmin: float | None = None, s_tmax: float | None = None,
                 s_noise: float | None = None) -> dict[str, float]:
    """The churn and noise arguments the named sampler's steps take (web UI defaults for None; s_tmax 0 is no limit).

    Refuses a value that would change the web UI's picture where diffusers' scheduler cannot apply it.
    """
    params = {"s_churn": s_churn or 0.0, "s_tmin": s_tmin or 0.0, "s_tmax": s_tmax or math.inf,
              "s_noise": 1.0 if s_noise is None else s_noise}
    if name == "Euler":  # diffusers' Euler step takes all four, as k-diffusion's sample_euler
        return params
    if name == "Euler a":
        return {"s_noise": params["s_noise"]}
    if name in _CHURN and params["s_churn"] > 0:  # without churn, Heun and DPM2 add no noise to scale
        raise InvalidInput("s_churn", f"sampler {name!r} cannot take churn on Easel; Euler can")
    if name in _S_NOISE and params["s_noise"] != 1:
        raise InvalidInput("s_noise", f"sampler {name!r} cannot scale its noise on Easel; Euler and Euler a can")
    return {}


# Hires fix / extras: upscalers that need no model. Latent modes work on latents (hires fix only).
LATENT_UPSCALE_MODES: tuple[str, ...] = (
    "Latent", "Latent (antialiased)", "Latent (bicubic)", "Latent (bicubic antialiased)", "Latent (nearest)",
    "Latent (nearest-exact)",
)
IMAGE_UPSCALERS: tuple[str, ...] = ("None", "Lanczos", "Nearest")

# The web UI's integer codes, in order.
RESIZE_MODES: tuple[str, ...] = get_args(ResizeMode.__value__)  # resize_mode 0..3
INPAINT_FILLS: tuple[str, ...] = get_args(InpaintFill.__value__)  # inpainting_fill 0..3
CONTROL_MODES: dict[str, str] = {
    "Balanced": "balanced", "My prompt is more important": "prompt", "ControlNet is more important": "controlnet",
}
CONTROLNET_RESIZE_MODES: dict[str, str] = {
    "Just Resize": "just_resize", "Crop and Resize": "crop_and_resize", "Resize and Fill": "resize_and_fill",
    "Inner Fit (Scale to Fit)": "crop_and_resize", "Scale to Fit (Inner Fit)": "crop_and_resize",
    "Outer Fit (Shrink to Fit)": "resize_and_fill", "Envelope (Outer Fit)": "resize_and_fill",
}
assert set(CONTROL_MODES.values()) == set(get_args(ControlMode.__value__))


@dataclass(frozen=True)
class Slider:
    """A preprocessor parameter: threshold_a/threshold_b outside [low, high] (or -1) take the default."""

    label: str
    default: float
    low: float
    high: float

    def pick(self, value: float | None) -> float:
        return self.default if value is None or not self.low <= value <= self.high else value


@dataclass(frozen=True)
class Preprocessor:
    """A ControlNet preprocessor ("module"); `annotator` names the registry model (kind annotator) it runs."""

    name: str
    threshold_a: Slider | None = None
    threshold_b: Slider | None = None
    annotator: str | None = None
    resolution: int = 512


PREPROCESSORS: dict[str, Preprocessor] = {p.name: p for p in (
    Preprocessor("none"),
    Preprocessor("invert"),
    Preprocessor("canny", Slider("Canny Low Threshold", 100, 1, 255), Slider("Canny High Threshold", 200, 1, 255)),
    Preprocessor("scribble_xdog", Slider("XDoG Threshold", 32, 1, 64)),
    Preprocessor("scribble_hed", annotator="ControlNetHED"),
    Preprocessor("softedge_hed", annotator="ControlNetHED"),
)}


def hypernetwork_dropouts(layers: list[float], use_dropout: bool, last_layer_dropout: bool,
                          given: list[float] | None = None) -> list[float]:
    """The dropout rate after each hypernetwork layer, as the web UI sets it: `given` (its dropout_structure, one
    rate per layer, none on the input or output layer) when dropout is on, else 0.3 after each hidden layer but the
    last (that one too with last_layer_dropout). InvalidInput names `hypernetwork.dropout_structure`."""
    if not use_dropout:
        return [0.0] * len(layers)
    if given is None:
        return [0.0] + [0.3] * (len(layers) - 3) + [0.3 if last_layer_dropout else 0.0, 0.0]
    if len(given) != len(layers):
        raise InvalidInput("hypernetwork.dropout_structure", f"one rate per layer: {len(layers)} of them")
    if given[0] != 0 or given[-1] != 0:
        raise InvalidInput("hypernetwork.dropout_structure", "the first and last rates must be 0")
    if any(not 0 <= rate < 1 for rate in given):
        raise InvalidInput("hypernetwork.dropout_structure", "rates from 0 to below 1")
    return [float(rate) for rate in given]
