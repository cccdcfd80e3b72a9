"""Cheap live previews: a denoising estimate's latents projected straight to RGB, without the VAE.

This is the idea behind the web UI's "Approx cheap" live preview: each latent channel of a family's VAE maps
roughly linearly to colour, so a fixed 4x3 matrix per model family turns latents into a blurry but recognisable
image at the latent's own size (1/8 of the output's side) in microseconds. The matrices are least-squares fits of
latent channels to the VAE's decoded RGB, as published by the community for SD 1.x/2.x and SDXL. A batch's images
are shown together as a grid, as the web UI's live preview does.
"""

from __future__ import annotations

import math

import torch
from PIL import Image

# rows: latent channels 1-4; columns: R, G, B contributions (output in [-1, 1] before the shift to [0, 1])
_SD = ((0.298, 0.207, 0.208),
       (0.187, 0.286, 0.173),
       (-0.158, 0.189, 0.264),
       (-0.184, -0.271, -0.473))
_SDXL = ((0.3920, 0.4054, 0.4549),
         (-0.2634, -0.0196, 0.0653),
         (0.0568, 0.1687, -0.0755),
         (-0.3112, -0.2359, -0.2076))
MAX_SIDE = 128  # a preview's longest side in pixels (a grid's: each image's)
MAX_GRID_SIDE = 256  # a grid's longest side: its WebP stays well within the event's EASEL_PREVIEW_MAX_BYTES (32 KiB)


def latents_to_rgb(latents: torch.Tensor, xl: bool) -> torch.Tensor | None:
    """The first image of a (batch, 4, h, w) or (4, h, w) latent as (h, w, 3) floats in [0, 1]; None for latents
    this projection does not know (not 4 channels)."""
    sample = latents[0] if latents.ndim == 4 else latents
    if sample.ndim != 3 or sample.shape[0] != 4:
        return None
    factors = torch.tensor(_SDXL if xl else _SD, dtype=torch.float32)
    rgb = torch.einsum("chw,cr->hwr", sample.detach().to("cpu", torch.float32), factors)
    return ((rgb + 1) / 2).clamp(0, 1)


def grid_shape(count: int) -> tuple[int, int]:
    """Rows and columns of a grid of `count` images, as the web UI lays out a batch: about square, wider than tall."""
    rows = min(count, max(1, round(math.sqrt(count))))
    return rows, math.ceil(count / rows)


def latent_preview(latents: torch.Tensor, xl: bool) -> Image.Image | None:
    """A small RGB image of the batch's latents: one image at most MAX_SIDE on its longest side, or a grid of the
    batch's images (each at most MAX_SIDE, the grid at most MAX_GRID_SIDE); None for latents this projection does
    not know (not 4 channels)."""
    batch = latents if latents.ndim == 4 else latents[None]
    if batch.ndim != 4 or batch.shape[1] != 4 or batch.shape[0] == 0:
        return None
    factors = torch.tensor(_SDXL if xl else _SD, dtype=torch.float32)
    # the whole batch in one projection, off the GPU in one copy
    rgb = torch.einsum("nchw,cr->nhwr", batch.detach().to("cpu", torch.float32), factors).add_(1).div_(2).clamp_(0, 1)
    count, height, width = rgb.shape[:3]
    rows, cols = grid_shape(count)
    if rows * cols > count:  # black where the last row has fewer images
        rgb = torch.cat([rgb, rgb.new_zeros(rows * cols - count, height, width, 3)])
    grid = rgb.reshape(rows, cols, height, width, 3).permute(0, 2, 1, 3, 4).reshape(rows * height, cols * width, 3)
    image = Image.fromarray(grid.mul_(255).round_().to(torch.uint8).numpy(), "RGB")
    side = min(MAX_GRID_SIDE, MAX_SIDE * max(rows, cols))
    if max(image.size) > side:
        image.thumbnail((side, side), Image.Resampling.BILINEAR)
    return image
