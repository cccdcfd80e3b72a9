"""ControlNet units on diffusers: loading nets (LRU), fitting control maps, and the pipeline arguments per job.

The engine runs a job with units like this:

    check_units(spec.controlnets, base=spec.model.base)
    nets = [cache.get(u.model, paths[u.model.id], dtype=..., device=...) for u in units]
    maps = [detect_map(u, image, index=i, width=w, height=h, annotator=..., device=...) for i, u in ...]
    args = control_args(units, maps, nets, width=w, height=h, image_key="image")  # "control_image": img2img
    pipe = StableDiffusionControlNetPipeline.from_pipe(base_pipe, controlnet=args.controlnet)
    pipe(**other_args, **args.kwargs)

The control image keyword differs per pipeline: StableDiffusionControlNetPipeline (txt2img) takes `image=`;
StableDiffusionControlNetImg2ImgPipeline and StableDiffusionControlNetInpaintPipeline take `control_image=`
(their `image=` is the init image). Pass the right one as `image_key`.
"""

from __future__ import annotations

import inspect
import json
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from diffusers import ControlNetModel
from diffusers.models.controlnets.controlnet import ControlNetOutput
from diffusers.models.controlnets.multicontrolnet import MultiControlNetModel
from PIL import Image

from easel_proto.errors import EaselError, GenerationFailed, InvalidInput
from easel_proto.v1.jobs import ControlNetSpec
from easel_proto.v1.registry import ModelInfo
from easel_proto.webui import PREPROCESSORS

from .loading import config_folder
from .memory import release
from .preprocessors import preprocess

SOFT_DECAY = 0.825  # the extension's per-block weight decay for "soft injection" (deepest block keeps 1.0)
FIT_MODES = ("just_resize", "crop_and_resize", "resize_and_fill")


@dataclass
class ControlArgs:
    """What a job's units add to a ControlNet pipeline: its `controlnet` component and call `kwargs`."""

    controlnet: ControlNetModel | MultiControlNetModel
    kwargs: dict[str, Any]


def control_args(
    units: Sequence[ControlNetSpec],
    maps: Sequence[Image.Image],
    nets: Sequence[ControlNetModel],
    *,
    width: int,
    height: int,
    image_key: Literal["image", "control_image"] = "image",
    hires_pass: bool = False,
) -> ControlArgs:
    """The controlnet component and pipeline kwargs for units with their detected maps and loaded nets.

    kwargs: the control image(s) under `image_key` fitted to width x height by each unit's resize_mode,
    controlnet_conditioning_scale (weight), control_guidance_start/end, guess_mode.

    control_mode, as the web UI extension: "balanced" applies the control unchanged to both halves of
    classifier-free guidance. "controlnet" (ControlNet is more important) is diffusers' guess_mode: control on the
    conditional half only, block residuals weighted 0.825**depth-from-the-middle. "prompt" (My prompt is more
    important) keeps the same soft weights but on both halves, so the control is weaker than balanced while the
    negative prompt still sees it; it runs through ControlNetUnits even for a single unit. guess_mode is one flag
    per pipeline call: when any unit asks for "controlnet", every unit's control goes to the conditional half
    (each keeps its own block weighting). hires_pass=True is the extension's hires-fix second pass: every unit
    soft and conditional-only.
    """
    if not (len(units) == len(maps) == len(nets)) or not units:
        raise ValueError("control_args needs one map and one net per unit, and at least one unit")
    for i, unit in enumerate(units):
        _check_unit(i, unit)
    modes = [unit.control_mode or "balanced" for unit in units]
    images = [fit_image(maps[i], width, height, unit.resize_mode or "crop_and_resize", fill="median",
                        field=f"controlnets.{i}.resize_mode") for i, unit in enumerate(units)]
    guess_mode = hires_pass or "controlnet" in modes
    weights = [1.0 if u.weight is None else float(u.weight) for u in units]
    starts = [0.0 if u.guidance_start is None else float(u.guidance_start) for u in units]
    ends = [1.0 if u.guidance_end is None else float(u.guidance_end) for u in units]
    if len(units) == 1 and modes[0] != "prompt":
        # diffusers' own guess_mode weights the blocks as the extension's soft injection does (0.1 .. 1.0).
        return ControlArgs(nets[0], {image_key: images[0], "controlnet_conditioning_scale": weights[0],
                                     "control_guidance_start": starts[0], "control_guidance_end": ends[0],
                                     "guess_mode": guess_mode})
    soft = [hires_pass or mode != "balanced" for mode in modes]
    return ControlArgs(ControlNetUnits(nets, soft), {image_key: images, "controlnet_conditioning_scale": weights,
                                                     "control_guidance_start": starts, "control_guidance_end": ends,
                                                     "guess_mode": guess_mode})


class ControlNetUnits(MultiControlNetModel):
    """Several nets whose residuals add up, each optionally soft-weighted per block (see control_args)."""

    def __init__(self, nets: Sequence[ControlNetModel], soft: Sequence[bool]) -> None:
        super().__init__(list(nets))
        self.soft = tuple(soft)

    def forward(self, sample, timestep, encoder_hidden_states, controlnet_cond, conditioning_scale,
                guess_mode: bool = False, return_dict: bool = True, **kwargs: Any):
        # guess_mode's conditional-only batching is done by the pipeline; the block weighting is done here per
        # unit, so the nets always run without it.
        down_total: list[torch.Tensor] | None = None
        mid_total: torch.Tensor | None = None
        for net, cond, scale, soft in zip(self.nets, controlnet_cond, conditioning_scale, self.soft, strict=True):
            down, mid = net(sample, timestep, encoder_hidden_states=encoder_hidden_states, controlnet_cond=cond,
                            conditioning_scale=scale, guess_mode=False, return_dict=False, **kwargs)
            if soft:
                weights = [SOFT_DECAY ** (len(down) - k) for k in range(len(down))]
                down = [d * w for d, w in zip(down, weights, strict=True)]
            if down_total is None:
                down_total, mid_total = list(down), mid
            else:
                down_total = [a + b for a, b in zip(down_total, down, strict=True)]
                mid_total = mid_total + mid
        if return_dict:
            return ControlNetOutput(down_block_res_samples=down_total, mid_block_res_sample=mid_total)
        return down_total, mid_total


def fit_image(
    image: Image.Image,
    width: int,
    height: int,
    mode: str,
    *,
    fill: Literal["stretch", "median"] = "stretch",
    field: str = "resize_mode",
) -> Image.Image:
    """Resize an image to width x height as the web UI does: just_resize stretches, crop_and_resize covers and crops
    the centre, resize_and_fill fits inside and fills the bands (stretching the edge rows/columns, as img2img
    does, or with the median border colour, as the ControlNet extension does for maps)."""
    if mode not in FIT_MODES:
        raise InvalidInput(field, f"unknown resize mode {mode!r}; one of {', '.join(FIT_MODES)}")
    image = image.convert("RGB")
    if image.size == (width, height):
        return image
    if mode == "just_resize":
        return image.resize((width, height), Image.Resampling.LANCZOS)
    cover = mode == "crop_and_resize"
    k = (max if cover else min)(width / image.width, height / image.height)
    w, h = max(1, round(image.width * k)), max(1, round(image.height * k))
    scaled = image.resize((w, h), Image.Resampling.LANCZOS)
    left, top = (width - w) // 2, (height - h) // 2
    if fill == "median" and not cover:
        pixels = np.asarray(scaled)
        border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
        canvas = Image.new("RGB", (width, height), tuple(int(c) for c in np.median(border, axis=0)))
    else:
        canvas = Image.new("RGB", (width, height))
    canvas.paste(scaled, (left, top))
    if fill == "stretch" and not cover:
        if top > 0:
            canvas.paste(scaled.crop((0, 0, w, 1)).resize((w, top)), (left, 0))
            canvas.paste(scaled.crop((0, h - 1, w, h)).resize((w, height - top - h)), (left, top + h))
        if left > 0:
            canvas.paste(scaled.crop((0, 0, 1, h)).resize((left, h)), (0, top))
            canvas.paste(scaled.crop((w - 1, 0, w, h)).resize((width - left - w, h)), (left + w, top))
    return canvas


def processor_resolution(unit: ControlNetSpec, image_size: tuple[int, int], *, width: int, height: int) -> int:
    """The preprocessor resolution for a unit: processor_res, or with pixel_perfect the map size that lands 1:1 on
    the width x height output after the unit's resize mode (the extension's pixel-perfect rule)."""
    if unit.pixel_perfect:
        raw_w, raw_h = image_size
        ks = (width / raw_w, height / raw_h)
        k = min(ks) if unit.resize_mode == "resize_and_fill" else max(ks)
        return max(1, round(k * min(raw_w, raw_h)))
    if unit.processor_res is not None and unit.processor_res > 0:
        return unit.processor_res
    # the web UI sends -1 for "the module's default"
    spec = PREPROCESSORS.get(unit.module or "none")
    return spec.resolution if spec else 512


def detect_map(
    unit: ControlNetSpec,
    image: Image.Image,
    *,
    index: int,
    width: int,
    height: int,
    annotator: Path | None = None,
    device: torch.device | str = "cpu",
) -> Image.Image:
    """The unit's detected map of `image` for a width x height output (resolution per processor_resolution)."""
    return preprocess(unit.module or "none", image,
                      resolution=processor_resolution(unit, image.size, width=width, height=height),
                      threshold_a=unit.threshold_a, threshold_b=unit.threshold_b, annotator=annotator,
                      device=device, field=f"controlnets.{index}")


def check_units(units: Sequence[ControlNetSpec], *, base: str) -> None:
    """Refuse units this worker cannot run with a checkpoint of `base`, naming the unit's field."""
    for i, unit in enumerate(units):
        field = f"controlnets.{i}"
        if unit.model.kind != "controlnet":
            raise InvalidInput(f"{field}.model", f"{unit.model.name!r} is a {unit.model.kind}, not a ControlNet")
        if unit.model.base != base:
            raise InvalidInput(f"{field}.model", f"base {unit.model.base} ControlNet {unit.model.name!r} on a "
                               f"{base} checkpoint")
        module = unit.module or "none"
        if module not in PREPROCESSORS:
            raise InvalidInput(f"{field}.module", f"unknown preprocessor {module!r}")
        if unit.annotator is not None and unit.annotator.kind != "annotator":
            raise InvalidInput(f"{field}.annotator", f"{unit.annotator.name!r} is a {unit.annotator.kind}")
        _check_unit(i, unit)


def _check_unit(index: int, unit: ControlNetSpec) -> None:
    start = 0.0 if unit.guidance_start is None else unit.guidance_start
    end = 1.0 if unit.guidance_end is None else unit.guidance_end
    for name, value in (("guidance_start", start), ("guidance_end", end)):
        if not 0.0 <= value <= 1.0:
            raise InvalidInput(f"controlnets.{index}.{name}", f"must be between 0 and 1, got {value}")
    if start > end:
        raise InvalidInput(f"controlnets.{index}.guidance_start",
                           f"guidance_start {start} is after guidance_end {end}")
    if (unit.resize_mode or "crop_and_resize") not in FIT_MODES:
        raise InvalidInput(f"controlnets.{index}.resize_mode", f"one of {', '.join(FIT_MODES)}")


class ControlNetCache:
    """Keeps up to max_loaded ControlNets resident, least recently used evicted first.

    Formats: "diffusers" (and "builtin"): a folder with config.json and weights. "safetensors": one file, in
    diffusers or original (ldm) key layout; its config is derived offline from the base's local unet config
    (engine.loading.config_folder: cache_dir / config_dir) and the conditioning channels in the weights.
    """

    def __init__(self, max_loaded: int, *, cache_dir: Path | None = None, config_dir: Path | None = None) -> None:
        if max_loaded < 1:
            raise ValueError("max_loaded must be at least 1")
        self.max_loaded = max_loaded
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.config_dir = Path(config_dir) if config_dir is not None else None
        self._nets: OrderedDict[tuple[str, str, str, str], ControlNetModel] = OrderedDict()
        self._lock = threading.Lock()

    def loaded(self) -> list[str]:
        """Ids of resident ControlNets, least recently used first."""
        return [key[0] for key in self._nets]

    def get(self, model: ModelInfo, path: Path, *, dtype: torch.dtype, device: torch.device | str) -> ControlNetModel:
        """The ControlNet stored at `path` (the model's local artefact) on device in dtype, loading it if needed."""
        key = (model.id, model.sha256 or str(path), str(dtype), str(torch.device(device)))
        with self._lock:
            net = self._nets.get(key)
            if net is not None:
                self._nets.move_to_end(key)
                return net
            while len(self._nets) >= self.max_loaded:
                self._nets.popitem(last=False)
                release(device)
            try:
                net = self._load(model, Path(path), dtype).eval()
                if net.device != torch.device(device):
                    net = net.to(device)
            except EaselError:
                raise
            except Exception as exc:
                text = str(exc).strip().splitlines()
                raise GenerationFailed(f"could not load ControlNet {model.name!r}: {type(exc).__name__}: "
                                       f"{text[0] if text else ''}", model=model.id) from exc
            self._nets[key] = net
            return net

    def _load(self, model: ModelInfo, path: Path, dtype: torch.dtype) -> ControlNetModel:
        if model.format != "safetensors":
            if not (path / "config.json").is_file():
                raise FileNotFoundError(f"{path} has no config.json")
            return ControlNetModel.from_pretrained(path, dtype=dtype, local_files_only=True)
        if self.cache_dir is None:
            raise GenerationFailed(f"ControlNet {model.name!r} is a single file; this worker has no config folder "
                                   "to shape it (ControlNetCache needs cache_dir)", model=model.id)
        try:
            base_folder = config_folder(model.base, self.cache_dir, self.config_dir)
        except InvalidInput as exc:
            raise GenerationFailed(f"ControlNet {model.name!r}: {exc.details['reason']}", model=model.id) from exc
        conditioning = conditioning_channels(_shapes(path))
        with tempfile.TemporaryDirectory(prefix="easel-controlnet-") as folder:
            unet = json.loads((base_folder / "unet" / "config.json").read_text(encoding="utf-8"))
            accepted = inspect.signature(ControlNetModel.__init__).parameters
            config = {key: value for key, value in unet.items() if key in accepted}
            config.update(_class_name="ControlNetModel", conditioning_channels=conditioning[0],
                          conditioning_embedding_out_channels=list(conditioning[1]))
            (Path(folder) / "config.json").write_text(json.dumps(config), encoding="utf-8")
            return ControlNetModel.from_single_file(str(path), config=folder, local_files_only=True, dtype=dtype)


_DIFFUSERS_HINT = re.compile(r"^controlnet_cond_embedding\.(conv_in|blocks\.(\d+))\.weight$")
_LDM_HINT = re.compile(r"^(?:control_model\.)?input_hint_block\.(\d+)\.weight$")


def conditioning_channels(shapes: dict[str, tuple[int, ...]]) -> tuple[int, tuple[int, ...]]:
    """(input channels, conditioning_embedding_out_channels) of a ControlNet's hint encoder, from weight shapes
    in diffusers layout (controlnet_cond_embedding.*) or the original one (input_hint_block.*)."""
    ours = {m[1]: shape for key, shape in shapes.items() if (m := _DIFFUSERS_HINT.match(key))}
    if "conv_in" in ours:
        # blocks alternate a same-width conv and a strided conv to the next width
        strided = sorted(int(k.split(".")[1]) for k in ours if k != "conv_in" and int(k.split(".")[1]) % 2)
        return ours["conv_in"][1], (ours["conv_in"][0], *(ours[f"blocks.{k}"][0] for k in strided))
    ldm = sorted((int(m[1]), shape) for key, shape in shapes.items() if (m := _LDM_HINT.match(key)))
    if len(ldm) < 2:
        raise ValueError("no ControlNet hint encoder in this file (not a ControlNet, or an unsupported variant)")
    # convs alternate same-width and strided; the last projects to the UNet's width and is not a stage
    outs = [shape[0] for _, shape in ldm[:-1]]
    return ldm[0][1][1], tuple(outs[0::2])


def _shapes(path: Path) -> dict[str, tuple[int, ...]]:
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as f:
        return {key: tuple(f.get_slice(key).get_shape()) for key in f.keys()}


