"""The SD upscale grid (easel_proto.tile_grid): the web UI's upscaled size and tile placement, which the gateway
counts and the worker splits along."""

from __future__ import annotations

import pytest

from easel_proto.tile_grid import tile_grid, upscaled_size


def test_upscaled_sides_round_down_to_multiples_of_8_as_the_web_uis_upscalers():
    assert upscaled_size(512, 512, 2.0) == (1024, 1024)
    assert upscaled_size(100, 60, 1.5) == (144, 88)  # 150 -> 144, 90 -> 88
    assert upscaled_size(48, 40, 2.0) == (96, 80)


def test_a_1024_image_in_512_tiles_with_64_overlap_is_3x3_evenly_spread():
    grid = tile_grid(1024, 1024, 512, 512, 64)
    assert grid.xs == grid.ys == (0, 256, 512)  # 3 columns: ceil((1024 - 64) / 448); the last ends at the edge
    assert grid.count == 9 and grid.boxes()[4] == (256, 256, 768, 768)


def test_an_image_the_size_of_a_tile_is_one_tile_and_uneven_sizes_end_at_the_edge():
    assert tile_grid(512, 512, 512, 512, 64).count == 1
    grid = tile_grid(96, 80, 64, 64, 16)
    assert (grid.xs, grid.ys) == ((0, 32), (0, 16))
    assert all(right <= 96 and bottom <= 80 for _, _, right, bottom in grid.boxes())


@pytest.mark.parametrize(("size", "tile", "overlap"), [((64, 64), (96, 64), 8), ((128, 128), (64, 64), 64),
                                                       ((128, 128), (64, 64), -1)])
def test_a_tile_larger_than_the_image_or_an_overlap_of_a_whole_tile_is_refused(size, tile, overlap):
    with pytest.raises(ValueError):
        tile_grid(*size, *tile, overlap)
