"""Per-job VAEs: loaded once from a diffusers folder or a single .safetensors file, swapped into the pipeline
for one job and swapped back after it, so the next job decodes with the checkpoint's own VAE."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch
from diffusers import AutoencoderKL
from diffusers.loaders.single_file_utils import convert_ldm_vae_checkpoint
from safetensors.torch import load_file

from easel_proto.errors import EaselError, GenerationFailed, InvalidInput
from easel_proto.v1.registry import ModelInfo

log = logging.getLogger(__name__)

MAX_RESIDENT_VAES = 2


class VaeCache:
    """VAEs loaded for jobs, kept (least recently used out) so a popular one is read from disk once."""

    def __init__(self, capacity: int = MAX_RESIDENT_VAES) -> None:
        self.capacity = capacity
        self._loaded: OrderedDict[str, AutoencoderKL] = OrderedDict()

    def get(self, model: ModelInfo, path: Path | None, *, like: AutoencoderKL, device: torch.device,
            dtype: torch.dtype) -> AutoencoderKL:
        """The VAE `model` on device, checked to fit the pipeline whose VAE is `like`."""
        if model.kind != "vae":
            raise InvalidInput("vae", f"{model.name!r} is a {model.kind}, not a VAE", model_id=model.id)
        key = f"{model.id}:{model.sha256 or ''}"
        vae = self._loaded.get(key)
        if vae is None:
            if path is None:
                raise GenerationFailed(f"VAE {model.name!r} has not been fetched to this worker", model=model.id)
            try:
                vae = load_vae(Path(path), like.config)
            except EaselError:
                raise
            except Exception as exc:
                raise InvalidInput("vae", f"VAE {model.name!r} could not be loaded: {type(exc).__name__}: "
                                   f"{str(exc).strip()[:200]}", model_id=model.id) from exc
            vae = vae.to(device=device, dtype=dtype).eval()
            self._loaded[key] = vae
            while len(self._loaded) > self.capacity:
                self._loaded.popitem(last=False)
        self._loaded.move_to_end(key)
        if not fits(vae.config, like.config):
            raise InvalidInput("vae", f"VAE {model.name!r} does not fit this checkpoint (latent channels or "
                               f"scale differ)", model_id=model.id)
        return vae


def fits(config: Any, base: Any) -> bool:
    """Whether a VAE with `config` can stand in for one with `base`: same latents, same scale factor."""
    return (config["latent_channels"] == base["latent_channels"]
            and len(config["block_out_channels"]) == len(base["block_out_channels"]))


def load_vae(path: Path, base_config: Any) -> AutoencoderKL:
    """A VAE from a diffusers folder (the VAE's own, or a pipeline's with vae/) or a single-file checkpoint
    in diffusers or original (web UI) key layout, shaped like base_config."""
    if path.is_dir():
        folder = path if (path / "config.json").is_file() else path / "vae"
        return AutoencoderKL.from_pretrained(folder, local_files_only=True)
    state = load_file(path)
    if not any(key.startswith("encoder.down_blocks.") for key in state):
        state = convert_ldm_vae_checkpoint(state, base_config)
    vae = AutoencoderKL.from_config(base_config)
    result = vae.load_state_dict(state, strict=False)
    if result.missing_keys:
        raise InvalidInput("vae", f"{path.name} is not a VAE of this shape: {len(result.missing_keys)} weights "
                           f"missing (e.g. {result.missing_keys[0]})")
    return vae


@contextmanager
def swapped_vae(pipe: Any, vae: AutoencoderKL | None) -> Iterator[None]:
    """Within the block pipe decodes (and encodes) with `vae`; its own VAE is back after, however it ends."""
    if vae is None or vae is pipe.vae:
        yield
        return
    own = pipe.vae
    pipe.vae = vae
    try:
        yield
    finally:
        pipe.vae = own
