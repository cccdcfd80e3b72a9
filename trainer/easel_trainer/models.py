"""The base checkpoint's parts as training sees them: SD 1.x/2.x or SDXL, loaded offline from local files.

`Base` encodes prompts the way the worker's engine does at inference (SD: the last layer after the final norm; SDXL:
both encoders' penultimate layers side by side and the second one's pooled projection), adds SDXL's size
conditioning, and builds a sampling pipeline over the very modules being trained.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from diffusers import (
    DDIMScheduler,
    DDPMScheduler,
    DPMSolverMultistepScheduler,
    DPMSolverSDEScheduler,
    EulerAncestralDiscreteScheduler,
    EulerDiscreteScheduler,
    HeunDiscreteScheduler,
    KDPM2AncestralDiscreteScheduler,
    KDPM2DiscreteScheduler,
    LMSDiscreteScheduler,
    PNDMScheduler,
    StableDiffusionPipeline,
    StableDiffusionXLPipeline,
    UniPCMultistepScheduler,
)

from easel_proto.errors import InvalidInput
from easel_proto.v1.trainings import TrainingBaseModel

_PIPELINE_OPTIONS = {StableDiffusionPipeline: {"safety_checker": None, "feature_extractor": None,
                                               "requires_safety_checker": False},
                     StableDiffusionXLPipeline: {"add_watermarker": False}}
# The web UI's sampler names a training's samples may be drawn with, as diffusers schedulers and their options
# (the samples are previews: the worker's own samplers, with every scheduler, are for generation).
SAMPLERS: dict[str, tuple[type, dict[str, Any]]] = {
    "Euler a": (EulerAncestralDiscreteScheduler, {}),
    "Euler": (EulerDiscreteScheduler, {}),
    "LMS": (LMSDiscreteScheduler, {}),
    "Heun": (HeunDiscreteScheduler, {}),
    "DPM2": (KDPM2DiscreteScheduler, {}),
    "DPM2 a": (KDPM2AncestralDiscreteScheduler, {}),
    "DPM++ 2M": (DPMSolverMultistepScheduler, {"use_karras_sigmas": True}),
    "DPM++ 2M SDE": (DPMSolverMultistepScheduler, {"algorithm_type": "sde-dpmsolver++", "use_karras_sigmas": True}),
    "DPM++ SDE": (DPMSolverSDEScheduler, {"use_karras_sigmas": True}),
    "DDIM": (DDIMScheduler, {}),
    "PLMS": (PNDMScheduler, {"skip_prk_steps": True}),
    "UniPC": (UniPCMultistepScheduler, {}),
}


@dataclass
class Conditioning:
    """What the UNet is conditioned on for a batch."""

    states: torch.Tensor  # (b, 77, cross_attention_dim)
    pooled: torch.Tensor | None = None  # SDXL: (b, projection)


@dataclass
class Base:
    """A checkpoint's modules, with the noise schedule training uses."""

    xl: bool
    unet: Any
    vae: Any
    tokenizers: list[Any]
    text_encoders: list[Any]
    noise_scheduler: DDPMScheduler
    scheduler_config: Any
    force_zeros_for_empty_prompt: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def prediction_type(self) -> str:
        return self.noise_scheduler.config.prediction_type

    def tokenize(self, prompts: Sequence[str]) -> list[torch.Tensor]:
        """Token ids per tokenizer, each (n, 77): truncated and padded as the pipelines do."""
        return [t(list(prompts), padding="max_length", max_length=t.model_max_length, truncation=True,
                  return_tensors="pt").input_ids for t in self.tokenizers]

    def encode(self, ids: Sequence[torch.Tensor]) -> Conditioning:
        """The conditioning of tokenized prompts (gradients flow when a text encoder trains)."""
        if not self.xl:
            encoder = self.text_encoders[0]
            return Conditioning(encoder(ids[0].to(encoder.device))[0])
        states, pooled = [], None
        for encoder, tokens in zip(self.text_encoders, ids, strict=True):
            out = encoder(tokens.to(encoder.device), output_hidden_states=True)
            states.append(out.hidden_states[-2])
            if hasattr(out, "text_embeds"):
                pooled = out.text_embeds
        return Conditioning(torch.cat(states, dim=-1), pooled)

    def predict(self, noisy: torch.Tensor, timesteps: torch.Tensor, cond: Conditioning,
                time_ids: torch.Tensor | None) -> torch.Tensor:
        """The UNet's prediction (noise or velocity, as the checkpoint was trained)."""
        added = None
        if self.xl:
            added = {"text_embeds": cond.pooled, "time_ids": time_ids}
        return self.unet(noisy, timesteps, cond.states, added_cond_kwargs=added, return_dict=False)[0]

    def sampler(self, unet: Any | None = None, name: str = "DPM++ 2M") -> Any:
        """A txt2img pipeline over these modules (the trained ones included) for sample images, drawn with the
        web UI sampler `name` (one of SAMPLERS)."""
        cls, options = SAMPLERS[name]
        scheduler = cls.from_config(self.scheduler_config, **options)
        parts = dict(vae=self.vae, unet=unet or self.unet, scheduler=scheduler)
        if self.xl:
            pipe = StableDiffusionXLPipeline(
                text_encoder=self.text_encoders[0], text_encoder_2=self.text_encoders[1],
                tokenizer=self.tokenizers[0], tokenizer_2=self.tokenizers[1],
                force_zeros_for_empty_prompt=self.force_zeros_for_empty_prompt, **parts,
                **_PIPELINE_OPTIONS[StableDiffusionXLPipeline])
        else:
            pipe = StableDiffusionPipeline(text_encoder=self.text_encoders[0], tokenizer=self.tokenizers[0],
                                           **parts, **_PIPELINE_OPTIONS[StableDiffusionPipeline])
        pipe.set_progress_bar_config(disable=True)
        return pipe

    def pipeline(self) -> Any:
        """The whole pipeline as it stands, for saving (the checkpoint's own scheduler)."""
        pipe = self.sampler()
        pipe.scheduler = type(self.extra["scheduler"]).from_config(self.scheduler_config)
        return pipe


def open_base(model: TrainingBaseModel) -> Base:
    """Load the checkpoint in float32 on the CPU, never touching the network."""
    cls = StableDiffusionXLPipeline if model.base == "sdxl" else StableDiffusionPipeline
    path = Path(model.path)
    try:
        if path.is_file():
            pipe = cls.from_single_file(str(path), config=str(model.config_path), local_files_only=True,
                                        **_PIPELINE_OPTIONS[cls])
        else:
            pipe = cls.from_pretrained(path, local_files_only=True, **_PIPELINE_OPTIONS[cls])
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise InvalidInput("model.path", f"cannot load a {model.base} pipeline from {path}: "
                           f"{type(exc).__name__}: {str(exc).strip()[:300]}") from None
    xl = cls is StableDiffusionXLPipeline
    if xl and getattr(pipe, "text_encoder", None) is None:
        raise InvalidInput("model.path", "an SDXL refiner (no first text encoder) cannot be trained on")
    encoders = [pipe.text_encoder, pipe.text_encoder_2] if xl else [pipe.text_encoder]
    tokenizers = [pipe.tokenizer, pipe.tokenizer_2] if xl else [pipe.tokenizer]
    noise = DDPMScheduler.from_config(pipe.scheduler.config)
    return Base(xl=xl, unet=pipe.unet, vae=pipe.vae, tokenizers=tokenizers, text_encoders=encoders,
                noise_scheduler=noise, scheduler_config=pipe.scheduler.config,
                force_zeros_for_empty_prompt=bool(getattr(pipe.config, "force_zeros_for_empty_prompt", True)),
                extra={"scheduler": pipe.scheduler})


def time_ids(original: Sequence[tuple[int, int]], crops: Sequence[tuple[int, int]], resolution: int) -> torch.Tensor:
    """SDXL's size conditioning per image: original (h, w), crop (top, left), target (h, w)."""
    rows = [[*o, *c, resolution, resolution] for o, c in zip(original, crops, strict=True)]
    return torch.tensor(rows, dtype=torch.float32)


@torch.no_grad()
def latent_stats(vae: Any, pixels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The VAE posterior's (mean, std) for a batch of images, in float32."""
    dtype = vae.dtype
    upcast = bool(getattr(vae.config, "force_upcast", False)) and dtype != torch.float32
    if upcast:  # SDXL's VAE overflows in half precision
        vae.to(torch.float32)
    try:
        dist = vae.encode(pixels.to(vae.device, vae.dtype)).latent_dist
        return dist.mean.float(), dist.std.float()
    finally:
        if upcast:
            vae.to(dtype)
