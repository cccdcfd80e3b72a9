"""ControlNet preprocessors on a synthetic drawing: map sizes, binary maps, and lines where the shapes are."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from easel_proto.errors import GenerationFailed, InvalidInput
from easel_worker.engine.annotators import HedNet, load_hed
from easel_worker.engine.preprocessors import preprocess
from easel_worker.engine.tiny_parts import TINY_HED_WIDTHS, build_tiny_hed

W, H = 128, 96  # the drawing; maps come out at RES on the short side, i.e. twice as large
RES = 192


def drawing(scale: int = 1, background: str = "white", ink: str = "black") -> Image.Image:
    """A rectangle outline on the left and a filled disk on the right."""
    image = Image.new("RGB", (W * scale, H * scale), background)
    draw = ImageDraw.Draw(image)
    draw.rectangle([c * scale for c in (16, 16, 56, 72)], outline=ink, width=3 * scale)
    draw.ellipse([c * scale for c in (80, 24, 112, 56)], fill=ink)
    return image


def near_ink(margin: int) -> np.ndarray:
    """Pixels of the 2x drawing within `margin` of its ink."""
    ink = (np.asarray(drawing(2).convert("L")) < 128).astype(np.uint8)
    return cv2.dilate(ink, np.ones((2 * margin + 1, 2 * margin + 1), np.uint8)).astype(bool)


def white(map_: Image.Image) -> np.ndarray:
    return np.asarray(map_.convert("L")) == 255


def assert_lines_on_shapes(map_: Image.Image, margin: int = 8) -> None:
    lines = white(map_)
    assert map_.size == (2 * W, 2 * H) and map_.mode == "RGB"
    assert set(np.unique(np.asarray(map_))) <= {0, 255}, "map must be binary"
    assert not (lines & ~near_ink(margin)).any(), "lines away from the shapes"
    assert lines[:, : 2 * 70].sum() > 100, "the rectangle left no lines"
    assert lines[:, 2 * 70:].sum() > 50, "the disk left no lines"


@pytest.fixture(scope="module")
def hed(tmp_path_factory) -> Path:
    return build_tiny_hed(tmp_path_factory.mktemp("hed") / "hed.safetensors")


def run(module: str, image: Image.Image | None = None, **kw) -> Image.Image:
    kw.setdefault("threshold_a", None)
    kw.setdefault("threshold_b", None)
    return preprocess(module, drawing() if image is None else image, resolution=RES, **kw)


def test_none_returns_the_image_unchanged():
    image = drawing()
    out = run("none", image.convert("RGBA"))
    assert out.size == image.size and out.mode == "RGB"
    assert np.array_equal(np.asarray(out), np.asarray(image))


def test_invert_turns_black_on_white_into_white_on_black():
    out = np.asarray(run("invert").convert("L"))
    assert out.shape == (2 * H, 2 * W)
    assert (out[~near_ink(5)] == 0).all()
    assert out[2 * 40, 2 * 96] == 255  # inside the disk


def test_transparent_background_reads_as_white_paper():
    layer = drawing(background="white").convert("RGBA")
    pixels = np.asarray(layer).copy()
    pixels[..., 3] = np.where(pixels[..., 0] > 128, 0, 255)  # only the ink is opaque
    pixels[pixels[..., 3] == 0, :3] = 0  # what is under the clear parts must not matter
    assert np.array_equal(np.asarray(run("invert", Image.fromarray(pixels))), np.asarray(run("invert")))


def test_canny_finds_the_shapes_outlines():
    assert_lines_on_shapes(run("canny"), margin=3)


def test_canny_thresholds_out_of_range_take_the_defaults_and_high_ones_find_fewer_edges():
    default = run("canny")
    assert np.array_equal(np.asarray(run("canny", threshold_a=-1, threshold_b=999)), np.asarray(default))
    faint = drawing(ink="#e8e8e8")  # a light grey drawing: weak gradients
    assert white(run("canny", faint, threshold_a=1, threshold_b=10)).sum() > 100
    assert white(run("canny", faint, threshold_a=200, threshold_b=250)).sum() == 0


def test_scribble_xdog_draws_white_strokes_on_the_lines():
    out = run("scribble_xdog")
    assert_lines_on_shapes(out, margin=4)
    assert white(out)[2 * 40, 2 * 82] or white(out)[2 * 40, 2 * 83]  # the disk's left rim


def test_tiny_hed_loads_with_widths_read_from_the_file(hed):
    net = load_hed(hed)
    assert isinstance(net, HedNet)
    assert [[(c.in_channels, c.out_channels) for c in getattr(net, f"block{b}").convs] for b in range(1, 6)] \
        == TINY_HED_WIDTHS
    assert load_hed(hed) is net  # cached


def test_softedge_hed_gives_a_soft_map_brighter_on_edges(hed):
    out = np.asarray(run("softedge_hed", annotator=hed).convert("L")).astype(int)
    assert out.shape == (2 * H, 2 * W)
    assert len(np.unique(out)) > 2, "softedge is a soft map, not a binary one"
    edges = near_ink(3) & ~(np.asarray(drawing(2).convert("L")) < 128)
    assert out[edges].mean() > 4 * max(1, out[~near_ink(12)].mean())


def test_scribble_hed_gives_thick_binary_strokes_on_the_shapes(hed):
    assert_lines_on_shapes(run("scribble_hed", annotator=hed), margin=12)


def test_unknown_module_is_refused_naming_the_field():
    with pytest.raises(InvalidInput) as err:
        run("depth_leres", field="controlnets.2")
    assert err.value.details["field"] == "controlnets.2.module"


def test_hed_without_its_annotator_says_which_model_to_import():
    with pytest.raises(GenerationFailed, match="ControlNetHED"):
        run("scribble_hed")
