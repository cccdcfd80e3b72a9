"""Pixel-space preparation for inpainting and outpainting: masks (blur, invert), the "only masked" crop,
colour fill of the masked area and compositing back.

Masks are PIL "L" images: white is repainted, black is kept.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter, ImageOps
from scipy.ndimage import gaussian_filter

from easel_proto.errors import InvalidInput

Box = tuple[int, int, int, int]


def flatten(image: Image.Image) -> Image.Image:
    """RGB, with any transparency laid on white (the web UI's img2img background)."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")


def prepare_mask(mask: Image.Image, *, blur: int = 0, invert: bool = False) -> Image.Image:
    """The mask as L, inverted if asked (then black is repainted), softened by a gaussian of radius blur."""
    mask = mask.convert("L")
    if invert:
        mask = ImageOps.invert(mask)
    if blur > 0:
        mask = mask.filter(ImageFilter.GaussianBlur(blur))
    return mask


def overlay_of(mask: Image.Image) -> Image.Image:
    """How much of the generated image shows when compositing back: the mask at double strength, so the
    repainted area is fully new and only the blurred rim blends; black stays the original pixel."""
    return mask.point(lambda v: min(255, 2 * v))


def composite(generated: Image.Image, original: Image.Image, overlay: Image.Image) -> Image.Image:
    """generated where the overlay is white, original where it is black, blended between."""
    return Image.composite(generated.convert("RGB"), original.convert("RGB"), overlay)


def crop_box(mask: Image.Image, padding: int, width: int, height: int) -> Box | None:
    """The masked area's bounding box plus padding, grown to the width:height aspect within the image."""
    box = mask.point(lambda v: 255 if v > 0 else 0).getbbox()
    if box is None:
        return None
    x1, y1, x2, y2 = (max(box[0] - padding, 0), max(box[1] - padding, 0),
                      min(box[2] + padding, mask.width), min(box[3] + padding, mask.height))
    if (x2 - x1) * height < (y2 - y1) * width:
        x1, x2 = _grown(x1, x2, round((y2 - y1) * width / height), mask.width)
    else:
        y1, y2 = _grown(y1, y2, round((x2 - x1) * height / width), mask.height)
    return x1, y1, x2, y2


def _grown(start: int, end: int, size: int, limit: int) -> tuple[int, int]:
    """[start, end) grown about its centre to `size` (at most limit), shifted to stay inside [0, limit)."""
    size = min(size, limit)
    start = max(0, min((start + end - size) // 2, limit - size))
    return start, start + size


def fill_masked(image: Image.Image, mask: Image.Image) -> Image.Image:
    """The masked area painted with blurred colours of the kept area around it (the web UI's "fill")."""
    keep = (np.asarray(mask.convert("L"), dtype=np.float32) < 128).astype(np.float32)
    pixels = np.asarray(image.convert("RGB"), dtype=np.float32)
    if not keep.any():
        return Image.new("RGB", image.size, (127, 127, 127))
    filled = np.broadcast_to(pixels[keep > 0].mean(axis=0), pixels.shape).copy()
    # coarse to fine: each radius repaints wherever enough kept pixels lie within its reach
    for sigma in (max(image.size) / 4, 64, 16, 4):
        weight = _blur(keep, sigma)
        reach = weight > 1e-3
        for c in range(3):
            estimate = _blur(pixels[..., c] * keep, sigma) / np.maximum(weight, 1e-6)
            filled[..., c] = np.where(reach, estimate, filled[..., c])
    out = np.where(keep[..., None] > 0, pixels, filled)
    return Image.fromarray(np.clip(out + 0.5, 0, 255).astype(np.uint8))


def _blur(plane: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur of a float plane; wide ones run on a reduced copy, as their detail is gone anyway."""
    factor = max(1, int(sigma / 4))
    if factor == 1:
        return gaussian_filter(plane, sigma)
    h, w = plane.shape
    small = Image.fromarray(np.ascontiguousarray(plane, dtype=np.float32))
    small = np.asarray(small.resize((max(1, w // factor), max(1, h // factor)), Image.Resampling.BOX))
    small = gaussian_filter(small, sigma / factor)
    return np.asarray(Image.fromarray(small).resize((w, h), Image.Resampling.BILINEAR))


def outpaint_canvas(image: Image.Image, mask: Image.Image | None, *, left: int, top: int, right: int,
                    bottom: int, width: int, height: int) -> tuple[Image.Image, Image.Image]:
    """(canvas, mask) for outpainting to width x height: the image fills the area inside the padding (resized
    to it if need be), the padding is filled with its edge colours and masked white; `mask` (already
    prepared) keeps its say inside the image."""
    inner = (width - left - right, height - top - bottom)
    if inner[0] < 8 or inner[1] < 8:
        raise InvalidInput("outpaint", f"{width}x{height} leaves no room for the image after the padding")
    if image.size != inner:
        image = image.resize(inner, Image.Resampling.LANCZOS)
    new_area = Image.new("L", (width, height), 255)
    new_area.paste(0, (left, top, left + inner[0], top + inner[1]))
    canvas = Image.new("RGB", (width, height))
    canvas.paste(image.convert("RGB"), (left, top))
    canvas = fill_masked(canvas, new_area)
    if mask is not None:
        new_area.paste(mask.resize(inner, Image.Resampling.LANCZOS), (left, top))
    return canvas, new_area
