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
from diffusers.models.autoencoders.vae import DiagonalGaussianDistribution
from diffusers.models.modeling_outputs import AutoencoderKLOutput

log = logging.getLogger(__name__)


class HalfVae:
    """Installed as a VAE's `decode`: the decode in the weights' dtype, again in float32 when it has NaNs; and
    its `encode` (HalfEncode) the same way, for the img2img and inpaint pipelines that encode the init image."""

    def __init__(self, vae: Any, *, key: str, upcast: set[str]) -> None:
        self.vae, self.inner = vae, vae.decode  # inner: the method itself, or compile.CompiledPart over it
        self.key = key  # the model whose VAE this is
        self.upcast = upcast  # keys of the VAEs that run in float32 (the engine's, kept across reloads)
        self._full: Any = None
        vae.decode = self
        vae.encode = HalfEncode(self, vae.encode)

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
            latents = self.vae.encode.inner(pixels.to(self.vae.dtype)).latent_dist.mode()
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
            self._full = float32_copy(self.vae, device)
        return self._full


def float32_copy(vae: Any, device: torch.device) -> Any:
    """A float32 copy of `vae` on `device`, sliced and tiled as it is."""
    with torch.inference_mode(False), torch.no_grad():
        full = type(vae).from_config(vae.config)
        full.load_state_dict(vae.state_dict())
        full = full.to(device=device, dtype=torch.float32).eval().requires_grad_(False)
    for flag in ("use_slicing", "use_tiling"):  # the memory mode's (memory.place)
        if hasattr(vae, flag):
            setattr(full, flag, getattr(vae, flag))
    if device.type == "cuda":
        full.to(memory_format=torch.channels_last)
    return full


class UpcastDecode:
    """Installed as the `decode` of an SDXL VAE that is upcast per call (force_upcast), when its decode is
    compiled: every decode runs in float32 on a float32 copy, whose decode is the compiled part.

    diffusers' SDXL pipelines cast the VAE module in place (to float32 around a decode or an encode, back to the
    weights' dtype after), so a graph compiled in the background over that module raced with those casts: traced
    or run while the weights were in the other dtype, it failed and left its size eager. The copy is never cast,
    and it is the dtype every decode runs in, so its graphs always match; the module's own casts (and its
    encodes, eager) no longer matter to them."""

    def __init__(self, vae: Any, full: Any) -> None:
        self.vae, self.full = vae, full
        vae.decode = self

    def __call__(self, z: torch.Tensor, *args: Any, **kwargs: Any) -> Any:
        return self.full.decode(z.to(torch.float32), *args, **kwargs)


def upcast_per_call(vae: Any) -> bool:
    """Whether the VAE is run in float32 by casting it per call: SDXL's in half precision (force_upcast)."""
    return vae.dtype == torch.float16 and bool(getattr(vae.config, "force_upcast", False))


class HalfEncode:
    """Installed as a VAE's `encode`, for diffusers' own encodes (the img2img and inpaint pipelines' init image and
    masked image): in the weights' dtype, again in float32 on the float32 copy when that gives NaNs, the
    distribution handed back in the weights' dtype as the pipeline expects it."""

    def __init__(self, half: HalfVae, inner: Any) -> None:
        self.half, self.inner = half, inner

    def __call__(self, x: torch.Tensor, *args: Any, **kwargs: Any) -> Any:
        half, vae = self.half, self.half.vae
        if vae.dtype == torch.float32:
            return self.inner(x, *args, **kwargs)
        if half.key not in half.upcast:
            out = self.inner(x.to(vae.dtype), *args, **kwargs)
            if bool(torch.isfinite(_posterior(out).parameters).all()):
                return out
            half.remember("encoding")
        out = half.full(x.device).encode(x.float(), *args, **kwargs)
        posterior = DiagonalGaussianDistribution(_posterior(out).parameters.to(vae.dtype))
        return (posterior,) if isinstance(out, tuple) else AutoencoderKLOutput(latent_dist=posterior)


def _posterior(out: Any) -> Any:
    return out[0] if isinstance(out, tuple) else out.latent_dist


def guard(vae: Any, *, key: str, upcast: set[str]) -> HalfVae:
    """The VAE's HalfVae, installed on it unless it has one."""
    if isinstance(vae.decode, HalfVae):
        return vae.decode
    return HalfVae(vae, key=key, upcast=upcast)


def guard_of(vae: Any) -> HalfVae | None:
    decode = getattr(vae, "decode", None)
    return decode if isinstance(decode, HalfVae) else None
