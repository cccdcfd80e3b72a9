"""The extras task: upscale each init image (the web UI's extras tab); no diffusion model runs.

Sizes are computed here without torch, so the null engine gives the same shapes as the real one.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from PIL import Image

from easel_proto.errors import GenerationFailed, InvalidInput
from easel_proto.v1.jobs import ExtrasSpec, GenerationSpec
from easel_proto.v1.registry import ModelInfo


def extras_size(size: tuple[int, int], extras: ExtrasSpec) -> tuple[tuple[int, int], tuple[int, int] | None]:
    """(size after upscaling, size to centre-crop to or None) for an image of `size`.

    With width/height the scale is what covers them (cropped to exactly that when extras.crop); else extras.scale.
    """
    w, h = size
    if extras.width or extras.height:
        scale = max(extras.width / w if extras.width else 0.0, extras.height / h if extras.height else 0.0)
        crop = (extras.width, extras.height) if extras.crop and extras.width and extras.height else None
    else:
        scale, crop = extras.scale or 2.0, None
    return (max(1, round(w * scale)), max(1, round(h * scale))), crop


def centre_crop(image: Image.Image, size: tuple[int, int] | None) -> Image.Image:
    if size is None or image.size == size:
        return image
    left, top = (image.width - size[0]) // 2, (image.height - size[1]) // 2
    return image.crop((left, top, left + size[0], top + size[1]))


def check_extras(spec: GenerationSpec) -> None:
    if not spec.init_images:
        raise InvalidInput("init_images", "extras needs at least one image to upscale")
    if len(spec.init_images) != len(spec.seeds):
        raise InvalidInput("init_images", f"extras makes one image per input: {len(spec.init_images)} inputs for "
                           f"{len(spec.seeds)} outputs")


def run_extras(spec: GenerationSpec, inputs: Mapping[str, Image.Image], files: Mapping[str, Path],
               device: str = "cpu") -> list[Image.Image]:
    """Each init image upscaled by extras.upscaler, blended with upscaler_2 by its visibility, then cropped."""
    from .masks import flatten
    from .upscalers import upscale

    check_extras(spec)
    extras = spec.extras or ExtrasSpec()
    visibility = extras.upscaler_2_visibility or 0.0
    second = extras.upscaler_2 if extras.upscaler_2 not in (None, "", "None") and visibility > 0 else None
    out = []
    for i, ref in enumerate(spec.init_images):
        image = inputs.get(ref.key)
        if image is None:
            raise GenerationFailed(f"input image {ref.key} was not read for this job", field=f"init_images.{i}")
        image = flatten(image)
        (width, height), crop = extras_size(image.size, extras)
        result = upscale(image, extras.upscaler or "None", width=width, height=height, device=device,
                         model_path=_path(files, extras.upscaler_model), field="extras.upscaler")
        if second is not None:
            other = upscale(image, second, width=width, height=height, device=device,
                            model_path=_path(files, extras.upscaler_2_model), field="extras.upscaler_2")
            result = Image.blend(result.convert("RGB"), other.convert("RGB"), visibility)
        out.append(centre_crop(result, crop))
    return out


def _path(files: Mapping[str, Path], model: ModelInfo | None) -> Path | None:
    if model is None:
        return None
    path = files.get(model.id)
    if path is None:
        raise GenerationFailed(f"upscaler {model.name!r} has not been fetched to this worker", model=model.id)
    return path
