"""The web UI's noise schedules (its `scheduler` field) as sigma lists, defined as AUTOMATIC1111 1.10 defines them.

Each schedule gives the sigmas of n steps from a model's discrete noise table (index = training timestep),
highest first, followed by the final sigma (0, or sigma_min for kl_optimal). `samplers.py` hands them to
diffusers' schedulers, which do the sampling.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import scipy.stats

# Align Your Steps' published 10-step sigmas (NVIDIA's how-to), per base; other step counts are interpolated.
_AYS_SD15 = (14.615, 6.475, 3.861, 2.697, 1.886, 1.396, 0.963, 0.652, 0.399, 0.152, 0.029)
_AYS_SDXL = (14.615, 6.315, 3.771, 2.181, 1.342, 0.862, 0.555, 0.380, 0.234, 0.113, 0.029)
BETA_ALPHA = BETA_BETA = 0.6  # the web UI's beta_dist_alpha / beta_dist_beta defaults


class NoiseTable:
    """A model's sigma per training timestep, with k-diffusion's log-linear conversions between the two."""

    def __init__(self, alphas_cumprod) -> None:
        alphas = np.asarray(alphas_cumprod, dtype=np.float64)
        self.sigmas = ((1 - alphas) / alphas) ** 0.5
        self.log_sigmas = np.log(self.sigmas)
        self.sigma_min, self.sigma_max = float(self.sigmas[0]), float(self.sigmas[-1])

    def t_to_sigma(self, t: np.ndarray) -> np.ndarray:
        return np.exp(np.interp(t, np.arange(len(self.sigmas)), self.log_sigmas))

    def sigma_to_t(self, sigma: np.ndarray) -> np.ndarray:
        return np.interp(np.log(sigma), self.log_sigmas, np.arange(len(self.sigmas)))


def _zero_ended(sigmas) -> np.ndarray:
    return np.append(np.asarray(sigmas, dtype=np.float64), 0.0)


def uniform(n: int, table: NoiseTable, xl: bool) -> np.ndarray:
    return _zero_ended(table.t_to_sigma(np.linspace(len(table.sigmas) - 1, 0, n)))


def normal(n: int, table: NoiseTable, xl: bool) -> np.ndarray:
    start, end = table.sigma_to_t(table.sigma_max), table.sigma_to_t(table.sigma_min)
    return _zero_ended(table.t_to_sigma(np.linspace(start, end, n)))


def sgm_uniform(n: int, table: NoiseTable, xl: bool) -> np.ndarray:
    start, end = table.sigma_to_t(table.sigma_max), table.sigma_to_t(table.sigma_min)
    return _zero_ended(table.t_to_sigma(np.linspace(start, end, n + 1)[:-1]))


def karras(n: int, table: NoiseTable, xl: bool, rho: float = 7.0) -> np.ndarray:
    lo, hi = table.sigma_min ** (1 / rho), table.sigma_max ** (1 / rho)
    return _zero_ended((hi + np.linspace(0, 1, n) * (lo - hi)) ** rho)


def exponential(n: int, table: NoiseTable, xl: bool) -> np.ndarray:
    return _zero_ended(np.exp(np.linspace(math.log(table.sigma_max), math.log(table.sigma_min), n)))


def polyexponential(n: int, table: NoiseTable, xl: bool, rho: float = 1.0) -> np.ndarray:
    ramp = np.linspace(1, 0, n) ** rho
    low, high = math.log(table.sigma_min), math.log(table.sigma_max)
    return _zero_ended(np.exp(ramp * (high - low) + low))


def kl_optimal(n: int, table: NoiseTable, xl: bool) -> np.ndarray:
    # n + 1 sigmas on a straight line in arctan(sigma), ending at sigma_min rather than 0
    fraction = np.arange(n + 1) / n
    return np.tan(fraction * math.atan(table.sigma_min) + (1 - fraction) * math.atan(table.sigma_max))


def align_your_steps(n: int, table: NoiseTable, xl: bool) -> np.ndarray:
    published = np.array(_AYS_SDXL if xl else _AYS_SD15)
    if n == len(published):
        return _zero_ended(published)
    # log-linear interpolation of the decreasing published list at n points
    ys = np.interp(np.linspace(0, 1, n), np.linspace(0, 1, len(published)), np.log(published[::-1]))
    return _zero_ended(np.exp(ys)[::-1])


def simple(n: int, table: NoiseTable, xl: bool) -> np.ndarray:
    stride = len(table.sigmas) / n
    return _zero_ended([table.sigmas[-(1 + int(i * stride))] for i in range(n)])


def ddim(n: int, table: NoiseTable, xl: bool) -> np.ndarray:
    # every stride-th timestep from 1: as in the web UI, a count that does not divide 1000 gives an extra step
    stride = max(len(table.sigmas) // n, 1)
    return _zero_ended(table.sigmas[1::stride][::-1])


def beta(n: int, table: NoiseTable, xl: bool) -> np.ndarray:
    quantiles = scipy.stats.beta.ppf(1 - np.linspace(0, 1, n), BETA_ALPHA, BETA_BETA)
    return _zero_ended(table.sigma_min + quantiles * (table.sigma_max - table.sigma_min))


SCHEDULES: dict[str, Callable[[int, NoiseTable, bool], np.ndarray]] = {
    "uniform": uniform, "karras": karras, "exponential": exponential, "polyexponential": polyexponential,
    "sgm_uniform": sgm_uniform, "kl_optimal": kl_optimal, "align_your_steps": align_your_steps, "simple": simple,
    "normal": normal, "ddim": ddim, "beta": beta,
}


def sigmas(schedule: str, n: int, alphas_cumprod, xl: bool = False) -> np.ndarray:
    """The named schedule's sigmas for n steps over a model's noise table, the final sigma included."""
    return SCHEDULES[schedule](n, NoiseTable(alphas_cumprod), xl)
