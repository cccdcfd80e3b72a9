"""ControlNet preprocessors ("modules"): turn a user's image into the detected map a ControlNet is conditioned on.

Each behaves like the web UI ControlNet extension's module of the same name (see easel_proto.webui.PREPROCESSORS):
the image is resized so its short side is `resolution`, then detected; maps are white features on black.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image

from easel_proto.errors import GenerationFailed, InvalidInput
from easel_proto.webui import PREPROCESSORS

from .annotators import hed_edges

MAX_RESOLUTION = 4096  # the map is at most this many pixels on its short side


def preprocess(
    module: str,
    image: Image.Image,
    *,
    resolution: int,
    threshold_a: float | None,
    threshold_b: float | None,
    annotator: Path | None = None,
    device: torch.device | str = "cpu",
    field: str = "controlnets",
) -> Image.Image:
    """The RGB detected map of `image` for `module`; "none" returns the image itself (as RGB, not resized).

    threshold_a/b outside the module's slider range (or None) take its defaults. Modules with an annotator
    (a registry model of kind "annotator") need its local file in `annotator`. `field` prefixes the names
    in InvalidInput errors (e.g. "controlnets.0").
    """
    spec = PREPROCESSORS.get(module)
    if spec is None:
        raise InvalidInput(f"{field}.module", f"unknown preprocessor {module!r}; one of {', '.join(PREPROCESSORS)}")
    rgb = _rgb(image)
    if module == "none":
        return Image.fromarray(rgb)
    if not 1 <= resolution <= MAX_RESOLUTION:
        raise InvalidInput(f"{field}.processor_res", f"must be between 1 and {MAX_RESOLUTION}, got {resolution}")
    if spec.annotator is not None and annotator is None:
        raise GenerationFailed(f"preprocessor {module!r} needs the {spec.annotator!r} annotator: import it into the "
                               f"registry (kind annotator) and name it in the unit", module=module)
    a = spec.threshold_a.pick(threshold_a) if spec.threshold_a else None
    b = spec.threshold_b.pick(threshold_b) if spec.threshold_b else None
    detected = _DETECTORS[module](resize_short_side(rgb, resolution), a, b, annotator, device)
    if detected.ndim == 2:
        detected = np.repeat(detected[:, :, None], 3, axis=2)
    return Image.fromarray(detected)


def resize_short_side(rgb: np.ndarray, resolution: int) -> np.ndarray:
    """Scale so the short side is `resolution` (area filter to shrink, bicubic to enlarge, as the extension)."""
    h, w = rgb.shape[:2]
    k = resolution / min(h, w)
    size = (max(1, round(w * k)), max(1, round(h * k)))
    if size == (w, h):
        return rgb
    return cv2.resize(rgb, size, interpolation=cv2.INTER_CUBIC if k > 1 else cv2.INTER_AREA)


def _rgb(image: Image.Image) -> np.ndarray:
    """Image as RGB uint8; transparent parts become white, so a drawing on a clear layer reads as on paper."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = np.asarray(image.convert("RGBA"), dtype=np.float32)
        alpha = rgba[:, :, 3:] / 255.0
        return (rgba[:, :, :3] * alpha + 255.0 * (1.0 - alpha)).round().clip(0, 255).astype(np.uint8)
    return np.asarray(image.convert("RGB"), dtype=np.uint8)


def _invert(img: np.ndarray, *_: object) -> np.ndarray:
    return 255 - img


def _canny(img: np.ndarray, low: float, high: float, *_: object) -> np.ndarray:
    return cv2.Canny(img, low, high)


def _scribble_xdog(img: np.ndarray, threshold: float, *_: object) -> np.ndarray:
    """Lines where a fine blur is darker than a wide one (difference of Gaussians) by more than threshold/2."""
    pixels = img.astype(np.float32)
    fine = cv2.GaussianBlur(pixels, (0, 0), 0.5)
    wide = cv2.GaussianBlur(pixels, (0, 0), 5.0)
    darkness = np.clip((wide - fine).min(axis=2), 0, 255).round()  # the darkest channel's drop, 0..255
    return np.where(2 * darkness > threshold, 255, 0).astype(np.uint8)


def _softedge_hed(img: np.ndarray, _a: object, _b: object, annotator: Path, device: torch.device | str) -> np.ndarray:
    return hed_edges(img, annotator, device)


def _scribble_hed(img: np.ndarray, _a: object, _b: object, annotator: Path, device: torch.device | str) -> np.ndarray:
    """HED edges thinned to ridges, thresholded, then thickened into binary scribble strokes."""
    lines = _thin_edges(hed_edges(img, annotator, device), threshold=127, sigma=3.0)
    thick = cv2.GaussianBlur(lines, (0, 0), 3.0)
    return np.where(thick > 4, 255, 0).astype(np.uint8)


def _thin_edges(edges: np.ndarray, *, threshold: float, sigma: float) -> np.ndarray:
    """Keep pixels that are a local maximum of the smoothed map along some direction and above threshold."""
    smooth = cv2.GaussianBlur(edges.astype(np.float32), (0, 0), sigma)
    ridge = np.zeros_like(smooth)
    for kernel in _DIRECTIONS:
        peak = cv2.dilate(smooth, kernel) == smooth
        ridge[peak] = smooth[peak]
    return np.where(ridge > threshold, 255, 0).astype(np.uint8)


# Three-pixel lines (horizontal, vertical, both diagonals): a ridge pixel is the max of its line in one of them.
_DIRECTIONS = [np.array(k, dtype=np.uint8) for k in (
    [[0, 0, 0], [1, 1, 1], [0, 0, 0]],
    [[0, 1, 0], [0, 1, 0], [0, 1, 0]],
    [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
    [[0, 0, 1], [0, 1, 0], [1, 0, 0]],
)]

_DETECTORS: dict[str, Callable[..., np.ndarray]] = {
    "invert": _invert,
    "canny": _canny,
    "scribble_xdog": _scribble_xdog,
    "softedge_hed": _softedge_hed,
    "scribble_hed": _scribble_hed,
}
assert set(_DETECTORS) | {"none"} == set(PREPROCESSORS), "every shared preprocessor needs a detector"
