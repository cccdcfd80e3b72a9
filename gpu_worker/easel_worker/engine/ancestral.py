"""Ancestral samplers diffusers lacks: Euler a with the web UI's eta, and DPM++ 2S a.

Both keep their parent scheduler's sigma tables, timesteps and model-input scaling; only the update differs.
"""

from __future__ import annotations

import torch
from diffusers import EulerAncestralDiscreteScheduler, KDPM2AncestralDiscreteScheduler
from diffusers.schedulers.scheduling_euler_ancestral_discrete import EulerAncestralDiscreteSchedulerOutput
from diffusers.schedulers.scheduling_k_dpm_2_ancestral_discrete import KDPM2AncestralDiscreteSchedulerOutput
from diffusers.utils.torch_utils import randn_tensor


def denoised(prediction_type: str, sample: torch.Tensor, model_output: torch.Tensor, sigma) -> torch.Tensor:
    """The model's estimate of the clean latents at noise level sigma."""
    if prediction_type == "epsilon":
        return sample - sigma * model_output
    if prediction_type == "v_prediction":
        return model_output * (-sigma / (sigma**2 + 1) ** 0.5) + sample / (sigma**2 + 1)
    raise ValueError(f"prediction type {prediction_type!r} is not supported by this sampler")


def ancestral_split(sigma, sigma_next, eta: float) -> tuple[torch.Tensor, torch.Tensor]:
    """(sigma_down, sigma_up): step deterministically to sigma_down, then add fresh noise of sigma_up.

    eta 1 is the classic ancestral step, 0 no fresh noise at all (plain Euler).
    """
    sigma, sigma_next = torch.as_tensor(sigma), torch.as_tensor(sigma_next)
    if sigma_next == 0:
        return sigma_next, sigma_next
    up = eta * (sigma_next**2 * (sigma**2 - sigma_next**2) / sigma**2) ** 0.5
    up = torch.minimum(up, sigma_next)
    return (sigma_next**2 - up**2) ** 0.5, up


def _fresh_noise(like: torch.Tensor, generator) -> torch.Tensor:
    return randn_tensor(like.shape, dtype=like.dtype, device=like.device, generator=generator)


class EulerAncestral(EulerAncestralDiscreteScheduler):
    """Euler a; `eta` and `s_noise` (set on the instance) scale each step's fresh noise as in the web UI."""

    eta: float = 1.0
    s_noise: float = 1.0

    def step(self, model_output, timestep, sample, generator=None, return_dict=True):
        if self.eta == 1.0 and self.s_noise == 1.0:  # diffusers' own step is exactly this case
            return super().step(model_output, timestep, sample, generator=generator, return_dict=return_dict)
        if self.step_index is None:
            self._init_step_index(timestep)
        sigma, sigma_next = self.sigmas[self.step_index], self.sigmas[self.step_index + 1]
        x = sample.to(torch.float32)
        clean = denoised(self.config.prediction_type, x, model_output, sigma)
        sigma_down, sigma_up = ancestral_split(sigma, sigma_next, self.eta)
        x = clean + (x - clean) * (sigma_down / sigma)
        if sigma_up > 0:
            x = x + _fresh_noise(model_output, generator) * sigma_up * self.s_noise
        self._step_index += 1
        prev = x.to(model_output.dtype)
        if not return_dict:
            return prev, clean
        return EulerAncestralDiscreteSchedulerOutput(prev_sample=prev, pred_original_sample=clean)


class DPMPP2SAncestral(KDPM2AncestralDiscreteScheduler):
    """DPM++ 2S a: each step evaluates the model at the log-midpoint between sigma and the ancestral sigma_down,
    and moves with DPM-Solver++'s exponential-integrator update (DPM2 a moves along the ODE derivative).

    The parent's interleaved timesteps already place the second model call at that midpoint.
    """

    def step(self, model_output, timestep, sample, generator=None, return_dict=True):
        if self.step_index is None:
            self._init_step_index(timestep)
        first = self.state_in_first_order
        k = self.step_index if first else self.step_index - 1
        sigma, sigma_mid = self.sigmas[k], self.sigmas_interpol[k]
        clean = denoised(self.config.prediction_type, sample, model_output, sigma if first else sigma_mid)
        if first:
            # to the midpoint; at the last step sigma_mid is 0 and this lands on the clean estimate
            self.sample = sample
            prev = clean + (sample - clean) * (sigma_mid / sigma)
        else:
            start, self.sample = self.sample, None
            prev = clean + (start - clean) * (self.sigmas_down[k] / sigma)
            prev = prev + _fresh_noise(model_output, generator) * self.sigmas_up[k]
        self._step_index += 1
        if not return_dict:
            return prev, clean
        return KDPM2AncestralDiscreteSchedulerOutput(prev_sample=prev, pred_original_sample=clean)
