"""Turn a model's local artefact (a diffusers folder or a single-file checkpoint) into a pipeline, offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from diffusers import DiffusionPipeline, StableDiffusionPipeline, StableDiffusionXLPipeline

from easel_proto.errors import InvalidInput

from .tiny import TINY_SD, ensure_tiny_sd

# What a served pipeline leaves out: NSFW filtering and invisible watermarks are not the engine's job.
_OPTIONS: dict[type, dict[str, Any]] = {
    StableDiffusionPipeline: {"safety_checker": None, "feature_extractor": None, "requires_safety_checker": False},
    StableDiffusionXLPipeline: {"add_watermarker": False},
}


def pipeline_class(base: str) -> type[DiffusionPipeline]:
    """The txt2img pipeline class for checkpoints of `base`."""
    return StableDiffusionXLPipeline if base == "sdxl" else StableDiffusionPipeline


def is_xl(pipe: Any) -> bool:
    """Whether a pipeline is of the SDXL family (two text encoders, pooled and size conditioning)."""
    return hasattr(pipe, "text_encoder_2")


def wants_aesthetic_score(pipe: Any) -> bool:
    """Whether an SDXL UNet is conditioned on an aesthetic score (SDXL's refiner: five size-and-score numbers
    besides the pooled text) instead of a target size (the base: six)."""
    config = pipe.unet.config
    encoder = getattr(pipe, "text_encoder_2", None)
    if config.get("addition_embed_type") != "text_time" or encoder is None:
        return False
    numbers = (config.projection_class_embeddings_input_dim - encoder.config.projection_dim)
    return numbers == 5 * config.addition_time_embed_dim


BASE_CONFIGS = "base-configs"  # under cache_dir: the configs the worker copied from the object store


def config_folder(base: str, cache_dir: Path, config_dir: Path | None) -> Path:
    """The local diffusers folder whose configs and tokenizer shape a single-file checkpoint of `base`:
    EASEL_MODEL_CONFIG_DIR/<base> when set (an override), else the registry's copy the worker fetched
    (easel_worker.base_configs) into cache_dir/base-configs/<base>."""
    for root in (config_dir, Path(cache_dir) / BASE_CONFIGS):
        if root is not None and (Path(root) / base / "model_index.json").is_file():
            return Path(root) / base
    if base == "tiny":
        return ensure_tiny_sd(cache_dir, TINY_SD)
    # Without a local folder diffusers would fetch configs from the Hugging Face hub; workers stay offline.
    raise InvalidInput("model", f"no configs for base {base}: the registry stores them in the object store on "
                       f"the first import of a single-file {base} checkpoint (from the Hugging Face Hub, or offline "
                       f"with `easel configs import PATH`), or set EASEL_MODEL_CONFIG_DIR to a folder holding "
                       f"{base}/model_index.json and the component configs", base=base)


def open_pipeline(
    path: Path,
    base: str,
    *,
    single_file: bool,
    dtype: torch.dtype,
    cache_dir: Path,
    config_dir: Path | None = None,
) -> DiffusionPipeline:
    """Load a diffusers folder or a web-UI-layout .safetensors file on the CPU, never touching the network."""
    path = Path(path)
    cls = pipeline_class(base)
    if single_file:
        if not path.is_file():
            raise FileNotFoundError(f"{path} is not a file")
        config = config_folder(base, cache_dir, config_dir)
        return cls.from_single_file(str(path), config=str(config), local_files_only=True, dtype=dtype,
                                    **_OPTIONS[cls])
    if not (path / "model_index.json").is_file():
        raise FileNotFoundError(f"{path} has no model_index.json")
    return cls.from_pretrained(path, dtype=dtype, local_files_only=True, **_OPTIONS[cls])
