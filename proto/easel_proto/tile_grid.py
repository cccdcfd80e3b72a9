"""The web UI's SD upscale grid: the size its script upscales to, and where each tile of that image sits.

Plain arithmetic, no images: the gateway counts the tiles to bound a job before queueing it, and the worker splits
and blends the image along the same grid (engine/sd_upscale.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def upscaled_size(width: int, height: int, scale: float) -> tuple[int, int]:
    """An image upscaled by `scale` as the web UI's upscalers size it: each side rounded down to a multiple of 8."""
    return int(width * scale // 8 * 8), int(height * scale // 8 * 8)


@dataclass(frozen=True)
class TileGrid:
    """Tiles of tile_w x tile_h over a width x height image: the left edge of each column, the top of each row.

    Tiles spread evenly from the first edge to the last, so neighbours share at least `overlap` pixels (more
    when the image does not divide evenly); only the first `overlap` pixels of each are blended.
    """

    width: int
    height: int
    tile_w: int
    tile_h: int
    overlap: int
    xs: tuple[int, ...]
    ys: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.xs) * len(self.ys)

    def boxes(self) -> list[tuple[int, int, int, int]]:
        """(left, top, right, bottom) of every tile, row by row: the order tiles are denoised in."""
        return [(x, y, x + self.tile_w, y + self.tile_h) for y in self.ys for x in self.xs]


def _edges(size: int, tile: int, overlap: int) -> tuple[int, ...]:
    count = math.ceil((size - overlap) / (tile - overlap))
    step = (size - tile) / (count - 1) if count > 1 else 0
    return tuple(min(int(i * step), size - tile) for i in range(count))


def tile_grid(width: int, height: int, tile_w: int, tile_h: int, overlap: int) -> TileGrid:
    """The web UI's grid (its images.split_grid) of tile_w x tile_h tiles overlapping by `overlap` pixels.

    ValueError when a tile is larger than the image or the overlap is not smaller than a tile's side (the web
    UI would crop past the image's edge or divide by zero).
    """
    if tile_w > width or tile_h > height:
        raise ValueError(f"a {tile_w}x{tile_h} tile is larger than the {width}x{height} image")
    if not 0 <= overlap < min(tile_w, tile_h):
        raise ValueError(f"the overlap {overlap} must be at least 0 and less than the tile's {min(tile_w, tile_h)}")
    return TileGrid(width, height, tile_w, tile_h, overlap, _edges(width, tile_w, overlap),
                    _edges(height, tile_h, overlap))
