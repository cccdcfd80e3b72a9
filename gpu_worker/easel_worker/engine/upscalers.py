"""Upscalers for hires fix and extras: plain resamplers, super-resolution models, and latent interpolation.

Model upscalers are single .safetensors files of the ESRGAN family, detected from their keys:
- ESRGAN / Real-ESRGAN RRDBNet, in the BasicSR layout (conv_first, body.N.rdbK.convJ, conv_body, conv_upN,
  conv_hr, conv_last; x2 and x1 models pixel-unshuffle their input) or the original ESRGAN layout (model.0,
  model.1.sub.N.RDBK.convJ.0, model.3, model.6, ..., e.g. 4x-UltraSharp);
- Real-ESRGAN's SRVGGNetCompact (body.N with PReLU activations, e.g. realesr-general-x4v3).
Widths, depth and scale are read from the weight shapes. spandrel would cover more architectures, but it
requires torchvision, which has no build for the torch 2.13.0 CPU wheel this project pins.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from safetensors.torch import load_file
from torch import nn

from easel_proto.errors import GenerationFailed, InvalidInput
from easel_proto.webui import IMAGE_UPSCALERS, LATENT_UPSCALE_MODES

TILE = 256  # input pixels per tile side: bounds activation memory on large images
TILE_OVERLAP = 16  # context around each tile, so tile borders leave no seams
MAX_PASSES = 3  # model passes to reach a target larger than the model's scale (as the web UI)

_RESAMPLERS = {"None": Image.Resampling.LANCZOS, "Lanczos": Image.Resampling.LANCZOS,
               "Nearest": Image.Resampling.NEAREST}
_LATENT = {  # mode -> (torch interpolation, antialias)
    "Latent": ("bilinear", False), "Latent (antialiased)": ("bilinear", True),
    "Latent (bicubic)": ("bicubic", False), "Latent (bicubic antialiased)": ("bicubic", True),
    "Latent (nearest)": ("nearest", False), "Latent (nearest-exact)": ("nearest-exact", False),
}
assert set(_RESAMPLERS) == set(IMAGE_UPSCALERS) and set(_LATENT) == set(LATENT_UPSCALE_MODES)


def upscale(
    image: Image.Image,
    name: str,
    *,
    width: int,
    height: int,
    model_path: Path | None = None,
    device: torch.device | str = "cpu",
    field: str = "hires.upscaler",
) -> Image.Image:
    """`image` upscaled to width x height by upscaler `name`.

    Without model_path: "None" and "Lanczos" resize with Lanczos, "Nearest" with nearest neighbour; other names
    are refused (InvalidInput on `field`). With model_path (the model upscaler's local .safetensors; `name` only
    labels messages): the model runs, tiled, at its own scale, again while the image is still smaller than the
    target (at most MAX_PASSES), then Lanczos brings it to width x height.
    """
    if model_path is None:
        if name in _LATENT:
            raise InvalidInput(field, f"{name!r} upscales latents; it applies to hires fix only")
        if name not in _RESAMPLERS:
            raise InvalidInput(field, f"unknown upscaler {name!r}")
        return image.resize((width, height), _RESAMPLERS[name]) if image.size != (width, height) else image
    try:
        net = load_upscaler(model_path, device)
    except ValueError as exc:
        raise InvalidInput(field, f"upscaler {name!r}: {exc}") from exc
    image = image.convert("RGB")
    for _ in range(MAX_PASSES):
        if image.width >= width and image.height >= height:
            break
        image = _run(net, image)
    return image.resize((width, height), Image.Resampling.LANCZOS) if image.size != (width, height) else image


def upscale_latents(
    latents: torch.Tensor, mode: str, width: int, height: int, *, scale_factor: int = 8, field: str = "hires.upscaler"
) -> torch.Tensor:
    """Latents (B, C, h, w) interpolated to the latent size of a width x height (pixels) image."""
    if mode not in _LATENT:
        raise InvalidInput(field, f"unknown latent upscale mode {mode!r}; one of {', '.join(_LATENT)}")
    size = (height // scale_factor, width // scale_factor)
    if min(size) < 1:
        raise ValueError(f"{width}x{height} is smaller than one latent pixel")
    interpolation, antialias = _LATENT[mode]
    return F.interpolate(latents, size=size, mode=interpolation, antialias=antialias)


def load_upscaler(path: Path, device: torch.device | str = "cpu") -> nn.Module:
    """The upscaler network stored at `path` (its `.scale` says by how much); two stay cached.

    ValueError when the file is not a supported architecture; GenerationFailed when it cannot be read.
    """
    try:
        stat = Path(path).stat()  # in the cache key: a file replaced in place is loaded afresh
        return _load(str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size, str(torch.device(device)))
    except OSError as exc:
        raise GenerationFailed(f"could not read upscaler {Path(path).name}: {exc}") from exc


@lru_cache(maxsize=2)
def _load(path: str, _mtime_ns: int, _size: int, device: str) -> nn.Module:
    state = _unwrap(load_file(path))
    net = build_upscaler(state)
    try:
        net.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise ValueError(f"weights do not match the detected architecture: {str(exc).splitlines()[0]}") from exc
    dtype = torch.float16 if torch.device(device).type == "cuda" else torch.float32
    return net.to(device=device, dtype=dtype).eval()


def build_upscaler(state: dict[str, torch.Tensor]) -> nn.Module:
    """An untrained network shaped like `state`; converts original-ESRGAN keys in `state` to the BasicSR names."""
    if "model.0.weight" in state:
        _rename_original_esrgan(state)
    if "conv_first.weight" in state:
        return RRDBNet.from_shapes(state)
    if "body.0.weight" in state and state["body.0.weight"].ndim == 4:
        return CompactNet.from_shapes(state)
    raise ValueError("not an ESRGAN, Real-ESRGAN or Compact (SRVGG) model")


class _DenseBlock(nn.Module):
    """Five convs, each seeing all earlier features; the result is added back at 0.2."""

    def __init__(self, nf: int, gc: int) -> None:
        super().__init__()
        for i in range(1, 6):
            self.add_module(f"conv{i}", nn.Conv2d(nf + (i - 1) * gc, nf if i == 5 else gc, 3, padding=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = [x]
        for i in range(1, 5):
            features.append(F.leaky_relu(getattr(self, f"conv{i}")(torch.cat(features, 1)), 0.2))
        return x + 0.2 * self.conv5(torch.cat(features, 1))


class _RRDB(nn.Module):
    def __init__(self, nf: int, gc: int) -> None:
        super().__init__()
        self.rdb1, self.rdb2, self.rdb3 = _DenseBlock(nf, gc), _DenseBlock(nf, gc), _DenseBlock(nf, gc)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + 0.2 * self.rdb3(self.rdb2(self.rdb1(x)))


class RRDBNet(nn.Module):
    """ESRGAN's generator: RRDB trunk, `ups` nearest-x2 + conv stages; `unshuffle` folds input pixels first."""

    def __init__(self, *, in_ch: int, out_ch: int, nf: int, gc: int, blocks: int, ups: int, unshuffle: int) -> None:
        super().__init__()
        self.unshuffle = unshuffle
        self.scale = 2**ups // unshuffle
        self.conv_first = nn.Conv2d(in_ch * unshuffle**2, nf, 3, padding=1)
        self.body = nn.Sequential(*(_RRDB(nf, gc) for _ in range(blocks)))
        self.conv_body = nn.Conv2d(nf, nf, 3, padding=1)
        self.ups = ups
        for i in range(1, ups + 1):
            self.add_module(f"conv_up{i}", nn.Conv2d(nf, nf, 3, padding=1))
        self.conv_hr = nn.Conv2d(nf, nf, 3, padding=1)
        self.conv_last = nn.Conv2d(nf, out_ch, 3, padding=1)

    @classmethod
    def from_shapes(cls, state: dict[str, torch.Tensor]) -> RRDBNet:
        out_ch, nf = state["conv_last.weight"].shape[:2]
        folded = state["conv_first.weight"].shape[1]
        unshuffle = math.isqrt(folded // out_ch) if folded % out_ch == 0 else 0
        ups = sum(1 for key in state if re.fullmatch(r"conv_up\d+\.weight", key))
        if unshuffle < 1 or unshuffle**2 * out_ch != folded or 2**ups % unshuffle:
            raise ValueError(f"unsupported RRDBNet shape ({folded} input channels, {ups} upsampling stages)")
        blocks = len({key.split(".")[1] for key in state if key.startswith("body.")})
        gc = state["body.0.rdb1.conv1.weight"].shape[0] if blocks else nf
        return cls(in_ch=out_ch, out_ch=out_ch, nf=nf, gc=gc, blocks=blocks, ups=ups, unshuffle=unshuffle)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        r = self.unshuffle
        if r > 1:
            x = F.pixel_unshuffle(F.pad(x, (0, -w % r, 0, -h % r), mode="replicate"), r)
        feat = self.conv_first(x)
        feat = feat + self.conv_body(self.body(feat))
        for i in range(1, self.ups + 1):
            feat = F.leaky_relu(getattr(self, f"conv_up{i}")(F.interpolate(feat, scale_factor=2.0, mode="nearest")),
                                0.2)
        out = self.conv_last(F.leaky_relu(self.conv_hr(feat), 0.2))
        return out[..., : h * self.scale, : w * self.scale]


class CompactNet(nn.Module):
    """Real-ESRGAN's SRVGGNetCompact: plain conv + PReLU stack, pixel shuffle, plus the nearest-upscaled input."""

    def __init__(self, *, in_ch: int, nf: int, convs: int, scale: int) -> None:
        super().__init__()
        self.scale = scale
        layers: list[nn.Module] = [nn.Conv2d(in_ch, nf, 3, padding=1), nn.PReLU(nf)]
        for _ in range(convs):
            layers += [nn.Conv2d(nf, nf, 3, padding=1), nn.PReLU(nf)]
        layers.append(nn.Conv2d(nf, in_ch * scale**2, 3, padding=1))
        self.body = nn.ModuleList(layers)

    @classmethod
    def from_shapes(cls, state: dict[str, torch.Tensor]) -> CompactNet:
        nf, in_ch = state["body.0.weight"].shape[:2]
        last = max(int(key.split(".")[1]) for key in state if key.startswith("body."))
        prelu = state.get("body.1.weight")
        last_out = state[f"body.{last}.weight"].shape[0]
        scale = math.isqrt(last_out // in_ch)
        if prelu is None or prelu.ndim != 1 or last % 2 or scale**2 * in_ch != last_out:
            raise ValueError("unsupported Compact (SRVGG) variant: expected PReLU activations and a pixel-shuffle tail")
        return cls(in_ch=in_ch, nf=nf, convs=(last - 2) // 2, scale=scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x
        for layer in self.body:
            out = layer(out)
        return F.pixel_shuffle(out, self.scale) + F.interpolate(x, scale_factor=float(self.scale), mode="nearest")


def _rename_original_esrgan(state: dict[str, torch.Tensor]) -> None:
    """Original ESRGAN keys (model.N...) to BasicSR names, in place: model.0 first conv, model.1.sub trunk
    (its last entry the trunk conv), then per x2 stage a conv at 3, 6, ..., then the HR conv and the last conv."""
    top = sorted({int(k.split(".")[1]) for k in state if re.fullmatch(r"model\.\d+\.weight", k)})
    ups = (top[-1] - 4) // 3 if top else -1
    if ups < 0 or top != [0, *(3 * i for i in range(1, ups + 1)), 3 * ups + 2, 3 * ups + 4]:
        raise ValueError("unrecognized original-ESRGAN layout (ESRGAN+ and other variants are not supported)")
    trunk = max((int(k.split(".")[3]) for k in state if re.match(r"model\.1\.sub\.\d+\.weight$", k)), default=-1)
    names = {"model.0": "conv_first", f"model.1.sub.{trunk}": "conv_body", f"model.{3 * ups + 2}": "conv_hr",
             f"model.{3 * ups + 4}": "conv_last", **{f"model.{3 * i}": f"conv_up{i}" for i in range(1, ups + 1)}}
    for key in list(state):
        prefix, _, leaf = key.rpartition(".")
        if prefix in names:
            state[f"{names[prefix]}.{leaf}"] = state.pop(key)
        elif match := re.fullmatch(r"model\.1\.sub\.(\d+)\.RDB(\d)\.conv(\d)\.0\.(weight|bias)", key):
            state[f"body.{match[1]}.rdb{match[2]}.conv{match[3]}.{match[4]}"] = state.pop(key)


def _unwrap(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Drop a prefix every key shares when a training wrapper saved the weights (params_ema., module.)."""
    for prefix in ("params_ema.", "params.", "module."):
        if state and all(key.startswith(prefix) for key in state):
            return {key[len(prefix):]: value for key, value in state.items()}
    return state


def _run(net: nn.Module, image: Image.Image) -> Image.Image:
    """One pass of the network over the image, tile by tile."""
    param = next(net.parameters())
    pixels = torch.from_numpy(np.asarray(image, dtype=np.float32) / 255.0).permute(2, 0, 1)[None]
    with torch.inference_mode():
        out = _tiled(net, pixels.to(param.device, param.dtype), net.scale)
    array = (out[0].float().clamp(0, 1) * 255.0).round().byte().permute(1, 2, 0).cpu().numpy()
    return Image.fromarray(array)


def _tiled(net: nn.Module, x: torch.Tensor, scale: int) -> torch.Tensor:
    """Run net on TILE-sized pieces with TILE_OVERLAP context each, keeping each piece's centre."""
    h, w = x.shape[-2:]
    if h <= TILE and w <= TILE:
        return net(x)
    out = x.new_zeros(x.shape[0], x.shape[1], h * scale, w * scale)
    for top in range(0, h, TILE):
        for left in range(0, w, TILE):
            bottom, right = min(top + TILE, h), min(left + TILE, w)
            y0, x0 = max(top - TILE_OVERLAP, 0), max(left - TILE_OVERLAP, 0)
            piece = net(x[..., y0:min(bottom + TILE_OVERLAP, h), x0:min(right + TILE_OVERLAP, w)])
            out[..., top * scale:bottom * scale, left * scale:right * scale] = piece[
                ..., (top - y0) * scale:(bottom - y0) * scale, (left - x0) * scale:(right - x0) * scale]
    return out
