"""A job's ControlNet units: control maps detected once per job, pipeline arguments per pass size."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from easel_proto.errors import GenerationFailed, InvalidInput
from easel_proto.v1.jobs import ControlNetSpec, GenerationSpec

from .controlnet import ControlArgs, check_units, control_args, detect_map
from .passes import Job


@dataclass
class Controls:
    units: list[ControlNetSpec]
    maps: list[Image.Image]
    nets: list[Any]

    def args(self, width: int, height: int, *, img2img: bool, hires: bool = False) -> ControlArgs:
        """Arguments for a width x height pass; img2img and inpaint pipelines take the map as control_image."""
        return control_args(self.units, self.maps, self.nets, width=width, height=height,
                            image_key="control_image" if img2img else "image", hires_pass=hires)


def prepare_controls(job: Job, inputs: Mapping[str, Image.Image], *,
                     source: Callable[[Image.Image], Image.Image] | None = None) -> Controls | None:
    """Load each unit's net and detect its map from its image, or the job's first init image.

    source: how an input image is cut for this job (inpaint "only masked" crops it).
    """
    spec: GenerationSpec = job.spec
    units = list(spec.controlnets or [])
    if not units:
        return None
    check_units(units, base=spec.model.base)
    maps, nets = [], []
    for i, unit in enumerate(units):
        ref = unit.image or (spec.init_images[0] if spec.init_images else None)
        if ref is None:
            raise InvalidInput(f"controlnets.{i}.image", "a ControlNet unit needs an image on txt2img")
        image = inputs.get(ref.key)
        if image is None:
            raise GenerationFailed(f"input image {ref.key} was not read for this job", field=f"controlnets.{i}.image")
        if source is not None:
            image = source(image)
        annotator = job.files.get(unit.annotator.id) if unit.annotator is not None else None
        maps.append(detect_map(unit, image, index=i, width=spec.width, height=spec.height, annotator=annotator,
                               device=job.device))
        path = job.files.get(unit.model.id)
        if path is None:
            raise GenerationFailed(f"ControlNet {unit.model.name!r} has not been fetched to this worker",
                                   model=unit.model.id)
        net = job.controlnets.get(unit.model, path, dtype=job.dtype, device=job.device)
        _check_fits(net, job.pipe.unet, unit, i)
        nets.append(net)
    return Controls(units, maps, nets)


def _check_fits(net: Any, unet: Any, unit: ControlNetSpec, index: int) -> None:
    """A ControlNet made for another UNet (same base label, other shapes) would fail mid-run with a tensor error."""
    for key in ("block_out_channels", "cross_attention_dim", "layers_per_block"):
        ours, theirs = getattr(unet.config, key, None), getattr(net.config, key, None)
        if ours is not None and theirs is not None and tuple(_listed(ours)) != tuple(_listed(theirs)):
            raise InvalidInput(f"controlnets.{index}.model", f"ControlNet {unit.model.name!r} was made for another "
                               f"UNet than this checkpoint's ({key} {theirs} vs {ours})")


def _listed(value: Any) -> list:
    return list(value) if isinstance(value, list | tuple) else [value]


def detect_maps(spec: GenerationSpec, inputs: Mapping[str, Image.Image], files: Mapping[str, Path], *,
                device: Any) -> list[Image.Image]:
    """The detect task: each unit's preprocessed map of its own image, at that image's size (no model runs)."""
    maps = []
    for i, unit in enumerate(spec.controlnets or []):
        if unit.image is None or unit.image.key not in inputs:
            raise InvalidInput(f"controlnets.{i}.image", "a detect job needs an image per unit")
        image = inputs[unit.image.key]
        annotator = files.get(unit.annotator.id) if unit.annotator is not None else None
        maps.append(detect_map(unit, image, index=i, width=image.width, height=image.height, annotator=annotator,
                               device=device))
    return maps
