"""Turn a model's local artefact (a diffusers folder or a single-file checkpoint) into a pipeline, offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from diffusers import StableDiffusionPipeline

from easel_proto.errors import InvalidInput

from .tiny import ensure_tiny_sd

# Components a served pipeline leaves out: NSFW filtering is not the engine's job.
_NO_SAFETY: dict[str, Any] = {"safety_checker": None, "feature_extractor": None, "requires_safety_checker": False}


def config_folder(base: str, cache_dir: Path, config_dir: Path | None) -> Path:
    """The local diffusers folder whose configs and tokenizer shape a single-file checkpoint of `base`."""
    if config_dir is not None and (Path(config_dir) / base / "model_index.json").is_file():
        return Path(config_dir) / base
    if base == "tiny":
        return ensure_tiny_sd(cache_dir)
    # Without a local folder diffusers would fetch configs from the Hugging Face hub; workers stay offline.
    raise InvalidInput("model", f"no local config for base {base}; set EASEL_MODEL_CONFIG_DIR to a folder "
                       f"holding {base}/model_index.json and the component configs", base=base)


def open_pipeline(
    path: Path,
    base: str,
    *,
    single_file: bool,
    dtype: torch.dtype,
    cache_dir: Path,
    config_dir: Path | None = None,
) -> StableDiffusionPipeline:
    """Load a diffusers folder or a web-UI-layout .safetensors file on the CPU, never touching the network."""
    path = Path(path)
    if single_file:
        if not path.is_file():
            raise FileNotFoundError(f"{path} is not a file")
        config = config_folder(base, cache_dir, config_dir)
        return StableDiffusionPipeline.from_single_file(
            str(path), config=str(config), local_files_only=True, dtype=dtype, **_NO_SAFETY
        )
    if not (path / "model_index.json").is_file():
        raise FileNotFoundError(f"{path} has no model_index.json")
    return StableDiffusionPipeline.from_pretrained(path, dtype=dtype, local_files_only=True, **_NO_SAFETY)
