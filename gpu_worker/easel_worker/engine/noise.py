"""Initial noise the web UI's way: one seeded draw per image, a variation seed blended in by spherical
interpolation (subseed_strength), and noise drawn at another size then centred (seed_resize_from_w/h).

Noise is drawn on the CPU in float32, so a seed gives the same image on every device.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch


def seeded(seed: int, shape: Sequence[int]) -> torch.Tensor:
    """Standard normal noise of `shape` from one seed."""
    return torch.randn(tuple(shape), generator=torch.Generator("cpu").manual_seed(seed))


def slerp(t: float, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Walk from a (t=0) to b (t=1) along the great circle, per latent pixel across channels (dim 0)."""
    cos = ((a / a.norm(dim=0, keepdim=True)) * (b / b.norm(dim=0, keepdim=True))).sum(0).clamp(-1.0, 1.0)
    if cos.mean() > 0.9995:  # nearly parallel: the arc is a line
        return torch.lerp(a, b, t)
    omega = torch.acos(cos)
    return (torch.sin((1.0 - t) * omega) * a + torch.sin(t * omega) * b) / torch.sin(omega)


def centred(inner: torch.Tensor, outer: torch.Tensor) -> torch.Tensor:
    """outer with inner's central window copied over its centre (each cropped to the smaller size)."""
    out = outer.clone()
    h, w = min(inner.shape[-2], outer.shape[-2]), min(inner.shape[-1], outer.shape[-1])

    def window(t: torch.Tensor) -> tuple[slice, slice]:
        top, left = (t.shape[-2] - h) // 2, (t.shape[-1] - w) // 2
        return slice(top, top + h), slice(left, left + w)

    out[(..., *window(out))] = inner[(..., *window(inner))]
    return out


def initial_noise(
    shape: Sequence[int],
    seeds: Sequence[int],
    *,
    subseeds: Sequence[int] = (),
    subseed_strength: float = 0.0,
    drawn_at: Sequence[int] | None = None,
) -> torch.Tensor:
    """(len(seeds), *shape) noise; `shape` and `drawn_at` are per-image latent shapes (C, H, W).

    drawn_at: draw each image's noise at this shape and centre it in noise of `shape` from the same seed,
    so a seed keeps its composition at another size.
    """
    source = tuple(drawn_at) if drawn_at is not None else tuple(shape)
    images = []
    for i, seed in enumerate(seeds):
        noise = seeded(seed, source)
        if subseed_strength > 0 and subseeds:
            noise = slerp(subseed_strength, noise, seeded(subseeds[i], source))
        if source != tuple(shape):
            noise = centred(noise, seeded(seed, shape))
        images.append(noise)
    return torch.stack(images)


def use_noise(scheduler, noise: torch.Tensor, fill: Callable[[torch.Tensor], torch.Tensor] | None = None) -> None:
    """Make the pipeline noise its init latents with `noise` instead of its own draw, for this scheduler.

    The img2img and inpaint pipelines noise the encoded image through scheduler.add_noise; `fill` first
    rewrites those latents (inpainting's latent noise / latent nothing). The scheduler is one job's copy.
    """
    plain = type(scheduler).add_noise

    def add_noise(original: torch.Tensor, drawn: torch.Tensor, timesteps: torch.Tensor) -> torch.Tensor:
        if fill is not None:
            original = fill(original)
        return plain(scheduler, original, noise.to(drawn.device, drawn.dtype), timesteps)

    scheduler.add_noise = add_noise
