"""SD 1.x/2.x VAEs in the weights' precision, as the web UI runs them: float16 on GPUs, and float32 again only
when float16 gave NaNs (some checkpoints' VAEs overflow in it), after which that VAE always runs in float32 (the
web UI's automatic --no-half-vae).

Most SD 1.x/2.x VAE configs leave `force_upcast` unset, which means True, so always upcasting would run every
decode in float32; SDXL's VAE, which does overflow in float16, keeps being run in float32 per call (passes and
diffusers' SDXL pipelines upcast it) unless a fixed float16 VAE whose config says force_upcast false is used.

The float32 runs use a float32 copy of the VAE made the first time it is needed: the float16 module is never
cast, so its compiled graph (compile.py) and a compile running in the background never see its weights change.
"""

from __future__ import annotations

import logging
from typing import Any

import torch

log = logging.getLogger(__name__)


class HalfVae:
    """Installed as a VAE's `decode`: the decode in the weights' dtype, again in float32 when it has NaNs."""

    def __init__(self, vae: Any, *, key: str, upcast: set[str]) -> None:
        self.vae, self.inner = vae, vae.decode  # inner: the method itself, or compile.CompiledPart over it
        self.key = key  # the model whose VAE this is
        self.upcast = upcast  # keys of the VAEs that run in float32 (the engine's, kept across reloads)
        self._full: Any = None
        vae.decode = self

    def __call__(self, z: torch.Tensor, *args: Any, **kwargs: Any) -> Any:
        if self.vae.dtype == torch.float32:  # a CPU worker, or a caller that upcast it for the call
            return self.inner(z, *args, **kwargs)
        if self.key not in self.upcast:
            out = self.inner(z.to(self.vae.dtype), *args, **kwargs)
            if bool(torch.isfinite(out[0] if isinstance(out, tuple) else out.sample).all()):
                return out
            self.remember("decoding")
        return self.full(z.device).decode(z.float(), *args, **kwargs)

    def encode(self, pixels: torch.Tensor) -> torch.Tensor:
        """The pixels' latents (the distribution's mode, unscaled), in float32 when float16 gives NaNs."""
        if self.vae.dtype != torch.float32 and self.key not in self.upcast:
            latents = self.vae.encode(pixels.to(self.vae.dtype)).latent_dist.mode()
            if bool(torch.isfinite(latents).all()):
                return latents
            self.remember("encoding")
        return self.full(pixels.device).encode(pixels.float()).latent_dist.mode()

    def remember(self, doing: str) -> None:
        log.warning("the VAE of %s gave NaNs %s in %s; it runs in float32 from now on", self.key, doing,
                    str(self.vae.dtype).removeprefix("torch."))
        self.upcast.add(self.key)

    def full(self, device: torch.device) -> Any:
        """The float32 copy on `device` (where the call runs, also when the weights wait on the host)."""
        if self._full is None:
            vae = self.vae
            with torch.inference_mode(False), torch.no_grad():
                full = type(vae).from_config(vae.config)
                full.load_state_dict(vae.state_dict())
                full = full.to(device=device, dtype=torch.float32).eval().requires_grad_(False)
            for flag in ("use_slicing", "use_tiling"):  # the memory mode's (memory.place)
                if hasattr(vae, flag):
                    setattr(full, flag, getattr(vae, flag))
            if device.type == "cuda":
                full.to(memory_format=torch.channels_last)
            self._full = full
        return self._full


def guard(vae: Any, *, key: str, upcast: set[str]) -> HalfVae:
    """The VAE's HalfVae, installed on it unless it has one."""
    if isinstance(vae.decode, HalfVae):
        return vae.decode
    return HalfVae(vae, key=key, upcast=upcast)


def guard_of(vae: Any) -> HalfVae | None:
    decode = getattr(vae, "decode", None)
    return decode if isinstance(decode, HalfVae) else None
