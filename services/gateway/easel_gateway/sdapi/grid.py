"""Image grids with axis labels, as the web UI's scripts draw them (drawn here with PIL, from scratch)."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo

INACTIVE = (153, 153, 153)
# A grid is a preview of its cells (which the reply also carries at full size): past this many pixels in all its
# cells they are scaled down, so that a 64-cell plot of 2048x2048 images costs the gateway 192 MB, not 805 MB.
MAX_GRID_PIXELS = 64 * 1024 * 1024


@dataclass(frozen=True)
class Label:
    """One line of a row or column label; an inactive one (a prompt part left out) is grey and struck out."""

    text: str
    active: bool = True


def open_png(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image.convert("RGB")


def to_png(image: Image.Image, infotext: str | None = None) -> bytes:
    meta = PngInfo()
    if infotext:
        meta.add_text("parameters", infotext)
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=meta)
    return out.getvalue()


def cells(pngs: list[bytes | None], size: tuple[int, int], max_pixels: int = MAX_GRID_PIXELS) -> list[Image.Image]:
    """The grid's cells from the jobs' images (None: an interrupted job's blank cell), each scaled by the same
    factor when together they would pass `max_pixels`; each is opened and shrunk before the next is opened."""
    total = len(pngs) * size[0] * size[1]
    factor = min(1.0, math.sqrt(max_pixels / total)) if total else 1.0
    cell = (max(1, round(size[0] * factor)), max(1, round(size[1] * factor)))
    out = []
    for png in pngs:
        image = open_png(png) if png is not None else Image.new("RGB", size)
        out.append(image if factor == 1.0 else image.resize(cell, Image.Resampling.LANCZOS))
    return out


def grid(images: list[Image.Image], rows: int, margin: int = 0) -> Image.Image:
    """Images left to right, top to bottom, in `rows` rows; cells are the largest image's size."""
    rows = max(1, min(rows, len(images)))
    cols = math.ceil(len(images) / rows)
    width, height = max(i.width for i in images), max(i.height for i in images)
    out = Image.new("RGB", (cols * width + margin * (cols - 1), rows * height + margin * (rows - 1)), "white")
    for n, image in enumerate(images):
        out.paste(image, ((n % cols) * (width + margin), (n // cols) * (height + margin)))
    return out


@cache
def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size)
    except (OSError, TypeError, ValueError):  # a Pillow built without FreeType has only its bitmap font
        return ImageFont.load_default()


def _wrap(text: str, font, width: float) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}".strip()
            if line and font.getlength(candidate) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def _has_text(labels: list[list[Label]]) -> bool:
    return any(label.text for group in labels for label in group)


def annotate(image: Image.Image, cell_w: int, cell_h: int, columns: list[list[Label]], rows: list[list[Label]],
             margin: int = 0) -> Image.Image:
    """The grid with each column's labels above it and each row's to its left."""
    size = max(12, (cell_w + cell_h) // 25)
    font, spacing = _font(size), size // 2
    line_h = size + spacing
    pad_left = cell_w * 3 // 4 if _has_text(rows) else 0
    wrapped_cols = [[(line, label.active) for label in group for line in _wrap(label.text, font, cell_w)]
                    for group in columns]
    wrapped_rows = [[(line, label.active) for label in group
                     for line in _wrap(label.text, font, max(pad_left - 2 * spacing, size))] for group in rows]
    pad_top = (max(len(g) for g in wrapped_cols) * line_h + 2 * spacing) if _has_text(columns) else 0
    out = Image.new("RGB", (image.width + pad_left, image.height + pad_top), "white")
    out.paste(image, (pad_left, pad_top))
    draw = ImageDraw.Draw(out)

    def block(lines: list[tuple[str, bool]], center_x: float, center_y: float) -> None:
        top = center_y - len(lines) * line_h / 2
        for n, (line, active) in enumerate(lines):
            width = font.getlength(line)
            x, y = center_x - width / 2, top + n * line_h
            draw.text((x, y), line, font=font, fill="black" if active else INACTIVE)
            if not active:
                middle = y + size / 2
                draw.line((x, middle, x + width, middle), fill=INACTIVE, width=max(1, size // 10))

    for c, lines in enumerate(wrapped_cols):
        block(lines, pad_left + c * (cell_w + margin) + cell_w / 2, pad_top / 2)
    for r, lines in enumerate(wrapped_rows):
        block(lines, pad_left / 2, pad_top + r * (cell_h + margin) + cell_h / 2)
    return out
